"""Public reads: entities as Public models, vessel dossiers with dated histories and sanction flags,
people with their occupancies (retention enforced here)."""

from collections import defaultdict
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from shadowfleet.registry.models import (
    EntityPublic,
    EntityRef,
    LinkedEntity,
    OccupancyPublic,
    SanctionFlag,
    SourcePublic,
    StatementPublic,
    VesselDossier,
    VesselSummary,
)
from shadowfleet.registry.schema import HISTORY_PROPERTIES
from shadowfleet.registry.tables import Entity, Source, Statement
from shadowfleet.registry.validation import date_upper

PUBLIC = ("published",)
# Why a vessel counts as sanctioned through another entity, by the property that links them.
_VIA = {
    "owner": "owned by a sanctioned company",
    "operator": "operated by a sanctioned company",
    "manager": "managed by a sanctioned company",
    "linked to": "linked to a sanctioned entity",
}


class NotFound(LookupError):
    pass


def statements_of(session: Session, entity_ids: list[str]) -> dict[str, list[Statement]]:
    out: dict[str, list[Statement]] = defaultdict(list)
    for i in range(0, len(entity_ids), 500):
        chunk = entity_ids[i : i + 500]
        for s in session.scalars(select(Statement).where(Statement.entity_id.in_(chunk))):
            out[s.entity_id].append(s)
    return out


def sources_of(session: Session, statements: list[Statement]) -> dict[str, Source]:
    ids = sorted({s.source_id for s in statements})
    out: dict[str, Source] = {}
    for i in range(0, len(ids), 500):
        out.update({s.id: s for s in session.scalars(select(Source).where(Source.id.in_(ids[i : i + 500])))})
    return out


def source_public(src: Source) -> SourcePublic:
    return SourcePublic(
        id=src.id,
        url=src.url,
        title=src.title,
        publisher=src.publisher,
        published_date=src.published_date,
        archive_url=src.archive_url,
        accessed_date=src.accessed_date,
    )


def statement_public(s: Statement, sources: dict[str, Source]) -> StatementPublic:
    return StatementPublic(
        prop=s.prop,
        value=s.value,
        source=source_public(sources[s.source_id]),
        quote=s.quote,
        start_date=s.start_date,
        end_date=s.end_date,
        first_seen=s.first_seen,
        last_seen=s.last_seen,
        entered_by=s.entered_by,
    )


def _order(s: Statement) -> tuple[str, str, str, str]:
    return (s.prop, s.start_date or "", s.end_date or "9999", s.value)


def entity_public(entity: Entity, statements: list[Statement], sources: dict[str, Source]) -> EntityPublic:
    # A retracted entry keeps its notice and reason on the record but shows none of its claims.
    shown = [] if entity.status == "retracted" else sorted(statements, key=_order)
    return EntityPublic(
        id=entity.id,
        schema_name=entity.schema_name,
        caption=entity.caption,
        status=entity.status,  # type: ignore[arg-type]
        retraction_reason=entity.retraction_reason,
        version=entity.row_version,
        dataset=entity.dataset,
        created_at=entity.created_at,
        updated_at=entity.updated_at,
        statements=[statement_public(s, sources) for s in shown],
    )


def ref(entity: Entity) -> EntityRef:
    return EntityRef(id=entity.id, schema_name=entity.schema_name, caption=entity.caption)


def load_public(
    session: Session, entity_id: str, statuses: tuple[str, ...] = (*PUBLIC, "retracted")
) -> EntityPublic:
    entity = session.get(Entity, entity_id)
    if entity is None or entity.status not in statuses:
        raise NotFound(f"no entity {entity_id!r}")
    stmts = statements_of(session, [entity_id])[entity_id]
    return entity_public(entity, stmts, sources_of(session, stmts))


