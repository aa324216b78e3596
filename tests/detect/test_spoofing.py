import json

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shadowfleet.detect.geo import destination
from shadowfleet.detect.spoofing import (
    SpoofingParams,
    detect_impossible_jumps_and_shared_mmsi,
    detect_invalid_imo,
    detect_mid_flag_mismatch,
    detect_on_land,
    detect_spoofing,
    on_land_mask,
)
from tests.detect.tables import positions, statics

P = SpoofingParams()


def _steady(
    mmsi: int, lat: float, lon: float, n: int, step_min: float = 10, start: float = 0, dlon: float = 0.02
):
    # 0.02 deg of longitude in 10 min near the equator is ~13 kn.
    return [(mmsi, start + i * step_min, lat, lon + i * dlon) for i in range(n)]


def test_caribbean_to_mediterranean_in_ten_minutes_is_an_impossible_jump() -> None:
    rows = _steady(1, 12.0, -66.0, 5) + [(1, 50 + i * 10, 35.0, 18.0 + i * 0.02) for i in range(5)]
    events = detect_impossible_jumps_and_shared_mmsi(positions(rows), P)
    assert events.column("spoof_type").to_pylist() == ["impossible_jump"]
    row = events.to_pylist()[0]
    assert row["kind"] == "spoofing"
    assert row["jump_distance_m"] == pytest.approx(8.3e6, rel=0.05)
    assert row["implied_speed_kn"] == pytest.approx(row["jump_distance_m"] / 600 / 0.514444, rel=1e-6)
    assert row["lat"] == 35.0 and row["start_ts"].minute == 40 and row["end_ts"].minute == 50
    ev = json.loads(row["evidence"])
    assert len(ev["positions"]) == 2 and ev["positions"][1]["lat"] == 35.0


def test_steady_track_and_null_island_give_no_jump() -> None:
    rows = [*_steady(1, 12.0, -66.0, 10), (1, 95, 0.0, 0.0)]
    assert detect_impossible_jumps_and_shared_mmsi(positions(rows), P).num_rows == 0


def test_jump_across_the_antimeridian_is_not_impossible() -> None:
    rows = [(1, 0, 10.0, 179.99), (1, 10, 10.0, -179.99)]  # ~2.2 km in 10 min = 13 kn
    assert detect_impossible_jumps_and_shared_mmsi(positions(rows), P).num_rows == 0


def test_single_fix_out_and_back_is_one_excursion_event() -> None:
    rows = _steady(1, 12.0, -66.0, 6)
    rows[3] = (1, 30, 14.0, -60.0)  # hundreds of km away for one report
    events = detect_impossible_jumps_and_shared_mmsi(positions(rows), P)
    assert events.num_rows == 1
    row = events.to_pylist()[0]
    assert json.loads(row["evidence"])["pattern"] == "excursion"
    assert (row["lat"], row["lon"]) == (14.0, -60.0)
    assert row["n_positions"] == 3


def test_two_ships_interleaved_on_one_mmsi_is_shared_not_many_jumps() -> None:
    ship_a = _steady(7, 12.0, -66.0, 12, step_min=10)
    ship_b = _steady(7, 25.0, -90.0, 12, step_min=10, start=5)  # Gulf of Mexico, ~2,700 km apart
    events = detect_impossible_jumps_and_shared_mmsi(positions(ship_a + ship_b), P)
    assert events.column("spoof_type").to_pylist() == ["shared_mmsi"]
    row = events.to_pylist()[0]
    ev = json.loads(row["evidence"])
    assert ev["switches"] == 23 and ev["positions_per_track"] == [12, 12]
    assert row["jump_distance_m"] > 2.5e6


def test_unrelated_vessels_never_pair_across_mmsi_boundaries() -> None:
    rows = _steady(1, 12.0, -66.0, 4) + _steady(2, 35.0, 18.0, 4)
    assert detect_impossible_jumps_and_shared_mmsi(positions(rows), P).num_rows == 0


