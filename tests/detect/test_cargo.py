import numpy as np
import pyarrow as pa
import pytest

from shadowfleet.detect.cargo import (
    CargoParams,
    estimate_cargo,
    estimate_deadweight_t,
    ship_type_category,
    vessel_cargo_inputs,
)
from tests.detect.tables import statics

P = CargoParams()


def _vessels(**columns: list[object]) -> pa.Table:
    base: dict[str, list[object]] = {
        "mmsi": [1],
        "ship_type": [80],
        "length_m": [330.0],
        "beam_m": [60.0],
        "draught_m": [22.0],
        "draught_min_m": [9.5],
        "draught_max_m": [22.0],
    }
    base.update(columns)
    return pa.table(base)


def test_laden_vlcc_interval_contains_two_million_barrels_of_crude() -> None:
    row = estimate_cargo(_vessels(), P).to_pylist()[0]
    assert row["ship_type_category"] == "tanker" and row["laden_status"] == "laden"
    assert row["cargo_kind"] == "crude" and row["is_estimate"] is True
    assert row["load_basis"] == "observed_range" and row["load_fraction"] == 1.0
    assert row["cargo_low_bbl"] < 2_000_000 < row["cargo_high_bbl"]
    assert 1_700_000 < row["cargo_bbl"] < 2_500_000
    assert row["cargo_low_t"] < row["cargo_t"] < row["cargo_high_t"]
    assert row["deadweight_basis"] == "estimated_from_dimensions"


def test_ballast_vlcc_carries_next_to_nothing() -> None:
    row = estimate_cargo(_vessels(draught_m=[9.5]), P).to_pylist()[0]
    laden = estimate_cargo(_vessels(), P).to_pylist()[0]
    assert row["laden_status"] == "ballast" and row["cargo_t"] == 0.0
    assert row["cargo_high_bbl"] < 0.5 * laden["cargo_low_bbl"]


@pytest.mark.parametrize(
    ("length_m", "beam_m", "known_dwt_t"),
    # Common tanker classes (industry sizes): VLCC, Suezmax, Aframax, MR product tanker.
    [(330, 60, 300_000), (274, 48, 158_000), (250, 44, 115_000), (183, 32.2, 50_000)],
)
def test_deadweight_from_dimensions_brackets_known_tanker_classes(
    length_m: float, beam_m: float, known_dwt_t: float
) -> None:
    mid, low, high = estimate_deadweight_t(
        np.array([length_m]), np.array([beam_m]), np.array([True]), np.array([np.nan]), P
    )
    assert low[0] < known_dwt_t < high[0]
    assert abs(mid[0] - known_dwt_t) / known_dwt_t < 0.15


def test_declared_deadweight_and_cited_cargo_kind_take_precedence() -> None:
    row = estimate_cargo(_vessels(deadweight_t=[320_000.0], cargo_kind=["product"]), P).to_pylist()[0]
    assert row["deadweight_basis"] == "declared" and row["deadweight_t"] == 320_000
    assert row["deadweight_low_t"] == pytest.approx(320_000 * 0.97)
    assert row["cargo_kind"] == "product"


def test_without_a_draught_range_the_design_draught_decides_and_is_less_certain() -> None:
    narrow = estimate_cargo(
        _vessels(draught_min_m=[21.5], draught_max_m=[22.0], draught_m=[22.0]), P
    ).to_pylist()[0]
    assert narrow["load_basis"] == "design_draught" and narrow["laden_status"] == "laden"
    wide = estimate_cargo(_vessels(), P).to_pylist()[0]
    assert (narrow["load_fraction_high"] - narrow["load_fraction_low"]) > (
        wide["load_fraction_high"] - wide["load_fraction_low"]
    )


def test_non_carriers_get_a_category_but_no_cargo() -> None:
    rows = estimate_cargo(
        _vessels(
            mmsi=[1, 2, 3],
            ship_type=[52, 71, 0],
            length_m=[30.0, 200.0, None],
            beam_m=[10.0, 32.0, None],
            draught_m=[4.0, 10.0, None],
            draught_min_m=[4.0, 6.0, None],
            draught_max_m=[4.0, 12.0, None],
        ),
        P,
    ).to_pylist()
    assert [r["ship_type_category"] for r in rows] == ["tug", "cargo", "unknown"]
    assert rows[0]["cargo_t"] is None and rows[2]["cargo_t"] is None
    assert rows[1]["cargo_t"] > 0 and rows[1]["cargo_bbl"] is None  # dry cargo: tonnes, no barrels
    assert rows[1]["cargo_hazard_category"] == "A"


def test_ship_type_categories() -> None:
    assert ship_type_category(np.array([80, 84, 89, 70, 60, 30, 37, 52, 0, 99])).tolist() == [
        "tanker",
        "tanker",
        "tanker",
        "cargo",
        "passenger",
        "fishing",
        "pleasure_craft",
        "tug",
        "unknown",
        "other",
    ]


def test_inputs_from_static_history_take_latest_values_and_the_range() -> None:
    st = statics(
        [
            {"mmsi": 5, "minutes": 0, "ship_type": 80, "length_m": 330.0, "beam_m": 60.0, "draught_m": 21.0},
            {"mmsi": 5, "minutes": 60, "ship_type": None, "length_m": None, "draught_m": 0.0},
            {"mmsi": 5, "minutes": 120, "ship_type": 84, "draught_m": 9.0},
            {"mmsi": 6, "minutes": 0, "ship_type": 70},
        ]
    )
    rows = vessel_cargo_inputs(st).to_pylist()
    assert rows[0] == {
        "mmsi": 5,
        "ship_type": 84,
        "length_m": 330.0,
        "beam_m": 60.0,
        "draught_m": 9.0,
        "draught_min_m": 9.0,
        "draught_max_m": 21.0,
    }
    assert rows[1]["ship_type"] == 70 and rows[1]["draught_m"] is None