def referencing(session: Session, target_ids: list[str], props: tuple[str, ...]) -> list[Statement]:
    """Published statements of `props` whose value is one of `target_ids` (edges pointing at them)."""
    if not target_ids:
        return []
    q = (
        select(Statement)
        .join(Entity, Entity.id == Statement.entity_id)
        .where(Statement.prop.in_(props), Statement.value.in_(target_ids), Entity.status.in_(PUBLIC))
    )
    return list(session.scalars(q))


def sanctions_of(session: Session, entity_ids: list[str]) -> dict[str, list[str]]:
    """entity id -> programs of the published Sanction entities that name it (empty list: none)."""
    out: dict[str, list[str]] = {}
    for st in referencing(session, entity_ids, ("entity",)):
        sanction = session.get(Entity, st.entity_id)
        if sanction is None or sanction.schema_name != "Sanction":
            continue
        programs = [
            s.value for s in statements_of(session, [sanction.id])[sanction.id] if s.prop == "program"
        ]
        out.setdefault(st.value, []).extend(programs)
    return out


def vessel_links(session: Session, vessel_id: str, stmts: list[Statement]) -> list[LinkedEntity]:
    links: list[tuple[str, str, str | None, str | None]] = [
        (s.prop, s.value, s.start_date, s.end_date)
        for s in stmts
        if s.prop in ("owner", "operator", "manager")
    ]
    edges = referencing(session, [vessel_id], ("asset", "subject", "entity"))
    edge_stmts = statements_of(session, [e.entity_id for e in edges])
    for edge in edges:
        edge_entity = session.get(Entity, edge.entity_id)
        if edge_entity is None:
            continue
        props = {s.prop: s.value for s in edge_stmts[edge.entity_id]}
        start, end = props.get("startDate"), props.get("endDate")
        if edge_entity.schema_name == "Ownership" and "owner" in props:
            links.append(("owner", props["owner"], start, end))
        elif edge_entity.schema_name == "UnknownLink" and "object" in props:
            links.append(("linked to", props["object"], start, end))
        elif edge_entity.schema_name == "Sanction":
            links.append(("sanction", edge_entity.id, start or props.get("listingDate"), end))
    out = []
    for role, target_id, start, end in links:
        target = session.get(Entity, target_id)
        if target is not None and target.status in PUBLIC:
            out.append(LinkedEntity(role=role, entity=ref(target), start_date=start, end_date=end))
    return out


def sanction_flags(session: Session, vessel_id: str, links: list[LinkedEntity]) -> list[SanctionFlag]:
    direct = sanctions_of(session, [vessel_id])
    flags = []
    if vessel_id in direct:
        flags.append(
            SanctionFlag(reason="sanctioned", via_entity=None, program=sorted(set(direct[vessel_id])))
        )
    via = [link for link in links if link.role in _VIA]
    programs = sanctions_of(session, [link.entity.id for link in via])
    for link in via:
        if link.entity.id in programs:
            flags.append(
                SanctionFlag(
                    reason=_VIA[link.role],
                    via_entity=link.entity,
                    program=sorted(set(programs[link.entity.id])),
                )
            )
    return flags


def current_value(stmts: list[Statement], prop: str) -> str | None:
    """The value with no end date and the latest start (or any value when none is dated)."""
    values = [s for s in stmts if s.prop == prop]
    if not values:
        return None
    open_ = [s for s in values if not s.end_date] or values
    return max(open_, key=lambda s: (s.start_date or "", s.last_seen)).value


def vessel_dossier(session: Session, vessel_id: str) -> VesselDossier:
    vessel = load_public(session, vessel_id)
    if vessel.schema_name != "Vessel":
        raise NotFound(f"{vessel_id!r} is not a vessel")
    entity = session.get(Entity, vessel_id)
    stmts = (
        []
        if entity is None or entity.status == "retracted"
        else statements_of(session, [vessel_id])[vessel_id]
    )
    by_id = {(s.prop, s.value, s.start_date, s.end_date): s for s in vessel.statements}
    history: dict[str, list[StatementPublic]] = {}
    for s in sorted(stmts, key=_order):
        if s.prop in (*HISTORY_PROPERTIES, "previousName", "pastFlags"):
            history.setdefault(s.prop, []).append(by_id[(s.prop, s.value, s.start_date, s.end_date)])
    links = vessel_links(session, vessel_id, stmts)
    return VesselDossier(
        vessel=vessel, history=history, links=links, sanctions=sanction_flags(session, vessel_id, links)
    )


