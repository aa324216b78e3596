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
