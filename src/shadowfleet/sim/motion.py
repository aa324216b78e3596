"""Vessel motion as a sequence of segments: sailing legs with speed profiles, and stays.

Times are float seconds since the Unix epoch. A `Leg` follows a route with a trapezoidal speed profile
(constant acceleration out of a port and into the next one, cruise in between); a `Stay` holds a point,
optionally drifting at a constant velocity (moored, at anchor, loitering, side by side in a transfer).
"""

from dataclasses import dataclass, field

import numpy as np

from shadowfleet.model.units import KNOTS_TO_METERS_PER_SECOND, METERS_PER_NAUTICAL_MILE
from shadowfleet.sim.geo import Polyline, offset_m

RAMP_M = 6 * METERS_PER_NAUTICAL_MILE  # distance over which a ship accelerates or slows down
PORT_SPEED_KN = 2.0  # speed when leaving a berth or arriving at one


@dataclass
class Leg:
    route: Polyline
    t0: float
    cruise_kn: float
    start_kn: float = PORT_SPEED_KN
    end_kn: float = PORT_SPEED_KN
    nav_status: int = 0
    t1: float = field(init=False)
    _phase_t: np.ndarray = field(init=False, repr=False)
    _phase_d: np.ndarray = field(init=False, repr=False)
    _phase_v: np.ndarray = field(init=False, repr=False)
    _phase_a: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        length = self.route.length_m
        ramp_up = min(RAMP_M, length / 3)
        ramp_down = min(RAMP_M, length / 3)
        cruise = length - ramp_up - ramp_down
        v_cruise = self.cruise_kn * KNOTS_TO_METERS_PER_SECOND
        v_start = self.start_kn * KNOTS_TO_METERS_PER_SECOND
        v_end = self.end_kn * KNOTS_TO_METERS_PER_SECOND
        lengths = np.array([ramp_up, cruise, ramp_down])
        v_a = np.array([v_start, v_cruise, v_cruise])
        v_b = np.array([v_cruise, v_cruise, v_end])
        durations = 2 * lengths / (v_a + v_b)
        self._phase_t = np.concatenate([[0.0], np.cumsum(durations)])
        self._phase_d = np.concatenate([[0.0], np.cumsum(lengths)])
        self._phase_v = v_a
        self._phase_a = np.where(durations > 0, (v_b - v_a) / np.where(durations > 0, durations, 1), 0.0)
        self.t1 = self.t0 + float(self._phase_t[-1])

    def distance_at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance along the route (m) and speed (m/s) at times t."""
        tau = np.clip(np.asarray(t, dtype=float) - self.t0, 0.0, self._phase_t[-1])
        i = np.clip(np.searchsorted(self._phase_t, tau, side="right") - 1, 0, 2)
        dt = tau - self._phase_t[i]
        v0, a = self._phase_v[i], self._phase_a[i]
        return self._phase_d[i] + v0 * dt + 0.5 * a * dt * dt, v0 + a * dt

    def time_at_distance(self, distance_m: float) -> float:
        grid = np.linspace(self.t0, self.t1, 2001)
        d, _ = self.distance_at(grid)
        return float(np.interp(distance_m, d, grid))

    def sample(self, t: np.ndarray) -> dict[str, np.ndarray]:
        d, v = self.distance_at(t)
        lat, lon, course = self.route.at(d)
        n = len(lat)
        return {
            "lat": lat,
            "lon": lon,
            "sog_kn": v / KNOTS_TO_METERS_PER_SECOND,
            "cog_deg": course,
            "heading_deg": course,
            "nav_status": np.full(n, self.nav_status, dtype=np.int8),
        }

    @property
    def end_point(self) -> tuple[float, float]:
        return float(self.route.lat[-1]), float(((self.route.lon[-1] + 180) % 360) - 180)


@dataclass
class Stay:
    lat: float
    lon: float
    t0: float
    t1: float
    nav_status: int = 5  # moored
    drift_kn: float = 0.0
    drift_deg: float = 0.0
    heading_deg: float = 0.0
    kind: str = "berth"  # berth | loiter | transfer

    def position_at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dist = self.drift_kn * KNOTS_TO_METERS_PER_SECOND * (np.asarray(t, dtype=float) - self.t0)
        north = dist * np.cos(np.radians(self.drift_deg))
        east = dist * np.sin(np.radians(self.drift_deg))
        return offset_m(np.full(north.shape, self.lat), np.full(north.shape, self.lon), north, east)

    def sample(self, t: np.ndarray) -> dict[str, np.ndarray]:
        lat, lon = self.position_at(t)
        n = len(lat)
        return {
            "lat": lat,
            "lon": lon,
            "sog_kn": np.full(n, self.drift_kn),
            "cog_deg": np.full(n, self.drift_deg),
            "heading_deg": np.full(n, self.heading_deg),
            "nav_status": np.full(n, self.nav_status, dtype=np.int8),
        }

    @property
    def end_point(self) -> tuple[float, float]:
        lat, lon = self.position_at(np.array([self.t1]))
        return float(lat[0]), float(lon[0])


Segment = Leg | Stay


def sample_segments(segments: list[Segment], t: np.ndarray) -> dict[str, np.ndarray]:
    """Evaluate a vessel's contiguous segments at sorted times t (clamped to the plan's span)."""
    t = np.asarray(t, dtype=float)
    starts = np.array([s.t0 for s in segments])
    idx = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(segments) - 1)
    out: dict[str, np.ndarray] = {
        "lat": np.empty(len(t)),
        "lon": np.empty(len(t)),
        "sog_kn": np.empty(len(t)),
        "cog_deg": np.empty(len(t)),
        "heading_deg": np.empty(len(t)),
        "nav_status": np.empty(len(t), dtype=np.int8),
        "segment": idx,
    }
    for k in np.unique(idx):
        rows = np.nonzero(idx == k)[0]
        values = segments[k].sample(t[rows])
        for name, column in values.items():
            out[name][rows] = column
    return out