def vessel_summaries(session: Session, vessel_ids: list[str]) -> list[VesselSummary]:
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(vessel_ids)))}
    stmts = statements_of(session, vessel_ids)
    sanctioned = set(sanctions_of(session, vessel_ids))
    out = []
    for vid in vessel_ids:
        entity = entities.get(vid)
        if entity is None:
            continue
        st = stmts[vid]
        owners = [s.value for s in st if s.prop in ("owner", "operator", "manager")]
        via = bool(sanctions_of(session, owners)) if owners and vid not in sanctioned else False
        out.append(
            VesselSummary(
                id=vid,
                name=entity.caption,
                imo=current_value(st, "imoNumber"),
                mmsi=sorted({s.value for s in st if s.prop == "mmsi"}),
                flag=current_value(st, "flag"),
                sanctioned=vid in sanctioned or via,
            )
        )
    return out


def search_vessel_ids(
    session: Session, q: str | None, imo: str | None, mmsi: str | None, limit: int, offset: int
) -> list[str]:
    query = (
        select(Statement.entity_id)
        .join(Entity, Entity.id == Statement.entity_id)
        .where(Entity.schema_name == "Vessel", Entity.status.in_(PUBLIC))
    )
    conditions = []
    if imo:
        conditions.append((Statement.prop == "imoNumber") & (Statement.value == imo))
    if mmsi:
        conditions.append((Statement.prop == "mmsi") & (Statement.value == mmsi))
    if q:
        conditions.append(
            Statement.prop.in_(("name", "previousName", "alias"))
            & func.lower(Statement.value).contains(q.strip().lower(), autoescape=True)
        )
    if conditions:
        query = query.where(or_(*conditions))
    query = query.group_by(Statement.entity_id).order_by(Statement.entity_id).limit(limit).offset(offset)
    return list(session.scalars(query))


# Holders of posts with these Position topics are public figures whose tenure is public record:
# the retention rule does not apply to those occupancies.
PUBLIC_OFFICE_TOPICS = ("gov.head", "gov.national")


def occupancy_holders() -> Select[str]:
    """Ids of the holders of published occupancies (a subquery)."""
    holder = aliased(Entity)
    return (
        select(Statement.value)
        .join(holder, holder.id == Statement.entity_id)
        .where(holder.schema_name == "Occupancy", holder.status.in_(PUBLIC), Statement.prop == "holder")
    )


def public_office_posts(session: Session) -> set[str]:
    rows = session.execute(
        select(Statement.entity_id)
        .join(Entity, Entity.id == Statement.entity_id)
        .where(
            Entity.schema_name == "Position",
            Statement.prop == "topics",
            Statement.value.in_(PUBLIC_OFFICE_TOPICS),
        )
    ).all()
    return {r[0] for r in rows}


