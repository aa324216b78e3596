"""Vectorised spherical geometry: distances, bearings, offsets, antimeridian-safe longitudes.

Every function takes and returns NumPy arrays (scalars broadcast). Degrees in, metres out unless a name
says otherwise. Longitudes are wrapped to [-180, 180).
"""

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
METRES_PER_NM = 1852.0
KN_TO_M_S = METRES_PER_NM / 3600.0


def wrap_lon(lon_deg: np.ndarray) -> np.ndarray:
    """Longitudes to [-180, 180)."""
    return (np.asarray(lon_deg, dtype=np.float64) + 180.0) % 360.0 - 180.0


def lon_delta_deg(lon_from: np.ndarray, lon_to: np.ndarray) -> np.ndarray:
    """Signed shortest longitude difference to - from, in [-180, 180): 179 -> -179 is +2, not -358.

    Inputs are longitudes in [-180, 180], so two conditional shifts replace a floating modulo."""
    d = np.asarray(lon_to, dtype=np.float64) - np.asarray(lon_from, dtype=np.float64)
    if d.ndim == 0:
        return wrap_lon(d)
    d[d >= 180.0] -= 360.0
    d[d < -180.0] += 360.0
    return d


def haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres (haversine; exact for any pair, antimeridian included).

    sin^2(dlon/2) has a period of 360 degrees, so longitudes need no wrapping here."""
    k = np.pi / 360.0  # degrees to half-angle radians
    s_phi = np.sin((np.asarray(lat2, dtype=np.float64) - lat1) * k)
    s_lam = np.sin((np.asarray(lon2, dtype=np.float64) - lon1) * k)
    a = s_phi * s_phi + np.cos(np.radians(lat1)) * np.cos(np.radians(lat2)) * (s_lam * s_lam)
    return (2 * EARTH_RADIUS_M) * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def initial_bearing_deg(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dlam = np.radians(lon_delta_deg(lon1, lon2))
    y = np.sin(dlam) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlam)
    return np.degrees(np.arctan2(y, x)) % 360.0


def destination(
    lat_deg: np.ndarray, lon_deg: np.ndarray, bearing_deg: np.ndarray, distance_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The point reached from (lat, lon) after distance_m along the initial bearing (great circle)."""
    p1 = np.radians(lat_deg)
    lam1 = np.radians(lon_deg)
    theta = np.radians(bearing_deg)
    delta = np.asarray(distance_m, dtype=np.float64) / EARTH_RADIUS_M
    p2 = np.arcsin(np.sin(p1) * np.cos(delta) + np.cos(p1) * np.sin(delta) * np.cos(theta))
    lam2 = lam1 + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(p1), np.cos(delta) - np.sin(p1) * np.sin(p2)
    )
    return np.degrees(p2), wrap_lon(np.degrees(lam2))


def offset_m(
    lat_deg: np.ndarray, lon_deg: np.ndarray, north_m: np.ndarray, east_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move a point by metric north/east offsets (exact along the great circle of the combined offset)."""
    north = np.asarray(north_m, dtype=np.float64)
    east = np.asarray(east_m, dtype=np.float64)
    bearing = np.degrees(np.arctan2(east, north))
    return destination(lat_deg, lon_deg, bearing, np.hypot(north, east))


def to_unit_xyz(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Unit vectors on the sphere, shape (n, 3)."""
    p = np.radians(lat_deg)
    lam = np.radians(lon_deg)
    cp = np.cos(p)
    return np.stack([cp * np.cos(lam), cp * np.sin(lam), np.sin(p)], axis=-1)


def from_unit_xyz(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) in degrees of (not necessarily unit) vectors, shape (n, 3)."""
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    return np.degrees(np.arctan2(z, np.hypot(x, y))), wrap_lon(np.degrees(np.arctan2(y, x)))


def group_mean_position(
    group: np.ndarray, lat_deg: np.ndarray, lon_deg: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean position per group index (0..n_groups-1) through unit vectors: safe across the antimeridian."""
    xyz = to_unit_xyz(lat_deg, lon_deg)
    sums = np.stack([np.bincount(group, weights=xyz[:, k], minlength=n_groups) for k in range(3)], axis=-1)
    return from_unit_xyz(sums)


def unwrap_lon_runs(lon_deg: np.ndarray, run_start: np.ndarray) -> np.ndarray:
    """Continuous longitudes inside runs (no 360-degree jumps), for interpolation across the antimeridian.

    `run_start` is a boolean mask, True at the first row of each run; each run starts at its own longitude.
    """
    lon = np.asarray(lon_deg, dtype=np.float64)
    if len(lon) == 0:
        return lon.copy()
    step = np.empty_like(lon)
    step[0] = 0.0
    step[1:] = lon_delta_deg(lon[:-1], lon[1:])
    step[run_start] = 0.0
    cum = np.cumsum(step)
    run_idx = np.cumsum(run_start) - 1
    starts = np.flatnonzero(run_start)
    return lon[starts][run_idx] + cum - cum[starts][run_idx]


def step_bound_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """An upper bound of the great-circle distance between consecutive points i and i+1 (n-1 values).

    Along a meridian then a parallel, R x (|dlat| + |dlon|) in radians, is a path never shorter than
    the great circle; a relative 1e-9 and 1 mm on top cover the rounding of `haversine_m`, so a step
    whose bound clears a threshold has a haversine distance that clears it too."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    dlon = np.abs(lon[1:] - lon[:-1])
    dlon = np.minimum(dlon, 360.0 - dlon)
    return (np.abs(lat[1:] - lat[:-1]) + dlon) * (np.pi / 180.0 * EARTH_RADIUS_M * (1 + 1e-9)) + 1e-3
