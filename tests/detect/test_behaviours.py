import collections

import pyarrow as pa

from shadowfleet.detect.behaviours import detect_behaviours
from shadowfleet.detect.voyages import VOYAGE_OUTPUT_SCHEMA
from tests.detect.tables import at, positions, statics

H = 60.0


def _track_events() -> pa.Table:
    rows = [
        # kind, mmsi, other, start_h, end_h, lat, lon, port
        ("port_call", 1, None, 0, 20, 10.10, -64.85, ("ve-jose", "JOSE TERMINAL", "VE")),
        ("encounter", 1, 2, 40, 46, 12.9, -67.5, (None, None, None)),
        ("port_call", 1, None, 70, 80, 12.19, -69.02, ("cw-bullen", "BULLEN BAAI", "CW")),
        ("loitering", 1, None, 50, 55, 12.5, -68.0, (None, None, None)),
    ]
    return pa.table(
        {
            "event_id": [f"e{i}" for i in range(len(rows))],
            "kind": [r[0] for r in rows],
            "mmsi": [r[1] for r in rows],
            "other_mmsi": pa.array([r[2] for r in rows], pa.int64()),
            "start_ts": [at(r[3] * H) for r in rows],
            "end_ts": [at(r[4] * H) for r in rows],
            "lat": [r[5] for r in rows],
            "lon": [r[6] for r in rows],
            "port_id": [r[7][0] for r in rows],
            "port_name": [r[7][1] for r in rows],
            "port_country": [r[7][2] for r in rows],
            "simulated": [True] * len(rows),
        }
    )


def test_one_call_runs_every_behaviour_detector_and_builds_voyages() -> None:
    pos = positions(
        [
            (1, h * H, 10.10 + (12.19 - 10.10) * h / 80, -64.85 + (-69.02 + 64.85) * h / 80)
            for h in range(0, 81, 2)
        ]
        + [(1, 81 * H, 35.0, 18.0)]  # a jump to the Mediterranean
        + [(2, h * H, 12.9, -67.5) for h in range(38, 48)],
        simulated=True,
    )
    st = statics(
        [
            {"mmsi": 1, "minutes": 0, "name": "NAVE A", "draught_m": 9.0, "imo": 9074729},
            {"mmsi": 1, "minutes": 6, "name": "NAVE A", "draught_m": 9.0, "imo": 9074729},
            {"mmsi": 1, "minutes": 30 * H, "name": "NAVE B", "draught_m": 16.0, "imo": 9074729},
            {"mmsi": 1, "minutes": 31 * H, "name": "NAVE B", "draught_m": 16.0, "imo": 9074729},
            {"mmsi": 2, "minutes": 0, "draught_m": 20.0, "imo": 9074728},
            {"mmsi": 2, "minutes": 50 * H, "draught_m": 12.0, "imo": 9074728},
        ],
        simulated=True,
    )
    events, voyages = detect_behaviours(pos, st, _track_events())
    kinds = collections.Counter(events.column("kind").to_pylist())
    assert kinds == {"spoofing": 2, "identity_change": 1, "draught_change": 2}
    assert events.column_names[:3] == ["event_id", "kind", "mmsi"]
    assert {"spoof_type", "field", "direction"} <= set(events.column_names)
    by_kind = {(r["kind"], r["mmsi"]): r for r in events.to_pylist()}
    assert by_kind[("draught_change", 1)]["direction"] == "load"
    assert by_kind[("draught_change", 1)]["context"] == "port_call"
    assert by_kind[("draught_change", 2)]["direction"] == "discharge"
    assert by_kind[("draught_change", 2)]["other_mmsi"] == 1
    assert all(events.column("simulated").to_pylist())
    assert voyages.schema == VOYAGE_OUTPUT_SCHEMA
    complete = voyages.filter(pa.compute.invert(voyages.column("in_progress"))).to_pylist()
    assert len(complete) == 1 and complete[0]["to_or_from_venezuela"] and complete[0]["simulated"]
    assert complete[0]["laden_departure"] == "laden"


def test_without_track_events_voyages_are_empty_but_typed() -> None:
    pos = positions([(1, 0, 10.0, -64.0), (1, 10, 10.0, -64.01)])
    events, voyages = detect_behaviours(pos, None)
    assert events.num_rows == 0 and voyages.num_rows == 0 and voyages.schema == VOYAGE_OUTPUT_SCHEMA
