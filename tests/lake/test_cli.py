"""`shadowfleet ingest` and `shadowfleet lake stats|compact|files` as a user runs them."""

import gzip
import json
import subprocess

from bench.ingest_corpus import generate

from shadowfleet.lake.writer import LakeWriter


def _run(cli_cmd, cli_env, *args):
    return subprocess.run([*cli_cmd, *args], env=cli_env, capture_output=True, text=True, timeout=300)


def test_ingest_folder_glob_gz_rejects_stats_and_errors(tmp_path, cli_cmd, cli_env, shared_data):
    feeds = tmp_path / "feeds"
    (feeds / "day1").mkdir(parents=True)
    generate(feeds / "day1" / "a.nmea", 3_000, seed=1, tag_epoch_s=1_714_521_600)
    raw = tmp_path / "b.nmea"
    generate(raw, 2_000, seed=2, tag_epoch_s=1_714_608_000)
    (feeds / "b.nmea.gz").write_bytes(gzip.compress(raw.read_bytes()))
    lake = tmp_path / "lake"
    rejects = tmp_path / "rejects.jsonl"
    sample = shared_data / "pyais-samples" / "tests" / "nmea_data_sample.txt"
    result = _run(
        cli_cmd,
        cli_env,
        "ingest",
        str(feeds),
        str(tmp_path / "nothing-*.nmea"),
        str(sample),
        "--lake",
        str(lake),
        "--rejects",
        str(rejects),
        "--simulated",
        "--no-progress",
    )
    assert result.returncode == 1  # one argument matched nothing ...
    assert "nothing-*.nmea: no file matches this pattern" in result.stderr
    assert "positions written" in result.stdout and "rejected:" in result.stdout
    rows = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert rows and all({"source", "line_no", "reason", "line"} <= set(r) for r in rows)

    stats = _run(cli_cmd, cli_env, "lake", "stats", "--lake", str(lake), "--json")
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["days"] >= 2 and figures["rejects"] == len(rows)  # ... but the rest landed
    assert figures["simulated_positions"] == figures["position_rows"] > 4_000
    assert len(figures["sources"]) == 3

    again = _run(
        cli_cmd,
        cli_env,
        "ingest",
        str(feeds),
        str(sample),
        "--lake",
        str(lake),
        "--simulated",
        "--json",
        "--no-progress",
    )
    assert again.returncode == 0
    summary = json.loads(again.stdout)
    assert summary["chunks_written"] == 0 and summary["chunks_skipped"] == 3 and summary["positions"] == 0

    human = _run(cli_cmd, cli_env, "lake", "stats", "--lake", str(lake))
    assert "vessels (MMSI)" in human.stdout and "size on disk" in human.stdout

    listed = _run(cli_cmd, cli_env, "lake", "files", "--lake", str(lake))
    assert listed.returncode == 0 and all(line.endswith(".parquet") for line in listed.stdout.splitlines())

    compacted = _run(cli_cmd, cli_env, "lake", "compact", "--lake", str(lake))
    assert compacted.returncode == 0 and "compacted" in compacted.stdout
    after = json.loads(_run(cli_cmd, cli_env, "lake", "stats", "--lake", str(lake), "--json").stdout)
    assert after["position_rows"] == figures["position_rows"] and after["files"] <= figures["files"]


def test_csv_with_a_column_mapping(tmp_path, cli_cmd, cli_env):
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(
        "ShipId,Time,Y,X,Speed\n"
        "244123456,2024-03-01T10:00:00Z,10.5,-66.9,12.5\n"
        "244123456,2024-03-01T10:05:00Z,10.6,-66.8,12.4\n"
        "not-a-number,2024-03-01T10:05:00Z,10.6,-66.8,12.4\n"
    )
    lake = tmp_path / "lake"
    result = _run(
        cli_cmd,
        cli_env,
        "ingest",
        str(csv_path),
        "--lake",
        str(lake),
        "--map",
        "mmsi=ShipId,ts=Time",
        "--map",
        "lat=Y,lon=X,sog_kn=Speed",
        "--json",
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["positions"] == 2 and summary["rejects"] == 1
    bad_map = _run(cli_cmd, cli_env, "ingest", str(csv_path), "--lake", str(lake), "--map", "speed")
    assert bad_map.returncode == 2 and "field=column" in bad_map.stderr


def test_clear_errors_for_bad_lakes(tmp_path, cli_cmd, cli_env):
    not_a_lake = _run(cli_cmd, cli_env, "lake", "stats", "--lake", str(tmp_path))
    assert not_a_lake.returncode == 2 and "not a shadowfleet lake" in not_a_lake.stderr

    a_file = tmp_path / "file"
    a_file.write_text("x")
    blocked = _run(cli_cmd, cli_env, "ingest", str(a_file), "--lake", str(a_file / "lake"))
    assert blocked.returncode == 2 and "cannot create lake folder" in blocked.stderr

    lake = tmp_path / "lake"
    with LakeWriter(lake):
        busy = _run(cli_cmd, cli_env, "ingest", str(a_file), "--lake", str(lake))
    assert busy.returncode == 2 and "another process is writing" in busy.stderr


def test_chunk_size_is_fixed_per_lake(tmp_path, cli_cmd, cli_env):
    log = tmp_path / "a.nmea"
    generate(log, 1_500, seed=9)
    lake = tmp_path / "lake"
    assert (
        _run(cli_cmd, cli_env, "ingest", str(log), "--lake", str(lake), "--chunk-lines", "1000").returncode
        == 0
    )
    other = _run(cli_cmd, cli_env, "ingest", str(log), "--lake", str(lake), "--chunk-lines", "2000")
    assert other.returncode == 2 and "chunks of 1,000 lines" in other.stderr
