"""The simulated vessel: identity, dimensions, and its plan (motion, draught, identity, dark and spoof windows)."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shadowfleet.sim.geo import Polyline
from shadowfleet.sim.motion import Leg, Segment, Stay
from shadowfleet.sim.ports import Port

# (ship_type, length_m, beam_m, deadweight_t, ballast_draught_m, laden_draught_m, cruise_kn)
HULLS: dict[str, tuple[int, float, float, float, float, float, float]] = {
    "vlcc": (80, 333.0, 60.0, 300_000.0, 9.8, 21.5, 12.5),
    "suezmax": (80, 274.0, 48.0, 158_000.0, 8.5, 17.0, 13.0),
    "aframax": (80, 245.0, 42.0, 110_000.0, 7.5, 14.8, 13.0),
    "mr_tanker": (80, 183.0, 32.2, 50_000.0, 6.2, 12.2, 13.5),
    "container": (71, 300.0, 48.0, 110_000.0, 11.0, 13.5, 17.0),
    "bulker": (70, 229.0, 32.3, 82_000.0, 7.0, 14.4, 12.5),
    "general_cargo": (70, 120.0, 20.0, 12_000.0, 4.5, 7.8, 11.5),
    "yacht": (37, 18.0, 5.0, 0.0, 2.0, 2.0, 7.5),
    "fishing": (30, 24.0, 7.0, 0.0, 3.0, 3.0, 8.0),
}


@dataclass
class Vessel:
    key: int
    role: str
    hull: str
    transceiver: str  # "A" or "B"
    mmsi: int
    imo: int | None
    name: str
    callsign: str
    flag: str
    segments: list[Segment] = field(default_factory=list)
    draught: list[tuple[float, float]] = field(default_factory=list)  # (t, draught_m) steps
    # (t, mmsi, name, callsign, flag) steps; the first entry is the identity at the start
    identity: list[tuple[float, int, str, str, str]] = field(default_factory=list)
    dark: list[tuple[float, float]] = field(default_factory=list)
    # (t0, t1, spoof_type, displaced_lat, displaced_lon)
    spoofs: list[tuple[float, float, str, float, float]] = field(default_factory=list)
    # (t, destination text, eta seconds)
    voyages: list[tuple[float, str, float]] = field(default_factory=list)
    port_stays: list[tuple[Port, Stay]] = field(default_factory=list)
    declared_flag: str | None = None
    static_identity_of: int | None = None  # a clone sends the statics of this vessel key

    @property
    def ship_type(self) -> int:
        return HULLS[self.hull][0]

    @property
    def length_m(self) -> float:
        return HULLS[self.hull][1]

    @property
    def beam_m(self) -> float:
        return HULLS[self.hull][2]

    @property
    def deadweight_t(self) -> float:
        return HULLS[self.hull][3]

    @property
    def ballast_draught_m(self) -> float:
        return HULLS[self.hull][4]

    @property
    def laden_draught_m(self) -> float:
        return HULLS[self.hull][5]

    @property
    def cruise_kn(self) -> float:
        return HULLS[self.hull][6]

    @property
    def now(self) -> float:
        return self.segments[-1].t1

    @property
    def position(self) -> tuple[float, float]:
        return self.segments[-1].end_point

    def add_leg(self, route: Polyline, cruise_kn: float | None = None, **kwargs: Any) -> Leg:
        leg = Leg(route, self.now, cruise_kn or self.cruise_kn, **kwargs)
        self.segments.append(leg)
        return leg

    def add_stay(self, duration_s: float, **kwargs: Any) -> Stay:
        lat, lon = self.position
        kwargs.setdefault("lat", lat)
        kwargs.setdefault("lon", lon)
        stay = Stay(t0=self.now, t1=self.now + duration_s, **kwargs)
        self.segments.append(stay)
        return stay

    def draught_at(self, t: float) -> float:
        value = self.draught[0][1]
        for step_t, draught_m in self.draught:
            if step_t <= t:
                value = draught_m
        return value

    def set_draught(self, t: float, draught_m: float) -> None:
        self.draught.append((t, draught_m))
        self.draught.sort()

    def identity_at(self, t: float) -> tuple[int, str, str, str]:
        current = self.identity[0]
        for step in self.identity:
            if step[0] <= t:
                current = step
        return current[1], current[2], current[3], current[4]


def sea_point_rng(rng: np.random.Generator, box: tuple[float, float, float, float]) -> tuple[float, float]:
    lat0, lat1, lon0, lon1 = box
    return float(rng.uniform(lat0, lat1)), float(rng.uniform(lon0, lon1))
