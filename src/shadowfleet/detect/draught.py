"""Apparent loading and discharging: the reported draught rises (load) or falls (discharge) across a
port call or a ship-to-ship encounter by at least a tenth of the draught range the vessel has shown.

Inputs: static reports (STATIC_SCHEMA, sorted by (mmsi, ts)) and the stops where cargo can move: port
calls (mmsi, start_ts, end_ts, lat, lon, optional port_id, port_name, port_country, event_id) and
encounters (mmsi, other_mmsi, start_ts, end_ts, lat, lon, optional event_id), as the port-call and
encounter detectors return them. Methods: docs/methods/draught.md.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from shadowfleet.detect._arrays import (
    asof_index,
    bools,
    check_sorted,
    floats,
    ints,
    iso_us,
    require_columns,
    to_json,
    ts_us,
)
from shadowfleet.detect.events import build_events
from shadowfleet.model.schemas import EVENT_SCHEMA

DETECTOR_VERSION = "draught-1.1"

DRAUGHT_COLUMNS = pa.schema(
    [
        pa.field("draught_before_m", pa.float64()),
        pa.field("draught_after_m", pa.float64()),
        pa.field("draught_change_m", pa.float64()),
        pa.field("draught_change_pct", pa.float64()),
        pa.field("draught_change_pct_of_range", pa.float64()),
        pa.field("direction", pa.string()),
        pa.field("context", pa.string()),
        pa.field("port_id", pa.string()),
        pa.field("port_name", pa.string()),
        pa.field("port_country", pa.string()),
        pa.field("stop_event_id", pa.string()),
    ]
)

_US_PER_H = 3_600_000_000


@dataclass(frozen=True)
class DraughtParams:
    # DESIGN.md section 3: a change of at least this fraction of the vessel's observed draught range.
    min_change_fraction_of_range: float = 0.10
    # And at least this many metres: AIS reports draught in 0.1 m steps, entered by the crew.
    min_change_m: float = 0.5
    # The draught before a stop is the last one reported before it starts, if no older than this
    # (else the first one reported during the stop).
    max_report_age_h: float = 72.0
    # Crews often enter the new draught on departure: take the last value reported up to this long
    # after the stop ends (never past the start of the vessel's next stop).
    after_lag_h: float = 24.0
    # Reported draughts outside this range are not draughts (0 = not available; 25.5 m is the AIS
    # maximum, ITU-R M.1371 message 5).
    valid_draught_min_m: float = 0.1
    valid_draught_max_m: float = 25.5


def _empty() -> pa.Table:
    return pa.schema(list(EVENT_SCHEMA) + list(DRAUGHT_COLUMNS)).empty_table()


def _optional_strings(table: pa.Table, name: str) -> list[Any]:
    if name not in table.column_names:
        return [None] * table.num_rows
    return [None if v is None else str(v) for v in table.column(name).to_pylist()]


def _stops(port_calls: pa.Table | None, encounters: pa.Table | None) -> dict[str, Any]:
    """Both stop tables as one set of columns, encounters seen from each side, sorted by (mmsi, start)."""
    parts: list[dict[str, Any]] = []
    if port_calls is not None:
        require_columns(port_calls, ("mmsi", "start_ts", "end_ts", "lat", "lon"), "port_calls")
        n = port_calls.num_rows
        parts.append(
            {
                "mmsi": ints(port_calls.column("mmsi")),
                "other": np.full(n, -1, dtype=np.int64),
                "context": ["port_call"] * n,
                "port_id": _optional_strings(port_calls, "port_id"),
                "port_name": _optional_strings(port_calls, "port_name"),
                "port_country": _optional_strings(port_calls, "port_country"),
                **_common(port_calls),
            }
        )
    if encounters is not None:
        require_columns(encounters, ("mmsi", "other_mmsi", "start_ts", "end_ts", "lat", "lon"), "encounters")
        n = encounters.num_rows
        a, b = ints(encounters.column("mmsi")), ints(encounters.column("other_mmsi"))
        common = _common(encounters)
        for this, other in ((a, b), (b, a)):
            parts.append(
                {
                    "mmsi": this,
                    "other": other,
                    "context": ["encounter"] * n,
                    "port_id": [None] * n,
                    "port_name": [None] * n,
                    "port_country": [None] * n,
                    **common,
                }
            )
    if not parts:
        return {}
    stops = {k: _concat([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((stops["other"], stops["start"], stops["mmsi"]))
    stops = {k: v[order] for k, v in stops.items()}
    # An encounter table may already list both directions: keep one row per (vessel, partner, start).
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (
        (stops["mmsi"][1:] != stops["mmsi"][:-1])
        | (stops["other"][1:] != stops["other"][:-1])
        | (stops["start"][1:] != stops["start"][:-1])
        | (stops["context"][1:] != stops["context"][:-1])
    )
    return {k: v[keep] for k, v in stops.items()}


def _common(table: pa.Table) -> dict[str, Any]:
    return {
        "start": ts_us(table.column("start_ts")),
        "end": ts_us(table.column("end_ts")),
        "lat": floats(table.column("lat")),
        "lon": floats(table.column("lon")),
        "stop_event_id": _optional_strings(table, "event_id"),
        "simulated": bools(table, "simulated"),
    }


def _concat(values: list[Any]) -> np.ndarray:
    if isinstance(values[0], np.ndarray):
        return np.concatenate(values)
    return np.array([v for part in values for v in part], dtype=object)


def draught_reports(
    statics: pa.Table, params: DraughtParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row ids, mmsi, ts_us, draught_m) of the static reports carrying a valid draught."""
    require_columns(statics, ("mmsi", "ts", "draught_m"), "statics")
    mmsi, ts = ints(statics.column("mmsi")), ts_us(statics.column("ts"))
    check_sorted(mmsi, ts, "statics")
    draught = floats(statics.column("draught_m"))
    ok = (draught >= params.valid_draught_min_m) & (draught <= params.valid_draught_max_m)
    rows = np.flatnonzero(ok)
    return rows, mmsi[rows], ts[rows], draught[rows]


