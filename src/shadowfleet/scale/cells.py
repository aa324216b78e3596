"""Space-time cells for spreading encounter search over a cluster.

A cell is one UTC day x one cube of `cell_m` in Earth-centred coordinates (the encounter detector's own
kind of grid, coarser): no special case at the poles or the antimeridian. Every resampled point lives in
its home cell and is copied into each neighbouring cell it lies within `margin_m` of, so two points closer
than `margin_m` always meet in the home cell of either one. A close pair is then kept only in the group of
the home cell of its lower-MMSI point: found once, never twice.

Cell keys pack (day, x, y, z) into one int64: 21 bits of day, 14 bits per axis, hence `cell_m` >= 1 km.
"""

import numpy as np

from shadowfleet.detect.geo import EARTH_RADIUS_M, to_unit_xyz

MIN_CELL_M = 1_000.0
_AXIS_BITS = 14
_AXIS_OFFSET = 1 << (_AXIS_BITS - 1)
_AXIS_MASK = (1 << _AXIS_BITS) - 1
US_PER_DAY = 86_400_000_000
_OFFSETS = np.array([(x, y, z) for x in (-1, 0, 1) for y in (-1, 0, 1) for z in (-1, 0, 1)], dtype=np.int64)


def cell_keys(day: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Pack day numbers and (n, 3) cube indices into int64 keys."""
    c = (cell + _AXIS_OFFSET) & _AXIS_MASK
    return (
        (day.astype(np.int64) << (3 * _AXIS_BITS))
        | (c[:, 0] << (2 * _AXIS_BITS))
        | (c[:, 1] << _AXIS_BITS)
        | c[:, 2]
    )


def bucket_of(keys: np.ndarray, n_buckets: int) -> np.ndarray:
    """A well-mixed bucket in [0, n_buckets) for int64 keys (SplitMix64 finaliser); keys if n_buckets is 0."""
    if n_buckets <= 0:
        return keys.astype(np.int64)
    x = keys.astype(np.uint64)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x % np.uint64(n_buckets)).astype(np.int64)


def replicate(
    lat: np.ndarray, lon: np.ndarray, ts_us: np.ndarray, cell_m: float, margin_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Home and neighbour cells of every point: (point index, cell key, home key), one row per copy.

    Copies go to every neighbouring cube the point is within `margin_m` of along each axis (the chord
    between two points is never longer than their great-circle distance, so this never misses a pair).
    """
    if cell_m < MIN_CELL_M:
        raise ValueError(f"cell_m must be at least {MIN_CELL_M:.0f} m, got {cell_m}")
    if margin_m >= cell_m / 2:
        raise ValueError("cell_m must be more than twice the encounter distance")
    n = len(lat)
    xyz = to_unit_xyz(lat, lon) * (EARTH_RADIUS_M / cell_m)
    cell = np.floor(xyz).astype(np.int64)
    frac = xyz - cell
    edge = margin_m / cell_m
    day = np.floor_divide(ts_us, US_PER_DAY)
    home = cell_keys(day, cell)
    allowed = {-1: frac < edge, 0: np.ones((n, 3), dtype=bool), 1: frac > 1.0 - edge}
    idx_parts, key_parts = [], []
    for off in _OFFSETS:
        m = allowed[int(off[0])][:, 0] & allowed[int(off[1])][:, 1] & allowed[int(off[2])][:, 2]
        sel = np.flatnonzero(m)
        idx_parts.append(sel)
        key_parts.append(cell_keys(day[sel], cell[sel] + off))
    idx = np.concatenate(idx_parts)
    return idx, np.concatenate(key_parts), home[idx]
