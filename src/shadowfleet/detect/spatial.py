"""A fixed-radius nearest-point index on the sphere, pure NumPy (hash of lat/lon cells, sorted keys).

Each indexed point is registered in every cell its radius disc touches; a query looks up its own cell
only and measures the exact great-circle distance to the few candidates found there.
"""

import math
from dataclasses import dataclass

import numpy as np

from shadowfleet.detect.geo import EARTH_RADIUS_M, haversine_m

_METRES_PER_DEG = math.pi * EARTH_RADIUS_M / 180.0


@dataclass(frozen=True)
class RadiusIndex:
    lat: np.ndarray
    lon: np.ndarray
    radius_m: float
    n_lon_cells: int
    cell_deg: float
    keys: np.ndarray  # sorted cell keys
    members: np.ndarray  # point index of each key

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
        return cls(lat, lon, float(radius_m), n_lon, cell, keys[order], owner[order])

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
        lo = np.searchsorted(self.keys, q, side="left")
        hi = np.searchsorted(self.keys, q, side="right")
        cnt = hi - lo
        hit = np.flatnonzero(cnt > 0)
        if len(hit) == 0:
            return best, best_d
        c = cnt[hit]
        qi = np.repeat(hit, c)
        slot = np.repeat(lo[hit], c) + (np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c))
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