def draught_range(mmsi: np.ndarray, draught: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the vessel's minimum and maximum reported draught; and the unique vessels (sorted).
    Input sorted by mmsi."""
    vessels, first = np.unique(mmsi, return_index=True)
    if len(vessels) == 0:
        return np.zeros(0), np.zeros(0), vessels
    lo = np.minimum.reduceat(draught, first)
    hi = np.maximum.reduceat(draught, first)
    group = np.searchsorted(vessels, mmsi)
    return lo[group], hi[group], vessels


def detect_draught_changes(
    statics: pa.Table,
    params: DraughtParams,
    port_calls: pa.Table | None = None,
    encounters: pa.Table | None = None,
) -> pa.Table:
    """Draught-change events at port calls and encounters. Rows sorted by (mmsi, start_ts)."""
    rows, d_mmsi, d_ts, draught = draught_reports(statics, params)
    stops = _stops(port_calls, encounters)
    if not stops or len(rows) == 0:
        return _empty()
    lo, hi, _ = draught_range(d_mmsi, draught)
    s_mmsi, start, end = stops["mmsi"], stops["start"], stops["end"]
    next_start = np.full(len(s_mmsi), np.iinfo(np.int64).max, dtype=np.int64)
    same_next = s_mmsi[1:] == s_mmsi[:-1]
    next_start[:-1] = np.where(same_next, start[1:], next_start[:-1])
    cutoff = np.minimum(end + int(params.after_lag_h * _US_PER_H), np.maximum(next_start - 1, end))
    before = asof_index(d_mmsi, d_ts, s_mmsi, start)
    fresh = (before >= 0) & (start - d_ts[np.maximum(before, 0)] <= int(params.max_report_age_h * _US_PER_H))
    # Nothing recent before the stop (reception began during it, or the data did): the first draught
    # reported during the stop stands for the draught on arrival.
    during = asof_index(d_mmsi, d_ts, s_mmsi, start, "forward")
    during_ok = (during >= 0) & (d_ts[np.maximum(during, 0)] <= end)
    before = np.where(fresh, before, np.where(during_ok, during, -1))
    after = asof_index(d_mmsi, d_ts, s_mmsi, cutoff)
    usable = (before >= 0) & (after > before)
    b, a = np.maximum(before, 0), np.maximum(after, 0)
    change_m = draught[a] - draught[b]
    vessel_range_m = hi[b] - lo[b]
    threshold_m = np.maximum(params.min_change_fraction_of_range * vessel_range_m, params.min_change_m)
    hit = np.flatnonzero(usable & (np.abs(change_m) >= threshold_m))
    if len(hit) == 0:
        return _empty()
    b, a, change_m, vessel_range_m = b[hit], a[hit], change_m[hit], vessel_range_m[hit]
    before_m, after_m = draught[b], draught[a]
    pct_of_range = 100.0 * change_m / vessel_range_m
    direction = np.where(change_m > 0, "load", "discharge")
    pick = {k: v[hit] for k, v in stops.items()}
    evidence = [
        to_json(
            {
                "context": pick["context"][i],
                "before": {
                    "draught_m": float(before_m[i]),
                    "reported": iso_us(d_ts[b[i]]),
                },
                "after": {
                    "draught_m": float(after_m[i]),
                    "reported": iso_us(d_ts[a[i]]),
                },
                "vessel_draught_range_m": [float(lo[b[i]]), float(hi[b[i]])],
                "stop_event_id": pick["stop_event_id"][i],
            }
        )
        for i in range(len(hit))
    ]
    table = build_events(
        "draught_change",
        mmsi=pick["mmsi"],
        other_mmsi=pick["other"],
        start_us=pick["start"],
        end_us=pick["end"],
        lat=pick["lat"],
        lon=pick["lon"],
        confidence=np.minimum(0.95, 0.5 + 0.5 * np.abs(change_m) / np.maximum(vessel_range_m, 1e-9)),
        evidence=evidence,
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=pick["simulated"] | bools(statics, "simulated")[rows[a]],
        extra={
            "draught_before_m": before_m,
            "draught_after_m": after_m,
            "draught_change_m": np.round(change_m, 3),
            "draught_change_pct": np.round(100.0 * change_m / before_m, 3),
            "draught_change_pct_of_range": np.round(pct_of_range, 3),
            "direction": pa.array(direction.tolist(), pa.string()),
            "context": pa.array(pick["context"].tolist(), pa.string()),
            "port_id": pa.array(pick["port_id"].tolist(), pa.string()),
            "port_name": pa.array(pick["port_name"].tolist(), pa.string()),
            "port_country": pa.array(pick["port_country"].tolist(), pa.string()),
            "stop_event_id": pa.array(pick["stop_event_id"].tolist(), pa.string()),
        },
    )
    return table.sort_by([("mmsi", "ascending"), ("start_ts", "ascending")])
