"""The append-only, hash-chained audit log.

Every ORM flush that inserts, updates or deletes a row of an audited table appends one audit row per
changed row: (seq, time, actor, action, table, key, hash of the row's content, previous audit hash,
own hash). `verify` recomputes the chain and compares every audited row with the hash its last audit
row recorded, so a row altered, inserted or deleted behind the application's back is named.
The head (last seq and hash) sits in `audit_head`; publish it elsewhere to detect a rewrite of the
whole chain.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, event, insert, select, update
from sqlalchemy.orm import Session, UOWTransaction

from shadowfleet.registry.tables import AUDITED_TABLES, AuditHead, AuditLog, Base, utcnow

GENESIS_HASH = "0" * 64


@lru_cache(maxsize=4096)
def _utc_iso(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_value(value: Any) -> Any:
    return _utc_iso(value) if isinstance(value, datetime) else value


def row_hash(row: dict[str, Any]) -> str:
    text = json.dumps(
        {k: canonical_value(v) for k, v in row.items()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audit_hash(
    prev_hash: str, seq: int, at: datetime, actor: str, action: str, table: str, key: str, rh: str | None
) -> str:
    body = json.dumps(
        [prev_hash, seq, canonical_value(at), actor, action, table, key, rh], ensure_ascii=False
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _orm_row(obj: Any) -> tuple[str, str, dict[str, Any]]:
    table = obj.__table__
    row = {prop.columns[0].name: getattr(obj, prop.key) for prop in obj.__mapper__.column_attrs}
    key = "|".join(str(row[c.name]) for c in table.primary_key.columns)
    return table.name, key, row


def row_key(table_name: str, row: dict[str, Any]) -> str:
    table = Base.metadata.tables[table_name]
    return "|".join(str(row[c.name]) for c in table.primary_key.columns)


class MissingActorError(RuntimeError):
    """A write without `session.info['actor']`: every change must say who made it."""


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    changes: list[tuple[str, str, str, str | None]] = []
    for obj in session.new:
        if getattr(obj, "__tablename__", None) in AUDITED_TABLES:
            table, key, row = _orm_row(obj)
            changes.append(("insert", table, key, row_hash(row)))
    for obj in session.dirty:
        if getattr(obj, "__tablename__", None) in AUDITED_TABLES and session.is_modified(obj):
            table, key, row = _orm_row(obj)
            changes.append(("update", table, key, row_hash(row)))
    for obj in session.deleted:
        if getattr(obj, "__tablename__", None) in AUDITED_TABLES:
            table, key, _row = _orm_row(obj)
            changes.append(("delete", table, key, None))
    if not changes:
        return
    actor = session.info.get("actor")
    if not actor:
        raise MissingActorError("no actor set on the session; every change must name who made it")
    append(session.connection(), str(actor), changes)


def append(conn: Connection, actor: str, changes: list[tuple[str, str, str, str | None]]) -> None:
    """Append audit rows for (action, table, key, row_hash) changes, extending the chain."""
    head = conn.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
    ).one()
    seq, prev = head.last_seq, head.last_hash
    at = utcnow()
    rows = []
    for action, table, key, rh in changes:
        seq += 1
        digest = audit_hash(prev, seq, at, actor, action, table, key, rh)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "table_name": table,
                "row_key": key,
                "row_hash": rh,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    conn.execute(insert(AuditLog), rows)
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=seq, last_hash=prev))


def install(session_factory: Any) -> None:
    """Attach the audit hook to a sessionmaker (idempotent).

    The guard is a flag on the factory itself, not `event.contains`: SQLAlchemy's event registry is
    keyed by object identity, so a new factory that reuses a collected one's address could be taken
    for hooked already and write without audit rows.
    """
    if getattr(session_factory, "_shadowfleet_audited", False):
        return
    event.listen(session_factory, "after_flush", _after_flush)
    session_factory._shadowfleet_audited = True


@dataclass(frozen=True)
class AuditProblem:
    where: str  # "audit_log seq 17" or "statements row abc..."
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass(frozen=True)
class AuditReport:
    rows_checked: int
    audit_rows: int
    head_hash: str
    problems: list[AuditProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_snapshot(engine: Engine, max_problems: int = 50) -> AuditReport:
    """`verify` inside one read transaction, so edits committed while it runs (the site stays open) cannot
    look like tampering: PostgreSQL at REPEATABLE READ, SQLite in one deferred transaction (a WAL
    snapshot from its first read)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")  # pysqlite opens no transaction for reads by itself
            try:
                return verify(conn, max_problems)
            finally:
                conn.exec_driver_sql("ROLLBACK")
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        return verify(conn, max_problems)


def verify(conn: Connection, max_problems: int = 50) -> AuditReport:
    problems: list[AuditProblem] = []
    expected: dict[tuple[str, str], str | None] = {}
    prev, last_seq, count = GENESIS_HASH, 0, 0
    for r in conn.execute(select(AuditLog).order_by(AuditLog.seq)).mappings():
        count += 1
        where = f"audit_log seq {r['seq']}"
        if r["seq"] != last_seq + 1:
            problems.append(AuditProblem(where, f"rows {last_seq + 1}..{r['seq'] - 1} are missing (deleted)"))
        if r["prev_hash"] != prev:
            problems.append(
                AuditProblem(where, "previous-hash link broken (an earlier audit row changed or vanished)")
            )
        digest = audit_hash(
            r["prev_hash"],
            r["seq"],
            r["at"],
            r["actor"],
            r["action"],
            r["table_name"],
            r["row_key"],
            r["row_hash"],
        )
        if digest != r["hash"]:
            problems.append(AuditProblem(where, "content does not match its hash (audit row altered)"))
        expected[(r["table_name"], r["row_key"])] = r["row_hash"]
        prev, last_seq = r["hash"], r["seq"]
    head = conn.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1)
    ).one_or_none()
    if head is None:
        problems.append(AuditProblem("audit_head", "missing"))
    elif (head.last_seq, head.last_hash) != (last_seq, prev):
        problems.append(
            AuditProblem(
                "audit_head",
                f"head says seq {head.last_seq} but the log ends at seq {last_seq} (rows deleted)",
            )
        )
    checked = 0
    for table_name in AUDITED_TABLES:
        table = Base.metadata.tables[table_name]
        seen: set[str] = set()
        for row in conn.execute(select(table)).mappings():
            checked += 1
            key = row_key(table_name, dict(row))
            seen.add(key)
            recorded = expected.get((table_name, key), "absent")
            if recorded == "absent":
                problems.append(
                    AuditProblem(f"{table_name} row {key}", "not in the audit log (inserted behind its back)")
                )
            elif recorded is None:
                problems.append(
                    AuditProblem(f"{table_name} row {key}", "audit log says deleted, but it exists")
                )
            elif row_hash(dict(row)) != recorded:
                problems.append(
                    AuditProblem(f"{table_name} row {key}", "content differs from its audited hash (altered)")
                )
        for (t, key), rh in expected.items():
            if t == table_name and rh is not None and key not in seen:
                problems.append(AuditProblem(f"{table_name} row {key}", "audited row is missing (deleted)"))
    return AuditReport(checked, count, prev, problems[:max_problems])
