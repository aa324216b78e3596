"""A fixed-radius nearest-point index on the sphere, pure NumPy (hash of lat/lon cells, sorted keys).

Each indexed point is registered in every cell its radius disc touches; a query looks up its own cell
only and measures the exact great-circle distance to the few candidates found there.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from shadowfleet.detect.geo import EARTH_RADIUS_M, haversine_m

_METRES_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0
_BLOCK = 16


@dataclass(frozen=True)
class RadiusIndex:
    lat: np.ndarray
    lon: np.ndarray
    radius_m: float
    n_lon_cells: int
    cell_deg: float
    keys: np.ndarray  # sorted cell keys
    members: np.ndarray  # point index of each key
    # the distinct keys, where each one's run starts in `keys`, and its length
    cell_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    cell_first: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    cell_count: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # True for every block of _BLOCK x _BLOCK cells holding a key: queries elsewhere skip the search
    occupied_blocks: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))

    @classmethod
    def build(cls, lat: np.ndarray, lon: np.ndarray, radius_m: float) -> "RadiusIndex":
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        n_lon = max(1, math.floor(360.0 / max(radius_m / _METRES_PER_DEG, 0.01)))
        cell = 360.0 / n_lon
        r_deg = radius_m / _METRES_PER_DEG
        i0 = np.floor((lat - r_deg + 90.0) / cell).astype(np.int64)
        i1 = np.floor((lat + r_deg + 90.0) / cell).astype(np.int64)
        far_lat = np.minimum(np.abs(lat) + r_deg, 89.999)
        dlon = np.minimum(r_deg / np.cos(np.radians(far_lat)), 180.0)
        j0 = np.floor((lon - dlon + 180.0) / cell).astype(np.int64)
        j1 = np.floor((lon + dlon + 180.0) / cell).astype(np.int64)
        nj = np.minimum(j1 - j0 + 1, n_lon)
        ni = i1 - i0 + 1
        total = ni * nj
        owner = np.repeat(np.arange(len(lat)), total)
        k = np.arange(int(total.sum())) - np.repeat(np.cumsum(total) - total, total)
        ci = i0[owner] + k // nj[owner]
        cj = (j0[owner] + k % nj[owner]) % n_lon
        keys = ci * n_lon + cj
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        cell_first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else keys
        cell_count = np.diff(np.append(cell_first, len(keys)))
        n_lat = math.floor(180.0 / cell) + 2
        blocks = np.zeros((n_lat // _BLOCK + 2, n_lon // _BLOCK + 1), dtype=bool)
        cell_keys = keys[cell_first]
        blocks[np.clip(cell_keys // n_lon, 0, None) // _BLOCK, (cell_keys % n_lon) // _BLOCK] = True
        return cls(
            lat,
            lon,
            float(radius_m),
            n_lon,
            cell,
            keys,
            owner[order],
            cell_keys,
            cell_first,
            cell_count,
            blocks,
        )

    def _keys_of(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        ci = np.floor((np.asarray(lat) + 90.0) / self.cell_deg).astype(np.int64)
        cj = np.floor((np.asarray(lon) + 180.0) / self.cell_deg).astype(np.int64) % self.n_lon_cells
        return ci * self.n_lon_cells + cj

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest point within the radius (-1 if none) and its distance in metres (inf)."""
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        n = len(lat)
        best = np.full(n, -1, dtype=np.int64)
        best_d = np.full(n, np.inf)
        if n == 0 or len(self.keys) == 0:
            return best, best_d
        q = self._keys_of(lat, lon)
        ci, cj = q // self.n_lon_cells, q % self.n_lon_cells
        bi = np.clip(ci // _BLOCK, 0, self.occupied_blocks.shape[0] - 1)
        maybe = np.flatnonzero(self.occupied_blocks[bi, cj // _BLOCK])
        at = np.minimum(np.searchsorted(self.cell_keys, q[maybe]), len(self.cell_keys) - 1)
        found = self.cell_keys[at] == q[maybe]
        hit, at = maybe[found], at[found]
        if len(hit) == 0:
            return best, best_d
        c = self.cell_count[at]
        qi = np.repeat(hit, c)
        slot = np.repeat(self.cell_first[at], c) + (np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c))
        pt = self.members[slot]
        d = haversine_m(lat[qi], lon[qi], self.lat[pt], self.lon[pt])
        ok = d <= self.radius_m
        qi, pt, d = qi[ok], pt[ok], d[ok]
        o = np.lexsort((d, qi))
        qi, pt, d = qi[o], pt[o], d[o]
        first = np.ones(len(qi), dtype=bool)
        first[1:] = qi[1:] != qi[:-1]
        best[qi[first]] = pt[first]
        best_d[qi[first]] = d[first]
        return best, best_d
