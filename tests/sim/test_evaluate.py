"""match_events: vessel, pair order and time overlap decide; one detection matches one truth."""

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from shadowfleet.sim.evaluate import match_event_pairs, match_events

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _events(rows: list[tuple[str, int, int | None, float, float]]) -> pa.Table:
    return pa.table(
        {
            "kind": [r[0] for r in rows],
            "mmsi": pa.array([r[1] for r in rows], pa.int64()),
            "other_mmsi": pa.array([r[2] for r in rows], pa.int64()),
            "start_ts": pa.array([T0 + timedelta(hours=r[3]) for r in rows], pa.timestamp("us", tz="UTC")),
            "end_ts": pa.array([T0 + timedelta(hours=r[4]) for r in rows], pa.timestamp("us", tz="UTC")),
        }
    )


TRUTH = _events(
    [
        ("encounter", 1, 2, 10, 20),
        ("encounter", 3, 4, 10, 20),
        ("ais_gap", 1, None, 0, 14),
        ("ais_gap", 5, None, 30, 50),
    ]
)


def test_pairs_match_in_either_order_and_kinds_stay_apart() -> None:
    detected = _events(
        [("encounter", 2, 1, 11, 19), ("encounter", 3, 9, 10, 20), ("ais_gap", 2, None, 0, 14)]
    )
    assert tuple(match_events(detected, TRUTH, "encounter")) == (1, 1, 1, 0.5, 0.5)
    assert match_event_pairs(detected, TRUTH, "encounter") == [(0, 0)]
    relaxed = match_events(detected, TRUTH, "encounter", require_pair=False)
    assert (relaxed.tp, relaxed.fp, relaxed.fn) == (2, 0, 0)
    gaps = match_events(detected, TRUTH, "ais_gap")
    assert (gaps.tp, gaps.fp, gaps.fn, gaps.recall) == (0, 1, 2, 0.0)
    one_sided = _events([("encounter", 4, None, 12, 13)])  # names one of the pair only
    assert tuple(match_events(one_sided, TRUTH, "encounter")) == (1, 0, 1, 1.0, 0.5)


def test_time_tolerance_and_one_to_one() -> None:
    detected = _events(
        [("ais_gap", 5, None, 50.5, 60), ("ais_gap", 5, None, 31, 40), ("ais_gap", 1, None, 16, 20)]
    )
    strict = match_events(detected, TRUTH, "ais_gap", time_tolerance_s=0)
    assert (strict.tp, strict.fp, strict.fn) == (1, 2, 1)
    loose = match_events(detected, TRUTH, "ais_gap", time_tolerance_s=3 * 3600)
    assert tuple(loose) == (2, 0, 0, 1.0, 1.0)  # the two detections of gap 5 are both right
    exclusive = match_events(detected, TRUTH, "ais_gap", time_tolerance_s=3 * 3600, one_to_one=True)
    assert (exclusive.tp, exclusive.fp, exclusive.fn) == (2, 1, 0)  # the split costs a false positive
    assert match_event_pairs(detected, TRUTH, "ais_gap", time_tolerance_s=3 * 3600, one_to_one=True) == [
        (1, 3),
        (2, 2),
    ]


def test_empty_inputs_and_missing_columns() -> None:
    empty = TRUTH.slice(0, 0)
    assert tuple(match_events(empty, TRUTH, "loitering")) == (0, 0, 0, 1.0, 1.0)
    assert tuple(match_events(empty, TRUTH, "ais_gap")) == (0, 0, 2, 1.0, 0.0)
    with pytest.raises(ValueError, match="lacks columns"):
        match_events(TRUTH.drop_columns(["end_ts"]), TRUTH, "ais_gap")
