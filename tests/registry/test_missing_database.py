"""Commands that read a registry refuse a SQLite path that does not exist, and create nothing there."""

import subprocess
from pathlib import Path

import pytest


@pytest.mark.parametrize("args", [["registry", "export"], ["audit", "verify"], ["backup", "--out", "{out}"]])
def test_missing_sqlite_file_is_refused_and_not_created(
    tmp_path: Path, cli_cmd: list[str], cli_env: dict[str, str], args: list[str]
) -> None:
    db = tmp_path / "nothing-here.sqlite"
    out = tmp_path / "backup.json"
    cmd = [*cli_cmd, *(a.format(out=out) for a in args), "--db", f"sqlite:///{db}"]
    done = subprocess.run(cmd, env=cli_env, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "no registry database at" in done.stderr
    assert not db.exists()
    assert not out.exists()
