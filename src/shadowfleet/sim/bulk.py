"""A fast, vectorised generator of many simulated positions, for benchmarks and scale tests.

`generate_positions(n_positions, n_vessels, seed)` returns exactly `n_positions` rows in POSITION_SCHEMA,
sorted by (mmsi, ts), in a few seconds per ten million rows. Tracks are straight dead-reckoned lines in
open-ocean boxes (no sea-lane routing, no land check: use `shadowfleet.sim.scenario` for realism), with
injected behaviours so detectors do real work: AIS gaps (12-48 h with the ship moving on meanwhile) and
encounters (two ships stopped side by side, 80 m apart, drifting at 0.3 kn for 3-12 h).
`generate_bulk` also returns static reports (fictional "SIM BULK n" identities, a draught change for
each ship of an encounter) and the ground truth of those behaviours.

Everything is computed chunk by chunk into preallocated columns, so peak memory stays near the size of
the result (about 90 bytes a row).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA, TS_TYPE
from shadowfleet.model.units import EARTH_RADIUS_M, KNOTS_TO_METERS_PER_SECOND
from shadowfleet.sim.identity import FLAG_MIDS

# Open-ocean boxes (lat0, lat1, lon0, lon1) where tracks start.
OCEAN_BOXES = (
    (20.0, 38.0, -60.0, -35.0),
    (-32.0, -8.0, -28.0, -5.0),
    (-30.0, -8.0, 62.0, 90.0),
    (-18.0, 18.0, -145.0, -110.0),
    (22.0, 40.0, -170.0, -145.0),
)
ROWS_PER_CHUNK = 2_000_000
BULK_SOURCE = "simulated:bulk"


@dataclass(frozen=True)
class BulkParams:
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    min_interval_s: float = 60.0
    max_interval_s: float = 600.0
    gap_vessel_fraction: float = 0.05
    encounter_pair_fraction: float = 0.02
    class_b_fraction: float = 0.1
    static_interval_s: float = 6 * 3600.0


class BulkResult(NamedTuple):
    positions: pa.Table
    truth: pa.Table  # kind, mmsi, other_mmsi, start_ts, end_ts, lat, lon
    statics: pa.Table  # STATIC_SCHEMA, sorted by (mmsi, ts)


def _counts(rng: np.random.Generator, n_positions: int, n_vessels: int) -> np.ndarray:
    weights = rng.uniform(0.5, 1.5, n_vessels)
    counts = np.floor(weights / weights.sum() * n_positions).astype(np.int64)
    counts = np.maximum(counts, 1)
    diff = n_positions - int(counts.sum())
    order = np.argsort(-weights, kind="stable")
    while diff != 0:
        step = 1 if diff > 0 else -1
        eligible = order if step > 0 else order[counts[order] > 1]
        take = eligible[: min(abs(diff), len(eligible))]
        counts[take] += step
        diff -= step * len(take)
    return counts


def _mmsis(rng: np.random.Generator, n_vessels: int) -> np.ndarray:
    mids = np.array(sorted({m for ms in FLAG_MIDS.values() for m in ms}), dtype=np.int64)
    if n_vessels > len(mids) * 100_000:
        raise ValueError(f"at most {len(mids) * 100_000} vessels, got {n_vessels}")
    slots = rng.choice(len(mids) * 100_000, size=n_vessels, replace=False)
    mmsi = mids[slots // 100_000] * 1_000_000 + 900_000 + slots % 100_000
    return np.sort(mmsi)


def _constant_strings(value: str, n: int) -> pa.Array:
    data = value.encode()
    offsets = np.arange(n + 1, dtype=np.int32) * len(data)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))


def generate_bulk(
    n_positions: int, n_vessels: int, seed: int, params: BulkParams | None = None
) -> BulkResult:
    """Positions (POSITION_SCHEMA, sorted by mmsi, ts) and the ground truth of injected gaps/encounters."""
    if n_vessels < 1 or n_positions < n_vessels:
        raise ValueError(f"need n_positions >= n_vessels >= 1, got {n_positions} and {n_vessels}")
    p = params or BulkParams()
    rng = np.random.default_rng([seed, 0])
    v = n_vessels
    counts = _counts(rng, n_positions, v)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    mmsi = _mmsis(rng, v)
    dt_s = rng.uniform(p.min_interval_s, p.max_interval_s, v)
    t0_s = p.start.timestamp() + rng.uniform(0, 86_400.0, v)
    span_s = counts * dt_s
    box = np.array(OCEAN_BOXES)[rng.integers(len(OCEAN_BOXES), size=v)]
    lat0 = rng.uniform(box[:, 0], box[:, 1])
    lon0 = rng.uniform(box[:, 2], box[:, 3])
    speed_mps = rng.uniform(8.0, 16.0, v) * KNOTS_TO_METERS_PER_SECOND
    h_in = rng.uniform(0, 360, v)
    h_out = h_in.copy()
    anchor_s = t0_s + span_s / 2  # when the ship passes its anchor point (lat0, lon0)
    window_s = np.zeros(v)
    drift_mps = np.zeros(v)
    drift_deg = rng.uniform(0, 360, v)
    class_b = rng.random(v) < p.class_b_fraction

    truth: dict[str, list[Any]] = {
        k: [] for k in ("kind", "mmsi", "other_mmsi", "start_s", "end_s", "lat", "lon")
    }
    # Encounters: pairs of consecutive vessels share anchor point, time grid and a stopped window.
    n_pairs = int(v * p.encounter_pair_fraction)
    pair_a = (
        np.sort(rng.choice(np.arange(0, v - 1, 2), size=min(n_pairs, v // 2), replace=False))
        if v > 1
        else np.zeros(0, np.int64)
    )
    used_pairs: list[int] = []
    for a in pair_a:
        b = a + 1
        dt_s[b], t0_s[b] = dt_s[a], t0_s[a]
        span = min(counts[a], counts[b]) * dt_s[a]
        if span < 8 * 3600:
            continue
        window = min(rng.uniform(3, 12) * 3600, 0.3 * span)
        anchor = t0_s[a] + rng.uniform(0.2, 0.5) * span
        north_east = 80.0 * np.array([np.cos(np.radians(h_in[a] + 90)), np.sin(np.radians(h_in[a] + 90))])
        lat0[b] = lat0[a] + np.degrees(north_east[0] / EARTH_RADIUS_M)
        lon0[b] = lon0[a] + np.degrees(north_east[1] / (EARTH_RADIUS_M * np.cos(np.radians(lat0[a]))))
        h_out[a], h_out[b] = rng.uniform(0, 360, 2)
        h_in[b] = rng.uniform(0, 360)
        drift_deg[b] = drift_deg[a]
        class_b[a] = class_b[b] = False
        for k in (a, b):
            anchor_s[k], window_s[k], drift_mps[k] = anchor, window, 0.3 * KNOTS_TO_METERS_PER_SECOND
        used_pairs.append(int(a))
        truth["kind"].append("encounter")
        truth["mmsi"].append(int(mmsi[a]))
        truth["other_mmsi"].append(int(mmsi[b]))
        truth["start_s"].append(anchor)
        truth["end_s"].append(anchor + window)
        truth["lat"].append(float(lat0[a]))
        truth["lon"].append(float(lon0[a]))
    in_pair = window_s > 0
    # Gaps: the ship goes dark after row `gap_row` for `gap_s`, moving on meanwhile.
    gap_row = np.full(v, np.iinfo(np.int64).max)
    gap_s = np.zeros(v)
    candidates = np.nonzero(~in_pair & (counts >= 20))[0]
    n_gaps = min(int(v * p.gap_vessel_fraction), len(candidates))
    for k in np.sort(rng.choice(candidates, size=n_gaps, replace=False)) if n_gaps else []:
        gap_row[k] = int(rng.integers(counts[k] // 4, 3 * counts[k] // 4))
        gap_s[k] = rng.uniform(12, 48) * 3600
        anchor_s[k] = t0_s[k]  # straight track starting at the anchor point
    gap_vessels = np.nonzero(gap_s > 0)[0]

    out_mmsi = np.empty(n_positions, dtype=np.int64)
    out_ts = np.empty(n_positions, dtype=np.int64)
    out = {name: np.empty(n_positions) for name in ("lat", "lon", "sog", "cog", "heading")}
    out_type = np.empty(n_positions, dtype=np.int8)
    # Per-vessel trigonometry, looked up per row.
    cos_in, sin_in = np.cos(np.radians(h_in)), np.sin(np.radians(h_in))
    cos_out, sin_out = np.cos(np.radians(h_out)), np.sin(np.radians(h_out))
    cos_drift, sin_drift = np.cos(np.radians(drift_deg)), np.sin(np.radians(drift_deg))
    deg_per_m = float(np.degrees(1.0 / EARTH_RADIUS_M))
    lon_deg_per_m = deg_per_m / np.cos(np.radians(lat0))
    vessel_starts = offsets[:-1]
    first = 0
    chunk = 0
    while first < v:
        last = int(np.searchsorted(offsets, offsets[first] + ROWS_PER_CHUNK, side="right")) - 1
        last = max(last, first + 1)
        last = min(last, v)
        r0, r1 = int(offsets[first]), int(offsets[last])
        crng = np.random.default_rng([seed, 1, chunk])
        vid = np.repeat(np.arange(first, last), counts[first:last])
        k = np.arange(r0, r1) - vessel_starts[vid]
        ts = t0_s[vid] + k * dt_s[vid] + crng.uniform(-0.25, 0.25, r1 - r0) * dt_s[vid]
        ts += np.where(k >= gap_row[vid], gap_s[vid], 0.0)
        ts = np.floor(ts)
        e = ts - anchor_s[vid]
        w = window_s[vid]
        before = e < 0
        inside = (e >= 0) & (e <= w)
        moved_m = np.where(before, e, np.where(inside, 0.0, e - w)) * speed_mps[vid]
        drift_m = np.clip(e, 0, w) * drift_mps[vid]
        inbound = before | inside
        heading = np.where(inbound, h_in[vid], h_out[vid])
        north = moved_m * np.where(inbound, cos_in[vid], cos_out[vid]) + drift_m * cos_drift[vid]
        east = moved_m * np.where(inbound, sin_in[vid], sin_out[vid]) + drift_m * sin_drift[vid]
        lat = lat0[vid] + north * deg_per_m
        lon = lon0[vid] + east * lon_deg_per_m[vid]
        noise = crng.normal(0.0, 1.0, (3, r1 - r0))
        out_mmsi[r0:r1] = mmsi[vid]
        out_ts[r0:r1] = ts.astype(np.int64) * 1_000_000
        out["lat"][r0:r1] = np.clip(lat, -85.0, 85.0)
        out["lon"][r0:r1] = (lon + 180.0) % 360.0 - 180.0
        sog = np.where(inside, drift_mps[vid], speed_mps[vid]) / KNOTS_TO_METERS_PER_SECOND
        out["sog"][r0:r1] = np.round(np.abs(sog + 0.1 * noise[0]), 1)
        cog = np.where(inside, drift_deg[vid] + 10 * noise[1], heading + 0.5 * noise[1])
        out["cog"][r0:r1] = np.round(cog % 360.0, 1)
        out["heading"][r0:r1] = np.round(heading + noise[2]) % 360.0
        out_type[r0:r1] = np.where(class_b[vid], 18, 1)
        first = last
        chunk += 1

    for k in gap_vessels:  # the gap in the rows as generated: last report before, first after
        row = int(offsets[k] + gap_row[k])
        truth["kind"].append("ais_gap")
        truth["mmsi"].append(int(mmsi[k]))
        truth["other_mmsi"].append(None)
        truth["start_s"].append(out_ts[row - 1] / 1e6)
        truth["end_s"].append(out_ts[row] / 1e6)
        truth["lat"].append(float(out["lat"][row - 1]))
        truth["lon"].append(float(out["lon"][row - 1]))
    n = n_positions
    positions = pa.Table.from_arrays(
        [
            pa.array(out_mmsi),
            pa.Array.from_buffers(TS_TYPE, n, [None, pa.py_buffer(out_ts)]),
            pa.array(out["lat"]),
            pa.array(out["lon"]),
            pa.array(out["sog"]),
            pa.array(out["cog"]),
            pa.array(out["heading"]),
            pa.nulls(n, pa.float64()),
            pa.array(np.zeros(n, dtype=np.int8)),
            pa.array(np.ones(n, dtype=bool)),
            pa.array(out_type),
            _constant_strings("simulated", n),
            pa.nulls(n, pa.string()),
            _constant_strings(BULK_SOURCE, n),
            pa.array(np.ones(n, dtype=bool)),
        ],
        schema=POSITION_SCHEMA,
    )
    statics = _statics(
        p,
        mmsi,
        class_b,
        t0_s,
        out_ts[offsets[1:] - 1] / 1e6,
        anchor_s,
        window_s,
        np.asarray(used_pairs, dtype=np.int64),
        truth,
    )
    truth_table = pa.table(
        {
            "kind": pa.array(truth["kind"], pa.string()),
            "mmsi": pa.array(truth["mmsi"], pa.int64()),
            "other_mmsi": pa.array(truth["other_mmsi"], pa.int64()),
            "start_ts": pa.array([round(s * 1e6) for s in truth["start_s"]], pa.int64()).cast(TS_TYPE),
            "end_ts": pa.array([round(s * 1e6) for s in truth["end_s"]], pa.int64()).cast(TS_TYPE),
            "lat": pa.array(truth["lat"], pa.float64(), from_pandas=True),
            "lon": pa.array(truth["lon"], pa.float64(), from_pandas=True),
        }
    )
    return BulkResult(positions, truth_table, statics)


def _imo_with_check_digit(base: np.ndarray) -> np.ndarray:
    digits = (base[:, None] // 10 ** np.arange(5, -1, -1)) % 10
    return base * 10 + (digits * np.arange(7, 1, -1)).sum(axis=1) % 10


def _statics(
    p: BulkParams,
    mmsi: np.ndarray,
    class_b: np.ndarray,
    first_s: np.ndarray,
    last_s: np.ndarray,
    anchor_s: np.ndarray,
    window_s: np.ndarray,
    pair_a: np.ndarray,
    truth: dict[str, list[Any]],
) -> pa.Table:
    """Static reports every `static_interval_s`; in an encounter the first ship discharges, the second loads."""
    v = len(mmsi)
    per = np.maximum(1, np.ceil((last_s - first_s) / p.static_interval_s)).astype(np.int64)
    vid = np.repeat(np.arange(v), per)
    k = np.arange(len(vid)) - np.repeat(np.cumsum(per) - per, per)
    ts_s = np.floor(first_s[vid] + k * p.static_interval_s)
    draught_before = np.where(class_b, np.nan, 9.0)
    draught_after = draught_before.copy()
    change_s = np.full(v, np.inf)
    encounter_rows = [i for i, kind in enumerate(truth["kind"]) if kind == "encounter"]
    for a, row in zip(pair_a, encounter_rows, strict=True):
        b = a + 1
        draught_before[a], draught_after[a] = 20.0, 12.0
        draught_before[b], draught_after[b] = 9.0, 17.0
        change_s[a] = change_s[b] = anchor_s[a] + window_s[a] - 1800.0
        for ship in (a, b):
            truth["kind"].append("draught_change")
            truth["mmsi"].append(int(mmsi[ship]))
            truth["other_mmsi"].append(None)
            truth["start_s"].append(change_s[ship])
            truth["end_s"].append(change_s[ship])
            truth["lat"].append(truth["lat"][row])
            truth["lon"].append(truth["lon"][row])
    draught = np.where(ts_s >= change_s[vid], draught_after[vid], draught_before[vid])
    b_rows = class_b[vid]
    imo = _imo_with_check_digit(100_000 + np.arange(v, dtype=np.int64) % 900_000)
    names = pa.array([f"SIM BULK {i}" for i in range(v)], pa.string())
    callsigns = pa.array([f"SB{i % 100_000:05d}" for i in range(v)], pa.string())
    take = pa.array(vid)
    n = len(vid)
    return pa.Table.from_arrays(
        [
            pa.array(mmsi[vid]),
            pa.array(ts_s.astype(np.int64) * 1_000_000).cast(TS_TYPE),
            pa.array(imo[vid], mask=b_rows),
            names.take(take),
            callsigns.take(take),
            pa.array(np.where(b_rows, 37, 80).astype(np.int16)),
            pa.array(np.where(b_rows, 15.0, 250.0)),
            pa.array(np.where(b_rows, 4.0, 44.0)),
            pa.array(draught, mask=b_rows),
            pa.nulls(n, pa.string()),
            pa.nulls(n, TS_TYPE),
            pa.array(np.where(b_rows, 24, 5).astype(np.int8)),
            _constant_strings("simulated", n),
            pa.nulls(n, pa.string()),
            _constant_strings(BULK_SOURCE, n),
            pa.array(np.ones(n, dtype=bool)),
        ],
        schema=STATIC_SCHEMA,
    )


def generate_positions(
    n_positions: int, n_vessels: int, seed: int, params: BulkParams | None = None
) -> pa.Table:
    """Exactly `n_positions` simulated positions of `n_vessels` ships, POSITION_SCHEMA, sorted by (mmsi, ts)."""
    return generate_bulk(n_positions, n_vessels, seed, params).positions


def scenario_to_tables(*args: Any, **kwargs: Any) -> Any:
    """The realistic scenario as Arrow tables: `shadowfleet.sim.output.scenario_to_tables`."""
    from shadowfleet.sim.output import scenario_to_tables as to_tables

    return to_tables(*args, **kwargs)
