"""Track segmentation: split each MMSI's stream into physically plausible segments.

A new segment starts where the time since the previous position exceeds `max_gap_h`, or where reaching
the position would need more than `max_implied_speed_kn` (plus a GPS noise allowance). Pieces cut by an
impossible jump are then re-attached to the open segment of the same MMSI they are consistent with, so two
transmitters sharing one MMSI become two segments that overlap in time: that overlap is the shared or
spoofed MMSI signal (`shared_mmsi_overlaps`). Defaults follow Global Fishing Watch's segmenter (50 kn,
24 h). The re-attachment loops over pieces, and only for MMSIs that have an impossible jump.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from shadowfleet.detect.geo import KN_TO_M_S, haversine_m, step_bound_m
from shadowfleet.detect.tracks import US_PER_H, US_PER_S, Track, run_bounds, starts_of

DETECTOR_VERSION = "segments-1"


@dataclass(frozen=True)
class SegmentParams:
    # GFW segmenter (pipe-segment): max_speed 50 kn, max_hours 24.
    max_implied_speed_kn: float = 50.0
    max_gap_h: float = 24.0
    # Our choice: positions seconds apart differ by GPS noise; a jump must exceed speed*time + this.
    position_noise_m: float = 500.0
    # Our choice: segments shorter than this do not count as a second transmitter (single glitches).
    min_positions_for_overlap: int = 3


@dataclass(frozen=True)
class Segments:
    """`segment_id[i]` for every row of the Track; `order` sorts rows by (segment_id, ts)."""

    segment_id: np.ndarray
    order: np.ndarray
    jump_before: np.ndarray  # True where the row came after an impossible jump from the previous row

    @property
    def is_contiguous(self) -> bool:
        return bool(np.all(self.order == np.arange(len(self.order))))


def _step_breaks(track: Track, params: SegmentParams) -> tuple[np.ndarray, np.ndarray]:
    n = len(track)
    new_vessel = starts_of(track.mmsi)
    gap = np.zeros(n, dtype=bool)
    jump = np.zeros(n, dtype=bool)
    if n > 1:
        dt_s = (track.ts_us[1:] - track.ts_us[:-1]) / US_PER_S
        reach_m = params.max_implied_speed_kn * KN_TO_M_S * dt_s + params.position_noise_m
        # The great circle is computed only for steps an upper bound cannot already clear.
        maybe = np.flatnonzero(step_bound_m(track.lat, track.lon) > reach_m)
        dist = haversine_m(track.lat[maybe], track.lon[maybe], track.lat[maybe + 1], track.lon[maybe + 1])
        gap[1:] = dt_s > params.max_gap_h * 3600.0
        jump[maybe + 1] = dist > reach_m[maybe]
    gap &= ~new_vessel
    jump &= ~new_vessel & ~gap
    return new_vessel | gap | jump, jump


def segment_track(track: Track, params: SegmentParams) -> Segments:
    n = len(track)
    breaks, jump = _step_breaks(track, params)
    piece_first, piece_last = run_bounds(breaks) if n else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    piece_seg = np.arange(len(piece_first), dtype=np.int64)
    suspect_mmsi = np.unique(track.mmsi[jump])
    if len(suspect_mmsi):
        max_gap_us = params.max_gap_h * US_PER_H
        speed_m_us = params.max_implied_speed_kn * KN_TO_M_S / US_PER_S
        piece_mmsi = track.mmsi[piece_first]
        for p in np.flatnonzero(np.isin(piece_mmsi, suspect_mmsi)):
            # one loop step per piece of a suspect MMSI: attach to the closest consistent open segment
            same = np.flatnonzero(piece_mmsi[:p] == piece_mmsi[p])
            if len(same) == 0:
                continue
            # the latest piece of each earlier segment is that segment's current end
            segs, last_piece_rev = np.unique(piece_seg[same][::-1], return_index=True)
            ends = piece_last[same[::-1][last_piece_rev]]
            f = piece_first[p]
            dt = track.ts_us[f] - track.ts_us[ends]
            d = haversine_m(track.lat[ends], track.lon[ends], track.lat[f], track.lon[f])
            ok = (dt >= 0) & (dt <= max_gap_us) & (d <= speed_m_us * dt + params.position_noise_m)
            if np.any(ok):
                piece_seg[p] = segs[ok][np.argmin(d[ok])]
    # a segment's id is the index of its first piece, so np.unique's order is first-appearance order
    _, rank = np.unique(piece_seg, return_inverse=True)
    lengths = piece_last - piece_first + 1
    seg = np.repeat(rank, lengths)
    order = np.lexsort((track.ts_us, seg)) if len(suspect_mmsi) else np.arange(n)
    return Segments(segment_id=seg, order=order, jump_before=jump)


SEGMENT_TABLE_SCHEMA = pa.schema(
    [
        ("mmsi", pa.int64()),
        ("segment_id", pa.int64()),
        ("first_ts", pa.timestamp("us", tz="UTC")),
        ("last_ts", pa.timestamp("us", tz="UTC")),
        ("n_positions", pa.int64()),
    ]
)


def segment_table(track: Track, segments: Segments) -> pa.Table:
    """One row per segment: mmsi, id, first and last time, number of positions."""
    o = segments.order
    seg = segments.segment_id[o]
    first, last = run_bounds(starts_of(seg)) if len(seg) else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    ts = track.ts_us[o]
    return pa.table(
        {
            "mmsi": pa.array(track.mmsi[o][first], pa.int64()),
            "segment_id": pa.array(seg[first], pa.int64()),
            "first_ts": pa.array(ts[first], pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            "last_ts": pa.array(ts[last], pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            "n_positions": pa.array(last - first + 1, pa.int64()),
        },
        schema=SEGMENT_TABLE_SCHEMA,
    )


def shared_mmsi_overlaps(track: Track, segments: Segments, params: SegmentParams) -> pa.Table:
    """Pairs of segments of one MMSI that overlap in time: two transmitters using one MMSI.

    Columns: mmsi, segment_a, segment_b, overlap_start (ts), overlap_end (ts), n_positions_a, n_positions_b.
    Only segments with at least `min_positions_for_overlap` positions count.
    """
    segs = segment_table(track, segments)
    n_pos = segs.column("n_positions").to_numpy()
    keep = np.flatnonzero(n_pos >= params.min_positions_for_overlap)
    mmsi = segs.column("mmsi").to_numpy()[keep]
    sid = segs.column("segment_id").to_numpy()[keep]
    t0 = segs.column("first_ts").cast(pa.int64()).to_numpy()[keep]
    t1 = segs.column("last_ts").cast(pa.int64()).to_numpy()[keep]
    npos = n_pos[keep]
    o = np.lexsort((t0, mmsi))
    mmsi, sid, t0, t1, npos = mmsi[o], sid[o], t0[o], t1[o], npos[o]
    rows: list[tuple[int, int, int, int, int, int, int]] = []
    if len(mmsi) > 1:
        group_start = starts_of(mmsi)
        rank = np.cumsum(group_start) - 1
        span = int(t1.max() - t1.min()) + 1
        key = rank * span + (t1 - t1.min())
        running = np.maximum.accumulate(key) - rank * span + t1.min()  # max end so far in this MMSI
        earlier_max_end = np.empty_like(running)
        earlier_max_end[1:] = running[:-1]
        cand = np.flatnonzero(~group_start & (t0 < np.where(group_start, t0, earlier_max_end)))
        vessel_first = np.maximum.accumulate(np.where(group_start, np.arange(len(mmsi)), 0))
        for i in cand:  # one step per overlapping segment: rare outside shared MMSIs
            for j in range(vessel_first[i], i):
                start, end = max(t0[i], t0[j]), min(t1[i], t1[j])
                if start < end:
                    rows.append((mmsi[i], sid[j], sid[i], start, end, npos[j], npos[i]))
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in range(7)]
    ts = pa.timestamp("us", tz="UTC")
    return pa.table(
        {
            "mmsi": pa.array(cols[0], pa.int64()),
            "segment_a": pa.array(cols[1], pa.int64()),
            "segment_b": pa.array(cols[2], pa.int64()),
            "overlap_start": pa.array(cols[3], pa.int64()).cast(ts),
            "overlap_end": pa.array(cols[4], pa.int64()).cast(ts),
            "n_positions_a": pa.array(cols[5], pa.int64()),
            "n_positions_b": pa.array(cols[6], pa.int64()),
        }
    )
