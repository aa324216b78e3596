"""Resampling tracks to a fixed time grid (multiples of `step_s` since the epoch), vectorised.

Linear interpolation between consecutive positions of one segment, never across a silence longer than
`max_gap_s`; longitudes interpolate along the short way round, so the 180th meridian is no jump. The speed
at a grid point is the great-circle distance to the next grid point of the same run over the step (the
previous one for a run's last point): the positions are 10 minutes apart, so GPS jitter adds little.
"""

from dataclasses import dataclass

import numpy as np

from shadowfleet.detect.geo import KN_TO_M_S, haversine_m, lon_delta_deg, wrap_lon
from shadowfleet.detect.segments import Segments
from shadowfleet.detect.tracks import US_PER_S, Track


@dataclass(frozen=True)
class Resampled:
    mmsi: np.ndarray
    segment_id: np.ndarray
    t_step: np.ndarray  # grid index: ts = t_step * step_s
    lat: np.ndarray
    lon: np.ndarray
    speed_kn: np.ndarray
    simulated: np.ndarray
    step_s: int

    def __len__(self) -> int:
        return len(self.mmsi)

    def take(self, idx: np.ndarray) -> "Resampled":
        return Resampled(
            self.mmsi[idx],
            self.segment_id[idx],
            self.t_step[idx],
            self.lat[idx],
            self.lon[idx],
            self.speed_kn[idx],
            self.simulated[idx],
            self.step_s,
        )


def resample(track: Track, segments: Segments, step_s: int, max_gap_s: float) -> Resampled:
    o = segments.order
    seg = segments.segment_id[o]
    ts_s = track.ts_us[o] // US_PER_S
    lat = track.lat[o]
    lon = track.lon[o]
    if len(seg) < 2:
        e = np.zeros(0, dtype=np.int64)
        f = np.zeros(0)
        return Resampled(e, e, e, f, f, f, np.zeros(0, bool), step_s)
    k = np.flatnonzero((seg[1:] == seg[:-1]) & ((ts_s[1:] - ts_s[:-1]) <= max_gap_s) & (ts_s[1:] > ts_s[:-1]))
    first = -(-ts_s[k] // step_s)  # ceil
    last_excl = -(-ts_s[k + 1] // step_s)
    count = np.maximum(last_excl - first, 0)
    pair = np.repeat(k, count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    t_step = np.repeat(first, count) + offset
    t0 = ts_s[pair]
    frac = (t_step * step_s - t0) / (ts_s[pair + 1] - t0)
    r_lat = lat[pair] + frac * (lat[pair + 1] - lat[pair])
    r_lon = wrap_lon(lon[pair] + frac * lon_delta_deg(lon[pair], lon[pair + 1]))
    r_seg = seg[pair]
    # speed from the next grid point in the same contiguous run
    speed = np.full(len(pair), np.nan)
    if len(pair) > 1:
        nxt = (r_seg[1:] == r_seg[:-1]) & (t_step[1:] == t_step[:-1] + 1)
        d = haversine_m(r_lat[:-1], r_lon[:-1], r_lat[1:], r_lon[1:]) / step_s / KN_TO_M_S
        speed[:-1] = np.where(nxt, d, np.nan)
        back = np.isnan(speed[1:]) & nxt
        speed[1:][back] = d[back]
    # an isolated grid point takes the implied speed of the two positions around it
    alone = np.flatnonzero(np.isnan(speed))
    p = pair[alone]
    speed[alone] = haversine_m(lat[p], lon[p], lat[p + 1], lon[p + 1]) / (ts_s[p + 1] - t0[alone]) / KN_TO_M_S
    return Resampled(
        mmsi=track.mmsi[o][pair],
        segment_id=r_seg,
        t_step=t_step,
        lat=r_lat,
        lon=r_lon,
        speed_kn=speed,
        simulated=track.simulated[o][pair],
        step_s=step_s,
    )
