"""Read queries the public website needs beyond the Registry service: listings of published entities
by schema, an entity's one-hop network (ownership, management, directorships, sanctions, links), the
documented support of each state, and the current account behind an editor session.

Read-only; every function takes the `Registry` and opens its own session.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select

from shadowfleet.registry import queries
from shadowfleet.registry.models import EntityPublic, EntityRef, UserPublic
from shadowfleet.registry.service import Registry
from shadowfleet.registry.tables import Entity, Statement, User

# Edge schemata: (property naming one end, property naming the other end, label)
EDGE_ENDS = {
    "Ownership": ("owner", "asset", "owns"),
    "Directorship": ("director", "organization", "director of"),
    "UnknownLink": ("subject", "object", "linked to"),
    "Occupancy": ("holder", "post", "holds"),
}
# Properties of node entities that point at another entity.
NODE_LINK_PROPS = {"owner": "owns", "operator": "operates", "manager": "manages", "organization": "part of"}


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    label: str
    start_date: str | None
    end_date: str | None


@dataclass(frozen=True)
class Graph:
    nodes: list[EntityRef]
    edges: list[GraphEdge]
    sanctioned: dict[str, list[str]]


def list_entities(
    reg: Registry, schemas: tuple[str, ...], q: str | None, limit: int, offset: int
) -> tuple[list[EntityRef], int]:
    """Published entities of the given schemata by caption fragment, with the total before paging."""
    with reg.db.session() as session:
        where: list[ColumnElement[bool]] = [
            Entity.schema_name.in_(schemas),
            Entity.status.in_(queries.PUBLIC),
        ]
        if "Person" in schemas:  # the retention rule applies to every public listing
            hidden = queries.hidden_person_ids(session, reg.retention_years)
            if hidden:
                where.append(Entity.id.not_in(sorted(hidden)))
        if q and q.strip():
            where.append(Entity.caption.icontains(q.strip(), autoescape=True))
        total = session.scalar(select(func.count()).select_from(Entity).where(*where)) or 0
        found = session.scalars(
            select(Entity).where(*where).order_by(Entity.caption, Entity.id).limit(limit).offset(offset)
        )
        return [queries.ref(e) for e in found], int(total)


def entity_graph(reg: Registry, entity_id: str) -> Graph:
    """The published entities one hop from `entity_id`, through edge entities or linking properties."""
    with reg.db.session() as session:
        center = session.get(Entity, entity_id)
        hidden = queries.hidden_person_ids(session, reg.retention_years)
        if center is None or center.status not in queries.PUBLIC or entity_id in hidden:
            raise queries.NotFound(f"no entity {entity_id!r}")
        nodes: dict[str, Entity] = {center.id: center}
        edges: list[GraphEdge] = []
        own = queries.statements_of(session, [entity_id])[entity_id]
        for st in own:
            if st.prop in NODE_LINK_PROPS:
                edges.append(
                    GraphEdge(st.value, entity_id, NODE_LINK_PROPS[st.prop], st.start_date, st.end_date)
                )
        # Entities whose linking property points here (vessels owned/managed by this company, ...).
        for st in queries.referencing(session, [entity_id], tuple(NODE_LINK_PROPS)):
            edges.append(
                GraphEdge(entity_id, st.entity_id, NODE_LINK_PROPS[st.prop], st.start_date, st.end_date)
            )
        # Edge entities that name this entity at either end.
        edge_props = tuple({p for a, b, _ in EDGE_ENDS.values() for p in (a, b)} | {"entity"})
        edge_refs = queries.referencing(session, [entity_id], edge_props)
        edge_stmts = queries.statements_of(session, sorted({r.entity_id for r in edge_refs}))
        for edge_id, stmts in edge_stmts.items():
            edge_entity = session.get(Entity, edge_id)
            if edge_entity is None:
                continue
            props = {s.prop: s.value for s in stmts}
            start, end = props.get("startDate"), props.get("endDate")
            if edge_entity.schema_name in EDGE_ENDS:
                a, b, label = EDGE_ENDS[edge_entity.schema_name]
                if a in props and b in props:
                    edges.append(GraphEdge(props[a], props[b], label, start, end))
            elif edge_entity.schema_name == "Sanction" and "entity" in props:
                nodes[edge_entity.id] = edge_entity
                label = "sanctioned: " + (props.get("program") or "")
                edges.append(GraphEdge(edge_entity.id, props["entity"], label.strip(), start, end))
        ids = {e.source for e in edges} | {e.target for e in edges}
        for other in session.scalars(
            select(Entity).where(Entity.id.in_(ids), Entity.status.in_(queries.PUBLIC))
        ):
            nodes[other.id] = other
        for person_id in hidden & set(nodes):
            del nodes[person_id]  # people past retention never appear, not even as a neighbour
        kept = [e for e in edges if e.source in nodes and e.target in nodes]
        sanctioned = queries.sanctions_of(session, list(nodes))
        return Graph([queries.ref(n) for n in nodes.values()], kept, sanctioned)


def supports_of_state(reg: Registry, country_code: str) -> list[EntityPublic]:
    """Published Support entities whose `state` is the country code, with their sourced statements."""
    with reg.db.session() as session:
        ids = session.scalars(
            select(Statement.entity_id)
            .join(Entity, Entity.id == Statement.entity_id)
            .where(
                Statement.prop == "state",
                func.lower(Statement.value) == country_code.lower(),
                Entity.schema_name == "Support",
                Entity.status.in_(queries.PUBLIC),
            )
            .distinct()
        ).all()
        return [queries.load_public(session, i, queries.PUBLIC) for i in sorted(ids)]


def states_with_support(reg: Registry) -> dict[str, int]:
    """Country code -> number of published Support entities about it."""
    with reg.db.session() as session:
        rows = session.execute(
            select(Statement.value, func.count(func.distinct(Statement.entity_id)))
            .join(Entity, Entity.id == Statement.entity_id)
            .where(
                Statement.prop == "state", Entity.schema_name == "Support", Entity.status.in_(queries.PUBLIC)
            )
            .group_by(Statement.value)
        ).all()
        return {str(code).lower(): int(n) for code, n in rows}


def registry_vessels_for(reg: Registry, imo: int | None, mmsi: int | None) -> list[str]:
    """Ids of published Vessel entities with this IMO or MMSI (the lake-to-registry join)."""
    values = []
    if imo:
        values += [("imoNumber", str(imo)), ("imoNumber", f"IMO{imo}")]
    if mmsi:
        values.append(("mmsi", str(mmsi)))
    if not values:
        return []
    with reg.db.session() as session:
        conditions = [(Statement.prop == p) & (Statement.value == v) for p, v in values]
        return list(
            session.scalars(
                select(Statement.entity_id)
                .join(Entity, Entity.id == Statement.entity_id)
                .where(or_(*conditions), Entity.schema_name == "Vessel", Entity.status.in_(queries.PUBLIC))
                .distinct()
            )
        )


def active_user(reg: Registry, user_id: int) -> UserPublic | None:
    with reg.db.session() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return UserPublic(id=user.id, username=user.username, role=user.role)  # type: ignore[arg-type]


def review_item_counts(reg: Registry) -> dict[str, int]:
    from shadowfleet.registry.tables import ReviewItem

    with reg.db.session() as session:
        rows = session.execute(
            select(ReviewItem.kind, func.count()).where(ReviewItem.status == "open").group_by(ReviewItem.kind)
        ).all()
        return {str(kind): int(n) for kind, n in rows}


def sanction_listings(reg: Registry, entity_id: str) -> list[dict[str, str | None]]:
    """Published Sanction entities naming `entity_id`: program, authority, listing and end dates, and
    the date of the newest list that states it."""
    with reg.db.session() as session:
        refs = queries.referencing(session, [entity_id], ("entity",))
        ids = sorted({r.entity_id for r in refs})
        out = []
        for sid, stmts in queries.statements_of(session, ids).items():
            entity = session.get(Entity, sid)
            if entity is None or entity.schema_name != "Sanction":
                continue
            props: dict[str, str] = {}
            for st in stmts:
                props.setdefault(st.prop, st.value)
            cited = queries.sources_of(session, stmts)
            list_dates = sorted(d for src in cited.values() if (d := src.published_date))
            out.append(
                {
                    "sanction_id": sid,
                    "program": props.get("program"),
                    "authority": props.get("authority"),
                    "listing_date": props.get("listingDate") or props.get("startDate"),
                    "end_date": props.get("endDate"),
                    # the date of the newest list (source) that states the listing
                    "seen_on_list": list_dates[-1] if list_dates else None,
                }
            )
        return sorted(out, key=lambda r: (r["listing_date"] or "", r["program"] or ""))


def ftm_entity(reg: Registry, entity_id: str) -> dict[str, object]:
    """One public entity as the registry's FollowTheMoney export writes it (`ftm.entity_dict`).
    People past the retention period are not found, as everywhere public."""
    from shadowfleet.registry import ftm

    reg.entity(entity_id)  # NotFound for drafts, unknown ids and people past retention
    with reg.db.session() as session:
        entity = session.get(Entity, entity_id)
        assert entity is not None
        statements = sorted(
            queries.statements_of(session, [entity_id])[entity_id], key=lambda st: (st.prop, st.value, st.id)
        )
        return ftm.entity_dict(entity, statements, queries.sources_of(session, statements))
