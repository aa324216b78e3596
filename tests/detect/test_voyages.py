import pyarrow as pa
import pytest

from shadowfleet.detect.geo import haversine_m
from shadowfleet.detect.voyages import VOYAGE_OUTPUT_SCHEMA, VoyageParams, build_voyages
from tests.detect.tables import at, positions, statics

P = VoyageParams()
H = 60.0
JOSE = ("ve-jose", "JOSE TERMINAL", "VE", 10.10, -64.85)
CURACAO = ("cw-bullen", "BULLEN BAAI", "CW", 12.19, -69.02)
ARUBA = ("aw-oranjestad", "ORANJESTAD", "AW", 12.52, -70.03)


def _calls(rows: list[tuple[int, float, float, tuple[str, str, str, float, float]]]) -> pa.Table:
    return pa.table(
        {
            "event_id": [f"pc{i}" for i in range(len(rows))],
            "kind": ["port_call"] * len(rows),
            "mmsi": [r[0] for r in rows],
            "start_ts": [at(r[1]) for r in rows],
            "end_ts": [at(r[2]) for r in rows],
            "lat": [r[3][3] for r in rows],
            "lon": [r[3][4] for r in rows],
            "port_id": [r[3][0] for r in rows],
            "port_name": [r[3][1] for r in rows],
            "port_country": [r[3][2] for r in rows],
            "simulated": [False] * len(rows),
        }
    )


def _sail(
    mmsi: int, start_min: float, a: tuple, b: tuple, hours: int
) -> list[tuple[int, float, float, float]]:
    return [
        (mmsi, start_min + k * H, a[3] + (b[3] - a[3]) * k / hours, a[4] + (b[4] - a[4]) * k / hours)
        for k in range(hours + 1)
    ]


def test_jose_to_curacao_is_a_venezuelan_voyage_with_track_distance_and_draughts() -> None:
    calls = _calls([(1, 0, 24 * H, JOSE), (1, 60 * H, 70 * H, CURACAO)])
    pos = positions(_sail(1, 24 * H, JOSE, CURACAO, 36))
    st = statics(
        [
            {"mmsi": 1, "minutes": 0, "draught_m": 8.0, "destination": "JOSE"},
            {"mmsi": 1, "minutes": 25 * H, "draught_m": 15.0, "destination": "curacao@@@"},
            {"mmsi": 1, "minutes": 71 * H, "draught_m": 8.5},
        ]
    )
    voyages = build_voyages(calls, P, positions=pos, statics=st)
    assert voyages.schema == VOYAGE_OUTPUT_SCHEMA
    assert voyages.num_rows == 1
    v = voyages.to_pylist()[0]
    assert (v["origin_port_name"], v["destination_port_name"]) == ("JOSE TERMINAL", "BULLEN BAAI")
    assert (v["origin_country"], v["destination_country"]) == ("VE", "CW")
    assert v["to_or_from_venezuela"] is True and v["in_progress"] is False and v["origin_known"] is True
    assert v["duration_h"] == 36.0
    assert v["distance_method"] == "track"
    straight_nm = haversine_m(JOSE[3], JOSE[4], CURACAO[3], CURACAO[4]) / 1852
    assert straight_nm == pytest.approx(276, abs=1)
    assert v["distance_nm"] == pytest.approx(straight_nm, rel=0.005)  # the track sails straight
    assert (v["draught_departure_m"], v["draught_arrival_m"]) == (15.0, 15.0)
    assert (v["laden_departure"], v["laden_arrival"]) == ("laden", "laden")
    assert v["declared_destination"] == "CURACAO"
    assert (
        v["ship_type_category"] == "unknown" and v["cargo_estimate_bbl"] is None
    )  # no type or size reported
    assert (v["origin_event_id"], v["destination_event_id"]) == ("pc0", "pc1")


