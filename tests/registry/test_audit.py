"""The audit log is append-only and hash-chained: edits behind the application's back are named."""

import subprocess
from collections.abc import Callable

import pytest
from sqlalchemy import text

from shadowfleet.registry import audit
from shadowfleet.registry.models import EntityCreate, EntityUpdate, UserPublic
from shadowfleet.registry.service import Registry
from shadowfleet.registry.tables import Source
from tests.registry.helpers import claim


def _populate(reg: Registry, editor: UserPublic) -> str:
    draft = reg.create_draft(
        editor,
        EntityCreate(schema="Vessel", properties={"name": [claim("FIRST")], "imoNumber": [claim("9187629")]}),
    )
    reg.update_draft(
        editor, draft.id, EntityUpdate(expected_version=draft.version, properties={"name": [claim("SECOND")]})
    )
    reg.create_draft(editor, EntityCreate(schema="Company", properties={"name": [claim("OWNER LTD")]}))
    return draft.id


def _verify(reg: Registry) -> audit.AuditReport:
    with reg.db.engine.connect() as conn:
        return audit.verify(conn)


def test_every_change_is_audited_and_the_chain_verifies(
    registry: Registry, users_of: dict[str, UserPublic]
) -> None:
    _populate(registry, users_of["editor"])
    report = _verify(registry)
    assert report.ok, report.problems
    with registry.db.engine.connect() as conn:
        actions = conn.execute(text("select action, table_name from audit_log order by seq")).all()
        actors = {r[0] for r in conn.execute(text("select distinct actor from audit_log"))}
    assert (
        ("update", "entities") in actions
        and ("delete", "statements") in actions
        and ("insert", "entity_versions") in actions
    )
    assert actors == {"editor1"}


def test_writes_without_an_actor_are_refused(registry: Registry) -> None:
    with pytest.raises(audit.MissingActorError), registry.db.session() as s:
        s.add(Source(id="src-x", url="https://www.example.org/x"))
    with registry.db.engine.connect() as conn:
        assert conn.execute(text("select count(*) from sources")).scalar_one() == 0


TAMPERS: list[tuple[str, Callable[[str], str], str]] = [
    (
        "alter data row",
        lambda vid: f"update statements set value = 'FORGED' where entity_id = '{vid}' and prop = 'name'",
        "statements row",
    ),
    (
        "delete data row",
        lambda vid: f"delete from statements where entity_id = '{vid}' and prop = 'imoNumber'",
        "audited row is missing",
    ),
    (
        "insert data row",
        lambda vid: "insert into sources (id, url) values ('src-forged', 'https://www.example.org/forged')",
        "sources row src-forged",
    ),
    (
        "alter audit row",
        lambda vid: "update audit_log set actor = 'someone-else' where seq = 3",
        "audit_log seq 3",
    ),
    ("delete audit row", lambda vid: "delete from audit_log where seq = 4", "audit_log seq 5"),
    (
        "delete last audit rows",
        lambda vid: "delete from audit_log where seq > (select max(seq) - 2 from audit_log)",
        "audit_head",
    ),
]


@pytest.mark.parametrize(("kind", "sql", "named"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_tampering_is_detected_and_named(
    registry: Registry,
    users_of: dict[str, UserPublic],
    cli_cmd: list[str],
    cli_env: dict[str, str],
    kind: str,
    sql: Callable[[str], str],
    named: str,
) -> None:
    vessel_id = _populate(registry, users_of["editor"])
    with registry.db.engine.begin() as conn:
        changed = conn.execute(text(sql(vessel_id))).rowcount
    assert changed >= 1
    report = _verify(registry)
    assert not report.ok
    assert any(named in str(p) for p in report.problems), report.problems
    if kind in ("alter data row", "delete audit row"):  # the CLI path, on two kinds (a subprocess costs ~1 s)
        result = subprocess.run(
            [*cli_cmd, "audit", "verify", "--db", registry.db.url],
            capture_output=True,
            text=True,
            env=cli_env,
        )
        assert result.returncode == 1
        assert named in result.stderr


def test_cli_verify_passes_on_untouched_database(
    registry: Registry, users_of: dict[str, UserPublic], cli_cmd: list[str], cli_env: dict[str, str]
) -> None:
    _populate(registry, users_of["editor"])
    result = subprocess.run(
        [*cli_cmd, "audit", "verify", "--db", registry.db.url], capture_output=True, text=True, env=cli_env
    )
    assert result.returncode == 0, result.stderr
    assert "audit ok" in result.stdout


def test_verify_while_editors_write_sees_no_tampering(
    registry: Registry, users_of: dict[str, UserPublic]
) -> None:
    """Edits committed while `audit verify` runs (the site stays open) are not reported as tampering:
    it reads the log and the tables in one snapshot."""
    import threading

    editor = users_of["editor"]
    _populate(registry, editor)
    done = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(40):
                registry.create_draft(
                    editor, EntityCreate(schema="Company", properties={"name": [claim(f"FIRM {i}")]})
                )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    reports = []
    while not done.is_set() or not reports:
        reports.append(audit.verify_snapshot(registry.db.engine))
    writer.join()
    assert not errors, errors
    assert all(r.ok for r in reports), [r.problems for r in reports if not r.ok][:1]
    assert audit.verify_snapshot(registry.db.engine).audit_rows > reports[0].audit_rows  # it saw writes land
