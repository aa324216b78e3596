"""Spherical geometry and land tests for the simulator (NumPy, metres and degrees)."""

import numpy as np

from shadowfleet.model.units import EARTH_RADIUS_M

Floats = np.ndarray | float


def wrap_lon(lon: Floats) -> np.ndarray:
    return (np.asarray(lon) + 180.0) % 360.0 - 180.0


def haversine_m(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def bearing_deg(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dlmb) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlmb)
    return np.degrees(np.arctan2(y, x)) % 360.0


def offset_m(lat: Floats, lon: Floats, north_m: Floats, east_m: Floats) -> tuple[np.ndarray, np.ndarray]:
    """Move by small north/east offsets (local flat-earth approximation, fine below ~100 km)."""
    lat = np.asarray(lat, dtype=float)
    dlat = np.degrees(np.asarray(north_m) / EARTH_RADIUS_M)
    dlon = np.degrees(np.asarray(east_m) / (EARTH_RADIUS_M * np.cos(np.radians(lat))))
    return lat + dlat, wrap_lon(np.asarray(lon) + dlon)


def destination(
    lat: Floats, lon: Floats, bearing: Floats, distance_m: Floats
) -> tuple[np.ndarray, np.ndarray]:
    """The point `distance_m` away on the great circle leaving at `bearing` degrees."""
    p1, l1 = np.radians(lat), np.radians(lon)
    theta, delta = np.radians(bearing), np.asarray(distance_m) / EARTH_RADIUS_M
    p2 = np.arcsin(np.sin(p1) * np.cos(delta) + np.cos(p1) * np.sin(delta) * np.cos(theta))
    l2 = l1 + np.arctan2(np.sin(theta) * np.sin(delta) * np.cos(p1), np.cos(delta) - np.sin(p1) * np.sin(p2))
    return np.degrees(p2), wrap_lon(np.degrees(l2))


def is_land(lat: Floats, lon: Floats) -> np.ndarray:
    """The global ~1 km land mask (package `global-land-mask`; loaded on first use, ~1 GB)."""
    from global_land_mask import globe

    lat = np.clip(np.asarray(lat, dtype=float), -89.999, 89.999)
    return np.asarray(globe.is_land(lat, wrap_lon(np.asarray(lon, dtype=float))), dtype=bool)


def clear_of_land(lat: float, lon: float, radius_m: float, n_rings: int = 8, n_bearings: int = 32) -> bool:
    """True when no land-mask cell is found on rings out to `radius_m` around the point."""
    radii = np.linspace(radius_m / n_rings, radius_m, n_rings)
    bearings = np.linspace(0.0, 360.0, n_bearings, endpoint=False)
    rr, bb = np.meshgrid(radii, bearings)
    plat, plon = destination(np.full(rr.size, lat), np.full(rr.size, lon), bb.ravel(), rr.ravel())
    return not bool(is_land(np.append(plat, lat), np.append(plon, lon)).any())


def _ring_offsets(max_m: float, step_m: float = 250.0) -> tuple[np.ndarray, np.ndarray]:
    """Bearings and distances of candidate points, nearest first, out to `max_m`."""
    bearings, distances = [0.0], [0.0]
    for radius in np.arange(step_m, max_m + 1.0, step_m):
        n = max(8, int(2 * np.pi * radius / step_m))
        bearings.extend(np.linspace(0.0, 360.0, n, endpoint=False))
        distances.extend([float(radius)] * n)
    return np.array(bearings), np.array(distances)


def nearest_water_many(
    lat: Floats, lon: Floats, max_m: float, clearance_m: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each point, the nearest candidate within `max_m` whose surroundings (`clearance_m`) are water.

    Returns latitude, longitude and a found-mask; points without water nearby keep their position.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    q = len(lat)
    if q == 0:
        return lat.copy(), lon.copy(), np.zeros(0, dtype=bool)
    bearings, distances = _ring_offsets(max_m)
    c = len(bearings)
    clat, clon = destination(
        np.repeat(lat, c), np.repeat(lon, c), np.tile(bearings, q), np.tile(distances, q)
    )
    ok = ~is_land(clat, clon)
    if clearance_m > 0:
        ring_b = np.arange(0.0, 360.0, 30.0)
        k = len(ring_b)
        idx = np.nonzero(ok)[0]
        rlat, rlon = destination(
            np.repeat(clat[idx], k),
            np.repeat(clon[idx], k),
            np.tile(ring_b, len(idx)),
            np.full(len(idx) * k, clearance_m),
        )
        ring_land = is_land(rlat, rlon).reshape(len(idx), k).any(axis=1)
        ok[idx[ring_land]] = False
    ok = ok.reshape(q, c)
    found = np.asarray(ok.any(axis=1), dtype=bool)
    first = np.argmax(ok, axis=1)
    rows = np.arange(q)
    out_lat = np.where(found, clat.reshape(q, c)[rows, first], lat)
    out_lon = np.where(found, clon.reshape(q, c)[rows, first], lon)
    return out_lat, out_lon, found


def nearest_water(
    lat: float, lon: float, max_m: float, clearance_m: float = 400.0
) -> tuple[float, float] | None:
    """The nearest point within `max_m` whose surroundings (`clearance_m`) are water, or None."""
    out_lat, out_lon, found = nearest_water_many(np.array([lat]), np.array([lon]), max_m, clearance_m)
    return (float(out_lat[0]), float(out_lon[0])) if found[0] else None


class Polyline:
    """A route as vertices (lat, lon unwrapped across the antimeridian) with cumulative distance."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray) -> None:
        lon_unwrapped = np.degrees(np.unwrap(np.radians(np.asarray(lon, dtype=float))))
        lat = np.asarray(lat, dtype=float)
        keep = np.concatenate([[True], (np.diff(lat) != 0) | (np.diff(lon_unwrapped) != 0)])
        self.lat, self.lon = lat[keep], lon_unwrapped[keep]
        seg = haversine_m(self.lat[:-1], self.lon[:-1], self.lat[1:], self.lon[1:])
        self.cum_m = np.concatenate([[0.0], np.cumsum(seg)])
        self.seg_bearing = bearing_deg(self.lat[:-1], self.lon[:-1], self.lat[1:], self.lon[1:])

    @property
    def length_m(self) -> float:
        return float(self.cum_m[-1])

    def at(self, distance_m: Floats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Latitude, longitude (wrapped) and course at distances along the line."""
        d = np.clip(np.asarray(distance_m, dtype=float), 0.0, self.length_m)
        if len(self.lat) == 1:
            n = d.shape
            return np.full(n, self.lat[0]), np.full(n, wrap_lon(self.lon[0])), np.zeros(n)
        i = np.clip(np.searchsorted(self.cum_m, d, side="right") - 1, 0, len(self.cum_m) - 2)
        seg_len = self.cum_m[i + 1] - self.cum_m[i]
        f = np.where(seg_len > 0, (d - self.cum_m[i]) / np.where(seg_len > 0, seg_len, 1.0), 0.0)
        lat = self.lat[i] + f * (self.lat[i + 1] - self.lat[i])
        lon = self.lon[i] + f * (self.lon[i + 1] - self.lon[i])
        return lat, wrap_lon(lon), self.seg_bearing[i]

    def densified(self, step_m: float) -> tuple[np.ndarray, np.ndarray]:
        d = np.append(np.arange(0.0, self.length_m, step_m), self.length_m)
        lat, lon, _ = self.at(d)
        return lat, lon
