import json

import pyarrow as pa
import pytest

from shadowfleet.detect.draught import DraughtParams, detect_draught_changes
from tests.detect.tables import at, statics

P = DraughtParams()


def _draughts(mmsi: int, pairs: list[tuple[float, float | None]]) -> list[dict[str, object]]:
    return [{"mmsi": mmsi, "minutes": m, "draught_m": d} for m, d in pairs]


def _port_calls(rows: list[tuple[int, float, float]], country: str = "VE") -> pa.Table:
    return pa.table(
        {
            "event_id": [f"pc{i}" for i in range(len(rows))],
            "mmsi": [r[0] for r in rows],
            "start_ts": [at(r[1]) for r in rows],
            "end_ts": [at(r[2]) for r in rows],
            "lat": [10.45] * len(rows),
            "lon": [-64.17] * len(rows),
            "port_id": ["ve-jose"] * len(rows),
            "port_name": ["JOSE TERMINAL"] * len(rows),
            "port_country": [country] * len(rows),
        }
    )


H = 60.0


def test_draught_8_to_14_metres_at_a_port_is_a_load() -> None:
    # Arrives at 8 m, crew enters 14 m two hours after leaving.
    st = statics(_draughts(1, [(0, 8.0), (10 * H, 8.0), (30 * H, 14.0), (40 * H, 14.0)]))
    events = detect_draught_changes(st, P, port_calls=_port_calls([(1, 12 * H, 28 * H)]))
    assert events.num_rows == 1
    row = events.to_pylist()[0]
    assert (row["kind"], row["direction"], row["context"]) == ("draught_change", "load", "port_call")
    assert (row["draught_before_m"], row["draught_after_m"], row["draught_change_m"]) == (8.0, 14.0, 6.0)
    assert row["draught_change_pct"] == 75.0 and row["draught_change_pct_of_range"] == 100.0
    assert row["port_name"] == "JOSE TERMINAL" and row["other_mmsi"] is None
    assert row["stop_event_id"] == "pc0"
    ev = json.loads(row["evidence"])
    # the two static reports compared, named by receive time (the vessel is the event's mmsi)
    assert ev["before"] == {"draught_m": 8.0, "reported": "2024-03-01T10:00:00.000000Z"}
    assert ev["after"] == {"draught_m": 14.0, "reported": "2024-03-02T16:00:00.000000Z"}


def test_small_change_relative_to_range_and_no_stop_give_nothing() -> None:
    # Range 8..14 m; +0.4 m at the port is below both 10 % of the range (0.6 m) and 0.5 m.
    st = statics(_draughts(1, [(0, 8.0), (10 * H, 14.0), (20 * H, 13.6), (50 * H, 14.0)]))
    assert detect_draught_changes(st, P, port_calls=_port_calls([(1, 40 * H, 45 * H)])).num_rows == 0
    # The 8 -> 14 change happened at sea, not at a stop: nothing here.
    assert detect_draught_changes(st, P, port_calls=_port_calls([(1, 60 * H, 70 * H)])).num_rows == 0


def test_discharge_during_an_encounter_is_seen_from_both_vessels() -> None:
    st = statics(
        _draughts(1, [(0, 20.0), (30 * H, 12.0)])  # the mother ship discharges
        + _draughts(2, [(0, 9.0), (30 * H, 16.0)])  # the shuttle loads
    )
    encounters = pa.table(
        {
            "mmsi": [1],
            "other_mmsi": [2],
            "start_ts": [at(10 * H)],
            "end_ts": [at(20 * H)],
            "lat": [11.5],
            "lon": [-67.0],
        }
    )
    events = detect_draught_changes(st, P, encounters=encounters)
    rows = {r["mmsi"]: r for r in events.to_pylist()}
    assert rows[1]["direction"] == "discharge" and rows[1]["other_mmsi"] == 2
    assert rows[2]["direction"] == "load" and rows[2]["other_mmsi"] == 1
    assert rows[1]["draught_change_m"] == pytest.approx(-8.0)


def test_next_stop_bounds_the_after_window_and_stale_reports_are_not_used() -> None:
    st = statics(_draughts(1, [(0, 8.0), (20 * H, 14.0)]))
    two_calls = _port_calls([(1, 2 * H, 5 * H), (1, 10 * H, 15 * H)])
    events = detect_draught_changes(st, P, port_calls=two_calls)
    assert events.column("stop_event_id").to_pylist() == ["pc1"]
    stale = statics(_draughts(1, [(0, 8.0), (120 * H, 14.0)]))
    assert detect_draught_changes(stale, P, port_calls=_port_calls([(1, 100 * H, 110 * H)])).num_rows == 0


def test_not_available_draughts_are_ignored() -> None:
    st = statics(_draughts(1, [(0, 8.0), (1, 0.0), (2, None), (30 * H, 8.0)]))
    assert detect_draught_changes(st, P, port_calls=_port_calls([(1, 10 * H, 20 * H)])).num_rows == 0


def test_missing_column_is_named() -> None:
    st = statics(_draughts(1, [(0, 8.0)]))
    with pytest.raises(ValueError, match=r"port_calls.*end_ts"):
        detect_draught_changes(
            st, P, port_calls=pa.table({"mmsi": [1], "start_ts": [at(0)], "lat": [0.0], "lon": [0.0]})
        )


def test_stop_under_way_when_the_data_begins_uses_the_first_draught_reported_during_it() -> None:
    st = statics(_draughts(1, [(15, 8.5), (14 * H, 8.5), (15 * H, 17.0), (30 * H, 17.0)]))
    events = detect_draught_changes(st, P, port_calls=_port_calls([(1, 0, 16 * H)]))
    assert events.column("direction").to_pylist() == ["load"]
    assert events.column("draught_before_m").to_pylist() == [8.5]
