"""The CLI refuses what it cannot do honestly: a folder that is not a lake, an unknown dataset, a live
source that never answered. Each refusal is one clear line on stderr and a non-zero exit."""

import socket
import subprocess
import threading

import pytest
from bench.ingest_corpus import generate

from shadowfleet.ais.encode import traffic_mix
from shadowfleet.lake import Lake
from shadowfleet.lake.ingest import ingest_paths
from shadowfleet.lake.writer import LakeWriter, NotALakeError


def _run(cli_cmd, cli_env, *args, timeout=120):
    return subprocess.run([*cli_cmd, *args], env=cli_env, capture_output=True, text=True, timeout=timeout)


def _tree(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_ingest_refuses_a_folder_that_is_not_a_lake_and_writes_nothing(tmp_path, cli_cmd, cli_env):
    log = tmp_path / "feed.nmea"
    generate(log, 500, seed=5, tag_epoch_s=1_714_521_600)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (photos / "notes").mkdir()
    (photos / "notes" / "todo.txt").write_text("buy milk\n")
    before = _tree(photos)

    result = _run(cli_cmd, cli_env, "ingest", str(log), "--lake", str(photos), "--no-progress")
    assert result.returncode == 2, result.stderr
    errors = _error_lines(result.stderr)
    assert len(errors) == 1
    assert str(photos) in errors[0] and "not a shadowfleet lake" in errors[0]
    assert _tree(photos) == before

    with pytest.raises(NotALakeError, match="not a shadowfleet lake"):
        ingest_paths(photos, [str(log)])
    with pytest.raises(NotALakeError):
        LakeWriter(photos)
    assert _tree(photos) == before


def test_ingest_into_an_empty_or_missing_folder_or_an_existing_lake(tmp_path, cli_cmd, cli_env):
    log = tmp_path / "feed.nmea"
    generate(log, 500, seed=5, tag_epoch_s=1_714_521_600)
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = tmp_path / "deep" / "missing"
    for lake in (empty, missing, empty):  # the third run finds a lake (and adds nothing)
        result = _run(cli_cmd, cli_env, "ingest", str(log), "--lake", str(lake), "--no-progress")
        assert result.returncode == 0, result.stderr
    with Lake(empty) as a, Lake(missing) as b:
        assert a.stats().position_rows == b.stats().position_rows > 0


def test_lake_files_refuses_an_unknown_dataset(tmp_path, cli_cmd, cli_env):
    log = tmp_path / "feed.nmea"
    generate(log, 500, seed=5, tag_epoch_s=1_714_521_600)
    lake = tmp_path / "lake"
    assert _run(cli_cmd, cli_env, "ingest", str(log), "--lake", str(lake), "--no-progress").returncode == 0

    bogus = _run(cli_cmd, cli_env, "lake", "files", "--lake", str(lake), "--dataset", "bogus")
    assert bogus.returncode == 2 and bogus.stdout == ""
    errors = _error_lines(bogus.stderr)
    assert len(errors) == 1 and "'bogus'" in errors[0] and "positions, static" in errors[0]

    static = _run(cli_cmd, cli_env, "lake", "files", "--lake", str(lake), "--dataset", "static")
    assert static.returncode == 0 and static.stdout.strip()
    assert all("/static/" in line for line in static.stdout.splitlines())
    with Lake(lake) as handle, pytest.raises(ValueError, match="valid datasets: positions, static"):
        handle.files("bogus")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_live_tcp_source_that_never_connects_is_an_error(tmp_path, cli_cmd, cli_env):
    port = _closed_port()
    lake = tmp_path / "lake"
    result = _run(
        cli_cmd, cli_env, "ingest", f"tcp://127.0.0.1:{port}", "--lake", str(lake), "--duration", "2"
    )
    assert result.returncode != 0
    errors = _error_lines(result.stderr)
    assert len(errors) == 1
    assert f"tcp://127.0.0.1:{port}: never connected" in errors[0] and "attempt(s) failed" in errors[0]
    assert not lake.exists()  # a failed first run leaves no empty lake behind


def test_a_failed_run_into_an_existing_lake_keeps_it(tmp_path, cli_cmd, cli_env):
    lake = tmp_path / "lake"
    log = tmp_path / "log.nmea"
    log.write_bytes(b"\n".join(traffic_mix(100, seed=2)) + b"\n")
    assert _run(cli_cmd, cli_env, "ingest", str(log), "--lake", str(lake)).returncode == 0
    missing = tmp_path / "missing.nmea"
    assert _run(cli_cmd, cli_env, "ingest", str(missing), "--lake", str(lake)).returncode != 0
    assert (lake / "_manifest").is_dir() and any((lake / "positions").rglob("*.parquet"))


def test_live_tcp_source_that_connected_then_dropped_is_not_an_error(tmp_path, cli_cmd, cli_env):
    lines = traffic_mix(300, seed=8)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_once() -> None:
        conn, _ = listener.accept()
        conn.sendall(b"\n".join(lines) + b"\n")
        conn.close()
        listener.close()  # later reconnection attempts fail: the source dropped for good

    server = threading.Thread(target=serve_once, daemon=True)
    server.start()
    lake = tmp_path / "lake"
    result = _run(
        cli_cmd, cli_env, "ingest", f"tcp://127.0.0.1:{port}", "--lake", str(lake), "--duration", "3",
        "--flush-interval", "0.5",
    )  # fmt: skip
    server.join(timeout=5)
    assert result.returncode == 0, result.stderr
    assert "connected" in result.stderr and "retry" in result.stderr
    with Lake(lake) as handle:
        assert handle.stats().position_rows > 0
