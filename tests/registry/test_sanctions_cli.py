"""`shadowfleet sanctions update`: a local file, and a clear error when the publisher is unreachable."""

import subprocess
from pathlib import Path

from shadowfleet.registry.service import Registry
from tests.registry.conftest import OFAC_DIR, SDN_FILE


def test_update_from_local_file_then_offline_fetch_fails_clearly(
    db_url: str, shared_data: Path, cli_cmd: list[str], cli_env: dict[str, str]
) -> None:
    local = [
        *cli_cmd,
        "sanctions",
        "update",
        "--db",
        db_url,
        "--file",
        str(shared_data / OFAC_DIR / SDN_FILE),
    ]
    done = subprocess.run(local, capture_output=True, text=True, env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "851 vessels" in done.stdout
    reg = Registry(db_url)
    try:
        assert len(reg.search_vessels(limit=1000)) == 851
    finally:
        reg.close()
    # no network here: the download must fail with a message, not a traceback
    env = {**cli_env, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    online = subprocess.run(
        [*cli_cmd, "sanctions", "update", "--db", db_url], capture_output=True, text=True, env=env
    )
    assert online.returncode == 2
    assert "could not download https://www.treasury.gov/ofac/downloads/sdn.csv" in online.stderr
    assert "Traceback" not in online.stderr


def test_cli_bad_database_url_is_one_clear_line(cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    done = subprocess.run(
        [*cli_cmd, "registry", "init", "--db", "nosuchdb://x"], capture_output=True, text=True, env=cli_env
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: not a database URL") and "Traceback" not in done.stderr
