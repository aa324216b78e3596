"""Precision and recall of the spoofing and identity-change detectors on labelled simulated scenarios
(seeds the defaults were not tuned on). The table is printed; run with -s to see it."""

from functools import cache

import pytest

from shadowfleet.detect.identity import IdentityParams, detect_identity_changes
from shadowfleet.detect.spoofing import SpoofingParams, detect_spoofing
from tests.detect.labelled_behaviours import (
    TEST_SEEDS,
    Score,
    identity_scores,
    pooled,
    scenario,
    spoofing_scores,
    table,
)

pytestmark = pytest.mark.slow


@cache
def _spoofing_scores() -> dict[str, Score]:
    per_seed = []
    for seed in TEST_SEEDS:
        tables = scenario(seed)
        flags = tables.vessels.select(["mmsi", "flag"])  # the registry's flags
        events = detect_spoofing(tables.positions, tables.statics, SpoofingParams(), declared_flags=flags)
        per_seed.append(spoofing_scores(events, tables.truth))
    scores = pooled(per_seed)
    print(f"\nspoofing on simulated seeds {TEST_SEEDS}\n{table(scores)}")
    return {s.detector: s for s in scores}


def test_spoofing_precision_and_recall_on_labelled_scenarios() -> None:
    scores = _spoofing_scores()
    for s in scores.values():
        assert s.n_true > 0, s.detector
        assert s.recall >= 0.95, s.row()
        assert s.precision >= 0.95, s.row()


def test_identity_change_precision_and_recall_on_labelled_scenarios() -> None:
    per_seed = []
    for seed in TEST_SEEDS:
        tables = scenario(seed)
        events = detect_identity_changes(tables.statics, IdentityParams(), positions=tables.positions)
        per_seed.append(identity_scores(events, tables.truth))
    scores = pooled(per_seed)
    print(f"\nidentity changes on simulated seeds {TEST_SEEDS}\n{table(scores)}")
    (s,) = scores
    assert s.n_true > 0
    assert s.precision >= 0.95 and s.recall >= 0.95, s.row()
