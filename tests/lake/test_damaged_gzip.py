"""A .gz cut mid-stream: every whole line before the damage is ingested, the file is reported as an
error (exit 1), and ingesting the repaired file adds exactly the missing rows."""

import datetime as dt
import gzip
import json
import subprocess
import zlib

import pytest

from shadowfleet.ais.inputs import DamagedInputError, open_input
from shadowfleet.lake import Lake
from shadowfleet.lake.ingest import IngestOptions, ingest_paths

FIXED = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
COMPARED = "mmsi, ts, lat, lon, sog_kn, cog_deg, heading_deg, nav_status, msg_type, ts_origin"


def _run(cli_cmd, cli_env, *args):
    return subprocess.run([*cli_cmd, *args], env=cli_env, capture_output=True, text=True, timeout=300)


def _readable_prefix(compressed: bytes) -> bytes:
    """What zlib itself can decompress from a cut gzip stream (independent of the code under test)."""
    return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(compressed)


def _rows(lake, columns: str) -> list[tuple]:
    with Lake(lake) as handle:
        positions = handle.sql(f"SELECT {columns} FROM positions ORDER BY ALL")
        statics = handle.sql("SELECT mmsi, imo, name, callsign, ship_type, msg_type FROM static ORDER BY ALL")
    return [tuple(r.values()) for r in positions.to_pylist()] + [
        tuple(r.values()) for r in statics.to_pylist()
    ]


def test_cli_ingests_the_readable_prefix_of_a_cut_gzip_then_the_rest(tmp_path, cli_cmd, cli_env, shared_data):
    original = (shared_data / "gpsd-ais" / "test" / "daemon" / "ais-nmea.log").read_bytes()
    whole_gz = gzip.compress(original)
    cut = whole_gz[: len(whole_gz) // 2]
    prefix = _readable_prefix(cut)
    whole_lines = prefix.count(b"\n")  # the cut falls inside a line: that partial line is not ingested
    assert 0 < whole_lines < original.count(b"\n") and not prefix.endswith(b"\n")

    feed = tmp_path / "feed.log.gz"
    feed.write_bytes(cut)
    lake = tmp_path / "lake"
    args = ["ingest", str(feed), "--lake", str(lake), "--no-progress", "--json"]
    first = _run(cli_cmd, cli_env, *args)
    assert first.returncode == 1, first.stderr
    summary = json.loads(first.stdout)
    assert summary["lines"] == whole_lines and summary["positions"] > 0
    assert len(summary["errors"]) == 1
    error = summary["errors"][0]
    assert error.startswith(f"{feed}: damaged gzip: ") and "cut short" in error
    good_bytes = prefix.rfind(b"\n") + 1
    assert f"after {good_bytes:,} decompressed bytes" in error
    assert f"error: {feed}: damaged gzip" in first.stderr
    with Lake(lake) as handle:
        assert handle.stats().position_rows == summary["positions"]

    again = _run(cli_cmd, cli_env, *args)  # still damaged: nothing new, same error
    assert again.returncode == 1 and json.loads(again.stdout)["positions"] == 0

    feed.write_bytes(whole_gz)  # repaired
    repaired = _run(cli_cmd, cli_env, *args)
    assert repaired.returncode == 0, repaired.stderr
    rest = json.loads(repaired.stdout)
    assert rest["lines_skipped"] == whole_lines
    assert rest["lines"] == original.count(b"\n") - whole_lines

    direct = tmp_path / "direct"
    plain = tmp_path / "feed.log"
    plain.write_bytes(original)
    assert (
        _run(cli_cmd, cli_env, "ingest", str(plain), "--lake", str(direct), "--no-progress").returncode == 0
    )
    # lines without a time of their own are stamped with the run's clock: compare rows without ts
    untimed = COMPARED.replace(" ts,", "")
    assert _rows(lake, untimed) == _rows(direct, untimed)
    with Lake(lake) as a, Lake(direct) as b:
        assert (a.stats().position_rows, a.stats().rejects) == (b.stats().position_rows, b.stats().rejects)


def test_cut_gzip_across_many_chunks_then_repaired_equals_a_direct_ingest(tmp_path, shared_data):
    data = b"".join(
        (shared_data / name).read_bytes()
        for name in (
            "pyais-samples/tests/nmea_data_sample.txt",
            "gpsd-ais/test/sample.aivdm",
            "gpsd-ais/test/daemon/ais-nmea.log",
        )
    )
    whole_gz = gzip.compress(data)
    options = IngestOptions(chunk_lines=200, clock=lambda: FIXED)
    repaired_dir, direct_dir = tmp_path / "repaired", tmp_path / "direct"
    repaired_dir.mkdir()
    direct_dir.mkdir()
    feed = repaired_dir / "feed.gz"
    for cut_at in (len(whole_gz) // 3, (2 * len(whole_gz)) // 3):
        feed.write_bytes(whole_gz[:cut_at])
        summary = ingest_paths(tmp_path / "lake", [str(feed)], options)
        assert len(summary.errors) == 1 and "damaged gzip" in summary.errors[0]
    feed.write_bytes(whole_gz)
    assert ingest_paths(tmp_path / "lake", [str(feed)], options).errors == []
    (direct_dir / "feed.gz").write_bytes(whole_gz)
    assert ingest_paths(tmp_path / "direct-lake", [str(direct_dir / "feed.gz")], options).errors == []
    assert _rows(tmp_path / "lake", COMPARED) == _rows(tmp_path / "direct-lake", COMPARED)


def test_corrupt_bytes_inside_a_gzip_are_damage_too(tmp_path, shared_data):
    original = (shared_data / "pyais-samples" / "tests" / "nmea_data_sample.txt").read_bytes()
    damaged = bytearray(gzip.compress(original))
    middle = len(damaged) // 2
    damaged[middle : middle + 64] = bytes(64)
    path = tmp_path / "damaged.gz"
    path.write_bytes(bytes(damaged))
    opened = open_input(path)
    data = opened.stream.read()
    with pytest.raises(DamagedInputError, match="damaged gzip: corrupt compressed data"):
        opened.close()
    # deflate may turn the zeroed bytes into some garbage before it notices; what came before is intact
    assert data.endswith(b"\n") and 10_000 < len(data) < len(original)
    assert data[:10_000] == original[:10_000]


def test_multi_member_gzip_reads_whole(tmp_path, shared_data):
    original = (shared_data / "gpsd-ais" / "test" / "sample.aivdm").read_bytes()
    half = len(original) // 2
    path = tmp_path / "two-members.gz"
    path.write_bytes(gzip.compress(original[:half]) + gzip.compress(original[half:]) + bytes(8))
    opened = open_input(path)
    assert opened.stream.read() == original
    opened.close()
