"""Columns of a position table as NumPy arrays, and the grouped-array helpers every detector shares.

Input tables follow POSITION_SCHEMA and are sorted by (mmsi, ts). Rows without a usable position (null or
out-of-range lat/lon) are dropped here, once, so detectors never see them.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

US_PER_S = 1_000_000
US_PER_H = 3_600 * US_PER_S


@dataclass(frozen=True)
class Track:
    """Plain arrays of the usable rows."""

    mmsi: np.ndarray
    ts_us: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    sog_kn: np.ndarray  # NaN where not available
    nav_status: np.ndarray  # -1 where not available
    simulated: np.ndarray

    def __len__(self) -> int:
        return len(self.mmsi)

    def take(self, idx: np.ndarray) -> "Track":
        return Track(
            mmsi=self.mmsi[idx],
            ts_us=self.ts_us[idx],
            lat=self.lat[idx],
            lon=self.lon[idx],
            sog_kn=self.sog_kn[idx],
            nav_status=self.nav_status[idx],
            simulated=self.simulated[idx],
        )


def _float(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def track_from_table(positions: pa.Table) -> Track:
    """Usable rows of `positions` as arrays. Raises ValueError when the table is not sorted by (mmsi, ts)."""
    for name in ("mmsi", "ts", "lat", "lon"):
        if name not in positions.column_names:
            raise ValueError(f"positions table has no {name!r} column")
    mmsi = positions.column("mmsi").to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    ts_col = positions.column("ts")
    if pa.types.is_timestamp(ts_col.type):
        ts_col = pc.cast(ts_col, pa.timestamp("us", tz=ts_col.type.tz))
    ts_us = ts_col.to_numpy(zero_copy_only=False).astype("datetime64[us]", copy=False).view(np.int64)
    lat = _float(positions, "lat")
    lon = _float(positions, "lon")
    sog = _float(positions, "sog_kn")
    if "nav_status" in positions.column_names:
        nav = pc.fill_null(positions.column("nav_status"), -1).to_numpy(zero_copy_only=False).astype(np.int16)
    else:
        nav = np.full(positions.num_rows, -1, dtype=np.int16)
    if "simulated" in positions.column_names:
        sim = pc.fill_null(positions.column("simulated"), False).to_numpy(zero_copy_only=False).astype(bool)
    else:
        sim = np.zeros(positions.num_rows, dtype=bool)
    if len(mmsi) > 1:
        d_mmsi = np.diff(mmsi)
        if np.any(d_mmsi < 0) or np.any((d_mmsi == 0) & (np.diff(ts_us) < 0)):
            raise ValueError("positions must be sorted by (mmsi, ts)")
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)
    # every row usable (the usual case): a slice keeps the arrays as they are, no gathered copies
    idx: np.ndarray | slice = slice(None) if ok.all() else np.flatnonzero(ok)
    return Track(
        mmsi=mmsi[idx],
        ts_us=ts_us[idx],
        lat=lat[idx],
        lon=((lon[idx] + 180.0) % 360.0) - 180.0,
        sog_kn=sog[idx],
        nav_status=nav[idx],
        simulated=sim[idx],
    )


def starts_of(keys: np.ndarray) -> np.ndarray:
    """Boolean mask, True where a new run of equal keys begins."""
    out = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        out[1:] = keys[1:] != keys[:-1]
    return out


def run_bounds(run_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, last) row index of every run given its start mask."""
    first = np.flatnonzero(run_start)
    last = np.empty_like(first)
    if len(first):
        last[:-1] = first[1:] - 1
        last[-1] = len(run_start) - 1
    return first, last


def run_index(run_start: np.ndarray) -> np.ndarray:
    """Run number (0-based) of every row."""
    return np.cumsum(run_start) - 1


def forward_fill_index(defined: np.ndarray, reset: np.ndarray) -> np.ndarray:
    """For every row, the index of the latest row at or before it where `defined` is True, not crossing a
    row where `reset` is True (a reset row without a definition yields -1)."""
    n = len(defined)
    anchor = defined | reset
    latest = np.maximum.accumulate(np.where(anchor, np.arange(n), -1)) if n else np.zeros(0, np.int64)
    ok = latest >= 0
    ok[ok] = defined[latest[ok]]
    return np.where(ok, latest, -1)


def _search_in_groups(
    ts_us: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: np.ndarray, side: str
) -> np.ndarray:
    """Vectorised binary search: for each query, the first row in [lo, hi) whose ts is > target
    (side "right") or >= target (side "left"); rows in [lo, hi) are sorted by ts."""
    lo = lo.copy()
    hi = hi.copy()
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        t = ts_us[np.minimum(mid, len(ts_us) - 1)]
        go_right = open_ & ((t <= target) if side == "right" else (t < target))
        lo = np.where(go_right, mid + 1, lo)
        hi = np.where(open_ & ~go_right, mid, hi)


def group_count_in_window(
    group: np.ndarray, ts_us: np.ndarray, query_rows: np.ndarray, window_us: int, forward: bool = False
) -> np.ndarray:
    """For each query row i, how many rows of the same group have ts in (ts_i - window, ts_i]
    (with `forward`: in [ts_i, ts_i + window)).

    Rows are sorted by (group, ts). A binary search within each query's own group: exact for any time
    span (no combined key that could overflow).
    """
    query_rows = np.asarray(query_rows, dtype=np.int64)
    if len(query_rows) == 0:
        return np.zeros(0, dtype=np.int64)
    start_mask = starts_of(group)
    first, last = run_bounds(start_mask)
    r = run_index(start_mask)[query_rows]
    g_lo, g_hi = first[r].astype(np.int64), last[r].astype(np.int64) + 1
    q = ts_us[query_rows].astype(np.int64)
    if forward:
        start = _search_in_groups(ts_us, g_lo, g_hi, q, "left")
        end = _search_in_groups(ts_us, g_lo, g_hi, q + window_us, "left")
        return end - start
    end = _search_in_groups(ts_us, g_lo, g_hi, q, "right")
    start = _search_in_groups(ts_us, g_lo, g_hi, q - window_us, "right")
    return end - start


def vessel_bounds(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row, the first and last row index of its run of equal keys."""
    start = starts_of(keys)
    first, last = run_bounds(start)
    r = run_index(start)
    return first[r], last[r]
