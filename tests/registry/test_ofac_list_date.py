"""An impossible list date is refused before anything is written."""

import subprocess
from pathlib import Path

import pytest

from shadowfleet.registry.ofac import import_entries, parse_sdn
from shadowfleet.registry.service import Registry
from shadowfleet.registry.validation import RegistryValidationError
from tests.registry.conftest import OFAC_DIR, SDN_FILE


def test_import_refuses_an_impossible_list_date(registry: Registry, shared_data: Path) -> None:
    entries = parse_sdn((shared_data / OFAC_DIR / SDN_FILE).read_bytes())[:50]
    with pytest.raises(RegistryValidationError, match="list_date"), registry.db.session("ofac-import") as s:
        import_entries(s, entries, "2024-13-45")
    assert registry.search_vessels(limit=10) == []


def test_cli_names_the_bad_list_date(
    db_url: str, shared_data: Path, cli_cmd: list[str], cli_env: dict[str, str]
) -> None:
    cmd = [*cli_cmd, "sanctions", "update", "--db", db_url, "--file", str(shared_data / OFAC_DIR / SDN_FILE)]
    done = subprocess.run([*cmd, "--list-date", "2024-13-45"], capture_output=True, text=True, env=cli_env)
    assert done.returncode == 2
    assert "list_date" in done.stderr and "2024-13-45" in done.stderr
    assert "Traceback" not in done.stderr
