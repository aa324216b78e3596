"""AIS gaps: a vessel that sent no position for at least `min_gap_h` ("went dark", apparently).

A gap is "likely intentional" when it lasted >= `intentional_min_gap_h`, began >= `intentional_min_shore_nm`
from shore (coverage is good near coasts, so silence there is less likely a reception hole), and
reception just before it was good: >= `intentional_min_positions_before` positions in the previous
`positions_before_window_h` hours. Defaults are Global Fishing Watch's published gap rules (pipe-gaps and
the GFW "AIS disabling" method: 12 h, 50 nm, 14 positions in 12 h; 6 h is GFW's minimum gap).
Gaps are measured between consecutive positions of one MMSI, across day boundaries and segments.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shadowfleet.detect import evidence as ev
from shadowfleet.detect.events import build_events
from shadowfleet.detect.geo import METRES_PER_NM, haversine_m
from shadowfleet.detect.shore import Shore
from shadowfleet.detect.tracks import US_PER_H, Track, group_count_in_window, track_from_table

DETECTOR_VERSION = "ais_gap-2"


@dataclass(frozen=True)
class GapParams:
    min_gap_h: float = 6.0  # GFW pipe-gaps minimum gap
    intentional_min_gap_h: float = 12.0  # GFW AIS-disabling rule
    intentional_min_shore_nm: float = 50.0  # GFW AIS-disabling rule
    intentional_min_positions_before: int = 14  # GFW: >= 14 positions in the 12 h before
    positions_before_window_h: float = 12.0  # GFW
    evidence_window_h: float = 12.0  # our choice: positions drawn before and after the gap


def gap_rows(track: Track, params: GapParams) -> np.ndarray:
    """Index i of every row whose next row (same MMSI) comes >= min_gap_h later."""
    if len(track) < 2:
        return np.zeros(0, dtype=np.int64)
    same = track.mmsi[1:] == track.mmsi[:-1]
    dt = track.ts_us[1:] - track.ts_us[:-1]
    return np.flatnonzero(same & (dt >= params.min_gap_h * US_PER_H))


def detect_gaps_track(track: Track, params: GapParams, shore: Shore | None = None) -> pa.Table:
    i = gap_rows(track, params)
    j = i + 1
    duration_h = (track.ts_us[j] - track.ts_us[i]) / US_PER_H
    distance_m = haversine_m(track.lat[i], track.lon[i], track.lat[j], track.lon[j])
    window_us = int(params.positions_before_window_h * US_PER_H)
    n_before = group_count_in_window(track.mmsi, track.ts_us, i, window_us)
    if shore is not None:
        shore_nm = shore.distance_nm(track.lat[i], track.lon[i])
        end_shore_nm = shore.distance_nm(track.lat[j], track.lon[j])
    else:
        shore_nm = np.full(len(i), np.nan)
        end_shore_nm = np.full(len(i), np.nan)
    intentional = (
        (duration_h >= params.intentional_min_gap_h)
        & (shore_nm >= params.intentional_min_shore_nm)
        & (n_before >= params.intentional_min_positions_before)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        implied_kn = distance_m / METRES_PER_NM / duration_h
    # confidence that the silence is real and deliberate rather than a reception hole
    reception = np.minimum(n_before / params.intentional_min_positions_before, 1.0)
    confidence = np.round(0.3 + 0.4 * reception + 0.3 * intentional, 3)
    evid_us = int(params.evidence_window_h * US_PER_H)
    lo = i - group_count_in_window(track.mmsi, track.ts_us, i, evid_us) + 1
    hi = j + group_count_in_window(track.mmsi, track.ts_us, j, evid_us, forward=True) - 1
    # the last point of "before" and the first of "after" are the two positions around the silence
    # (the event's start and end): no separate reference to them
    evidence = ev.json_objects(
        {
            "before": ev.points_json(track.ts_us, track.lat, track.lon, lo, i, 100),
            "after": ev.points_json(track.ts_us, track.lat, track.lon, j, hi, 100),
        },
        len(i),
    )
    return build_events(
        "ais_gap",
        mmsi=track.mmsi[i],
        start_us=track.ts_us[i],
        end_us=track.ts_us[j],
        lat=track.lat[i],
        lon=track.lon[i],
        confidence=confidence,
        evidence=evidence,
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=track.simulated[i] | track.simulated[j],
        extra={
            "duration_h": duration_h,
            "distance_m": distance_m,
            "implied_speed_kn": implied_kn,
            "positions_before_12h": n_before,
            "shore_distance_nm": shore_nm,
            "end_shore_distance_nm": end_shore_nm,
            "end_lat": track.lat[j],
            "end_lon": track.lon[j],
            "likely_intentional": intentional,
        },
    )


def detect_gaps(positions: pa.Table, params: GapParams = GapParams(), shore: Shore | None = None) -> pa.Table:
    """AIS gap events for every vessel in `positions` (sorted by mmsi, ts)."""
    return detect_gaps_track(track_from_table(positions), params, shore)
