"""Dark port calls: an AIS gap long enough for the vessel to reach a port, stay, and come back at its own
observed speed, with the draught higher after the gap than before it (it apparently loaded cargo).

Candidate ports are the Venezuelan oil terminals of the gazetteer first (`terminals_only`). A gap is a
candidate when detour(start -> port -> end) <= speed * (gap - min_port_stay_h), where speed is the
vessel's `speed_quantile` of its moving speeds (>= `moving_speed_kn`) in the input, capped at
`max_speed_kn`; the port chosen is the one with the shortest detour. The draught rule compares the last
static report before the gap with the first after it. Our rule, after the dark-port-call reporting on
Venezuelan exports (TankerTrackers, GFW): no published numeric default exists, each is documented here.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect import evidence as ev
from shadowfleet.detect.events import build_events
from shadowfleet.detect.gazetteer import Gazetteer
from shadowfleet.detect.geo import METRES_PER_NM
from shadowfleet.detect.tracks import US_PER_H, Track, starts_of

DETECTOR_VERSION = "dark_port_call-1"


@dataclass(frozen=True)
class DarkPortCallParams:
    min_gap_h: float = 12.0  # our choice: GFW's "likely intentional" gap length
    min_port_stay_h: float = 4.0  # our choice: shortest plausible berth or STS-at-anchor stay
    terminals_only: bool = True  # DESIGN: Venezuelan terminals first
    min_draught_increase_m: float = 0.3  # our choice: above AIS draught rounding (0.1 m) and noise
    require_draught_increase: bool = True  # DESIGN: draught higher after than before
    speed_quantile: float = 0.9  # our choice: a fast but observed speed of this vessel
    moving_speed_kn: float = 3.0  # our choice: speeds below are manoeuvring, not transit
    default_speed_kn: float = 12.0  # our choice: a laden tanker's service speed when none is observed
    max_speed_kn: float = 20.0  # our choice: no tanker transits faster
    min_start_port_distance_m: float = 10_000.0  # our choice: a gap that begins in the port is a port call


def vessel_speed_kn(track: Track, params: DarkPortCallParams) -> tuple[np.ndarray, np.ndarray]:
    """(mmsi, transit speed) per vessel: the chosen quantile of moving speeds, default when none."""
    start = starts_of(track.mmsi)
    vessels = track.mmsi[start]
    rank = np.cumsum(start) - 1
    moving = np.isfinite(track.sog_kn) & (track.sog_kn >= params.moving_speed_kn) & (track.sog_kn < 102.2)
    r = rank[moving]
    s = track.sog_kn[moving]
    o = np.lexsort((s, r))
    r, s = r[o], s[o]
    counts = np.bincount(r, minlength=len(vessels))
    starts = np.cumsum(counts) - counts
    pick = starts + np.floor((counts - 1) * params.speed_quantile).astype(np.int64)
    speed = np.full(len(vessels), params.default_speed_kn)
    ok = counts > 0
    speed[ok] = s[pick[ok]]
    return vessels, np.minimum(speed, params.max_speed_kn)


def _draught_lookup(statics: pa.Table) -> Callable[[int, int, int], tuple[float, float]]:
    t = statics.filter(pc.is_valid(statics.column("draught_m")))
    t = t.filter(pc.greater(t.column("draught_m"), 0.0))
    mm = t.column("mmsi").to_numpy(zero_copy_only=False).astype(np.int64)
    ts = (
        t.column("ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
        if t.num_rows
        else np.zeros(0, np.int64)
    )
    dr = t.column("draught_m").to_numpy(zero_copy_only=False).astype(np.float64)
    o = np.lexsort((ts, mm))
    mm, ts, dr = mm[o], ts[o], dr[o]

    def lookup(mmsi: int, start_us: int, end_us: int) -> tuple[float, float]:
        lo, hi = np.searchsorted(mm, mmsi, "left"), np.searchsorted(mm, mmsi, "right")
        vts = ts[lo:hi]
        k_before = np.searchsorted(vts, start_us, "right") - 1
        k_after = np.searchsorted(vts, end_us, "left")
        before = float(dr[lo + k_before]) if k_before >= 0 else np.nan
        after = float(dr[lo + k_after]) if k_after < len(vts) else np.nan
        return before, after

    return lookup


def detect_dark_port_calls(
    gaps: pa.Table,
    track: Track,
    gazetteer: Gazetteer,
    params: DarkPortCallParams = DarkPortCallParams(),
    statics: pa.Table | None = None,
) -> pa.Table:
    """Dark port calls among the given AIS-gap events (output of `detect_gaps`)."""
    dur = gaps.column("duration_h").to_numpy(zero_copy_only=False) if gaps.num_rows else np.zeros(0)
    g = gaps.filter(pa.array(dur >= params.min_gap_h)) if gaps.num_rows else gaps
    ports = gazetteer.terminals() if params.terminals_only else np.arange(gazetteer.n_ports)
    n = g.num_rows
    if n == 0 or len(ports) == 0:
        z = np.zeros(0)
        return _build(g.slice(0, 0), np.zeros(0, np.int64), z, z, z, z, z, [], gazetteer, params)
    mmsi = g.column("mmsi").to_numpy()
    s_lat, s_lon = g.column("lat").to_numpy(), g.column("lon").to_numpy()
    e_lat, e_lon = g.column("end_lat").to_numpy(), g.column("end_lon").to_numpy()
    gap_h = g.column("duration_h").to_numpy()
    vessels, vspeed = vessel_speed_kn(track.take(np.flatnonzero(np.isin(track.mmsi, mmsi))), params)
    k = np.searchsorted(vessels, mmsi)
    known = (k < len(vessels)) & (vessels[np.minimum(k, len(vessels) - 1)] == mmsi)
    speed = np.where(known, vspeed[np.minimum(k, len(vessels) - 1)], params.default_speed_kn)
    d_out = gazetteer.distance_to_ports_m(s_lat, s_lon, ports)
    d_back = gazetteer.distance_to_ports_m(e_lat, e_lon, ports)
    detour = d_out + d_back
    best = np.argmin(detour, axis=1)
    rowsel = np.arange(n)
    best_detour = detour[rowsel, best]
    start_far = d_out[rowsel, best] >= params.min_start_port_distance_m
    budget_h = gap_h - params.min_port_stay_h
    needed_kn = best_detour / METRES_PER_NM / np.maximum(budget_h, 1e-9)
    reachable = (budget_h > 0) & (needed_kn <= speed) & start_far
    starts_us = g.column("start_ts").cast(pa.int64()).to_numpy()
    ends_us = g.column("end_ts").cast(pa.int64()).to_numpy()
    before = np.full(n, np.nan)
    after = np.full(n, np.nan)
    if statics is not None and statics.num_rows:
        lookup = _draught_lookup(statics)
        for r in np.flatnonzero(reachable):
            before[r], after[r] = lookup(int(mmsi[r]), int(starts_us[r]), int(ends_us[r]))
    increase = after - before
    loaded = increase >= params.min_draught_increase_m
    keep = reachable & (loaded | (not params.require_draught_increase))
    idx = np.flatnonzero(keep)
    return _build(
        g.take(pa.array(idx, pa.int64())),
        ports[best[idx]],
        best_detour[idx] / METRES_PER_NM,
        needed_kn[idx],
        speed[idx],
        before[idx],
        after[idx],
        g.column("event_id").to_pylist() if n else [],
        gazetteer,
        params,
        idx,
    )


def _build(
    g: pa.Table,
    port: np.ndarray,
    detour_nm: np.ndarray,
    needed_kn: np.ndarray,
    speed: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    gap_ids: list[str],
    gazetteer: Gazetteer,
    params: DarkPortCallParams,
    idx: np.ndarray | None = None,
) -> pa.Table:
    n = g.num_rows
    ids = [gap_ids[i] for i in idx] if idx is not None else []
    known = np.isfinite(before) & np.isfinite(after)
    confidence = np.round(0.4 + 0.3 * known + 0.3 * np.clip((after - before) / 2.0, 0, 1) * known, 3)
    evidence = []
    s_lat = g.column("lat").to_numpy() if n else np.zeros(0)
    s_lon = g.column("lon").to_numpy() if n else np.zeros(0)
    e_lat = g.column("end_lat").to_numpy() if n else np.zeros(0)
    e_lon = g.column("end_lon").to_numpy() if n else np.zeros(0)
    st = g.column("start_ts").cast(pa.int64()).to_numpy() if n else np.zeros(0, np.int64)
    en = g.column("end_ts").cast(pa.int64()).to_numpy() if n else np.zeros(0, np.int64)
    for r in range(n):
        evidence.append(
            ev.dumps(
                {
                    "gap_event_id": ids[r],
                    "went_dark": [ev.iso(st[r]), round(float(s_lat[r]), 6), round(float(s_lon[r]), 6)],
                    "reappeared": [ev.iso(en[r]), round(float(e_lat[r]), 6), round(float(e_lon[r]), 6)],
                    "port": [
                        gazetteer.port_name[port[r]],
                        float(gazetteer.port_lat[port[r]]),
                        float(gazetteer.port_lon[port[r]]),
                    ],
                }
            )
        )
    return build_events(
        "dark_port_call",
        mmsi=g.column("mmsi").to_numpy() if n else np.zeros(0, np.int64),
        start_us=st,
        end_us=en,
        lat=gazetteer.port_lat[port],
        lon=gazetteer.port_lon[port],
        confidence=confidence,
        evidence=evidence,
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=g.column("simulated").to_numpy(zero_copy_only=False) if n else np.zeros(0, bool),
        extra={
            "port_id": pa.array(gazetteer.port_id[port].tolist(), pa.string()),
            "port_name": pa.array(gazetteer.port_name[port].tolist(), pa.string()),
            "port_country": pa.array(gazetteer.port_country[port].tolist(), pa.string()),
            "duration_h": (en - st) / US_PER_H,
            "detour_nm": detour_nm,
            "required_speed_kn": needed_kn,
            "vessel_speed_kn": speed,
            "draught_before_m": before,
            "draught_after_m": after,
            "gap_event_id": pa.array(ids, pa.string()),
        },
    )
