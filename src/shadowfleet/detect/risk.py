"""An explainable risk score: a capped, weighted sum of published signals, every contribution itemised.

score = sum over signals of weight x min(value, cap). The weights are data (`DEFAULT_RISK_SIGNALS`,
`risk_weights_table()`), shown on the site beside every score and stored in the `params` JSON of
every score, so a change is never silent. A score ranks vessels for attention; it is not a finding. Inputs are plain
tables or rows, so the registry (sanctions) and the detectors (events) can both feed it.
Methods and the reason for each weight: docs/methods/risk.md.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

RISK_VERSION = "risk-1.0"


@dataclass(frozen=True)
class RiskSignal:
    name: str  # the column of the signals table
    weight: float  # points per counted unit
    cap: float  # units counted at most (a flag has cap 1)
    unit: str  # "flag" (true/false) or "events"
    rationale: str


# Weights sum to 100 at the caps. They are editorial judgements, published so they can be argued with.
DEFAULT_RISK_SIGNALS: tuple[RiskSignal, ...] = (
    RiskSignal("sanctioned", 25.0, 1, "flag", "The vessel itself is designated on a sanctions list."),
    RiskSignal("owner_sanctioned", 15.0, 1, "flag", "Its owner, manager or operator is designated."),
    RiskSignal("dark_events", 3.0, 5, "events", "Dark port calls and AIS gaps judged likely intentional."),
    RiskSignal("sts_encounters", 3.0, 5, "events", "Apparent ship-to-ship encounters at sea."),
    RiskSignal(
        "spoofing_events",
        2.0,
        5,
        "events",
        "Apparent spoofing: impossible jumps, on-land, shared MMSI, bad IMO, MID vs flag.",
    ),
    RiskSignal(
        "flag_changes", 3.0, 3, "events", "Flag changes (re-flagging is a classic way to shed scrutiny)."
    ),
    RiskSignal("name_changes", 2.0, 3, "events", "Name changes."),
    RiskSignal("venezuelan_port_calls", 1.0, 5, "events", "Port calls at Venezuelan ports and terminals."),
)


@dataclass(frozen=True)
class RiskParams:
    signals: tuple[RiskSignal, ...] = field(default=DEFAULT_RISK_SIGNALS)
    # Country codes of Venezuelan ports, for counting port calls from events.
    venezuela_country_codes: tuple[str, ...] = ("VE", "VEN")


def risk_weights_table(params: RiskParams = RiskParams()) -> pa.Table:
    """The published weights: one row per signal, with its maximum contribution."""
    rows = [{**asdict(s), "max_contribution": s.weight * s.cap} for s in params.signals]
    return pa.Table.from_pylist(rows)


def _params_json(params: RiskParams) -> str:
    return json.dumps(asdict(params), sort_keys=True, separators=(",", ":"))


def _as_table(signals: pa.Table | Sequence[Mapping[str, Any]]) -> pa.Table:
    if isinstance(signals, pa.Table):
        return signals
    rows = list(signals)
    names = list(dict.fromkeys(k for row in rows for k in row))  # every key of every row, in order
    return pa.table({k: [row.get(k) for row in rows] for k in names})


def score_risk(
    signals: pa.Table | Sequence[Mapping[str, Any]], params: RiskParams = RiskParams(), key: str = "mmsi"
) -> pa.Table:
    """Score every row of `signals` (a table or a list of dicts with `key` and signal columns).

    A signal column that is absent, or null in a row, counts 0 and is marked not assessed in the
    breakdown (no data is not the same as a clean record). Output columns: key, risk_score,
    risk_score_max, contribution_<signal> for each signal, breakdown (JSON list, one item per signal:
    signal, value, weight, cap, counted, contribution, assessed), risk_version, params.
    """
    table = _as_table(signals)
    if key not in table.column_names:
        raise ValueError(f"signals table lacks the key column {key!r}; it has {table.column_names}")
    n = table.num_rows
    names = [s.name for s in params.signals]
    unknown = [c for c in table.column_names if c != key and c not in names]
    if unknown:
        raise ValueError(f"unknown risk signal column(s) {unknown}; known signals are {names}")
    total = np.zeros(n)
    values: dict[str, np.ndarray] = {}
    assessed: dict[str, np.ndarray] = {}
    contributions: dict[str, np.ndarray] = {}
    for s in params.signals:
        if s.name in table.column_names:
            column = table.column(s.name)
            if pa.types.is_boolean(column.type):
                column = column.cast(pa.int64())
            raw = column.cast(pa.float64())
            assessed[s.name] = ~np.asarray(pc.is_null(raw), dtype=bool)
            v = np.asarray(pc.fill_null(raw, 0.0), dtype=np.float64)
        else:
            assessed[s.name] = np.zeros(n, dtype=bool)
            v = np.zeros(n)
        if (v < 0).any():
            raise ValueError(f"risk signal {s.name!r} has negative values")
        values[s.name] = v
        contributions[s.name] = s.weight * np.minimum(v, s.cap)
        total += contributions[s.name]
    breakdown = [
        json.dumps(
            [
                {
                    "signal": s.name,
                    "value": float(values[s.name][i]),
                    "weight": s.weight,
                    "cap": s.cap,
                    "counted": float(min(values[s.name][i], s.cap)),
                    "contribution": float(contributions[s.name][i]),
                    "assessed": bool(assessed[s.name][i]),
                }
                for s in params.signals
            ],
            separators=(",", ":"),
        )
        for i in range(n)
    ]
    columns: dict[str, Any] = {
        key: table.column(key),
        "risk_score": pa.array(total, pa.float64()),
        "risk_score_max": pa.array(np.full(n, sum(s.weight * s.cap for s in params.signals)), pa.float64()),
    }
    for s in params.signals:
        columns[f"contribution_{s.name}"] = pa.array(contributions[s.name], pa.float64())
    columns["breakdown"] = pa.array(breakdown, pa.string())
    columns["risk_version"] = pa.array([RISK_VERSION] * n, pa.string())
    columns["params"] = pa.array([_params_json(params)] * n, pa.string())
    return pa.table(columns).sort_by([("risk_score", "descending"), (key, "ascending")])


def risk_signals_from_events(events: pa.Table, params: RiskParams = RiskParams()) -> pa.Table:
    """Count the event-based signals per MMSI from a stacked event table (the detectors' output).

    Encounters count for both vessels. Gaps count as dark only when `likely_intentional` is true.
    """
    if "kind" not in events.column_names or "mmsi" not in events.column_names:
        raise ValueError("events table needs `kind` and `mmsi` columns")
    kind = np.array(events.column("kind").to_pylist(), dtype=object)
    mmsi = np.asarray(pc.fill_null(events.column("mmsi"), -1), dtype=np.int64)

    def col(name: str) -> np.ndarray:
        if name not in events.column_names:
            return np.full(events.num_rows, None, dtype=object)
        return np.array(events.column(name).to_pylist(), dtype=object)

    likely = np.array([v is True for v in col("likely_intentional")], dtype=bool)
    field_ = col("field")
    ve = {c.upper() for c in params.venezuela_country_codes}
    country = np.array([isinstance(c, str) and c.upper() in ve for c in col("port_country")], dtype=bool)
    other = col("other_mmsi")
    per_kind: dict[str, tuple[np.ndarray, np.ndarray]] = {
        "dark_events": (mmsi, (kind == "dark_port_call") | ((kind == "ais_gap") & likely)),
        "spoofing_events": (mmsi, kind == "spoofing"),
        "flag_changes": (mmsi, (kind == "identity_change") & (field_ == "flag")),
        "name_changes": (mmsi, (kind == "identity_change") & (field_ == "name")),
        "venezuelan_port_calls": (mmsi, (kind == "port_call") & country),
    }
    enc = kind == "encounter"
    enc_other = np.array([o if o is not None else -1 for o in other[enc]], dtype=np.int64)
    vessels = np.unique(np.concatenate([mmsi[mmsi >= 0], enc_other[enc_other >= 0]]))
    counts: dict[str, Any] = {"mmsi": pa.array(vessels, pa.int64())}
    for name, (who, mask) in per_kind.items():
        counts[name] = pa.array(_count(vessels, who[mask]), pa.int64())
    sts_ids = np.concatenate([mmsi[enc], enc_other[enc_other >= 0]])
    counts["sts_encounters"] = pa.array(_count(vessels, sts_ids), pa.int64())
    return pa.table(counts)


def _count(vessels: np.ndarray, ids: np.ndarray) -> np.ndarray:
    out = np.zeros(len(vessels), dtype=np.int64)
    if len(ids):
        np.add.at(out, np.searchsorted(vessels, ids), 1)
    return out


def with_registry_facts(
    signals: pa.Table,
    sanctioned: Iterable[int] = (),
    owner_sanctioned: Iterable[int] = (),
    assessed: Iterable[int] | None = None,
) -> pa.Table:
    """Add the registry's `sanctioned` and `owner_sanctioned` flags by MMSI. Vessels in `assessed`
    (default: all rows) that are in neither set get False; others get null (not assessed)."""
    mmsi = np.asarray(signals.column("mmsi"), dtype=np.int64)
    checked = (
        np.ones(len(mmsi), dtype=bool) if assessed is None else np.isin(mmsi, np.fromiter(assessed, np.int64))
    )
    for name, ids in (("sanctioned", sanctioned), ("owner_sanctioned", owner_sanctioned)):
        flag = np.isin(mmsi, np.fromiter(ids, np.int64))
        signals = signals.append_column(name, pa.array(flag, pa.bool_(), mask=~(checked | flag)))
    return signals
