"""Encounters (apparent ship-to-ship meetings): two vessels close together, slow, away from ports.

Definition (Global Fishing Watch encounters, DESIGN section 3): tracks resampled to 10-minute steps (not
across silences > 1 h); two vessels <= 500 m apart for >= 2 h with a median speed < 2 kn, >= 10 km from any
port or anchorage; same-pair encounters less than 4 h apart are merged. We also merge across a longer joint
silence (<= 24 h, GFW's own merge window) when both vessels are still together and barely moved across it.

Candidate pairs come from a space-time hash: every resampled point goes in its 3-D cell (Earth-centred
coordinates, cells of `cell_m`) at its time step, plus copies in the neighbouring cells it lies within
`max_distance_m` of, so every pair closer than that shares a cell where one of them is at home.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shadowfleet.detect import evidence as ev
from shadowfleet.detect.events import build_events
from shadowfleet.detect.gazetteer import Gazetteer
from shadowfleet.detect.geo import EARTH_RADIUS_M, KN_TO_M_S, group_mean_position, haversine_m, to_unit_xyz
from shadowfleet.detect.resample import Resampled, resample
from shadowfleet.detect.segments import SegmentParams, Segments, segment_track
from shadowfleet.detect.tracks import Track, run_bounds, starts_of, track_from_table

DETECTOR_VERSION = "encounter-1"


@dataclass(frozen=True)
class EncounterParams:
    max_distance_m: float = 500.0  # GFW encounters: 0.5 km
    min_duration_h: float = 2.0  # GFW encounters: 2 h
    max_median_speed_kn: float = 2.0  # GFW encounters: median speed < 2 kn
    min_port_distance_m: float = 10_000.0  # GFW encounters: >= 10 km from anchorages
    resample_step_s: int = 600  # GFW: 10-minute resampling
    resample_max_gap_s: float = 3600.0  # DESIGN: do not interpolate across silences > 1 h
    merge_max_gap_h: float = 4.0  # GFW published encounters: merge < 4 h apart
    joint_silence_max_h: float = 24.0  # GFW pipe-encounters test: merge window 24 h (see module doc)
    cell_m: float = 10_000.0  # ours: hash cell (>= max_distance_m); larger cells, fewer border copies


def _candidate_pairs(rs: Resampled, params: EncounterParams) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) of resampled points at the same step within max_distance_m, different MMSIs."""
    n = len(rs)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    xyz = to_unit_xyz(rs.lat, rs.lon) * EARTH_RADIUS_M / params.cell_m
    cell = np.floor(xyz).astype(np.int64)
    frac = xyz - cell
    edge = params.max_distance_m / params.cell_m
    low = frac < edge
    high = frac > 1.0 - edge
    t_rel = rs.t_step - rs.t_step.min()
    keys_parts, idx_parts, home_parts = [], [], []
    base = cell + 4096
    for ox in (-1, 0, 1):
        for oy in (-1, 0, 1):
            for oz in (-1, 0, 1):
                m = np.ones(n, dtype=bool)
                for axis, off in enumerate((ox, oy, oz)):
                    if off == -1:
                        m &= low[:, axis]
                    elif off == 1:
                        m &= high[:, axis]
                sel = np.flatnonzero(m)
                c = base[sel]
                key = ((t_rel[sel] * 8192 + c[:, 0] + ox) * 8192 + c[:, 1] + oy) * 8192 + c[:, 2] + oz
                keys_parts.append(key)
                idx_parts.append(sel)
                home_parts.append(np.full(len(sel), ox == 0 and oy == 0 and oz == 0))
    keys = np.concatenate(keys_parts)
    idx = np.concatenate(idx_parts)
    home = np.concatenate(home_parts)
    o = np.argsort(keys)
    keys, idx, home = keys[o], idx[o], home[o]
    first, last = run_bounds(starts_of(keys))
    size = last - first + 1
    crowded = np.flatnonzero(size > 1)
    # elements of cells holding more than one point, then every (p, q) with q after p in its cell
    sz = size[crowded]
    members = np.repeat(first[crowded], sz) + (np.arange(int(sz.sum())) - np.repeat(np.cumsum(sz) - sz, sz))
    group_last = np.repeat(last[crowded], size[crowded])
    partners = group_last - members
    p = np.repeat(members, partners)
    q = p + 1 + (np.arange(int(partners.sum())) - np.repeat(np.cumsum(partners) - partners, partners))
    keep = (home[p] | home[q]) & (rs.mmsi[idx[p]] != rs.mmsi[idx[q]])
    i, j = idx[p[keep]], idx[q[keep]]
    d = haversine_m(rs.lat[i], rs.lon[i], rs.lat[j], rs.lon[j])
    close = d <= params.max_distance_m
    i, j = i[close], j[close]
    swap = rs.mmsi[i] > rs.mmsi[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    return i, j


def _group_median(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    o = np.lexsort((values, group))
    g, v = group[o], values[o]
    counts = np.bincount(g, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    lo = starts + (counts - 1) // 2
    hi = starts + counts // 2
    out = np.full(n_groups, np.nan)
    ok = counts > 0
    out[ok] = (v[lo[ok]] + v[hi[ok]]) / 2
    return out


def encounter_points(
    track: Track,
    params: EncounterParams,
    gazetteer: Gazetteer | None = None,
    segments: Segments | None = None,
    segment_params: SegmentParams = SegmentParams(),
) -> Resampled:
    """Phase 1, per vessel (batchable): resampled points, minus those near a port or anchorage."""
    segs = segments if segments is not None else segment_track(track, segment_params)
    rs = resample(track, segs, params.resample_step_s, params.resample_max_gap_s)
    if gazetteer is not None and len(rs):
        port, _ = gazetteer.nearest_port(rs.lat, rs.lon, params.min_port_distance_m)
        rs = rs.take(np.flatnonzero(port < 0))
    return rs


def concat_points(parts: list[Resampled]) -> Resampled:
    """Resampled points of several vessel batches as one set (segment ids kept apart per batch)."""
    if len(parts) == 1:
        return parts[0]
    offset = 0
    segs = []
    for p in parts:
        segs.append(p.segment_id + offset)
        offset += int(p.segment_id.max()) + 1 if len(p) else 0
    return Resampled(
        mmsi=np.concatenate([p.mmsi for p in parts]),
        segment_id=np.concatenate(segs),
        t_step=np.concatenate([p.t_step for p in parts]),
        lat=np.concatenate([p.lat for p in parts]),
        lon=np.concatenate([p.lon for p in parts]),
        speed_kn=np.concatenate([p.speed_kn for p in parts]),
        simulated=np.concatenate([p.simulated for p in parts]),
        step_s=parts[0].step_s,
    )


def detect_encounters_track(
    track: Track,
    params: EncounterParams,
    gazetteer: Gazetteer | None = None,
    segments: Segments | None = None,
    segment_params: SegmentParams = SegmentParams(),
) -> pa.Table:
    rs = encounter_points(track, params, gazetteer, segments, segment_params)
    return encounters_from_points(rs, params)


def encounters_from_points(rs: Resampled, params: EncounterParams) -> pa.Table:
    """Steps 2 and 3 over every vessel's points at once (the local runner's path)."""
    i, j = close_pairs(rs, params)
    return encounters_from_pairs(rs, i, j, params)


def close_pairs(rs: Resampled, params: EncounterParams) -> tuple[np.ndarray, np.ndarray]:
    """Step 2 (per space-time neighbourhood): point pairs (i, j) at one step, close, mmsi[i] < mmsi[j]."""
    if params.cell_m < params.max_distance_m:
        raise ValueError("cell_m must be at least max_distance_m")
    return _candidate_pairs(rs, params)


def encounters_from_pairs(rs: Resampled, i: np.ndarray, j: np.ndarray, params: EncounterParams) -> pa.Table:
    """Step 3 (per vessel pair): merge a pair's close steps into encounters and keep those that qualify.

    `rs` is ordered by (mmsi, segment, step); where one MMSI has two points at a step (a shared MMSI), the
    pair with the lowest (i, j) counts, so the choice does not depend on how the pairs were found.
    """
    a, b, t = rs.mmsi[i], rs.mmsi[j], rs.t_step[i]
    o = np.lexsort((j, i, t, b, a))
    i, j, a, b, t = i[o], j[o], a[o], b[o], t[o]
    dup = np.zeros(len(a), dtype=bool)
    if len(a) > 1:
        dup[1:] = (a[1:] == a[:-1]) & (b[1:] == b[:-1]) & (t[1:] == t[:-1])
    i, j, a, b, t = i[~dup], j[~dup], a[~dup], b[~dup], t[~dup]
    n = len(a)
    if n == 0:
        return _empty(params)
    new_pair = np.ones(n, dtype=bool)
    new_pair[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    new_run = new_pair.copy()
    new_run[1:] |= t[1:] != t[:-1] + 1
    run_first, run_last = run_bounds(new_run)
    # merge consecutive runs of one pair: short pause, or a joint silence where both stayed together
    step_h = params.resample_step_s / 3600.0
    prev_last = run_last[:-1]
    nxt_first = run_first[1:]
    pause_h = (t[nxt_first] - t[prev_last]) * step_h
    same_pair = ~new_pair[nxt_first]
    moved_i = haversine_m(
        rs.lat[i[prev_last]], rs.lon[i[prev_last]], rs.lat[i[nxt_first]], rs.lon[i[nxt_first]]
    )
    moved_j = haversine_m(
        rs.lat[j[prev_last]], rs.lon[j[prev_last]], rs.lat[j[nxt_first]], rs.lon[j[nxt_first]]
    )
    slow_m = params.max_median_speed_kn * KN_TO_M_S * pause_h * 3600.0 + params.max_distance_m
    joint = (pause_h <= params.joint_silence_max_h) & (moved_i <= slow_m) & (moved_j <= slow_m)
    merge = same_pair & ((pause_h < params.merge_max_gap_h) | joint)
    new_event = new_run.copy()
    new_event[nxt_first[merge]] = False
    ev_idx = np.cumsum(new_event) - 1
    n_ev = int(ev_idx[-1]) + 1
    ev_first, ev_last = run_bounds(new_event)
    dist = haversine_m(rs.lat[i], rs.lon[i], rs.lat[j], rs.lon[j])
    med_dist = _group_median(ev_idx, dist, n_ev)
    med_speed = _group_median(
        np.concatenate([ev_idx, ev_idx]), np.concatenate([rs.speed_kn[i], rs.speed_kn[j]]), n_ev
    )
    run_steps = np.bincount(np.cumsum(new_run) - 1, minlength=len(run_first)) - 1
    observed_h = np.bincount(ev_idx[run_first], weights=np.maximum(run_steps, 0) * step_h, minlength=n_ev)
    duration_h = (t[ev_last] - t[ev_first]) * step_h
    ok = (observed_h >= params.min_duration_h) & (med_speed < params.max_median_speed_kn)
    keep = np.flatnonzero(ok)
    lat_all = np.concatenate([rs.lat[i], rs.lat[j]])
    lon_all = np.concatenate([rs.lon[i], rs.lon[j]])
    mlat, mlon = group_mean_position(np.concatenate([ev_idx, ev_idx]), lat_all, lon_all, n_ev)
    step_us = params.resample_step_s * 1_000_000
    ts_pairs = t * step_us
    ef, el = ev_first[keep], ev_last[keep]
    evidence = ev.json_objects(
        {
            "vessel": ev.points_json(ts_pairs, rs.lat[i], rs.lon[i], ef, el, 100),
            "other": ev.points_json(ts_pairs, rs.lat[j], rs.lon[j], ef, el, 100),
            "resample_step_s": str(params.resample_step_s),
        },
        len(keep),
    )
    f, la = ev_first[keep], ev_last[keep]
    confidence = np.round(0.5 + 0.5 * np.minimum(observed_h[keep] / (2 * params.min_duration_h), 1.0), 3)
    return build_events(
        "encounter",
        mmsi=a[f],
        other_mmsi=b[f],
        start_us=t[f] * step_us,
        end_us=t[la] * step_us,
        lat=mlat[keep],
        lon=mlon[keep],
        confidence=confidence,
        evidence=evidence,
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=rs.simulated[i[f]] | rs.simulated[j[f]],
        extra={
            "duration_h": duration_h[keep],
            "observed_h": observed_h[keep],
            "median_distance_m": med_dist[keep],
            "median_speed_kn": med_speed[keep],
        },
    )


def _empty(params: EncounterParams) -> pa.Table:
    z = np.zeros(0)
    zi = np.zeros(0, np.int64)
    return build_events(
        "encounter",
        mmsi=zi,
        other_mmsi=zi,
        start_us=zi,
        end_us=zi,
        lat=z,
        lon=z,
        confidence=z,
        evidence=[],
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=np.zeros(0, bool),
        extra={"duration_h": z, "observed_h": z, "median_distance_m": z, "median_speed_kn": z},
    )


def detect_encounters(
    positions: pa.Table, params: EncounterParams = EncounterParams(), gazetteer: Gazetteer | None = None
) -> pa.Table:
    """Encounter events, one per pair (mmsi < other_mmsi) and meeting, for every vessel in `positions`."""
    return detect_encounters_track(track_from_table(positions), params, gazetteer)
