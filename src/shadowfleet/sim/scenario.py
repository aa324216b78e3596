"""The Venezuela scenario: a fictional fleet, its itineraries, and the behaviours injected into them.

`plan_scenario(config)` builds every vessel's plan (segments, draught, identity, dark and spoof windows)
and the ground truth of the labelled behaviours. Reporting (what a receiver would hear) is in
`shadowfleet.sim.reporting`. Everything is drawn from one `numpy.random.Generator` seeded by
`config.seed`, in a fixed order, so one seed gives one scenario.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np

from shadowfleet.model.units import METERS_PER_NAUTICAL_MILE, SECONDS_PER_HOUR
from shadowfleet.sim import identity as ids
from shadowfleet.sim.fleet import Vessel
from shadowfleet.sim.geo import Polyline, clear_of_land, destination, haversine_m, is_land
from shadowfleet.sim.motion import Leg, Stay
from shadowfleet.sim.ports import (
    CARIBBEAN_PORTS,
    CHINA_PORTS,
    CUBA_PORTS,
    IRAN_PORTS,
    RUSSIA_TURKEY_PORTS,
    Port,
    ports,
    venezuelan_terminals,
)
from shadowfleet.sim.routes import longest_land_run_m, sea_route

DAY_S = 86_400.0
HOUR_S = SECONDS_PER_HOUR
# Canals and narrow straits fall on land in the ~1 km mask; long-haul routes go around the Cape.
AVOID_PASSAGES = ("northwest", "suez", "panama")
SHADOW_FLAGS = ("PA", "CM", "KM", "GA", "TG", "PW", "SL", "LR", "MH")
BACKGROUND_FLAGS = ("PA", "LR", "MH", "MT", "GR", "SG", "HK", "BS", "CY", "NL", "NO", "US", "CO")
FUEL_PORTS = ("VEELP", "VEPLC", "VEJOT", "VEGUT")
# Ports a ballast tanker comes from before loading in Venezuela.
APPROACH_PORTS = ("AWAUA", "CWWIL", "TTPOS", "TTPTS", "PRSJU", "DOSDQ", "JMKIN", "BBBGI", "GYGEO")
GULF_PORTS = ("USCRP", "MXVER", "MXCOA", "CUHAV", "CUMAR", "JMKIN")
# Open water for transfers and loitering: boxes searched for points >= 60 km from any land cell.
OPEN_SEA_BOXES = ((12.8, 16.5, -76.0, -63.0), (13.0, 19.0, -58.0, -50.0))
OPEN_SEA_CLEARANCE_M = 60_000.0
DARK_CLEARANCE_M = 95_000.0  # ~50 nm: where an intentional gap would start
# Routes may cross land cells for short stretches (straits, the Maracaibo channel); ports whose route
# from the hub crosses more (the sea-lane network joins some ports through land) are left out.
HUB = (14.0, -70.0)
MIN_VESSELS = 15
MAX_LAND_RUN_M = 25_000.0


@dataclass(frozen=True)
class ScenarioConfig:
    """Size and reporting settings of one run. Intervals are the effective (thinned) ones."""

    seed: int = 1
    n_vessels: int = 80
    days: float = 30.0
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    name: str = "venezuela"
    class_a_underway_interval_s: float = 480.0
    class_a_stationary_interval_s: float = 600.0
    class_b_underway_interval_s: float = 360.0
    class_b_stationary_interval_s: float = 900.0
    static_interval_s: float = 3_600.0
    position_jitter_m: float = 5.0
    drop_probability: float = 0.03
    low_coverage_keep: float = 0.35

    @property
    def t_begin(self) -> float:
        return self.start.timestamp()

    @property
    def t_end(self) -> float:
        return self.t_begin + self.days * DAY_S


@dataclass
class TruthEvent:
    kind: str
    mmsi: int
    start_s: float
    end_s: float
    lat: float
    lon: float
    details: dict[str, Any]
    other_mmsi: int | None = None


@dataclass
class Scenario:
    config: ScenarioConfig
    vessels: list[Vessel]
    truth: list[TruthEvent] = field(default_factory=list)
    # (lat0, lat1, lon0, lon1, t0, t1): a receiver outage, no reports from inside the box meanwhile
    outages: list[tuple[float, float, float, float, float, float]] = field(default_factory=list)


class _Planner:
    def __init__(self, config: ScenarioConfig) -> None:
        self.config = config
        self.rng = np.random.default_rng(config.seed)
        self.t0 = config.t_begin
        self.t1 = config.t_end
        self.taken_mmsi: set[int] = set()
        self.vessels: list[Vessel] = []
        self.truth: list[TruthEvent] = []
        self.terminals = self.reachable(venezuelan_terminals())
        self.fuel_ports = self.reachable(ports(FUEL_PORTS))
        self.china = self.reachable(ports(CHINA_PORTS))
        self.ru_tr = self.reachable(ports(RUSSIA_TURKEY_PORTS))
        self.iran = self.reachable(ports(IRAN_PORTS))
        self.cuba = self.reachable(ports(CUBA_PORTS))
        self.caribbean = self.reachable(ports(CARIBBEAN_PORTS))
        self.approach = self.reachable(ports(APPROACH_PORTS))
        self.gulf = self.reachable(ports(GULF_PORTS))
        self.open_sea = self._open_sea_points()

    # ---- helpers -------------------------------------------------------------------------------
    def uniform(self, low: float, high: float) -> float:
        return float(self.rng.uniform(low, high))

    def choice(self, items: list[Any] | tuple[Any, ...]) -> Any:
        return items[int(self.rng.integers(len(items)))]

    def _open_sea_points(self) -> list[tuple[float, float]]:
        points = []
        for lat0, lat1, lon0, lon1 in OPEN_SEA_BOXES:
            for lat in np.arange(lat0, lat1 + 1e-9, 0.5):
                for lon in np.arange(lon0, lon1 + 1e-9, 0.5):
                    if clear_of_land(float(lat), float(lon), OPEN_SEA_CLEARANCE_M):
                        points.append((float(lat), float(lon)))
        return points

    def reachable(self, candidates: list[Port]) -> list[Port]:
        """Ports whose route from the Caribbean hub crosses no land stretch longer than MAX_LAND_RUN_M."""
        return [p for p in candidates if _port_reachable(p)]

    def route_ok(self, a: tuple[float, float], p: Port) -> bool:
        return longest_land_run_m(self.route(a, (p.berth_lat, p.berth_lon))) <= MAX_LAND_RUN_M

    def route(self, a: tuple[float, float], b: tuple[float, float]) -> Polyline:
        return sea_route(round(a[0], 6), round(a[1], 6), round(b[0], 6), round(b[1], 6), AVOID_PASSAGES)

    def new_vessel(self, role: str, hull: str, flag: str, transceiver: str = "A") -> Vessel:
        key = len(self.vessels)
        mmsi = ids.fictional_mmsi(self.rng, flag, self.taken_mmsi)
        imo = ids.fictional_imos(self.rng, 1)[0] if transceiver == "A" else None
        name = ids.fictional_names(self.rng, 1)[0]
        while any(v.name == name for v in self.vessels):
            name = ids.fictional_names(self.rng, 1)[0]
        callsign = ids.fictional_callsign(self.rng, flag)
        v = Vessel(key, role, hull, transceiver, mmsi, imo, name, callsign, flag)
        v.identity.append((-math.inf, mmsi, name, callsign, flag))
        self.vessels.append(v)
        return v

    def start_on_route(self, v: Vessel, route: Polyline, arrive_at: float, destination_text: str) -> Leg:
        """Begin the plan sailing `route` so that it arrives at `arrive_at` (may have started long ago)."""
        probe = Leg(route, 0.0, v.cruise_kn)
        leg = Leg(route, arrive_at - probe.t1, v.cruise_kn)
        v.segments.append(leg)
        v.voyages.append((-math.inf, destination_text, leg.t1))
        return leg

    def call_at(self, v: Vessel, p: Port, stay_s: float, draught_after: float | None) -> Stay:
        """Sail to port `p`, stay at its berth, change draught an hour before leaving."""
        leg = v.add_leg(self.route(v.position, (p.berth_lat, p.berth_lon)))
        v.voyages.append((leg.t0, _destination_text(p), leg.t1))
        return self.stay_at(v, p, stay_s, draught_after)

    def stay_at(self, v: Vessel, p: Port, stay_s: float, draught_after: float | None) -> Stay:
        stay = v.add_stay(
            stay_s, lat=p.berth_lat, lon=p.berth_lon, heading_deg=self.uniform(0, 360), nav_status=5
        )
        v.port_stays.append((p, stay))
        if draught_after is not None and abs(draught_after - v.draught_at(stay.t1 - HOUR_S)) > 0.05:
            before = v.draught_at(stay.t1 - HOUR_S)
            t_change = stay.t1 - HOUR_S
            v.set_draught(t_change, draught_after)
            self.truth_draught(
                v, t_change, t_change, p.berth_lat, p.berth_lon, before, draught_after, "port", p
            )
        return stay

    def truth_draught(
        self,
        v: Vessel,
        t_a: float,
        t_b: float,
        lat: float,
        lon: float,
        before: float,
        after: float,
        context: str,
        p: Port | None = None,
    ) -> None:
        details: dict[str, Any] = {
            "draught_before_m": before,
            "draught_after_m": after,
            "change": "load" if after > before else "discharge",
            "context": context,
        }
        if p is not None:
            details.update(port=p.name, locode=p.locode, country=p.country)
            if any(stay.t0 <= t_a <= stay.t1 and stay.t0 < self.t0 for _, stay in v.port_stays):
                details["partial"] = True  # the stay began before the period: no draught seen before it
        self.truth.append(TruthEvent("draught_change", v.identity_at(t_a)[0], t_a, t_b, lat, lon, details))

    # ---- roles ---------------------------------------------------------------------------------
    def crude_exporter(self, v: Vessel, market: str, *, inbound: bool, loiter: bool) -> None:
        """Ballast to a Venezuelan terminal, load, sail for the market (China, Russia/Turkey, Cuba)."""
        terminal = self.choice(self.terminals)
        v.draught.append((-math.inf, v.ballast_draught_m))
        if inbound:
            origin = self.choice(self.approach)
            route = self.route((origin.berth_lat, origin.berth_lon), (terminal.berth_lat, terminal.berth_lon))
            self.start_on_route(
                v, route, self.t0 + self.uniform(1.0, 8.0) * DAY_S, _destination_text(terminal)
            )
            self.stay_at(v, terminal, self.uniform(24, 60) * HOUR_S, v.laden_draught_m)
        else:
            stay = Stay(
                terminal.berth_lat,
                terminal.berth_lon,
                self.t0 - self.uniform(2, 20) * HOUR_S,
                self.t0 + self.uniform(4, 40) * HOUR_S,
                heading_deg=self.uniform(0, 360),
            )
            v.segments.append(stay)
            v.port_stays.append((terminal, stay))
            v.voyages.append((-math.inf, _destination_text(terminal), stay.t0))
            v.set_draught(stay.t1 - HOUR_S, v.laden_draught_m)
            self.truth_draught(
                v,
                stay.t1 - HOUR_S,
                stay.t1 - HOUR_S,
                terminal.berth_lat,
                terminal.berth_lon,
                v.ballast_draught_m,
                v.laden_draught_m,
                "port",
                terminal,
            )
        if loiter:
            self.loiter_at_sea(v, self.uniform(6, 30) * HOUR_S)
        market_ports = {"china": self.china, "ru_tr": self.ru_tr, "cuba": self.cuba}[market]
        while v.now < self.t1:
            dest = self.choice(market_ports)
            self.call_at(v, dest, self.uniform(30, 60) * HOUR_S, v.ballast_draught_m)
            if v.now >= self.t1:
                break
            terminal = self.choice(self.terminals)
            self.call_at(v, terminal, self.uniform(24, 60) * HOUR_S, v.laden_draught_m)

    def loiter_at_sea(self, v: Vessel, duration_s: float) -> Stay:
        point = self.choice(self.open_sea)
        leg = v.add_leg(self.route(v.position, point))
        v.voyages.append((leg.t0, "FOR ORDERS", leg.t1))
        return v.add_stay(
            duration_s,
            nav_status=0,
            drift_kn=self.uniform(0.3, 1.2),
            drift_deg=self.uniform(0, 360),
            heading_deg=self.uniform(0, 360),
            kind="loiter",
        )

    def fuel_importer(self, v: Vessel) -> None:
        """Laden with Iranian fuel, mid-ocean at the start; discharges in Venezuela, returns in ballast."""
        origin = self.choice(self.iran)
        dest = self.choice(self.fuel_ports)
        v.draught.append((-math.inf, v.laden_draught_m))
        route = self.route((origin.berth_lat, origin.berth_lon), (dest.berth_lat, dest.berth_lon))
        self.start_on_route(v, route, self.t0 + self.uniform(1.0, 20.0) * DAY_S, _destination_text(dest))
        self.stay_at(v, dest, self.uniform(36, 72) * HOUR_S, v.ballast_draught_m)
        while v.now < self.t1:
            self.call_at(v, origin, self.uniform(48, 96) * HOUR_S, v.laden_draught_m)

    def background(self, v: Vessel, port_pool: list[Port], tanker: bool) -> None:
        """Ordinary trade between ports of the region; tankers alternate laden and ballast."""
        here = self.choice(port_pool)
        laden = bool(self.rng.integers(2))
        draught = v.laden_draught_m if laden else v.ballast_draught_m
        v.draught.append((-math.inf, draught))
        stay = Stay(
            here.berth_lat,
            here.berth_lon,
            self.t0 - self.uniform(2, 30) * HOUR_S,
            self.t0 + self.uniform(1, 36) * HOUR_S,
            heading_deg=self.uniform(0, 360),
        )
        v.segments.append(stay)
        v.port_stays.append((here, stay))
        v.voyages.append((-math.inf, _destination_text(here), stay.t0))
        while v.now < self.t1:
            candidates = [p for p in port_pool if p.locode != here.locode and self.route_ok(v.position, p)]
            here = self.choice(candidates)
            if tanker:
                laden = not laden
            after = (v.laden_draught_m if laden else v.ballast_draught_m) if tanker else None
            self.call_at(v, here, self.uniform(12, 48) * HOUR_S, after)

    def small_craft(self, v: Vessel) -> None:
        """Class B: short hops between nearby ports."""
        home = self.choice(self.caribbean)
        near = [
            p
            for p in self.caribbean
            if p.locode != home.locode
            and haversine_m(home.lat, home.lon, p.lat, p.lon) < 450 * METERS_PER_NAUTICAL_MILE
        ] or [p for p in self.caribbean if p.locode != home.locode]
        v.draught.append((-math.inf, v.ballast_draught_m))
        stay = Stay(
            home.berth_lat, home.berth_lon, self.t0 - 3 * HOUR_S, self.t0 + self.uniform(2, 30) * HOUR_S
        )
        v.segments.append(stay)
        v.port_stays.append((home, stay))
        v.voyages.append((-math.inf, "", stay.t0))
        here = home
        while v.now < self.t1:
            here = (
                self.choice([p for p in near if self.route_ok(v.position, p)] or [home])
                if here.locode == home.locode
                else home
            )
            self.call_at(v, here, self.uniform(8, 40) * HOUR_S, None)

    def transfer_pair(self, shuttle: Vessel, mother: Vessel) -> None:
        """A shuttle loads in Venezuela and transfers its cargo to a waiting tanker at sea."""
        terminal = self.choice(self.terminals)
        shuttle.draught.append((-math.inf, shuttle.ballast_draught_m))
        mother.draught.append((-math.inf, mother.ballast_draught_m))
        stay = Stay(
            terminal.berth_lat,
            terminal.berth_lon,
            self.t0 - self.uniform(2, 20) * HOUR_S,
            self.t0 + self.uniform(12, 6 * 24) * HOUR_S,
            heading_deg=self.uniform(0, 360),
        )
        shuttle.segments.append(stay)
        shuttle.port_stays.append((terminal, stay))
        shuttle.voyages.append((-math.inf, _destination_text(terminal), stay.t0))
        before = shuttle.ballast_draught_m
        shuttle.set_draught(stay.t1 - HOUR_S, shuttle.laden_draught_m)
        self.truth_draught(
            shuttle,
            stay.t1 - HOUR_S,
            stay.t1 - HOUR_S,
            terminal.berth_lat,
            terminal.berth_lon,
            before,
            shuttle.laden_draught_m,
            "port",
            terminal,
        )
        meet = self.choice(self.open_sea)
        heading = self.uniform(0, 360)
        side_lat, side_lon = destination(
            np.array([meet[0]]), np.array([meet[1]]), np.array([heading + 90.0]), np.array([80.0])
        )
        alongside = (float(side_lat[0]), float(side_lon[0]))
        probe = Leg(self.route(shuttle.position, alongside), 0.0, shuttle.cruise_kn)
        t_meet = shuttle.now + probe.t1
        wait_s = self.uniform(4, 30) * HOUR_S
        transfer_s = self.uniform(4, 20) * HOUR_S
        drift_kn, drift_deg = self.uniform(0.2, 0.8), self.uniform(0, 360)
        # The mother drifts from `start` so that it is exactly at `meet` when the shuttle arrives.
        drift_m = drift_kn * METERS_PER_NAUTICAL_MILE / HOUR_S * wait_s
        start_lat, start_lon = destination(
            np.array([meet[0]]), np.array([meet[1]]), np.array([drift_deg + 180.0]), np.array([drift_m])
        )
        mother_wait_from = (float(start_lat[0]), float(start_lon[0]))
        origin = self.choice(self.approach)
        route_in = self.route((origin.berth_lat, origin.berth_lon), mother_wait_from)
        self.start_on_route(mother, route_in, t_meet - wait_s, "FOR ORDERS")
        wait = mother.add_stay(
            wait_s + transfer_s,
            nav_status=0,
            drift_kn=drift_kn,
            drift_deg=drift_deg,
            heading_deg=heading,
            kind="loiter",
        )
        leg = shuttle.add_leg(self.route(shuttle.position, alongside))
        shuttle.voyages.append((leg.t0, "FOR ORDERS", leg.t1))
        transfer = shuttle.add_stay(
            wait.t1 - leg.t1,
            nav_status=3,
            drift_kn=drift_kn,
            drift_deg=drift_deg,
            heading_deg=heading,
            kind="transfer",
        )
        t_change = transfer.t1 - 0.5 * HOUR_S
        shuttle.set_draught(t_change, shuttle.ballast_draught_m)
        mother_after = mother.ballast_draught_m + 0.45 * (mother.laden_draught_m - mother.ballast_draught_m)
        mother.set_draught(t_change, mother_after)
        lat, lon = meet
        s_mmsi, m_mmsi = shuttle.identity_at(transfer.t0)[0], mother.identity_at(transfer.t0)[0]
        self.truth.append(
            TruthEvent(
                "encounter",
                s_mmsi,
                transfer.t0,
                transfer.t1,
                lat,
                lon,
                {"type": "tanker_transfer", "separation_m": 80.0, "drift_kn": drift_kn},
                other_mmsi=m_mmsi,
            )
        )
        self.truth_draught(
            shuttle,
            t_change,
            t_change,
            lat,
            lon,
            shuttle.laden_draught_m,
            shuttle.ballast_draught_m,
            "encounter",
        )
        self.truth_draught(
            mother, t_change, t_change, lat, lon, mother.ballast_draught_m, mother_after, "encounter"
        )
        # Afterwards: the shuttle returns to load again, the mother sails for China.
        while shuttle.now < self.t1:
            self.call_at(shuttle, terminal, self.uniform(24, 72) * HOUR_S, None)
            if shuttle.now < self.t1:
                self.call_at(shuttle, self.choice(self.caribbean), self.uniform(24, 48) * HOUR_S, None)
        dest = self.choice(self.china)
        self.call_at(mother, dest, 48 * HOUR_S, mother.ballast_draught_m)

    # ---- behaviours ----------------------------------------------------------------------------
    def dark_at_sea(self, v: Vessel) -> bool:
        """Switch AIS off for 14-48 h on a long leg, starting and ending far from shore."""
        for _ in range(40):
            legs = [s for s in v.segments if isinstance(s, Leg) and s.t1 - s.t0 > 3 * DAY_S]
            if not legs:
                return False
            leg = self.choice(legs)
            lo, hi = max(leg.t0 + 12 * HOUR_S, self.t0 + 1.5 * DAY_S), min(leg.t1, self.t1 - 2.5 * DAY_S)
            duration = self.uniform(14, 48) * HOUR_S
            if hi - duration <= lo:
                continue
            t_off = self.uniform(lo, hi - duration)
            t_on = t_off + duration
            a = leg.sample(np.array([t_off, t_on]))
            if all(clear_of_land(float(a["lat"][k]), float(a["lon"][k]), DARK_CLEARANCE_M) for k in (0, 1)):
                if self._overlaps_windows(v, t_off, t_on):
                    continue
                v.dark.append((t_off, t_on))
                self.truth.append(
                    TruthEvent(
                        "ais_gap",
                        v.identity_at(t_off)[0],
                        t_off,
                        t_on,
                        float(a["lat"][0]),
                        float(a["lon"][0]),
                        {"cause": "dark_at_sea", "intentional": True, "duration_h": duration / HOUR_S},
                    )
                )
                return True
        return False

    def dark_port_call(self, v: Vessel) -> bool:
        """Go dark on approach to the first Venezuelan terminal call and reappear well after leaving."""
        for i, (p, stay) in enumerate(v.port_stays):
            if not p.venezuelan_terminal or (i == 0 and stay.t0 < self.t0):
                continue
            k = v.segments.index(stay)
            if k == 0 or k + 1 >= len(v.segments):
                continue
            inbound, outbound = v.segments[k - 1], v.segments[k + 1]
            if not isinstance(inbound, Leg) or not isinstance(outbound, Leg):
                continue
            before_m = min(self.uniform(60, 120) * METERS_PER_NAUTICAL_MILE, inbound.route.length_m * 0.8)
            after_m = min(self.uniform(60, 120) * METERS_PER_NAUTICAL_MILE, outbound.route.length_m * 0.8)
            t_off = inbound.time_at_distance(inbound.route.length_m - before_m)
            t_on = outbound.time_at_distance(after_m)
            if t_off < self.t0 + 18 * HOUR_S or t_on > self.t1 - 12 * HOUR_S:
                continue
            if self._overlaps_windows(v, t_off, t_on):
                continue
            v.dark.append((t_off, t_on))
            before = v.draught_at(t_off)
            after = v.draught_at(t_on)
            a = inbound.sample(np.array([t_off]))
            mmsi = v.identity_at(t_off)[0]
            port_details = {"port": p.name, "locode": p.locode, "country": p.country}
            self.truth.append(
                TruthEvent(
                    "dark_port_call",
                    mmsi,
                    t_off,
                    t_on,
                    p.lat,
                    p.lon,
                    {
                        **port_details,
                        "draught_before_m": before,
                        "draught_after_m": after,
                        "stay_start_s": stay.t0,
                        "stay_end_s": stay.t1,
                    },
                )
            )
            self.truth.append(
                TruthEvent(
                    "ais_gap",
                    mmsi,
                    t_off,
                    t_on,
                    float(a["lat"][0]),
                    float(a["lon"][0]),
                    {"cause": "dark_port_call", "intentional": True, "duration_h": (t_on - t_off) / HOUR_S},
                )
            )
            # The load at the terminal is seen only as a draught step across the gap.
            for ev in self.truth:
                if ev.kind == "draught_change" and ev.mmsi == mmsi and stay.t0 <= ev.start_s <= stay.t1:
                    ev.start_s, ev.end_s = t_off, t_on
                    ev.details["context"] = "dark_port_call"
            return True
        return False

    def _overlaps_windows(self, v: Vessel, t_a: float, t_b: float) -> bool:
        windows = [(a, b) for a, b in v.dark] + [(a, b) for a, b, *_ in v.spoofs]
        windows += [(t - 6 * HOUR_S, t + 6 * HOUR_S) for t, *_ in v.identity[1:]]
        return any(a < t_b + 12 * HOUR_S and t_a - 12 * HOUR_S < b for a, b in windows)

    def _underway_time(self, v: Vessel, margin_s: float = DAY_S) -> float | None:
        margin_s = min(margin_s, (self.t1 - self.t0) / 4)
        for _ in range(60):
            t = self.uniform(self.t0 + margin_s, self.t1 - margin_s)
            seg = next((s for s in v.segments if s.t0 <= t < s.t1), None)
            underway = isinstance(seg, Leg) and seg.t0 + 2 * HOUR_S < t < seg.t1 - 2 * HOUR_S
            if underway and not self._overlaps_windows(v, t, t + HOUR_S):
                return t
        return None

    def spoof(self, v: Vessel, spoof_type: str) -> bool:
        """A few reports far away (a jump) or on land, then back to the true track."""
        t = self._underway_time(v)
        if t is None:
            return False
        duration = self.uniform(25, 60) * 60.0
        seg = next(s for s in v.segments if s.t0 <= t < s.t1)
        here = seg.sample(np.array([t]))
        lat, lon = float(here["lat"][0]), float(here["lon"][0])
        target = self._land_point(lat, lon) if spoof_type == "on_land" else self._far_water_point(lat, lon)
        if target is None:
            return False
        v.spoofs.append((t, t + duration, spoof_type, target[0], target[1]))
        self.truth.append(
            TruthEvent(
                "spoofing",
                v.identity_at(t)[0],
                t,
                t + duration,
                target[0],
                target[1],
                {
                    "spoof_type": spoof_type,
                    "true_lat": lat,
                    "true_lon": lon,
                    "displacement_km": float(haversine_m(lat, lon, target[0], target[1])) / 1000.0,
                },
            )
        )
        return True

    def _far_water_point(self, lat: float, lon: float) -> tuple[float, float] | None:
        for _ in range(50):
            b, d = self.uniform(0, 360), self.uniform(250, 700) * 1000.0
            plat, plon = destination(np.array([lat]), np.array([lon]), np.array([b]), np.array([d]))
            if clear_of_land(float(plat[0]), float(plon[0]), 5_000.0, n_rings=2, n_bearings=8):
                return float(plat[0]), float(plon[0])
        return None

    def _land_point(self, lat: float, lon: float) -> tuple[float, float] | None:
        for d_km in range(20, 1500, 20):
            bearings = np.arange(0.0, 360.0, 10.0) + self.uniform(0, 10)
            plat, plon = destination(np.full(36, lat), np.full(36, lon), bearings, np.full(36, d_km * 1000.0))
            for a, b in zip(plat, plon, strict=True):
                ring_lat, ring_lon = destination(
                    np.full(8, a), np.full(8, b), np.arange(0.0, 360.0, 45.0), np.full(8, 5_000.0)
                )
                if is_land(np.append(ring_lat, a), np.append(ring_lon, b)).all():
                    return float(a), float(b)
        return None

    def rename(self, v: Vessel, reflag: bool) -> bool:
        """A new name and call sign; with `reflag`, also a new flag and an MMSI with that flag's MID."""
        t = self._underway_time(v, margin_s=3 * DAY_S)
        if t is None:
            return False
        old_mmsi, old_name, old_callsign, old_flag = v.identity_at(t)
        flag = old_flag
        mmsi = old_mmsi
        if reflag:
            flag = self.choice([f for f in SHADOW_FLAGS if f != old_flag])
            mmsi = ids.fictional_mmsi(self.rng, flag, self.taken_mmsi)
        name = ids.fictional_names(self.rng, 1)[0]
        callsign = ids.fictional_callsign(self.rng, flag)
        v.identity.append((t, mmsi, name, callsign, flag))
        details: dict[str, Any] = {
            "change": "reflag" if reflag else "rename",
            "old_name": old_name,
            "new_name": name,
            "old_callsign": old_callsign,
            "new_callsign": callsign,
            "imo": v.imo,
        }
        if reflag:
            details.update(old_mmsi=old_mmsi, new_mmsi=mmsi, old_flag=old_flag, new_flag=flag)
        here = next(s for s in v.segments if s.t0 <= t < s.t1).sample(np.array([t]))
        self.truth.append(
            TruthEvent(
                "identity_change",
                mmsi,
                t,
                t,
                float(here["lat"][0]),
                float(here["lon"][0]),
                details,
                other_mmsi=old_mmsi if reflag else None,
            )
        )
        return True

    # ---- whole scenario ------------------------------------------------------------------------
    def plan(self) -> Scenario:
        n = self.config.n_vessels
        n_pairs = max(1, n // 25)
        n_fuel = max(1, n * 8 // 100)
        n_small = max(1, n // 10)
        n_clone = 1
        n_crude = max(8, n * 30 // 100)
        n_background = n - 2 * n_pairs - n_fuel - n_small - n_clone - n_crude
        if n_background < 2:
            raise ValueError(f"a scenario needs at least {MIN_VESSELS} vessels, got {n}")

        crude: list[Vessel] = []
        markets = ("china", "china", "ru_tr", "cuba")
        for i in range(n_crude):
            market = markets[i % len(markets)]
            hull = {"china": "vlcc", "ru_tr": "suezmax", "cuba": "aframax"}[market]
            v = self.new_vessel(f"crude_export_{market}", hull, self.choice(SHADOW_FLAGS))
            crude.append(v)
        n_dark_calls = max(1, n // 25)
        n_loiter = max(1, n // 30)
        for i, v in enumerate(crude):
            market = v.role.removeprefix("crude_export_")
            inbound = i < n_dark_calls or bool(self.rng.random() < 0.6)
            loiter = n_dark_calls <= i < n_dark_calls + n_loiter
            self.crude_exporter(v, market, inbound=inbound, loiter=loiter)
            if loiter:
                stay = next(s for s in v.segments if isinstance(s, Stay) and s.kind == "loiter")
                lat, lon = stay.lat, stay.lon
                self.truth.append(
                    TruthEvent(
                        "loitering",
                        v.identity_at(stay.t0)[0],
                        stay.t0,
                        stay.t1,
                        lat,
                        lon,
                        {"context": "waiting_for_orders", "drift_kn": stay.drift_kn},
                    )
                )
        for _ in range(n_pairs):
            shuttle = self.new_vessel("sts_shuttle", "aframax", self.choice(("VE", "PA", "CM")))
            mother = self.new_vessel("sts_receiver", "vlcc", self.choice(SHADOW_FLAGS))
            self.transfer_pair(shuttle, mother)
            for vessel in (shuttle, mother):
                stay = next(
                    s for s in vessel.segments if isinstance(s, Stay) and s.kind in ("loiter", "transfer")
                )
                if stay.t1 - stay.t0 >= 4 * HOUR_S:
                    self.truth.append(
                        TruthEvent(
                            "loitering",
                            vessel.identity_at(stay.t0)[0],
                            stay.t0,
                            stay.t1,
                            stay.lat,
                            stay.lon,
                            {"context": "transfer", "drift_kn": stay.drift_kn},
                        )
                    )
        for _ in range(n_fuel):
            v = self.new_vessel("fuel_import_iran", "mr_tanker", self.choice(("IR", "PA", "KM")))
            self.fuel_importer(v)
        background: list[Vessel] = []
        for i in range(n_background):
            tanker = i % 3 == 0
            hull = "mr_tanker" if tanker else self.choice(("container", "bulker", "general_cargo"))
            v = self.new_vessel(
                "background_tanker" if tanker else "background_cargo", hull, self.choice(BACKGROUND_FLAGS)
            )
            self.background(v, self.caribbean, tanker)
            background.append(v)
        for _ in range(n_small):
            v = self.new_vessel(
                "small_craft", self.choice(("yacht", "fishing")), self.choice(("NL", "US", "CO")), "B"
            )
            self.small_craft(v)

        # Behaviours, on distinct vessels where possible.
        for v in crude[:n_dark_calls]:
            self.dark_port_call(v)
        long_haul = [v for v in crude[n_dark_calls + n_loiter :] if v.role != "crude_export_cuba"]
        fuel = [v for v in self.vessels if v.role == "fuel_import_iran"]
        for v in (long_haul + fuel)[: max(1, n // 25)]:
            self.dark_at_sea(v)
        spoof_pool = background + crude
        for v in spoof_pool[: max(1, n // 40)]:
            self.spoof(v, "jump")
        for v in spoof_pool[max(1, n // 40) : max(1, n // 40) + max(1, n // 40)]:
            self.spoof(v, "on_land")
        rename_pool = crude[::-1]
        for k, v in enumerate(rename_pool[: 2 * max(1, n // 40)]):
            self.rename(v, reflag=k % 2 == 1)

        # A second ship broadcasting a crude tanker's MMSI and identity for the whole period.
        victim = next(v for v in crude[::-1] if len(v.identity) == 1)
        clone = self.new_vessel("mmsi_clone", "general_cargo", victim.flag)
        self.taken_mmsi.discard(clone.mmsi)
        clone.mmsi = victim.mmsi
        clone.identity = [(-math.inf, victim.mmsi, victim.name, victim.callsign, victim.flag)]
        clone.imo = victim.imo
        clone.static_identity_of = victim.key
        self.background(clone, self.gulf, tanker=False)
        self.truth.append(
            TruthEvent(
                "spoofing",
                victim.mmsi,
                self.t0,
                self.t1,
                math.nan,
                math.nan,
                {"spoof_type": "shared_mmsi", "clone_role": clone.role},
            )
        )
        # One tanker declares an IMO number whose check digit is wrong.
        wrong = background[0]
        if wrong.imo is not None:
            wrong.imo = ids.invalid_imo(wrong.imo)
            self.truth.append(
                TruthEvent(
                    "spoofing",
                    wrong.mmsi,
                    self.t0,
                    self.t1,
                    math.nan,
                    math.nan,
                    {"spoof_type": "invalid_imo", "imo": wrong.imo},
                )
            )
        # One cargo ship whose registry flag contradicts the country of its MMSI.
        mismatched = background[1]
        mismatched.declared_flag = self.choice([f for f in SHADOW_FLAGS if f != mismatched.flag])
        self.truth.append(
            TruthEvent(
                "spoofing",
                mismatched.mmsi,
                self.t0,
                self.t1,
                math.nan,
                math.nan,
                {
                    "spoof_type": "mid_flag_mismatch",
                    "mmsi_flag": mismatched.flag,
                    "declared_flag": mismatched.declared_flag,
                },
            )
        )
        self._resolve_truth_mmsi()
        self._port_call_truth()
        outages = self._outages()
        truth = []
        for e in self.truth:
            if e.end_s < self.t0 or e.start_s > self.t1:
                continue  # happened wholly outside the simulated period
            if e.start_s < self.t0 or e.end_s > self.t1:
                e.details.setdefault("partial", True)
            truth.append(e)
        truth.sort(key=lambda e: (e.start_s, e.kind, e.mmsi, e.end_s))
        return Scenario(self.config, self.vessels, truth, outages)

    def _resolve_truth_mmsi(self) -> None:
        """Events planned before the renames carry the first MMSI; give them the MMSI in use then."""
        by_first_mmsi = {v.identity[0][1]: v for v in self.vessels if v.static_identity_of is None}
        for e in self.truth:
            if e.kind == "identity_change":
                continue
            vessel = by_first_mmsi.get(e.mmsi)
            if vessel is not None:
                e.mmsi = vessel.identity_at(e.start_s)[0]
            other = by_first_mmsi.get(e.other_mmsi) if e.other_mmsi is not None else None
            if other is not None:
                e.other_mmsi = other.identity_at(e.start_s)[0]

    def _port_call_truth(self) -> None:
        """A port call for every berth stay seen in the period: entry within 3 km, exit beyond 4 km."""
        for v in self.vessels:
            for p, stay in v.port_stays:
                if any(a <= stay.t0 and stay.t1 <= b for a, b in v.dark):
                    continue
                if stay.t1 <= self.t0 or stay.t0 >= self.t1:
                    continue
                k = v.segments.index(stay)
                entry = _crossing_time(v, k - 1, p, 3_000.0, inbound=True) if k > 0 else stay.t0
                exit_ = (
                    _crossing_time(v, k + 1, p, 4_000.0, inbound=False)
                    if k + 1 < len(v.segments)
                    else stay.t1
                )
                start, end = max(entry, self.t0), min(exit_, self.t1)
                mmsi = v.identity_at(stay.t0)[0]
                self.truth.append(
                    TruthEvent(
                        "port_call",
                        mmsi,
                        start,
                        end,
                        p.lat,
                        p.lon,
                        {
                            "port": p.name,
                            "locode": p.locode,
                            "country": p.country,
                            "venezuelan_terminal": p.venezuelan_terminal,
                            "partial": bool(entry < self.t0 or exit_ > self.t1),
                            "transceiver": v.transceiver,
                        },
                    )
                )

    def _outages(self) -> list[tuple[float, float, float, float, float, float]]:
        """Short receiver outages (1-4 h) over coastal boxes; shorter than any labelled gap."""
        boxes = ((10.0, 13.0, -72.0, -66.0), (9.5, 12.0, -66.0, -61.0), (17.0, 20.0, -78.0, -64.0))
        out = []
        for _ in range(max(2, int(self.config.days // 5))):
            box = self.choice(boxes)
            t = self.uniform(self.t0, self.t1 - 5 * HOUR_S)
            out.append((*box, t, t + self.uniform(1, 4) * HOUR_S))
        return out


@cache
def _port_reachable(p: Port) -> bool:
    route = sea_route(HUB[0], HUB[1], round(p.berth_lat, 6), round(p.berth_lon, 6), AVOID_PASSAGES)
    return longest_land_run_m(route) <= MAX_LAND_RUN_M


def _crossing_time(v: Vessel, k: int, p: Port, radius_m: float, *, inbound: bool) -> float:
    seg = v.segments[k]
    t = np.arange(seg.t0, seg.t1 + 1.0, 30.0)
    s = seg.sample(t)
    inside = haversine_m(s["lat"], s["lon"], p.lat, p.lon) <= radius_m
    if inbound:
        outside = np.nonzero(~inside)[0]
        return float(t[outside[-1] + 1]) if len(outside) and outside[-1] + 1 < len(t) else float(seg.t0)
    outside = np.nonzero(~inside)[0]
    return float(t[outside[0]]) if len(outside) else float(seg.t1)


def _destination_text(p: Port) -> str:
    return f"{p.locode[:2]} {p.locode[2:]}"


def plan_scenario(config: ScenarioConfig) -> Scenario:
    return _Planner(config).plan()


def venezuela_preset(seed: int = 1, start: datetime | None = None) -> ScenarioConfig:
    """The demo's scenario: 80 vessels over 30 days, about 340,000 positions."""
    return ScenarioConfig(seed=seed, n_vessels=80, days=30.0, start=start or datetime(2026, 1, 1, tzinfo=UTC))
