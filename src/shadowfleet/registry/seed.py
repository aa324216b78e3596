"""Loader for the curated seed dataset (`shadowfleet/registry/seed/*.json`).

Each file: {"dataset", "sources": [{"id", "url", "title", "publisher", "published_date",
"accessed_date", "archive_url"}], "entities": [{"id", "schema", "properties": {prop: [{"value",
"sources": [source ids], "start_date", "end_date", "quote"}]}}]}. Every claim is validated like an
editor's (sources, dates, identifiers, country codes, harm policy) before anything is written; the
whole load is one transaction. Loading again adds only what is new.
"""

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shadowfleet.registry import queries
from shadowfleet.registry.models import ClaimIn, SourceIn
from shadowfleet.registry.store import caption_for, ensure_source, make_statement, new_entity, record_version
from shadowfleet.registry.tables import Entity, Source, utcnow
from shadowfleet.registry.validation import (
    RegistryValidationError,
    check_dataset,
    check_entity_id,
    check_source,
    clean_properties,
    schema_for,
)

ACTOR = "seed"


@dataclass
class SeedEntity:
    id: str
    schema: str
    dataset: str
    properties: dict[str, list[ClaimIn]]


@dataclass
class SeedReport:
    files: int = 0
    entities_added: int = 0
    statements_added: int = 0
    entities: int = 0
    by_schema: dict[str, int] = field(default_factory=dict)


def packaged_files() -> list[Path]:
    folder = resources.files("shadowfleet.registry") / "seed"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".json"))


def parse_file(path: Path) -> list[SeedEntity]:
    where = path.name
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise RegistryValidationError(where, f"not JSON ({exc.msg} at line {exc.lineno})") from None
    title = str(data.get("dataset") or "")
    # "name: description" -> the name part identifies the dataset
    dataset = check_dataset(f"{where}.dataset", title.split(":", 1)[0].strip())
    sources: dict[str, SourceIn] = {}
    for i, raw in enumerate(data.get("sources", [])):
        sid = raw.get("id")
        if not sid:
            raise RegistryValidationError(f"{where}.sources[{i}].id", "missing")
        source = SourceIn(**{k: v for k, v in raw.items() if k != "id"})
        check_source(f"{where}.sources[{sid}]", source)
        sources[sid] = source
    out = []
    for i, raw in enumerate(data.get("entities", [])):
        eid = check_entity_id(f"{where}.entities[{i}].id", str(raw.get("id") or ""))
        schema = schema_for(f"{where}.{eid}.schema", raw.get("schema", ""))
        properties: dict[str, list[ClaimIn]] = {}
        for prop, values in (raw.get("properties") or {}).items():
            for j, value in enumerate(values):
                refs = value.get("sources") or []
                if not refs:
                    raise RegistryValidationError(
                        f"{where}.{eid}.properties.{prop}[{j}].sources", "every claim needs a source"
                    )
                for ref in refs:
                    if ref not in sources:
                        raise RegistryValidationError(
                            f"{where}.{eid}.properties.{prop}[{j}].sources", f"unknown source id {ref!r}"
                        )
                    properties.setdefault(prop, []).append(
                        ClaimIn(
                            value=str(value.get("value", "")),
                            source=sources[ref],
                            quote=value.get("quote"),
                            start_date=value.get("start_date"),
                            end_date=value.get("end_date"),
                        )
                    )
        try:
            cleaned = clean_properties(schema, properties)
        except RegistryValidationError as exc:
            raise RegistryValidationError(f"{where}.{eid}.{exc.field}", exc.message) from None
        out.append(SeedEntity(eid, schema.name, dataset, cleaned))
    return out


def load(session: Session, paths: list[Path] | None = None) -> SeedReport:
    """Validate every file, check every reference, then write (published, one version each)."""
    paths = paths if paths is not None else packaged_files()
    report = SeedReport(files=len(paths))
    entities: list[SeedEntity] = []
    for path in paths:
        entities.extend(parse_file(path))
    ids = {e.id for e in entities}
    if len(ids) != len(entities):
        seen: set[str] = set()
        dup = next(e.id for e in entities if e.id in seen or seen.add(e.id))  # type: ignore[func-returns-value]
        raise RegistryValidationError(f"entities.{dup}", "the same id appears twice")
    for e in entities:
        for prop, claims in e.properties.items():
            spec = schema_for("schema", e.schema).props[prop]
            for i, claim in enumerate(claims):
                if (
                    spec.type == "entity"
                    and claim.value not in ids
                    and session.get(Entity, claim.value) is None
                ):
                    raise RegistryValidationError(
                        f"{e.dataset}.{e.id}.properties.{prop}[{i}].value", f"no entity {claim.value!r}"
                    )
    existing = {st.id for sl in queries.statements_of(session, sorted(ids)).values() for st in sl}
    known = set(session.scalars(select(Entity.id).where(Entity.id.in_(sorted(ids)))))
    cache: dict[str, Source] = {}
    for e in entities:
        report.by_schema[e.schema] = report.by_schema.get(e.schema, 0) + 1
        if e.id not in known:
            new_entity(
                session,
                e.id,
                e.schema,
                caption_for(e.schema, e.id, e.properties),
                e.dataset,
                "published",
                ACTOR,
            )
            report.entities_added += 1
    session.flush()
    for e in entities:
        added = 0
        for prop, claims in e.properties.items():
            for claim in claims:
                if claim.source is None:
                    continue
                st = make_statement(e.id, prop, claim, ensure_source(session, claim.source, cache), ACTOR)
                if st.id not in existing:
                    existing.add(st.id)
                    session.add(st)
                    added += 1
        report.statements_added += added
        if added:
            entity = session.get(Entity, e.id)
            if entity is not None:
                if e.id in known:
                    entity.updated_at = utcnow()  # bumps the row version for the new snapshot
                record_version(session, entity, ACTOR, "seeded")
    report.entities = len(entities)
    return report
