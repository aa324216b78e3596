"""FollowTheMoney JSON lines in and out (the OpenSanctions entity format).

Each exported line is a plain FtM entity (`id`, `schema`, `properties`, `datasets`, `first_seen`,
`last_seen`) that the followthemoney library accepts, plus a `shadowfleet` block holding our full
statements (value, source, dated period, who entered it, first/last seen) and extension schemata
(Country -> Organization, Support -> Event), so our own export imports back without loss. Plain FtM
lines from elsewhere import too: their values are validated and attributed to the entity's
`sourceUrl` or to the source given for the whole file.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shadowfleet.registry import queries
from shadowfleet.registry.audit import canonical_value
from shadowfleet.registry.models import ClaimIn, SourceIn
from shadowfleet.registry.schema import SCHEMATA
from shadowfleet.registry.store import (
    bulk_insert,
    bulk_update,
    caption_for,
    ensure_source,
    entity_row,
    statement_values,
)
from shadowfleet.registry.tables import Entity, Source, Statement
from shadowfleet.registry.validation import (
    RegistryValidationError,
    check_dataset,
    check_entity_id,
    check_source,
    clean_claim,
    schema_for,
)

EXPORT_BATCH = 500


def _ftm_value(kind: str, value: str) -> str:
    return f"IMO{value}" if kind == "imo" else value


def _hidden_people(session: Session, retention_years: int) -> set[str]:
    hidden = set()
    for pid in session.scalars(
        select(Entity.id).where(Entity.schema_name == "Person", Entity.status == "published")
    ):
        if not queries.retained(queries.occupancies_of(session, pid), retention_years):
            hidden.add(pid)
    return hidden


def export_entities(
    session: Session, retention_years: int, statuses: tuple[str, ...] = ("published",)
) -> Iterator[dict[str, Any]]:
    """Public entities as FtM dicts, in id order. People past retention (and their occupancies) are left out."""
    hidden = queries.hidden_person_ids(session, retention_years)
    ids = list(session.scalars(select(Entity.id).where(Entity.status.in_(statuses)).order_by(Entity.id)))
    for i in range(0, len(ids), EXPORT_BATCH):
        chunk = ids[i : i + EXPORT_BATCH]
        entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(chunk)))}
        stmts = queries.statements_of(session, chunk)
        sources = queries.sources_of(session, [s for sl in stmts.values() for s in sl])
        for eid in chunk:
            entity, st = entities[eid], sorted(stmts[eid], key=lambda s: (s.prop, s.value, s.id))
            if eid in hidden or (
                entity.schema_name == "Occupancy"
                and any(s.prop == "holder" and s.value in hidden for s in st)
            ):
                continue
            yield entity_dict(entity, st, sources)


def entity_dict(entity: Entity, statements: list[Statement], sources: dict[str, Source]) -> dict[str, Any]:
    schema = SCHEMATA[entity.schema_name]
    if entity.status == "retracted":
        statements = []  # a retraction keeps its notice, never its claims (as on the site)
    props: dict[str, list[str]] = {}
    for s in statements:
        spec = schema.props.get(s.prop)
        if spec is not None and spec.ftm:
            values = props.setdefault(s.prop, [])
            value = _ftm_value(spec.type, s.value)
            if value not in values:
                values.append(value)
    if entity.schema_name == "Support":
        props.setdefault("country", []).extend(s.value for s in statements if s.prop == "state")
    seen = [s.first_seen for s in statements] or [entity.created_at]
    last = [s.last_seen for s in statements] or [entity.updated_at]
    return {
        "id": entity.id,
        "schema": schema.export_schema,
        "caption": entity.caption,
        "properties": props,
        "datasets": [entity.dataset],
        "first_seen": canonical_value(min(seen)),
        "last_seen": canonical_value(max(last)),
        "shadowfleet": {
            "schema": entity.schema_name,
            "status": entity.status,
            "statements": [
                {
                    "prop": s.prop,
                    "value": s.value,
                    "source": queries.source_public(sources[s.source_id]).model_dump(exclude={"id"}),
                    "quote": s.quote,
                    "start_date": s.start_date,
                    "end_date": s.end_date,
                    "entered_by": s.entered_by,
                    "first_seen": canonical_value(s.first_seen),
                    "last_seen": canonical_value(s.last_seen),
                }
                for s in statements
            ],
        },
    }


def dumps(entity: dict[str, Any]) -> str:
    return json.dumps(entity, ensure_ascii=False, sort_keys=True)


@dataclass
class _Claim:
    prop: str
    claim: ClaimIn
    entered_by: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass
class _Parsed:
    id: str
    schema: str
    dataset: str
    claims: list[_Claim]
    caption: str | None = None


@dataclass
class FtmImportReport:
    lines: int = 0
    entities_added: int = 0
    statements_added: int = 0
    skipped: list[str] = field(default_factory=list)


def _parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def parse_line(number: int, line: str, default_source: SourceIn | None) -> _Parsed | str:
    """A parsed entity, or a reason to skip it; malformed JSON raises naming the line."""
    where = f"line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RegistryValidationError(where, f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not data.get("id") or not data.get("schema"):
        raise RegistryValidationError(where, "an FtM entity needs `id` and `schema`")
    check_entity_id(f"{where}.id", str(data["id"]))
    block = data.get("shadowfleet")
    schema_name = block["schema"] if isinstance(block, dict) else data["schema"]
    try:
        schema = schema_for(f"{where}.schema", schema_name)
    except RegistryValidationError as exc:
        return str(exc)
    datasets = data.get("datasets") or ["ftm-import"]
    check_dataset(f"{where}.datasets", str(datasets[0]))
    claims: list[_Claim] = []
    if isinstance(block, dict):
        for i, st in enumerate(block.get("statements", [])):
            claim = ClaimIn(
                value=st["value"],
                source=SourceIn(**st["source"]) if st.get("source") else None,
                quote=st.get("quote"),
                start_date=st.get("start_date"),
                end_date=st.get("end_date"),
            )
            try:
                cleaned = clean_claim(schema, st["prop"], i, claim)
            except RegistryValidationError as exc:
                raise RegistryValidationError(f"{where} ({data['id']}).{exc.field}", exc.message) from None
            claims.append(
                _Claim(
                    st["prop"],
                    cleaned,
                    st.get("entered_by"),
                    _parse_time(st.get("first_seen")),
                    _parse_time(st.get("last_seen")),
                )
            )
        return _Parsed(data["id"], schema.name, datasets[0], claims, data.get("caption"))
    props: dict[str, list[str]] = data.get("properties") or {}
    source = default_source
    if props.get("sourceUrl"):
        source = SourceIn(url=props["sourceUrl"][0], title=data.get("caption"))
    if source is None:
        raise RegistryValidationError(
            f"{where}.source", "a claim without a source: give the file's source (--source-url)"
        )
    check_source(f"{where}.source", source)
    for prop, values in props.items():
        if prop not in schema.props:
            continue  # FtM properties we do not keep (e.g. derived or private ones)
        for i, value in enumerate(values):
            try:
                claims.append(
                    _Claim(prop, clean_claim(schema, prop, i, ClaimIn(value=str(value), source=source)))
                )
            except RegistryValidationError as exc:
                if schema.name == "Person" and "harm policy" in exc.message:
                    continue  # dropped by policy, never stored
                raise RegistryValidationError(f"{where} ({data['id']}).{exc.field}", exc.message) from None
    return _Parsed(data["id"], schema.name, datasets[0], claims, data.get("caption"))


def import_lines(
    session: Session,
    lines: Iterable[str],
    actor: str,
    default_source: SourceIn | None = None,
    status: str = "published",
) -> FtmImportReport:
    """Validate every line first, then write in the caller's transaction (all or nothing)."""
    report = FtmImportReport()
    parsed: list[_Parsed] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.lines += 1
        result = parse_line(number, line, default_source)
        if isinstance(result, str):
            report.skipped.append(result)
        else:
            parsed.append(result)
    cache: dict[str, Source] = {}
    ids = [p.id for p in parsed]
    existing: dict[str, dict[str, Any]] = {}
    known: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        known.update(session.scalars(select(Entity.id).where(Entity.id.in_(chunk))))
        for found in session.execute(
            select(Statement.__table__).where(Statement.entity_id.in_(chunk))
        ).mappings():
            existing[found["id"]] = dict(found)
    new_entities = []
    for p in parsed:
        if p.id not in known:
            known.add(p.id)
            values: dict[str, list[str]] = {}
            for c in p.claims:
                values.setdefault(c.prop, []).append(c.claim.value)
            caption = p.caption or caption_for(p.schema, p.id, values)
            new_entities.append(entity_row(p.id, p.schema, caption, p.dataset, status, actor))
    bulk_insert(session, "entities", new_entities, actor)
    report.entities_added = len(new_entities)
    new_statements: dict[str, dict[str, Any]] = {}
    seen_again: dict[str, dict[str, Any]] = {}
    for p in parsed:
        for c in p.claims:
            if c.claim.source is None:
                raise RegistryValidationError(f"{p.id}.{c.prop}.source", "a claim without a source")
            sid = ensure_source(session, c.claim.source, cache)
            row = statement_values(p.id, c.prop, c.claim, sid, c.entered_by or actor, c.first_seen)
            if c.last_seen:
                row["last_seen"] = c.last_seen
            old = existing.get(row["id"])
            if old is not None:
                if row["last_seen"] > old["last_seen"]:
                    seen_again[row["id"]] = {**old, "last_seen": row["last_seen"]}
            elif row["id"] not in new_statements:
                new_statements[row["id"]] = row
    bulk_insert(session, "statements", list(new_statements.values()), actor)
    bulk_update(session, "statements", list(seen_again.values()), ("last_seen",), actor)
    report.statements_added = len(new_statements)
    return report
