"""backup / restore round-trip exactly, audit chain and versions included, on both databases."""

import io
import subprocess
from pathlib import Path

import pytest

from shadowfleet.registry import audit, backup, seed
from shadowfleet.registry.models import CorrectionCreate, EntityCreate, EntityUpdate, UserPublic
from shadowfleet.registry.service import Registry
from tests.registry.conftest import Backend
from tests.registry.helpers import claim, table_counts


def _fill(reg: Registry, editor: UserPublic) -> None:
    with reg.db.session(seed.ACTOR) as s:
        seed.load(s)
    reg.create_user("ana", "a long passphrase", "editor")
    e = reg.create_draft(editor, EntityCreate(schema="Vessel", properties={"name": [claim("BACKUP TEST")]}))
    reg.update_draft(
        editor, e.id, EntityUpdate(expected_version=e.version, properties={"flag": [claim("ve")]})
    )
    reg.submit_correction(
        CorrectionCreate(entity_id=e.id, message="wrong flag", submitter_contact="me@example.org")
    )


def _dump(reg: Registry) -> str:
    out = io.StringIO()
    backup.backup(reg.db.engine, out)
    return out.getvalue()


def test_backup_restore_round_trip(
    registry: Registry,
    users_of: dict[str, UserPublic],
    backend: Backend,
    tmp_path: Path,
    cli_cmd: list[str],
    cli_env: dict[str, str],
) -> None:
    _fill(registry, users_of["editor"])
    original = _dump(registry)
    out = tmp_path / "registry.backup.jsonl"
    subprocess.run(
        [*cli_cmd, "backup", "--db", registry.db.url, "--out", str(out)],
        check=True,
        env=cli_env,
        capture_output=True,
    )
    assert out.read_text() == original
    target_url = backend.empty_url()
    subprocess.run(
        [*cli_cmd, "restore", "--db", target_url, "--in", str(out)],
        check=True,
        env=cli_env,
        capture_output=True,
    )
    target = Registry(target_url)
    try:
        assert _dump(target) == original
        assert table_counts(target) == table_counts(registry)
        with target.db.engine.connect() as conn:
            report = audit.verify(conn)
        assert report.ok, report.problems
        with registry.db.engine.connect() as conn:
            assert report.head_hash == audit.verify(conn).head_hash
        # the restored database keeps working: new ids do not collide, the chain extends
        target.create_user("after.restore", "a long passphrase", "contributor")
        with target.db.engine.connect() as conn:
            assert audit.verify(conn).ok
    finally:
        target.close()


def test_restore_refuses_a_database_with_data(registry: Registry, users_of: dict[str, UserPublic]) -> None:
    _fill(registry, users_of["editor"])
    dump = _dump(registry)
    before = table_counts(registry)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(registry.db.engine, io.StringIO(dump))
    assert table_counts(registry) == before


def test_restore_refuses_a_damaged_file_and_writes_nothing(
    registry: Registry, users_of: dict[str, UserPublic], backend: Backend
) -> None:
    _fill(registry, users_of["editor"])
    lines = _dump(registry).splitlines()
    damaged = "\n".join([*lines[:50], "{broken", *lines[50:]])
    target = Registry(backend.clean_url())
    try:
        before = table_counts(target)
        with pytest.raises(backup.BackupError, match="line 51"):
            backup.restore(target.db.engine, io.StringIO(damaged))
        assert table_counts(target) == before
        with pytest.raises(backup.BackupError, match="line 1"):
            backup.restore(target.db.engine, io.StringIO("not a backup\n"))
    finally:
        target.close()