def occupancies_of(session: Session, person_id: str) -> list[OccupancyPublic]:
    edges = referencing(session, [person_id], ("holder",))
    occupancy_ids = sorted({e.entity_id for e in edges})  # one edge per source: count each occupancy once
    stmts = statements_of(session, occupancy_ids)
    offices = public_office_posts(session)
    by_key: dict[tuple[str | None, ...], OccupancyPublic] = {}
    for occ_id in occupancy_ids:
        st = stmts[occ_id]
        props = {s.prop: s.value for s in st}
        dates = sorted(s.value for s in st if s.prop == "date")
        post = session.get(Entity, props["post"]) if "post" in props else None
        org = None
        if post is not None:
            post_org = [
                s.value for s in statements_of(session, [post.id])[post.id] if s.prop == "organization"
            ]
            org = session.get(Entity, post_org[0]) if post_org else None
        sources = sources_of(session, st)
        occupancy = OccupancyPublic(
            id=occ_id,
            post=ref(post) if post is not None and post.status in PUBLIC else None,
            organization=ref(org) if org is not None and org.status in PUBLIC else None,
            rank=props.get("rank"),
            location=props.get("location"),
            confidence=props.get("confidence"),
            start_date=props.get("startDate"),
            end_date=props.get("endDate"),
            statements=[statement_public(s, sources) for s in sorted(st, key=_order)],
            date=dates[-1] if dates else None,
            public_office=post is not None and post.id in offices,
        )
        key = (
            occupancy.post.id if occupancy.post else None,
            occupancy.rank,
            occupancy.organization.id if occupancy.organization else None,
            occupancy.start_date,
            occupancy.end_date,
        )
        same = by_key.get(key)
        if same is None:
            by_key[key] = occupancy
        else:  # the same post stated twice (e.g. by two datasets): one entry, every source kept
            same.statements.extend(occupancy.statements)
            same.date = max(filter(None, (same.date, occupancy.date)), default=None)
            same.public_office = same.public_office or occupancy.public_office
    return sorted(by_key.values(), key=lambda o: (o.start_date or o.date or "", o.id))


def retention_cutoff(retention_years: int, today: date | None = None) -> str:
    """The ISO date before which a last occupancy end takes a person out of public view."""
    today = today or date.today()
    try:
        return today.replace(year=today.year - retention_years).isoformat()
    except ValueError:  # 29 February
        return today.replace(year=today.year - retention_years, day=28).isoformat()


def last_known_in_post(end_date: str | None, start_date: str | None, date_value: str | None) -> str | None:
    """The last day an occupancy is known to have lasted: its end; "" (still in post) for an
    open-ended start; the `date` the source shows the holder in post; None when undated."""
    if end_date:
        return date_upper(end_date)
    if start_date:
        return ""
    if date_value:
        return date_upper(date_value)
    return None


def retained(occupancies: list[OccupancyPublic], retention_years: int, today: date | None = None) -> bool:
    """False once the person was last known in post (an occupancy's end, or the date a date-only
    occupancy states) more than `retention_years` ago. Open-ended occupancies and public offices
    keep the entry; undated occupancies say nothing either way."""
    known: list[str] = []
    for o in occupancies:
        if o.public_office:
            return True
        last = last_known_in_post(o.end_date, o.start_date, o.date)
        if last == "":
            return True
        if last is not None:
            known.append(last)
    if not known:
        return True
    return max(known) >= retention_cutoff(retention_years, today)


def hidden_person_ids(session: Session, retention_years: int, today: date | None = None) -> set[str]:
    """People last known in post before the retention cutoff (one query, for lists)."""
    rows = session.execute(
        select(Statement.entity_id, Statement.prop, Statement.value)
        .join(Entity, Entity.id == Statement.entity_id)
        .where(
            Entity.schema_name == "Occupancy",
            Entity.status.in_(PUBLIC),
            Statement.prop.in_(("holder", "endDate", "startDate", "date", "post")),
        )
    ).all()
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for occ_id, prop, value in rows:
        values[occ_id][prop].append(value)
    offices = public_office_posts(session)
    kept: set[str] = set()
    latest: dict[str, str] = {}
    for props in values.values():
        ends, starts, dates = props.get("endDate", []), props.get("startDate", []), props.get("date", [])
        public = any(p in offices for p in props.get("post", []))
        last = last_known_in_post(
            max(ends, default=None), max(starts, default=None), max(dates, default=None)
        )
        for pid in props.get("holder", []):
            if public or last == "":
                kept.add(pid)
            elif last is not None:
                latest[pid] = max(latest.get(pid, ""), last)
    cutoff = retention_cutoff(retention_years, today)
    return {pid for pid, last in latest.items() if pid not in kept and last < cutoff}
