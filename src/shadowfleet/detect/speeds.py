"""Per-position speed: the reported speed over ground, or where missing the implied speed from the
previous position of the same segment."""

import numpy as np

from shadowfleet.detect.geo import KN_TO_M_S, haversine_m
from shadowfleet.detect.tracks import US_PER_S, Track


def speed_kn(track: Track, segment_id: np.ndarray) -> np.ndarray:
    """Speed in knots for every row (rows sorted by segment then time); NaN when nothing tells."""
    sog = track.sog_kn.copy()
    missing = ~np.isfinite(sog) | (sog >= 102.2)  # 102.3 is AIS "not available"
    if np.any(missing) and len(sog) > 1:
        dt = (track.ts_us[1:] - track.ts_us[:-1]) / US_PER_S
        d = haversine_m(track.lat[:-1], track.lon[:-1], track.lat[1:], track.lon[1:])
        implied = np.full(len(sog), np.nan)
        ok = (segment_id[1:] == segment_id[:-1]) & (dt > 0)
        implied[1:][ok] = d[ok] / dt[ok] / KN_TO_M_S
        sog = np.where(missing, implied, sog)
    return sog