def test_point_on_venezuelan_land_is_on_land_and_sea_and_coast_are_not() -> None:
    lat = np.array([8.0, 12.5, 10.61])
    lon = np.array([-66.0, -66.0, -66.93])  # Guarico plains; Caribbean; La Guaira waterfront
    assert on_land_mask(lat, lon, P.land_margin_m).tolist() == [True, False, False]
    rows = [(3, 0, 12.5, -66.0), (3, 10, 8.0, -66.0), (3, 20, 8.0, -66.01), (3, 30, 12.5, -66.0)]
    events = detect_on_land(positions(rows), P)
    assert events.column("spoof_type").to_pylist() == ["on_land"]
    row = events.to_pylist()[0]
    assert row["n_positions"] == 2 and row["start_ts"].minute == 10 and row["end_ts"].minute == 20
    assert json.loads(row["evidence"])["last_position_on_water"]["lat"] == 12.5


def test_sailing_gradually_up_a_river_is_not_on_land() -> None:
    # Up the Mississippi from the Gulf to Baton Rouge: the ~1 km land mask calls the river land.
    lats = np.linspace(28.9, 30.45, 60)
    lons = np.linspace(-89.4, -91.19, 60)
    rows = [(5, i * 20.0, float(a), float(b)) for i, (a, b) in enumerate(zip(lats, lons, strict=True))]
    assert on_land_mask(lats, lons, P.land_margin_m)[-5:].all()
    assert detect_on_land(positions(rows), P).num_rows == 0
    # A vessel first seen inland has no known entry and is not reported either.
    assert detect_on_land(positions(rows[-5:]), P).num_rows == 0


def test_invalid_imo_check_digit() -> None:
    st = statics(
        [
            {"mmsi": 1, "minutes": 0, "imo": 9074729},
            {"mmsi": 2, "minutes": 0, "imo": 9074728},
            {"mmsi": 2, "minutes": 60, "imo": 9074728},
            {"mmsi": 3, "minutes": 0, "imo": None},
        ]
    )
    events = detect_invalid_imo(st, P)
    assert events.column("mmsi").to_pylist() == [2]
    row = events.to_pylist()[0]
    assert row["imo"] == 9074728 and json.loads(row["evidence"])["reports"] == 2
    assert row["end_ts"].hour == 1


def test_imo_fields_that_are_not_seven_digits_are_no_imo_claim() -> None:
    st = statics(
        [
            {"mmsi": 1, "minutes": 0, "imo": 569},
            {"mmsi": 2, "minutes": 0, "imo": 103},
            {"mmsi": 3, "minutes": 0, "imo": 999_999},
            {"mmsi": 4, "minutes": 0, "imo": 10_000_000},
            {"mmsi": 5, "minutes": 0, "imo": 366_123_456},
            {"mmsi": 6, "minutes": 0, "imo": 1_000_000},  # seven digits, check digit 7 expected
            {"mmsi": 7, "minutes": 0, "imo": 1_000_007},  # seven digits, right check digit
        ]
    )
    events = detect_invalid_imo(st, P)
    assert events.column("mmsi").to_pylist() == [6]
    row = events.to_pylist()[0]
    assert row["imo"] == 1_000_000 and row["confidence"] == 0.9
    assert json.loads(row["evidence"])["reason"] == "check digit does not match"


def test_russian_mmsi_declaring_panama_is_a_mismatch_and_territories_are_not() -> None:
    reports = positions(
        [
            (273123456, 0, 12.0, -66.0),
            (273123456, 60, 12.0, -66.1),
            (310123456, 0, 30.0, -60.0),
            (351000001, 0, 9, -79),
        ]
    )
    flags = pa.table(
        {
            "mmsi": [273123456, 310123456, 351000001],
            "flag": ["PA", "gb", "PA"],
            "source": ["registry", "x", "y"],
        }
    )
    events = detect_mid_flag_mismatch(reports, flags, P)
    assert events.column("mmsi").to_pylist() == [273123456]
    row = events.to_pylist()[0]
    assert (row["mid_country"], row["declared_flag"]) == ("RU", "PA")
    assert row["end_ts"].hour == 1


def test_flag_that_is_no_iso_code_is_refused_by_name() -> None:
    reports = positions([(273123456, 0, 12.0, -66.0)])
    with pytest.raises(ValueError, match="alpha-2"):
        detect_mid_flag_mismatch(reports, pa.table({"mmsi": [273123456], "flag": ["Panama"]}), P)