def test_berth_shift_at_one_port_is_no_voyage_and_non_venezuelan_voyages_say_so() -> None:
    calls = _calls([(2, 0, 5 * H, CURACAO), (2, 8 * H, 20 * H, CURACAO), (2, 40 * H, 50 * H, ARUBA)])
    voyages = build_voyages(calls, P)
    assert voyages.num_rows == 1
    v = voyages.to_pylist()[0]
    assert v["departure_ts"] == at(20 * H) and v["to_or_from_venezuela"] is False
    assert v["distance_method"] == "great_circle" and v["origin_event_id"] == "pc1"
    assert v["laden_departure"] == "unknown"


def test_voyage_under_way_keeps_its_id_when_it_arrives() -> None:
    first_call = _calls([(3, 0, 10 * H, JOSE)])
    underway = positions(_sail(3, 10 * H, JOSE, ARUBA, 20))
    open_voyage = build_voyages(first_call, P, positions=underway).to_pylist()
    assert len(open_voyage) == 1 and open_voyage[0]["in_progress"] is True
    assert open_voyage[0]["arrival_ts"] is None and open_voyage[0]["destination_port_id"] is None
    assert open_voyage[0]["duration_h"] == 20.0 and open_voyage[0]["to_or_from_venezuela"] is True
    both_calls = _calls([(3, 0, 10 * H, JOSE), (3, 31 * H, 40 * H, ARUBA)])
    done = build_voyages(both_calls, P, positions=underway).to_pylist()
    assert [v["in_progress"] for v in done] == [False]
    assert done[0]["voyage_id"] == open_voyage[0]["voyage_id"]


def test_arrival_from_before_the_data_has_unknown_origin() -> None:
    calls = _calls([(4, 20 * H, 30 * H, JOSE)])
    pos = positions(_sail(4, 0, ARUBA, JOSE, 20))
    v = build_voyages(calls, P, positions=pos).to_pylist()
    assert len(v) == 1
    assert v[0]["origin_known"] is False and v[0]["origin_port_id"] is None
    assert v[0]["destination_country"] == "VE" and v[0]["to_or_from_venezuela"] is True


def test_voyage_ids_are_deterministic_and_vessels_stay_apart() -> None:
    calls = _calls([(5, 0, H, JOSE), (5, 30 * H, 31 * H, ARUBA), (6, 0, H, ARUBA), (6, 30 * H, 31 * H, JOSE)])
    a, b = build_voyages(calls, P), build_voyages(calls, P)
    assert a.equals(b)
    assert a.column("mmsi").to_pylist() == [5, 6]
    assert len(set(a.column("voyage_id").to_pylist())) == 2


def test_calls_at_two_far_ports_minutes_apart_make_no_voyage() -> None:
    # Two transmitters on one MMSI: "leaves" Jose and "arrives" at Aruba 30 minutes later.
    calls = _calls([(7, 0, 10 * H, JOSE), (7, 10 * H + 30, 12 * H, ARUBA), (7, 40 * H, 41 * H, JOSE)])
    voyages = build_voyages(calls, P)
    assert voyages.column("origin_port_id").to_pylist() == ["aw-oranjestad"]


def test_a_laden_vlcc_leaving_jose_carries_an_estimated_two_million_barrels() -> None:
    calls = _calls([(8, 0, 24 * H, JOSE), (8, 60 * H, 70 * H, CURACAO)])
    size = {"ship_type": 80, "length_m": 330.0, "beam_m": 60.0}
    st = statics(
        [
            {"mmsi": 8, "minutes": 0, "draught_m": 9.5, **size},
            {"mmsi": 8, "minutes": 25 * H, "draught_m": 22.0, **size},
        ]
    )
    v = build_voyages(calls, P, statics=st).to_pylist()[0]
    assert v["to_or_from_venezuela"] and v["laden_departure"] == "laden"
    assert v["ship_type_category"] == "tanker"
    assert v["cargo_estimate_low_bbl"] < 2_000_000 < v["cargo_estimate_high_bbl"]
    assert v["cargo_estimate_low_t"] < v["cargo_estimate_t"] < v["cargo_estimate_high_t"]
