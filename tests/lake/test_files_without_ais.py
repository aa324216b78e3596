"""Files with no AIS in them (a licence, JSON, a CSV of something else) are skipped with a warning when
found in a folder or by a glob, and are an error when named; they never fill the rejects."""

import gzip
import json
import shutil
import subprocess

from shadowfleet.lake import Lake


def _run(cli_cmd, cli_env, *args):
    return subprocess.run([*cli_cmd, *args], env=cli_env, capture_output=True, text=True, timeout=300)


def _stats(lake):
    with Lake(lake) as handle:
        return handle.stats()


def test_folder_skips_files_without_ais_and_ingests_the_logs(tmp_path, cli_cmd, cli_env, shared_data):
    log = shared_data / "gpsd-ais" / "test" / "daemon" / "ais-nmea.log"  # AIS among GPS sentences
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(log, folder / "receiver.log")
    shutil.copy(shared_data / "gpsd-ais" / "COPYING", folder / "LICENSE")
    (folder / "LICENSE.gz").write_bytes(gzip.compress((shared_data / "gpsd-ais" / "COPYING").read_bytes()))
    shutil.copy(shared_data / "gpsd-ais" / "test" / "sample.aivdm.js.chk", folder / "expected.json")
    shutil.copy(shared_data / "gfw-ports-anchorages" / "WPI_ports.csv", folder / "ports.csv")
    # a log whose first AIS sentence comes after far more than the sniffed head of GPS sentences
    gps = b"".join(line for line in log.read_bytes().splitlines(True) if line.startswith(b"$GP"))
    late = gps * (1 + 200_000 // len(gps)) + (shared_data / "gpsd-ais" / "test" / "sample.aivdm").read_bytes()
    (folder / "late.nmea").write_bytes(late)
    without_ais = sorted(str(folder / n) for n in ("LICENSE", "LICENSE.gz", "expected.json", "ports.csv"))

    lake = tmp_path / "lake"
    result = _run(cli_cmd, cli_env, "ingest", str(folder), "--lake", str(lake), "--no-progress", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert sorted(summary["files_without_ais"]) == without_ais
    warnings = sorted(line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert len(warnings) == 4
    assert all(
        w.startswith(f"warning: no AIS found in {p} (") for w, p in zip(warnings, without_ais, strict=True)
    )
    assert summary["errors"] == [] and summary["inputs"] == 6

    reference = tmp_path / "reference"
    one_by_one = _run(
        cli_cmd, cli_env, "ingest", str(folder / "receiver.log"), str(folder / "late.nmea"),
        "--lake", str(reference), "--no-progress", "--json",
    )  # fmt: skip
    assert one_by_one.returncode == 0, one_by_one.stderr
    expected = json.loads(one_by_one.stdout)
    assert summary["rejects_by_reason"] == expected["rejects_by_reason"]
    assert (summary["lines"], summary["positions"]) == (expected["lines"], expected["positions"])
    got, want = _stats(lake), _stats(reference)
    assert (got.chunks, got.rejects, got.position_rows) == (want.chunks, want.rejects, want.position_rows)
    assert got.chunks == 2 and got.position_rows > 144  # both logs, nothing of the other files

    human = _run(cli_cmd, cli_env, "ingest", str(folder / "*"), "--lake", str(lake), "--no-progress")
    assert human.returncode == 0, human.stderr  # a glob finds files too: the same warnings
    assert "skipped, no AIS found" in human.stdout and human.stderr.count("warning: no AIS found in") == 4


def test_a_named_file_without_ais_is_an_error(tmp_path, cli_cmd, cli_env, shared_data):
    licence = tmp_path / "LICENSE"
    shutil.copy(shared_data / "gpsd-ais" / "COPYING", licence)
    ports = tmp_path / "ports.csv"
    shutil.copy(shared_data / "gfw-ports-anchorages" / "WPI_ports.csv", ports)
    lake = tmp_path / "lake"
    result = _run(cli_cmd, cli_env, "ingest", str(licence), str(ports), "--lake", str(lake), "--no-progress")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {licence}: no AIS found: no line holds an AIS sentence such as !AIVDM or !AIVDO",
        f"error: {ports}: unrecognised CSV header (columns: iso3, label, latitude, longitude, sublabel); "
        "expected MarineCadastre (MMSI,BaseDateTime,LAT,LON,...) or Danish Maritime Authority "
        "(# Timestamp,Type of mobile,MMSI,...) columns, or pass a column mapping",
    ]
    assert not lake.exists()  # nothing decoded into rejects; a failed first run leaves no lake behind

    forced = _run(cli_cmd, cli_env, "ingest", str(licence), "--format", "nmea", "--lake", str(lake))
    assert forced.returncode == 1 and "no AIS found" in forced.stderr
    assert not lake.exists()
