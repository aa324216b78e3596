"""Scoring detector output against the simulator's ground truth: precision and recall per detector.

A detected event is correct when it matches a true event of the same vessel whose time span overlaps
its own (each widened by a tolerance); a true event is found when some detected event matches it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.sim.output import ScenarioTables, scenario_to_tables


@cache
def scenario(seed: int) -> ScenarioTables:
    return scenario_to_tables(seed=seed)


@dataclass
class Score:
    detector: str
    n_detected: int
    n_detected_correct: int
    n_true: int
    n_true_found: int

    @property
    def precision(self) -> float:
        return self.n_detected_correct / self.n_detected if self.n_detected else 1.0

    @property
    def recall(self) -> float:
        return self.n_true_found / self.n_true if self.n_true else 1.0

    def row(self) -> str:
        return (
            f"{self.detector:<28} detected {self.n_detected:>4} correct {self.n_detected_correct:>4}"
            f"  true {self.n_true:>4} found {self.n_true_found:>4}"
            f"  precision {self.precision:.3f}  recall {self.recall:.3f}"
        )


def rows(table: pa.Table, kind: str) -> list[dict[str, Any]]:
    picked = table.filter(pc.equal(table.column("kind"), kind)).to_pylist()
    for r in picked:
        if isinstance(r.get("details"), str):
            r["details"] = json.loads(r["details"])
    return picked


def score(
    name: str,
    detected: list[dict[str, Any]],
    truth: list[dict[str, Any]],
    matches: Callable[[dict[str, Any], dict[str, Any]], bool],
) -> Score:
    found = [any(matches(d, t) for d in detected) for t in truth]
    correct = [any(matches(d, t) for t in truth) for d in detected]
    return Score(name, len(detected), sum(correct), len(truth), sum(found))


def overlaps(d: dict[str, Any], t: dict[str, Any], before: timedelta, after: timedelta) -> bool:
    return d["start_ts"] - before <= t["end_ts"] and t["start_ts"] <= d["end_ts"] + after


def table(scores: list[Score]) -> str:
    return "\n".join(s.row() for s in scores)


def identity_resolver(vessels: pa.Table) -> Callable[[int, Any], int]:
    """MMSI a simulated vessel used at a time, from any MMSI it ever used (the ground truth of events
    planned before a re-flagging carries the MMSI of the day they were planned)."""
    history: dict[int, list[tuple[float, int]]] = {}
    for v in vessels.to_pylist():
        steps = [
            (-1e18 if h["from_s"] is None else h["from_s"], h["mmsi"])
            for h in json.loads(v["identity_history"])
        ]
        for _, mmsi in steps:
            history[mmsi] = steps

    def resolve(mmsi: int, when: Any) -> int:
        steps = history.get(mmsi)
        if not steps:
            return mmsi
        current = steps[0][1]
        for from_s, m in steps:
            if from_s <= when.timestamp():
                current = m
        return current

    return resolve


# Seeds the labelled tests run on; the detectors' defaults were set while looking at seed 7 only.
TEST_SEEDS = (21, 22)
HOUR = timedelta(hours=1)

# Which true spoofing types a detected spoof type may match (a spoofed position on land is also
# reached by an impossible jump).
_SPOOF_MATCHES = {
    "impossible_jump": ("jump", "on_land"),
    "on_land": ("on_land",),
    "shared_mmsi": ("shared_mmsi",),
    "invalid_imo": ("invalid_imo",),
    "mid_flag_mismatch": ("mid_flag_mismatch",),
}
_SPOOF_TRUE_TYPE = {"impossible_jump": "jump", "on_land": "on_land"}


def spoofing_scores(events: pa.Table, truth: pa.Table) -> list[Score]:
    true = rows(truth, "spoofing")
    detected = rows(events, "spoofing")
    out = []
    for spoof_type, compatible in _SPOOF_MATCHES.items():
        det = [d for d in detected if d["spoof_type"] == spoof_type]
        allowed = [t for t in true if t["details"]["spoof_type"] in compatible]
        own = [t for t in true if t["details"]["spoof_type"] == _SPOOF_TRUE_TYPE.get(spoof_type, spoof_type)]

        def same(d: dict[str, Any], t: dict[str, Any]) -> bool:
            return d["mmsi"] == t["mmsi"] and overlaps(d, t, HOUR, HOUR)

        precision_part = score(spoof_type, det, allowed, same)
        recall_part = score(spoof_type, det, own, same)
        out.append(
            Score(
                spoof_type,
                len(det),
                precision_part.n_detected_correct,
                recall_part.n_true,
                recall_part.n_true_found,
            )
        )
    return out


def identity_scores(events: pa.Table, truth: pa.Table) -> list[Score]:
    def same(d: dict[str, Any], t: dict[str, Any]) -> bool:
        return d["mmsi"] == t["mmsi"] and overlaps(d, t, 2 * HOUR, 2 * HOUR)

    return [score("identity_change", rows(events, "identity_change"), rows(truth, "identity_change"), same)]


def _observable_draught_changes(tables: ScenarioTables) -> list[dict[str, Any]]:
    """True draught changes at port calls and encounters that the AIS static data can show: the old
    draught was reported before the change and the new one after it (re-flagged vessels under the
    MMSI they used at the time)."""
    resolve = identity_resolver(tables.vessels)
    st = tables.statics.filter(pc.is_valid(tables.statics.column("draught_m")))
    reports: dict[int, list[tuple[Any, float]]] = {}
    for m, ts, d in zip(
        st.column("mmsi").to_pylist(),
        st.column("ts").to_pylist(),
        st.column("draught_m").to_pylist(),
        strict=True,
    ):
        reports.setdefault(m, []).append((ts, d))
    out = []
    for r in rows(tables.truth, "draught_change"):
        if r["details"]["context"] == "dark_port_call":  # scored with the dark-port-call detector
            continue
        r["mmsi"] = resolve(r["mmsi"], r["start_ts"])
        seen = reports.get(r["mmsi"], [])
        before, after = r["details"]["draught_before_m"], r["details"]["draught_after_m"]
        if any(ts < r["start_ts"] and abs(d - before) < 0.05 for ts, d in seen) and any(
            ts > r["start_ts"] and abs(d - after) < 0.05 for ts, d in seen
        ):
            out.append(r)
    return out


def draught_scores(events: pa.Table, tables: ScenarioTables, name: str) -> list[Score]:
    def same(d: dict[str, Any], t: dict[str, Any]) -> bool:
        return (
            d["mmsi"] == t["mmsi"]
            and overlaps(d, t, 2 * HOUR, 24 * HOUR)
            and d["direction"] == t["details"]["change"]
        )

    return [score(name, rows(events, "draught_change"), _observable_draught_changes(tables), same)]


def pooled(per_seed: list[list[Score]]) -> list[Score]:
    """Counts summed over seeds, per detector."""
    total: dict[str, Score] = {}
    for scores in per_seed:
        for s in scores:
            t = total.setdefault(s.detector, Score(s.detector, 0, 0, 0, 0))
            t.n_detected += s.n_detected
            t.n_detected_correct += s.n_detected_correct
            t.n_true += s.n_true
            t.n_true_found += s.n_true_found
    return list(total.values())
