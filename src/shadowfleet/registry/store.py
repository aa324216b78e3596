"""Low-level writes shared by the editorial service and the importers: sources, entities, statements,
version snapshots. Callers validate first (`validation.clean_properties`)."""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from shadowfleet.registry import audit
from shadowfleet.registry.audit import canonical_value
from shadowfleet.registry.models import ClaimIn, SourceIn
from shadowfleet.registry.schema import SCHEMATA
from shadowfleet.registry.tables import Base, Entity, EntityVersion, Source, Statement, utcnow
from shadowfleet.registry.validation import RegistryValidationError


def source_id_for(url: str) -> str:
    return "src-" + hashlib.sha1(url.strip().encode("utf-8")).hexdigest()[:20]


def statement_id(
    entity_id: str, prop: str, value: str, source_id: str, start: str | None, end: str | None
) -> str:
    key = "\x1f".join([entity_id, prop, value, source_id, start or "", end or ""])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def ensure_source(session: Session, source: SourceIn, cache: dict[str, Source] | None = None) -> str:
    """The id of the stored source for this URL, adding it when new (first description wins)."""
    sid = source_id_for(source.url)
    if cache is not None and sid in cache:
        return sid
    row = session.get(Source, sid)
    if row is None:
        row = Source(id=sid, **source.model_dump())
        session.add(row)
    if cache is not None:
        cache[sid] = row
    return sid


def caption_for(
    schema_name: str, entity_id: str, properties: dict[str, list[ClaimIn]] | dict[str, list[str]]
) -> str:
    for prop in SCHEMATA[schema_name].caption_props:
        for claim in properties.get(prop, []):
            return claim.value if isinstance(claim, ClaimIn) else str(claim)
    return f"{schema_name} {entity_id}"


def new_entity(
    session: Session, entity_id: str, schema_name: str, caption: str, dataset: str, status: str, actor: str
) -> Entity:
    now = utcnow()
    entity = Entity(
        id=entity_id,
        schema_name=schema_name,
        caption=caption[:2000],
        dataset=dataset,
        status=status,
        retraction_reason=None,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(entity)
    return entity


def bulk_insert(session: Session, table_name: str, rows: list[dict[str, Any]], actor: str) -> None:
    """Insert many complete rows with one executemany and audit them (the fast path for importers).

    Rows must carry every column, so the audited hash equals what `audit.verify` reads back."""
    if not rows:
        return
    session.flush()
    conn = session.connection()
    conn.execute(insert(Base.metadata.tables[table_name]), rows)
    audit.append(
        conn, actor, [("insert", table_name, audit.row_key(table_name, r), audit.row_hash(r)) for r in rows]
    )


def bulk_update(
    session: Session, table_name: str, rows: list[dict[str, Any]], columns: tuple[str, ...], actor: str
) -> None:
    """Write `columns` of many complete rows (matched by primary key) and audit their new content."""
    if not rows:
        return
    session.flush()
    conn = session.connection()
    table = Base.metadata.tables[table_name]
    keys = [c.name for c in table.primary_key.columns]
    statement = (
        update(table)
        .where(*(table.c[k] == bindparam(f"key_{k}") for k in keys))
        .values({c: bindparam(f"new_{c}") for c in columns})
    )
    params = [{**{f"key_{k}": r[k] for k in keys}, **{f"new_{c}": r[c] for c in columns}} for r in rows]
    conn.execute(statement, params)
    audit.append(
        conn, actor, [("update", table_name, audit.row_key(table_name, r), audit.row_hash(r)) for r in rows]
    )


def entity_row(
    entity_id: str, schema_name: str, caption: str, dataset: str, status: str, actor: str
) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": entity_id,
        "schema_name": schema_name,
        "caption": caption[:2000],
        "dataset": dataset,
        "status": status,
        "retraction_reason": None,
        "created_by": actor,
        "created_at": now,
        "updated_at": now,
        "row_version": 1,
    }


def statement_values(
    entity_id: str, prop: str, claim: ClaimIn, source_id: str, actor: str, seen_at: datetime | None = None
) -> dict[str, Any]:
    """A complete `statements` row (for `bulk_insert`)."""
    seen = seen_at or utcnow()
    return {
        "id": statement_id(entity_id, prop, claim.value, source_id, claim.start_date, claim.end_date),
        "entity_id": entity_id,
        "prop": prop,
        "value": claim.value,
        "source_id": source_id,
        "quote": claim.quote,
        "start_date": claim.start_date,
        "end_date": claim.end_date,
        "entered_by": actor,
        "first_seen": seen,
        "last_seen": seen,
    }


def make_statement(
    entity_id: str, prop: str, claim: ClaimIn, source_id: str, actor: str, seen_at: datetime | None = None
) -> Statement:
    return Statement(**statement_values(entity_id, prop, claim, source_id, actor, seen_at))


def resolve_source_ids(
    session: Session, properties: dict[str, list[ClaimIn]], cache: dict[str, Source]
) -> list[tuple[str, ClaimIn, str]]:
    """(prop, claim, source id) for every claim; an unknown `source_id` is a validation error."""
    out = []
    for prop, claims in properties.items():
        for i, claim in enumerate(claims):
            if claim.source is not None:
                sid = ensure_source(session, claim.source, cache)
            else:
                sid = str(claim.source_id)
                if sid not in cache and session.get(Source, sid) is None:
                    raise RegistryValidationError(f"properties.{prop}[{i}].source_id", f"no source {sid!r}")
            out.append((prop, claim, sid))
    return out


def check_references(
    session: Session, schema_name: str, properties: dict[str, list[ClaimIn]], pending: Iterable[str] = ()
) -> None:
    """Entity-valued properties must name an entity that exists (or is written in the same batch)."""
    pending_ids = set(pending)
    schema = SCHEMATA[schema_name]
    for prop, claims in properties.items():
        if schema.props[prop].type != "entity":
            continue
        for i, claim in enumerate(claims):
            if claim.value not in pending_ids and session.get(Entity, claim.value) is None:
                raise RegistryValidationError(f"properties.{prop}[{i}].value", f"no entity {claim.value!r}")


def snapshot(entity: Entity, statements: list[Statement]) -> dict[str, object]:
    return {
        "id": entity.id,
        "schema": entity.schema_name,
        "caption": entity.caption,
        "status": entity.status,
        "retraction_reason": entity.retraction_reason,
        "statements": [
            {
                "prop": s.prop,
                "value": s.value,
                "source_id": s.source_id,
                "quote": s.quote,
                "start_date": s.start_date,
                "end_date": s.end_date,
                "entered_by": s.entered_by,
                "first_seen": canonical_value(s.first_seen),
            }
            for s in sorted(statements, key=lambda s: (s.prop, s.value, s.id))
        ],
    }


def record_version(session: Session, entity: Entity, actor: str, note: str | None) -> None:
    """Flush (bumping the row version) and keep a snapshot of the entity as it now stands."""
    session.flush()
    statements = list(session.scalars(select(Statement).where(Statement.entity_id == entity.id)))
    session.add(
        EntityVersion(
            entity_id=entity.id,
            version=entity.row_version,
            status=entity.status,
            actor=actor,
            created_at=utcnow(),
            note=note,
            snapshot=json.dumps(snapshot(entity, statements), ensure_ascii=False, sort_keys=True),
        )
    )
