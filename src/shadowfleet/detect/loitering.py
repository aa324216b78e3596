"""Loitering: a vessel moving slower than `max_speed_kn` for at least `min_duration_h`, far from shore.

Defaults follow Global Fishing Watch's carrier-loitering rule (speed < 2 kn for >= 4 h, >= 20 nm from
shore). A loitering run is cut by a silence longer than `max_silence_h` (6 h, the AIS-gap threshold):
a vessel that is dark is not observed loitering. Distance to shore is taken at the run's mean position.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shadowfleet.detect import evidence as ev
from shadowfleet.detect.events import build_events
from shadowfleet.detect.geo import group_mean_position, haversine_m
from shadowfleet.detect.segments import SegmentParams, Segments, segment_track
from shadowfleet.detect.shore import Shore
from shadowfleet.detect.speeds import speed_kn
from shadowfleet.detect.tracks import US_PER_H, Track, run_bounds, track_from_table

DETECTOR_VERSION = "loitering-1"


@dataclass(frozen=True)
class LoiteringParams:
    max_speed_kn: float = 2.0  # GFW loitering: < 2 kn
    min_duration_h: float = 4.0  # GFW loitering: >= 4 h
    min_shore_distance_nm: float = 20.0  # GFW loitering: >= 20 nm from shore
    max_silence_h: float = 6.0  # our choice: the AIS-gap threshold; longer silences cut a run


def detect_loitering_track(
    track: Track,
    params: LoiteringParams,
    shore: Shore | None = None,
    segments: Segments | None = None,
    segment_params: SegmentParams = SegmentParams(),
) -> pa.Table:
    segs = segments if segments is not None else segment_track(track, segment_params)
    tr = track if segs.is_contiguous else track.take(segs.order)
    seg = segs.segment_id[segs.order]
    spd = speed_kn(tr, seg)
    slow = np.flatnonzero(spd < params.max_speed_kn)
    start = np.ones(len(slow), dtype=bool)
    if len(slow) > 1:
        start[1:] = (
            (slow[1:] != slow[:-1] + 1)
            | (seg[slow[1:]] != seg[slow[:-1]])
            | (tr.ts_us[slow[1:]] - tr.ts_us[slow[:-1]] > params.max_silence_h * US_PER_H)
        )
    first, last = run_bounds(start) if len(slow) else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    dur_h = (tr.ts_us[slow[last]] - tr.ts_us[slow[first]]) / US_PER_H
    long_runs = np.flatnonzero(dur_h >= params.min_duration_h)
    first, last, dur_h = first[long_runs], last[long_runs], dur_h[long_runs]
    # rows of the long runs, with their run number
    lengths = last - first + 1
    run_of = np.repeat(np.arange(len(first)), lengths)
    rows = slow[
        np.repeat(first, lengths)
        + (np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    ]
    mlat, mlon = group_mean_position(run_of, tr.lat[rows], tr.lon[rows], len(first))
    if shore is not None:
        shore_nm = shore.distance_nm(mlat, mlon)
        far = shore_nm >= params.min_shore_distance_nm
    else:
        shore_nm = np.full(len(first), np.nan)
        far = np.ones(len(first), dtype=bool)
    counts = np.bincount(run_of, minlength=len(first))
    starts = np.cumsum(counts) - counts
    # median per run with one float sort: run number + speed scaled into [0, 1) (speeds here < max)
    scale = params.max_speed_kn * 1.0001
    key = np.sort(run_of + np.clip(spd[rows], 0.0, params.max_speed_kn) / scale)
    in_run = (key - np.floor(key)) * scale
    med = (
        (in_run[starts + (counts - 1) // 2] + in_run[starts + counts // 2]) / 2 if len(first) else np.zeros(0)
    )
    keep = np.flatnonzero(far)
    a = slow[first[keep]]
    b = slow[last[keep]]
    evidence = ev.json_objects({"track": ev.points_json(tr.ts_us, tr.lat, tr.lon, a, b, 100)}, len(a))
    confidence = np.round(0.5 + 0.5 * np.minimum(dur_h[keep] / (3 * params.min_duration_h), 1.0), 3)
    return build_events(
        "loitering",
        mmsi=tr.mmsi[a],
        start_us=tr.ts_us[a],
        end_us=tr.ts_us[b],
        lat=mlat[keep],
        lon=mlon[keep],
        confidence=confidence,
        evidence=evidence,
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=tr.simulated[a],
        extra={
            "duration_h": dur_h[keep],
            "median_speed_kn": med[keep],
            "shore_distance_nm": shore_nm[keep],
            "distance_m": haversine_m(tr.lat[a], tr.lon[a], tr.lat[b], tr.lon[b]),
            "n_positions": counts[keep],
        },
    )


def detect_loitering(
    positions: pa.Table, params: LoiteringParams = LoiteringParams(), shore: Shore | None = None
) -> pa.Table:
    """Loitering events for every vessel in `positions` (sorted by mmsi, ts)."""
    return detect_loitering_track(track_from_table(positions), params, shore)
