"""Port calls: a state machine with entry/exit hysteresis, vectorised with a forward fill.

A vessel enters a port when it comes within `entry_distance_m` of a port or anchorage point and leaves
only when it is beyond `exit_distance_m` of every point, so a ship drifting at the boundary does not
flap in and out (Global Fishing Watch anchorages pipeline: 3 km in, 4 km out). A visit counts as a port
call when the vessel stopped (speed below `stop_speed_kn`, GFW: 0.5 kn) during it. The port is the one
whose point the vessel came nearest to. Confidence grows with the evidence: a stop, a moored/at-anchor
navigation status, and the number of positions inside.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shadowfleet.detect import evidence as ev
from shadowfleet.detect.events import build_events
from shadowfleet.detect.gazetteer import Gazetteer
from shadowfleet.detect.segments import SegmentParams, Segments, segment_track
from shadowfleet.detect.speeds import speed_kn
from shadowfleet.detect.tracks import (
    US_PER_H,
    Track,
    forward_fill_index,
    run_bounds,
    starts_of,
    track_from_table,
)

DETECTOR_VERSION = "port_call-1"
MOORED_OR_AT_ANCHOR = (1, 5)  # AIS navigation status: 1 at anchor, 5 moored


@dataclass(frozen=True)
class PortCallParams:
    entry_distance_m: float = 3_000.0  # GFW anchorages: port entry within 3 km
    exit_distance_m: float = 4_000.0  # GFW anchorages: port exit beyond 4 km
    stop_speed_kn: float = 0.5  # GFW anchorages: a stop is speed < 0.5 kn
    require_stop: bool = True  # DESIGN: a port call needs a stop


def port_visits(
    track: Track, seg: np.ndarray, gazetteer: Gazetteer, params: PortCallParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(visit_start_mask over in-port rows, in-port row indices, nearest port per row, distance_m per row)."""
    port, dist = gazetteer.nearest_port(track.lat, track.lon, params.exit_distance_m)
    enter = dist <= params.entry_distance_m
    leave = dist > params.exit_distance_m
    last = forward_fill_index(enter | leave, starts_of(seg))
    in_port = last >= 0
    in_port[in_port] = enter[last[in_port]]
    rows = np.flatnonzero(in_port)
    start = np.ones(len(rows), dtype=bool)
    if len(rows) > 1:
        start[1:] = (rows[1:] != rows[:-1] + 1) | (seg[rows[1:]] != seg[rows[:-1]])
    return start, rows, port, dist


def detect_port_calls_track(
    track: Track,
    params: PortCallParams,
    gazetteer: Gazetteer,
    segments: Segments | None = None,
    segment_params: SegmentParams = SegmentParams(),
) -> pa.Table:
    if params.exit_distance_m < params.entry_distance_m:
        raise ValueError("exit_distance_m must not be smaller than entry_distance_m")
    segs = segments if segments is not None else segment_track(track, segment_params)
    tr = track if segs.is_contiguous else track.take(segs.order)
    seg = segs.segment_id[segs.order]
    start, rows, port, dist = port_visits(tr, seg, gazetteer, params)
    visit = np.cumsum(start) - 1
    n_v = int(visit[-1]) + 1 if len(visit) else 0
    first, last = run_bounds(start) if len(rows) else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    spd = speed_kn(tr, seg)[rows]
    stopped = np.zeros(n_v, dtype=bool)
    np.logical_or.at(stopped, visit, spd < params.stop_speed_kn)
    moored = np.zeros(n_v, dtype=bool)
    np.logical_or.at(moored, visit, np.isin(tr.nav_status[rows], MOORED_OR_AT_ANCHOR))
    nearest = np.lexsort((dist[rows], visit))
    nearest_first = nearest[np.cumsum(np.bincount(visit, minlength=n_v)) - np.bincount(visit, minlength=n_v)]
    v_port = port[rows][nearest_first]
    v_dist = dist[rows][nearest_first]
    keep = np.flatnonzero(stopped | (not params.require_stop))
    a, b = rows[first[keep]], rows[last[keep]]
    n_pos = (last - first + 1)[keep]
    vp = v_port[keep]
    confidence = np.round(
        0.3 + 0.3 * stopped[keep] + 0.2 * moored[keep] + 0.2 * np.minimum(n_pos / 10.0, 1.0), 3
    )
    evidence = ev.json_objects({"track": ev.points_json(tr.ts_us, tr.lat, tr.lon, a, b)}, len(a))
    return build_events(
        "port_call",
        mmsi=tr.mmsi[a],
        start_us=tr.ts_us[a],
        end_us=tr.ts_us[b],
        lat=gazetteer.port_lat[vp],
        lon=gazetteer.port_lon[vp],
        confidence=confidence,
        evidence=evidence,
        params=params,
        detector_version=DETECTOR_VERSION,
        simulated=tr.simulated[a],
        extra={
            "port_id": pa.array(gazetteer.port_id[vp].tolist(), pa.string()),
            "port_name": pa.array(gazetteer.port_name[vp].tolist(), pa.string()),
            "port_country": pa.array(gazetteer.port_country[vp].tolist(), pa.string()),
            "venezuelan_terminal": gazetteer.port_is_ve_terminal[vp],
            "duration_h": (tr.ts_us[b] - tr.ts_us[a]) / US_PER_H,
            "min_port_distance_m": v_dist[keep],
            "n_positions": n_pos,
            "stopped": stopped[keep],
        },
    )


def detect_port_calls(
    positions: pa.Table, gazetteer: Gazetteer, params: PortCallParams = PortCallParams()
) -> pa.Table:
    """Port-call events for every vessel in `positions` (sorted by mmsi, ts)."""
    return detect_port_calls_track(track_from_table(positions), params, gazetteer)
