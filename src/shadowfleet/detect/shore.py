"""Distance to shore and on-land tests from real land polygons (coastline vertices + polygons in memory).

Loading the polygons is `shadowfleet.geodata.land`'s job; this holds them and answers vectorised queries.
Distances are to the nearest coastline vertex (Natural Earth vertices are ~1 km apart at 1:10m), exact
great-circle, capped at `cap_nm` (farther points get `inf`, meaning "at least the cap").
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from shadowfleet.detect.geo import METRES_PER_NM, haversine_m


@dataclass(frozen=True, eq=False)
class Shore:
    coast_lat: np.ndarray
    coast_lon: np.ndarray
    land: Any  # a shapely (Multi)Polygon in lon/lat degrees, or None for "no land known"
    source: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _tree(self) -> shapely.STRtree:
        if "tree" not in self._cache:
            self._cache["tree"] = shapely.STRtree(shapely.points(self.coast_lon, self.coast_lat))
        return self._cache["tree"]

    def _prepared_land(self) -> Any:
        if "land" not in self._cache:
            shapely.prepare(self.land)
            self._cache["land"] = self.land
        return self._cache["land"]

    def is_land(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """True where the point lies inside a land polygon."""
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        if self.land is None or len(lat) == 0:
            return np.zeros(len(lat), dtype=bool)
        return np.asarray(shapely.contains_xy(self._prepared_land(), lon, lat), dtype=bool)

    def distance_nm(self, lat: np.ndarray, lon: np.ndarray, cap_nm: float = 200.0) -> np.ndarray:
        """Distance to the nearest coastline vertex in nautical miles; 0 on land; inf beyond cap_nm."""
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        n = len(lat)
        out = np.full(n, np.inf)
        if n == 0 or len(self.coast_lat) == 0:
            return out
        tree = self._tree()
        pts = shapely.points(lon, lat)
        # nearest in the lon/lat plane, then every vertex that could be nearer on the sphere: a vertex
        # nearer in metres is at most d / cos(lat) away in degrees
        q_idx, v_idx = tree.query_nearest(pts, all_matches=False)
        d0 = haversine_m(lat[q_idx], lon[q_idx], self.coast_lat[v_idx], self.coast_lon[v_idx])
        deg0 = np.hypot(lat[q_idx] - self.coast_lat[v_idx], lon[q_idx] - self.coast_lon[v_idx])
        cos_lat = np.maximum(np.cos(np.radians(np.abs(lat[q_idx]) + deg0)), 0.05)
        cap_deg = cap_nm * METRES_PER_NM / 111_000.0 / cos_lat
        search_deg = np.minimum(deg0 / cos_lat, cap_deg) * 1.0001
        best = np.where(d0 <= cap_nm * METRES_PER_NM, d0, np.inf)
        out[q_idx] = best
        near = np.flatnonzero(deg0 <= cap_deg)
        if len(near):
            qq, vv = tree.query(pts[q_idx[near]], predicate="dwithin", distance=search_deg[near])
            qrow = q_idx[near][qq]
            d = haversine_m(lat[qrow], lon[qrow], self.coast_lat[vv], self.coast_lon[vv])
            np.minimum.at(out, qrow, d)
        out[out > cap_nm * METRES_PER_NM] = np.inf
        out = out / METRES_PER_NM
        out[self.is_land(lat, lon)] = 0.0
        return out
