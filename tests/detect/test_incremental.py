"""`shadowfleet detect --lake`: incremental runs over day partitions, idempotent re-runs."""

import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.run import DetectContext, run_all
from shadowfleet.lake.events import read_events, run_incremental
from shadowfleet.lake.manifest import ChunkEntry
from shadowfleet.lake.writer import LakeWriter
from shadowfleet.model.schemas import STATIC_SCHEMA

from .builders import every, track


def _chunk(key: str, n: int) -> ChunkEntry:
    return ChunkEntry(
        chunk_key=key, source="test", source_kind="simulated", chunk_index=0, first_line=1,
        n_lines=n, n_bytes=0, positions=n, statics=0, rejects=0, simulated=True,
    )  # fmt: skip


def _day_tracks():
    # one vessel reporting every 10 min, silent from 22:00 on day 1 to 07:00 on day 2
    day1 = track(9, (0.0, -30.0), every(10, 22), np.zeros(133), np.zeros(133), sog_kn=1.0)
    h2 = every(10, 5, start_h=31)
    day2 = track(9, (0.0, -30.0), h2, np.zeros_like(h2), np.zeros_like(h2), sog_kn=1.0)
    return day1, day2


def _detect(pos: pa.Table, sta: pa.Table) -> tuple[pa.Table, pa.Table]:
    return run_all(pos, sta, DetectContext())


def test_gap_across_midnight_found_once_by_incremental_runs(tmp_path):
    day1, day2 = _day_tracks()
    empty_static = STATIC_SCHEMA.empty_table()
    with LakeWriter(tmp_path) as w:
        w.write_chunk(_chunk("a" * 40, day1.num_rows), day1, empty_static)
    first = run_incremental(tmp_path, _detect)
    assert first.changed_days == ["2024-03-01"]
    events = read_events(tmp_path)
    assert events is None or pc.sum(pc.equal(events.column("kind"), "ais_gap")).as_py() in (None, 0)

    with LakeWriter(tmp_path) as w:
        w.write_chunk(_chunk("b" * 40, day2.num_rows), day2, empty_static)
    second = run_incremental(tmp_path, _detect)
    assert second.changed_days == ["2024-03-02"]
    assert "2024-03-01" in second.loaded_days  # the context margin
    events = read_events(tmp_path)
    gaps = events.filter(pc.equal(events.column("kind"), "ais_gap"))
    assert gaps.num_rows == 1
    assert gaps.column("duration_h").to_pylist() == [9.0]
    assert gaps.column("simulated").to_pylist() == [True]

    stored = sorted((tmp_path / "events").resolve().glob("kind=*/*.parquet"))
    mtimes = [p.stat().st_mtime_ns for p in stored]
    again = run_incremental(tmp_path, _detect)
    assert again.changed_days == [] and not again.written
    full = run_incremental(tmp_path, _detect, full=True)
    assert full.changed_days and not full.written  # same events, same deterministic ids: nothing rewritten
    assert sorted((tmp_path / "events").resolve().glob("kind=*/*.parquet")) == stored
    assert [p.stat().st_mtime_ns for p in stored] == mtimes
    assert sorted(read_events(tmp_path).column("event_id").to_pylist()) == sorted(
        events.column("event_id").to_pylist()
    )


def test_cli_detect_runs_and_reruns_without_change(tmp_path, cli_cmd, cli_env, shared_data):
    day1, day2 = _day_tracks()
    with LakeWriter(tmp_path) as w:
        w.write_chunk(
            _chunk("c" * 40, day1.num_rows + day2.num_rows),
            pa.concat_tables([day1, day2]),
            STATIC_SCHEMA.empty_table(),
        )
    land = shared_data / "geo" / "world-atlas" / "land-10m.json"
    cmd = [*cli_cmd, "detect", "--lake", str(tmp_path), "--land", str(land)]
    out = subprocess.run(cmd, env=cli_env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "2024-03-01, 2024-03-02" in out.stdout
    files = sorted(p.name for p in (tmp_path / "events").glob("kind=*"))
    assert "kind=ais_gap" in files
    out2 = subprocess.run(cmd, env=cli_env, capture_output=True, text=True, timeout=300)
    assert out2.returncode == 0 and "nothing new" in out2.stdout
    bad = subprocess.run(
        [*cli_cmd, "detect", "--lake", str(tmp_path / "nope")], env=cli_env, capture_output=True, text=True
    )
    assert bad.returncode == 2 and "lake folder not found" in bad.stderr


def test_cli_names_a_bad_ports_file(tmp_path, cli_cmd, cli_env):
    ports = tmp_path / "ports.csv"
    ports.write_text("name,country,lat,lon\nGOOD,VE,10.1,-64.8\nBAD,VE,north,-64.8\n")
    lake = tmp_path / "lake"
    lake.mkdir()
    out = subprocess.run(
        [*cli_cmd, "detect", "--lake", str(lake), "--ports", str(ports)],
        env=cli_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 2
    assert "ports.csv:3" in out.stderr and "latitude" in out.stderr
    assert not (lake / "events").exists()


def test_user_ports_join_the_gazetteer(tmp_path):
    from shadowfleet.geodata.ports import load_gazetteer

    ports = tmp_path / "ports.csv"
    ports.write_text("name,country,lat,lon\nJOSE TERMINAL,VE,10.1,-64.85\nMY QUAY,NL,52.0,4.0\n")
    g = load_gazetteer(None, include_searoute=False, user_csv=ports)
    assert g.n_ports == 2
    assert sorted(g.port_name[g.terminals()].tolist()) == ["JOSE TERMINAL"]
    port, dist = g.nearest_port(np.array([10.11]), np.array([-64.85]), 3_000.0)
    assert g.port_country[port[0]] == "VE" and dist[0] < 1_200


def test_other_detector_versions_rerun_every_day(tmp_path):
    """Events made by one detector version are never mixed with another's: a new digest re-runs it all."""
    from shadowfleet.detect.run import detection_fingerprint, detector_versions

    day1, day2 = _day_tracks()
    empty_static = STATIC_SCHEMA.empty_table()
    with LakeWriter(tmp_path) as w:
        w.write_chunk(_chunk("a" * 40, day1.num_rows), day1, empty_static)
        w.write_chunk(_chunk("b" * 40, day2.num_rows), day2, empty_static)
    current = detection_fingerprint()
    assert len(current) == 64 and set(detector_versions()) >= {"gaps", "encounters", "spoofing", "voyages"}
    first = run_incremental(tmp_path, _detect, detection="older-detectors")
    assert first.changed_days == ["2024-03-01", "2024-03-02"]
    assert run_incremental(tmp_path, _detect, detection="older-detectors").changed_days == []
    upgraded = run_incremental(tmp_path, _detect, detection=current)
    assert upgraded.changed_days == ["2024-03-01", "2024-03-02"]  # nothing changed but the detectors
    assert run_incremental(tmp_path, _detect, detection=current).changed_days == []
    assert run_incremental(tmp_path, _detect).changed_days == []  # no digest given: days only
