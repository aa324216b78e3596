"""Precision and recall of the draught-change detector on labelled simulated scenarios (seeds the
defaults were not tuned on), given the true port calls and encounters as its stops: this measures the
draught rule itself, not the stop detectors in front of it. Run with -s to see the table."""

import pyarrow.compute as pc
import pytest

from shadowfleet.detect.draught import DraughtParams, detect_draught_changes
from tests.detect.labelled_behaviours import TEST_SEEDS, draught_scores, pooled, scenario, table

pytestmark = pytest.mark.slow


def test_draught_change_precision_and_recall_given_true_stops() -> None:
    per_seed = []
    for seed in TEST_SEEDS:
        tables = scenario(seed)
        truth = tables.truth
        calls = truth.filter(pc.equal(truth.column("kind"), "port_call"))
        encounters = truth.filter(pc.equal(truth.column("kind"), "encounter"))
        events = detect_draught_changes(
            tables.statics, DraughtParams(), port_calls=calls, encounters=encounters
        )
        per_seed.append(draught_scores(events, tables, "draught_change (true stops)"))
    scores = pooled(per_seed)
    print(f"\ndraught changes on simulated seeds {TEST_SEEDS}\n{table(scores)}")
    (s,) = scores
    assert s.n_true > 50
    assert s.precision >= 0.95 and s.recall >= 0.95, s.row()
