"""Backup and restore of the whole registry as JSON lines, exact on SQLite and PostgreSQL.

Line 1 is a header (format, schema revision, tables); then one line per row, tables in foreign-key
order, rows in primary-key order, timestamps in UTC ISO form. Restore writes the rows unchanged
(including the audit chain and every entity version) into an empty database, in one transaction.
"""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Engine, delete, func, insert, select, text

from shadowfleet.registry.audit import canonical_value
from shadowfleet.registry.db import is_initialised, upgrade
from shadowfleet.registry.tables import ALL_TABLES, Base, Entity, UTCDateTime
from shadowfleet.registry.validation import RegistryError

FORMAT = "shadowfleet-registry-backup"
FORMAT_VERSION = 1
_BATCH = 1000


class BackupError(RegistryError):
    pass


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("select version_num from alembic_version")).scalar_one_or_none()


def dump_lines(engine: Engine) -> Iterator[str]:
    yield json.dumps(
        {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "revision": _revision(engine),
            "tables": list(ALL_TABLES),
        }
    )
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # one snapshot for every table, while editors keep writing
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        for name in ALL_TABLES:
            table = Base.metadata.tables[name]
            order = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*order)).mappings():
                yield json.dumps(
                    {"t": name, "r": {k: canonical_value(v) for k, v in row.items()}},
                    ensure_ascii=False,
                    sort_keys=True,
                )


def backup(engine: Engine, out: IO[str]) -> int:
    count = 0
    for line in dump_lines(engine):
        out.write(line + "\n")
        count += 1
    return count - 1


def _decode(name: str, row: dict[str, Any]) -> dict[str, Any]:
    table = Base.metadata.tables[name]
    out = {}
    for key, value in row.items():
        if key not in table.columns:
            raise BackupError(f"table {name} has no column {key!r} (backup from another schema version?)")
        if isinstance(table.columns[key].type, UTCDateTime) and isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        out[key] = value
    return out


def restore(engine: Engine, source: IO[str]) -> int:
    """Restore into an empty (or uninitialised) database; refuses a database that holds entities."""
    header_line = source.readline()
    try:
        header = json.loads(header_line)
    except json.JSONDecodeError:
        raise BackupError("line 1: not a shadowfleet registry backup header") from None
    if header.get("format") != FORMAT or header.get("version") != FORMAT_VERSION:
        raise BackupError(f"line 1: not a {FORMAT} v{FORMAT_VERSION} file")
    if not is_initialised(engine):
        upgrade(engine)
    if header.get("revision") != _revision(engine):
        raise BackupError(
            f"backup schema revision {header.get('revision')} differs from the database's {_revision(engine)}"
        )
    count = 0
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Entity)).scalar_one():
            raise BackupError("the target database is not empty; restore only into a new database")
        for name in ALL_TABLES:
            conn.execute(delete(Base.metadata.tables[name]))
        pending: dict[str, list[dict[str, Any]]] = {}
        for number, line in enumerate(source, start=2):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                name, row = item["t"], item["r"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise BackupError(f"line {number}: not a backup row") from None
            if name not in ALL_TABLES:
                raise BackupError(f"line {number}: unknown table {name!r}")
            for other in list(pending):
                if other != name:
                    conn.execute(insert(Base.metadata.tables[other]), pending.pop(other))
            pending.setdefault(name, []).append(_decode(name, row))
            if len(pending[name]) >= _BATCH:
                conn.execute(insert(Base.metadata.tables[name]), pending.pop(name))
            count += 1
        for name, rows in pending.items():
            conn.execute(insert(Base.metadata.tables[name]), rows)
        if conn.dialect.name == "postgresql":
            for name in ("entity_versions", "review_items", "users"):
                conn.execute(
                    text(
                        f"select setval(pg_get_serial_sequence('{name}', 'id'), coalesce((select max(id) from {name}), 0) + 1, false)"
                    )
                )
    return count
