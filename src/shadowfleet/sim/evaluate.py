"""Scoring detected events against simulated ground truth (pure: tables in, numbers out).

A detected event matches a truth event of the same kind when they concern the same vessel (for pairs,
the same two vessels in either order) and their time intervals overlap once each is widened by
`time_tolerance_s`.

By default matching is many-to-many, as detectors report: one behaviour may come out as several events
(an identity change per changed field, a spoofed episode as a jump and an on-land event), and each of
them is a correct detection. Then `tp` counts the truths found, `fp` the detections matching no truth,
precision = detections matching some truth / detections, recall = truths found / truths. With
`one_to_one=True`, each detection may claim only one truth and each truth one detection (greedy, the
largest overlap first): a behaviour split into two events then costs a false positive.
"""

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class MatchScore(NamedTuple):
    tp: int  # truths matched by a detection
    fp: int  # detections matching no truth
    fn: int  # truths no detection matched
    precision: float  # 1.0 when nothing was detected
    recall: float  # 1.0 when there was nothing to find


def _rows(table: pa.Table, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    missing = {"kind", "mmsi", "start_ts", "end_ts"} - set(table.column_names)
    if missing:
        raise ValueError(f"event table lacks columns {sorted(missing)}")
    mask = pc.equal(table.column("kind"), kind)
    idx = np.nonzero(mask.to_numpy(zero_copy_only=False))[0]
    sub = table.take(pa.array(idx))

    def us(name: str) -> np.ndarray:
        col = sub.column(name)
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
        return col.to_numpy(zero_copy_only=False).astype(np.int64)

    mmsi = sub.column("mmsi").to_numpy(zero_copy_only=False).astype(np.int64)
    if "other_mmsi" in sub.column_names:
        other = sub.column("other_mmsi").fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    else:
        other = np.full(len(idx), -1, dtype=np.int64)
    return idx, mmsi, other, us("start_ts"), us("end_ts")


def match_event_pairs(
    detected: pa.Table,
    truth: pa.Table,
    kind: str,
    time_tolerance_s: float = 3600.0,
    *,
    require_pair: bool = True,
    one_to_one: bool = False,
) -> list[tuple[int, int]]:
    """Matches as (row in `detected`, row in `truth`), largest overlap first; see `match_events`."""
    d_idx, d_mmsi, d_other, d_start, d_end = _rows(detected, kind)
    t_idx, t_mmsi, t_other, t_start, t_end = _rows(truth, kind)
    tol_us = int(time_tolerance_s * 1_000_000)
    candidates: list[tuple[int, int, int]] = []
    for i in range(len(d_idx)):  # detections are few (events, not positions)
        same_vessel = (t_mmsi == d_mmsi[i]) | (t_other == d_mmsi[i])
        if require_pair:
            same_pair = ((t_mmsi == d_mmsi[i]) & (t_other == d_other[i])) | (
                (t_mmsi == d_other[i]) & (t_other == d_mmsi[i])
            )
            same_vessel &= (t_other < 0) | (d_other[i] < 0) | same_pair
        overlap = np.minimum(t_end, d_end[i]) + tol_us - (np.maximum(t_start, d_start[i]) - tol_us)
        for j in np.nonzero(same_vessel & (overlap >= 0))[0].tolist():
            candidates.append((int(overlap[j]), int(i), int(j)))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    if not one_to_one:
        return [(int(d_idx[i]), int(t_idx[j])) for _, i, j in candidates]
    used_d: set[int] = set()
    used_t: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_d or j in used_t:
            continue
        used_d.add(i)
        used_t.add(j)
        pairs.append((int(d_idx[i]), int(t_idx[j])))
    return pairs


def match_events(
    detected: pa.Table,
    truth: pa.Table,
    kind: str,
    time_tolerance_s: float = 3600.0,
    *,
    require_pair: bool = True,
    one_to_one: bool = False,
) -> MatchScore:
    """Precision and recall of `detected` against `truth` for one event kind: (tp, fp, fn, precision, recall).

    Both tables need `kind`, `mmsi`, `start_ts`, `end_ts` (timestamps or epoch microseconds) and
    optionally `other_mmsi`. When both name a second vessel and `require_pair` is set, the two pairs
    must agree (in either order); otherwise one shared vessel is enough (a reflag's truth names the old
    MMSI as `other_mmsi`, a detection may not).
    """
    pairs = match_event_pairs(
        detected, truth, kind, time_tolerance_s, require_pair=require_pair, one_to_one=one_to_one
    )
    n_detected = int(pc.sum(pc.equal(detected.column("kind"), kind)).as_py() or 0)
    n_truth = int(pc.sum(pc.equal(truth.column("kind"), kind)).as_py() or 0)
    good_detections = len({d for d, _ in pairs})
    found = len({t for _, t in pairs})
    precision = good_detections / n_detected if n_detected else 1.0
    recall = found / n_truth if n_truth else 1.0
    return MatchScore(found, n_detected - good_detections, n_truth - found, precision, recall)
