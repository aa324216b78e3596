"""`shadowfleet demo` end to end on a small scenario: builds from the simulator and the real samples,
detects, seeds the registry and imports OFAC, and a second run reuses everything. `serve` refuses a
missing secret."""

import json
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient

from shadowfleet.lake.query import Lake
from shadowfleet.registry.service import Registry
from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_demo_builds_then_reuses(
    tmp_path: Path, cli_cmd: list[str], cli_env: dict[str, str], shared_data: Path
) -> None:
    env = {**cli_env, "SHADOWFLEET_SHARED_DATA": str(shared_data)}
    args = [*cli_cmd, "demo", "--build-only", "--dir", "demo", "--sim-vessels", "15", "--sim-days", "2"]
    first = run(args, env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "simulate: Venezuela scenario, 15 fictional vessels" in first.stdout
    assert "ingest marinecadastre: 99994 positions" in first.stdout
    assert "detect: " in first.stdout and "FAILED" not in first.stdout.split("detect:")[1].splitlines()[0]
    assert "sanctions: OFAC SDN 2024-05-03: 851 vessels" in first.stdout
    assert "demo editor account (demo mode only): user demo-editor" in first.stdout
    assert "demo editor account (demo mode only): user demo-reviewer" in first.stdout

    root = tmp_path / "demo"
    with Lake(root / "lake") as lake:
        stats = lake.stats()
    assert stats.simulated_positions > 0 and stats.position_rows > stats.simulated_positions

    second = run(args, env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "simulate: already done" in second.stdout and "ingest: already done" in second.stdout
    assert "(0 days re-run)" in second.stdout
    assert "sanctions:" not in second.stdout  # imported once
    with Lake(root / "lake") as lake:
        assert lake.stats().position_rows == stats.position_rows

    from shadowfleet.web.demo import DemoPaths, demo_watchlist

    watchlist = demo_watchlist(DemoPaths(root))
    assert 0 < len(watchlist) <= 10  # the highest risk scores from the detected events
    accounts = json.loads((root / "editor.json").read_text())
    registry = Registry(f"sqlite:///{(root / 'registry.db').resolve()}")
    assert [registry.authenticate(a["username"], a["password"]).role for a in accounts] == [
        "editor",
        "editor",
    ]
    app = create_app(Settings(lake_path=root / "lake", demo_mode=True), registry=registry)
    client = TestClient(app)
    latest = client.get("/api/v1/positions/latest").json()["features"]
    flags = {f["properties"]["simulated"] for f in latest}
    assert flags == {True, False}  # simulated fleet beside real samples, each marked
    assert client.get("/api/v1/events").json()["total"] > 0
    assert client.get("/api/v1/voyages").json()["total"] > 0
    assert client.get("/api/v1/vessels", params={"imo": 9187629}).status_code == 200
    registry.close()


def test_serve_refuses_missing_secret(tmp_path: Path, cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    env = {k: v for k, v in cli_env.items() if k != "SHADOWFLEET_SECRET_KEY"}
    result = run([*cli_cmd, "serve", "--lake", str(tmp_path), "--port", "18290"], env, tmp_path)
    assert result.returncode == 2
    assert "SHADOWFLEET_SECRET_KEY" in result.stderr
    env["SHADOWFLEET_SECRET_KEY"] = "s" * 40
    result = run(
        [*cli_cmd, "serve", "--lake", str(tmp_path), "--db", f"sqlite:///{tmp_path}/none.db"], env, tmp_path
    )
    assert result.returncode == 2 and "registry init" in result.stderr
    env["SHADOWFLEET_SECRET_KEY"] = "changethis"
    result = run([*cli_cmd, "serve", "--lake", str(tmp_path), "--port", "18290"], env, tmp_path)
    assert result.returncode == 2 and "well-known default" in result.stderr
