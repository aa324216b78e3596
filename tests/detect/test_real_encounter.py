"""GFW's real encounter off Mozambique (2015-03-19): our detector against their published result."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from shadowfleet.detect.encounters import EncounterParams, detect_encounters


def test_finds_gfw_real_encounter(shared_data):
    folder = shared_data / "gfw-encounter-real-2015-03-19"
    raw = pcsv.read_csv(folder / "tracks.csv")
    expected = json.loads((folder / "expected_encounters.json").read_text())["merged_encounters"][0]
    ts = pa.array(raw.column("timestamp_unix").to_numpy() * 1_000_000, pa.int64())
    positions = pa.table(
        {
            "mmsi": raw.column("mmsi").cast(pa.int64()),
            "ts": ts.cast(pa.timestamp("us", tz="UTC")),
            "lat": raw.column("lat"),
            "lon": raw.column("lon"),
        }
    ).sort_by([("mmsi", "ascending"), ("ts", "ascending")])
    events = detect_encounters(positions, EncounterParams())
    assert events.num_rows == 1
    e = events.to_pylist()[0]
    assert (e["mmsi"], e["other_mmsi"]) == (441910000, 563418000)
    start_s = e["start_ts"].timestamp()
    end_s = e["end_ts"].timestamp()
    print(
        f"\nours {e['start_ts']} - {e['end_ts']} median {e['median_distance_m']:.1f} m, {e['median_speed_kn']:.2f} kn"
    )
    assert abs(start_s - expected["start_time_unix"]) <= 20 * 60
    assert abs(end_s - expected["end_time_unix"]) <= 20 * 60
    gfw_m = expected["median_distance_km"] * 1000
    assert abs(e["median_distance_m"] - gfw_m) <= 0.25 * gfw_m
    assert e["median_speed_kn"] < 2.0
    evidence = json.loads(e["evidence"])
    assert len(evidence["vessel"]) == len(evidence["other"]) >= 12
    assert np.isfinite(e["lat"]) and -28 < e["lat"] < -27


def test_stricter_distance_finds_nothing(shared_data):
    folder = shared_data / "gfw-encounter-real-2015-03-19"
    raw = pcsv.read_csv(folder / "tracks.csv")
    positions = pa.table(
        {
            "mmsi": raw.column("mmsi").cast(pa.int64()),
            "ts": pa.array(raw.column("timestamp_unix").to_numpy() * 1_000_000).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "lat": raw.column("lat"),
            "lon": raw.column("lon"),
        }
    ).sort_by([("mmsi", "ascending"), ("ts", "ascending")])
    assert detect_encounters(positions, EncounterParams(max_distance_m=5.0)).num_rows == 0
