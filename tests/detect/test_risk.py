import json

import pyarrow as pa
import pytest

from shadowfleet.detect.risk import (
    DEFAULT_RISK_SIGNALS,
    RiskParams,
    risk_signals_from_events,
    risk_weights_table,
    score_risk,
    with_registry_facts,
)


def test_breakdown_sums_to_the_total_and_every_weight_appears() -> None:
    rows = [
        {
            "mmsi": 1,
            "sanctioned": True,
            "owner_sanctioned": False,
            "dark_events": 7,
            "sts_encounters": 2,
            "spoofing_events": 1,
            "flag_changes": 1,
            "name_changes": 0,
            "venezuelan_port_calls": 3,
        },
        {"mmsi": 2, "sanctioned": False, "sts_encounters": 1},
    ]
    scores = score_risk(rows).to_pylist()
    assert [s["mmsi"] for s in scores] == [1, 2]  # highest first
    top = scores[0]
    # 25 (sanctioned) + 3*5 (dark, capped at 5 of 7) + 3*2 + 2*1 + 3*1 + 0 + 1*3
    assert top["risk_score"] == 25 + 15 + 6 + 2 + 3 + 0 + 3
    items = json.loads(top["breakdown"])
    assert sum(i["contribution"] for i in items) == pytest.approx(top["risk_score"])
    assert {i["signal"]: i["weight"] for i in items} == {s.name: s.weight for s in DEFAULT_RISK_SIGNALS}
    dark = next(i for i in items if i["signal"] == "dark_events")
    assert (dark["value"], dark["counted"], dark["contribution"]) == (7, 5, 15)
    for s in DEFAULT_RISK_SIGNALS:
        assert top[f"contribution_{s.name}"] == next(
            i["contribution"] for i in items if i["signal"] == s.name
        )
    assert top["risk_score_max"] == 100.0


def test_missing_signals_count_zero_but_are_marked_not_assessed() -> None:
    second = json.loads(
        score_risk([{"mmsi": 2, "sanctioned": False, "sts_encounters": 1}]).to_pylist()[0]["breakdown"]
    )
    assessed = {i["signal"]: i["assessed"] for i in second}
    assert assessed["sanctioned"] and assessed["sts_encounters"] and not assessed["owner_sanctioned"]


def test_weights_are_published_as_data_and_changing_them_shows_in_params() -> None:
    weights = risk_weights_table().to_pylist()
    assert sum(w["max_contribution"] for w in weights) == 100.0
    assert all(w["rationale"] for w in weights)
    custom = RiskParams(signals=DEFAULT_RISK_SIGNALS[:1])
    a = score_risk([{"mmsi": 1, "sanctioned": True}]).column("params")[0].as_py()
    b = score_risk([{"mmsi": 1, "sanctioned": True}], custom).column("params")[0].as_py()
    assert a != b and '"weight":25.0' in b


def test_bad_signal_tables_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="sanctionned"):
        score_risk([{"mmsi": 1, "sanctionned": True}])
    with pytest.raises(ValueError, match="negative"):
        score_risk([{"mmsi": 1, "dark_events": -1}])
    with pytest.raises(ValueError, match="key column"):
        score_risk([{"imo": 1}])


def _table(rows: list[dict[str, object]]) -> pa.Table:
    names = list(dict.fromkeys(k for row in rows for k in row))
    return pa.table({k: [row.get(k) for row in rows] for k in names})


def test_signals_counted_from_events_then_registry_facts() -> None:
    events = _table(
        [
            {"kind": "encounter", "mmsi": 1, "other_mmsi": 2},
            {"kind": "ais_gap", "mmsi": 1, "likely_intentional": True},
            {"kind": "ais_gap", "mmsi": 1, "likely_intentional": False},
            {"kind": "dark_port_call", "mmsi": 1},
            {"kind": "spoofing", "mmsi": 2},
            {"kind": "identity_change", "mmsi": 2, "field": "flag"},
            {"kind": "identity_change", "mmsi": 2, "field": "name"},
            {"kind": "identity_change", "mmsi": 2, "field": "callsign"},
            {"kind": "port_call", "mmsi": 1, "port_country": "VE"},
            {"kind": "port_call", "mmsi": 1, "port_country": "CW"},
        ]
    )
    signals = risk_signals_from_events(events)
    rows = {r["mmsi"]: r for r in signals.to_pylist()}
    assert rows[1] == {
        "mmsi": 1,
        "dark_events": 2,
        "spoofing_events": 0,
        "flag_changes": 0,
        "name_changes": 0,
        "venezuelan_port_calls": 1,
        "sts_encounters": 1,
    }
    assert rows[2]["sts_encounters"] == 1 and rows[2]["flag_changes"] == 1 and rows[2]["name_changes"] == 1
    scored = score_risk(with_registry_facts(signals, sanctioned=[2], assessed=[2])).to_pylist()
    by = {r["mmsi"]: r for r in scored}
    assert by[2]["contribution_sanctioned"] == 25.0
    first = {i["signal"]: i for i in json.loads(by[1]["breakdown"])}
    assert first["sanctioned"]["assessed"] is False
