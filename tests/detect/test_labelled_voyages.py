"""The "to or from Venezuela" filter end to end on labelled simulated scenarios: every detector of
run_all (port calls from the real gazetteer, then voyages) against the simulator's true port calls at
Venezuelan ports. Run with -s to see the figures."""

from datetime import timedelta
from typing import Any

import pytest

from shadowfleet.detect.run import DetectContext, run_all
from tests.detect.labelled_behaviours import TEST_SEEDS, Score, pooled, rows, scenario, score, table

pytestmark = pytest.mark.slow

TOLERANCE = timedelta(hours=1)


def _touches(voyage: dict[str, Any], call: dict[str, Any]) -> bool:
    """The voyage leaves from or arrives at this true Venezuelan port call."""
    if voyage["mmsi"] != call["mmsi"]:
        return False
    arrives = (
        voyage["destination_country"] == "VE"
        and voyage["arrival_ts"] is not None
        and abs(voyage["arrival_ts"] - call["start_ts"]) <= TOLERANCE
    )
    leaves = voyage["origin_country"] == "VE" and abs(voyage["departure_ts"] - call["end_ts"]) <= TOLERANCE
    return arrives or leaves


def _laden_agreement(voyages: list[dict[str, Any]], truth_changes: list[dict[str, Any]]) -> tuple[int, int]:
    """(agreeing, compared): laden status on departure against the last true draught change at the
    origin port (a load means laden), for complete voyages whose origin stay had one."""
    agree = compared = 0
    for v in voyages:
        if v["in_progress"] or not v["origin_known"]:
            continue
        before = [
            r
            for r in truth_changes
            if r["mmsi"] == v["mmsi"]
            and timedelta(0) <= v["departure_ts"] - r["start_ts"] <= timedelta(hours=72)
        ]
        if before:
            expected = "laden" if before[-1]["details"]["change"] == "load" else "ballast"
            compared += 1
            agree += v["laden_departure"] == expected
    return agree, compared


def test_voyages_to_or_from_venezuela_find_every_true_venezuelan_call(gazetteer) -> None:
    per_seed: list[list[Score]] = []
    agree = compared = 0
    for seed in TEST_SEEDS:
        tables = scenario(seed)
        _, voyages = run_all(tables.positions, tables.statics, DetectContext(gazetteer, None))
        changes = [r for r in rows(tables.truth, "draught_change") if r["details"]["context"] == "port"]
        a, c = _laden_agreement(voyages.to_pylist(), changes)
        agree, compared = agree + a, compared + c
        venezuelan = voyages.filter(voyages.column("to_or_from_venezuela")).to_pylist()
        calls = [r for r in rows(tables.truth, "port_call") if r["details"]["country"] == "Venezuela"]
        per_seed.append([score("to_or_from_venezuela", venezuelan, calls, _touches)])
        assert all(v["simulated"] for v in venezuelan)
    scores = pooled(per_seed)
    print(f"\nvoyages on simulated seeds {TEST_SEEDS}\n{table(scores)}")
    print(f"laden status on departure agrees with the true load/discharge: {agree} of {compared}")
    assert compared > 50 and agree >= 0.95 * compared
    (s,) = scores
    assert s.n_true > 20
    assert s.precision >= 0.95 and s.recall >= 0.95, s.row()
