"""Scoring detected events against the simulator's labelled ground truth."""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

US_PER_H = 3_600_000_000


@dataclass(frozen=True)
class Score:
    kind: str
    detected: int
    truth: int
    true_detections: int  # detections that match a truth event no earlier detection matched
    found_truths: int  # truth events matched by some detection

    @property
    def precision(self) -> float:
        return self.true_detections / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.found_truths / self.truth if self.truth else 1.0


def _cols(t: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a = t.column("mmsi").to_numpy(zero_copy_only=False).astype(np.int64)
    b = pc.fill_null(t.column("other_mmsi"), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    s = t.column("start_ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
    e = t.column("end_ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
    lo, hi = np.minimum(a, np.where(b >= 0, b, a)), np.maximum(a, b)
    return lo, np.where(b >= 0, hi, -1), s, e


def match_events(events: pa.Table, truth: pa.Table, kind: str, tolerance_h: float = 1.0) -> Score:
    """A detection matches a truth event of the same kind and vessel(s) whose time span overlaps its
    own, each widened by `tolerance_h`. Pairs (encounters) match in either order. Matching is one to
    one: extra detections of one labelled behaviour lower the precision."""
    det = events.filter(pc.equal(events.column("kind"), kind))
    tru = truth.filter(pc.equal(truth.column("kind"), kind))
    if kind != "encounter":
        det = det.set_column(
            det.schema.get_field_index("other_mmsi"), "other_mmsi", pa.nulls(det.num_rows, pa.int64())
        )
        tru = tru.set_column(
            tru.schema.get_field_index("other_mmsi"), "other_mmsi", pa.nulls(tru.num_rows, pa.int64())
        )
    da, db, ds, de = _cols(det)
    ta, tb, ts, te = _cols(tru)
    tol = int(tolerance_h * US_PER_H)
    same = (da[:, None] == ta[None, :]) & (db[:, None] == tb[None, :])
    overlap = (ds[:, None] <= te[None, :] + tol) & (ts[None, :] <= de[:, None] + tol)
    m = same & overlap
    # one-to-one: a second detection of an already matched behaviour (a split event) counts as false
    matched = m.any(axis=1)
    shared_us = np.minimum(de[:, None], te[None, :]) - np.maximum(ds[:, None], ts[None, :])
    first_truth = np.argmax(np.where(m, shared_us, np.iinfo(np.int64).min), axis=1)[matched]  # best overlap
    true_detections = len(np.unique(first_truth)) if len(first_truth) else 0
    return Score(kind, det.num_rows, tru.num_rows, true_detections, int(m.any(axis=0).sum()))