def test_unsorted_input_is_refused() -> None:
    table = positions(_steady(1, 12.0, -66.0, 3))
    with pytest.raises(ValueError, match="sorted"):
        detect_spoofing(table.take([2, 0, 1]), None, P)


def test_combined_entry_point_has_one_schema_for_all_types() -> None:
    rows = [*_steady(1, 12.0, -66.0, 5), (1, 50, 35.0, 18.0), (2, 0, 12.5, -66.0), (2, 60, 8.0, -66.0)]
    st = statics([{"mmsi": 2, "minutes": 0, "imo": 1234568}])
    flags = pa.table(
        {"mmsi": [1], "flag": ["VE"]}
    )  # MMSI 1 has no MID: contradicts any flag? no: not a ship station
    events = detect_spoofing(positions(rows), st, P, declared_flags=flags)
    types = sorted(events.column("spoof_type").to_pylist())
    assert types == ["impossible_jump", "impossible_jump", "invalid_imo", "on_land"]
    assert len(set(events.column("event_id").to_pylist())) == events.num_rows
    again = detect_spoofing(positions(rows), st, P, declared_flags=flags)
    assert again.equals(events)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-60, 60),
    st.floats(-180, 180),
    st.floats(0, 360),
    st.floats(0, 30),
    st.lists(st.floats(0.2, 120), min_size=2, max_size=40),
)
def test_any_track_sailed_at_up_to_30_knots_has_no_impossible_jump(
    lat0: float, lon0: float, course_deg: float, speed_kn: float, gaps_min: list[float]
) -> None:
    minutes = np.concatenate([[0.0], np.cumsum(gaps_min)])
    dist_m = speed_kn * 1852.0 / 60.0 * minutes
    lat, lon = destination(
        np.full(len(minutes), lat0), np.full(len(minutes), lon0), np.full(len(minutes), course_deg), dist_m
    )
    rows = [(9, float(m), float(a), float(b)) for m, a, b in zip(minutes, lat, lon, strict=True)]
    assert detect_impossible_jumps_and_shared_mmsi(positions(rows), P).num_rows == 0


def test_evidence_is_the_same_whatever_other_vessels_the_input_holds() -> None:
    # A jump, an on-land run and a bad IMO number; then the same with other vessels' rows before them.
    jump = _steady(10, 12.0, -66.0, 5) + [(10, 50 + i * 10, 35.0, 18.0 + i * 0.02) for i in range(5)]
    land = [(11, 0, 12.5, -66.0), (11, 10, 8.0, -66.0), (11, 20, 8.0, -66.01), (11, 30, 12.5, -66.0)]
    bad_imo = [{"mmsi": 12, "minutes": m, "imo": 9074728} for m in (0, 60)]
    others = [*_steady(2, 20.0, -70.0, 7), (2, 200, 0.0, 0.0)]  # a Null Island fix shifts row numbers
    other_statics = [{"mmsi": 2, "minutes": m, "imo": 9074729} for m in (0, 5, 10)]

    def evidence(pos: list, sta: list) -> dict[tuple[int, str], dict]:
        events = detect_spoofing(positions(pos), statics(sta), P).to_pylist()
        return {(e["mmsi"], e["spoof_type"]): json.loads(e["evidence"]) for e in events}

    alone = evidence(jump + land, bad_imo)
    crowded = evidence(others + jump + land, other_statics + bad_imo)
    assert set(alone) == {
        (10, "impossible_jump"),
        (11, "impossible_jump"),
        (11, "on_land"),
        (12, "invalid_imo"),
    }
    assert alone == crowded
    assert [p["ts"] for p in alone[(11, "on_land")]["positions"]] == [
        "2024-03-01T00:10:00.000000Z",
        "2024-03-01T00:20:00.000000Z",
    ]
    assert (alone[(12, "invalid_imo")]["first_seen"], alone[(12, "invalid_imo")]["last_seen"]) == (
        "2024-03-01T00:00:00.000000Z",
        "2024-03-01T01:00:00.000000Z",
    )
    assert not any(k.startswith("row") for ev in alone.values() for k in ev)
