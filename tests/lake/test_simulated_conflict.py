"""The same input bytes never give two copies of their rows, one real and one simulated: re-ingesting
an input with the other `--simulated` value is refused whole (exit 2), and nothing is written."""

import gzip
import json
import subprocess

from shadowfleet.lake import Lake
from shadowfleet.lake.ingest import IngestOptions, ingest_paths


def _run(cli_cmd, cli_env, *args):
    return subprocess.run([*cli_cmd, *args], env=cli_env, capture_output=True, text=True, timeout=300)


def _figures(lake) -> tuple[int, int, int, int]:
    with Lake(lake) as handle:
        s = handle.stats()
    return s.position_rows, s.static_rows, s.simulated_positions, s.chunks


def _ingest(cli_cmd, cli_env, path, lake, *flags):
    return _run(cli_cmd, cli_env, "ingest", str(path), "--lake", str(lake), "--no-progress", "--json", *flags)


def test_real_then_simulated_nmea_is_refused_and_adds_nothing(tmp_path, cli_cmd, cli_env, shared_data):
    log = shared_data / "gpsd-ais" / "test" / "daemon" / "ais-nmea.log"
    lake = tmp_path / "lake"
    first = _ingest(cli_cmd, cli_env, log, lake)
    assert first.returncode == 0, first.stderr
    before = _figures(lake)
    assert before[0] > 0 and before[2] == 0

    gz = tmp_path / "copy.log.gz"  # the same bytes, renamed and compressed
    gz.write_bytes(gzip.compress(log.read_bytes()))
    for path in (log, gz):
        again = _ingest(cli_cmd, cli_env, path, lake, "--simulated")
        assert again.returncode == 2, again.stderr
        errors = [line for line in again.stderr.splitlines() if line.startswith("error:")]
        assert errors == [
            f"error: {path}: already in the lake as real data; refusing to add its rows again as "
            "simulated data (nothing of it was written)"
        ]
        assert json.loads(again.stdout)["refused"] == [errors[0].removeprefix("error: ")]
        assert _figures(lake) == before

    same_flag = _ingest(cli_cmd, cli_env, gz, lake)
    assert same_flag.returncode == 0 and json.loads(same_flag.stdout)["chunks_skipped"] == 1
    assert _figures(lake) == before


def test_simulated_then_real_csv_is_refused_and_adds_nothing(tmp_path, cli_cmd, cli_env, shared_data):
    source = shared_data / "marinecadastre-2022-01-03-sample" / "AIS_2022_01_03_first99999.csv"
    csv_path = tmp_path / "cadastre.csv"
    with source.open("rb") as f:
        csv_path.write_bytes(b"".join(f.readline() for _ in range(3_001)))
    lake = tmp_path / "lake"
    first = _ingest(cli_cmd, cli_env, csv_path, lake, "--simulated")
    assert first.returncode == 0, first.stderr
    before = _figures(lake)
    assert before[0] == before[2] > 2_000

    real = _ingest(cli_cmd, cli_env, csv_path, lake)
    assert real.returncode == 2
    assert f"{csv_path}: already in the lake as simulated data" in real.stderr
    assert _figures(lake) == before
    assert _ingest(cli_cmd, cli_env, csv_path, lake, "--simulated").returncode == 0
    assert _figures(lake) == before


def test_a_grown_log_first_ingested_as_real_is_refused_as_simulated(tmp_path, shared_data):
    lines = (shared_data / "pyais-samples" / "tests" / "nmea_data_sample.txt").read_bytes().splitlines(True)
    log = tmp_path / "growing.nmea"
    log.write_bytes(b"".join(lines[:300]))  # one partial chunk: the grown file reuses it as a prefix
    lake = tmp_path / "lake"
    options = IngestOptions(chunk_lines=1_000)
    assert ingest_paths(lake, [str(log)], options).errors == []
    before = _figures(lake)
    log.write_bytes(b"".join(lines))
    summary = ingest_paths(lake, [str(log)], IngestOptions(chunk_lines=1_000, simulated=True))
    assert summary.refused and "already in the lake as real data" in summary.refused[0]
    assert summary.positions == 0 and _figures(lake) == before
    grown = ingest_paths(lake, [str(log)], options)
    assert grown.errors == [] and grown.positions > 0 and grown.lines_skipped == 300
