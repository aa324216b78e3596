"""What receivers hear from a planned scenario: thinned position reports with noise, and static reports.

ITU-R M.1371 Class A units report every 2-10 s underway (faster at higher speed or when turning) and
every 3 min at anchor or moored; Class B "CS" units every 30 s above 2 kn and every 3 min below. Real
feeds (terrestrial networks that de-duplicate, satellites that pass over) deliver far fewer: the
simulator keeps an *effective* interval, by default 8 min underway and 10 min stationary for Class A,
6 and 15 min for Class B, drawn as a Bernoulli thinning of one candidate report per minute. Static
reports (type 5, nominally every 6 min; type 24 parts A and B) are kept once an hour and a few minutes
after every change of draught or identity.

Noise: a few metres of position jitter (gaussian, `position_jitter_m`), speed/course/heading noise,
random drops, regions of low (satellite-only) reception where only `low_coverage_keep` of the reports
survive, and receiver outages (1-4 h) over coastal boxes. Reports whose true position falls on a land
cell of the ~1 km mask (straits, canals and channels narrower than the mask) are dropped. Nothing here
creates a silent period longer than a few hours; long gaps are only the labelled dark periods.
"""

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA, TS_TYPE
from shadowfleet.sim.fleet import Vessel
from shadowfleet.sim.geo import is_land, offset_m
from shadowfleet.sim.motion import sample_segments
from shadowfleet.sim.scenario import Scenario

# Open ocean where only satellites hear ships: (lat0, lat1, lon0, lon1).
LOW_COVERAGE_BOXES = ((-40.0, 8.0, -40.0, 20.0), (-45.0, 0.0, 20.0, 80.0), (5.0, 30.0, -55.0, -25.0))
TERRESTRIAL_BOX = (5.0, 32.0, -100.0, -55.0)
RECEIVER_TERRESTRIAL = "SIM-TERR-CARIB"
RECEIVER_SATELLITE = "SIM-SAT-1"
SPOOF_REPORT_EVERY_S = 300


@dataclass
class Reports:
    """Positions and statics (lake schemas) plus per-row fields the NMEA and CSV writers need."""

    positions: pa.Table
    statics: pa.Table
    position_extra: dict[str, np.ndarray]  # vessel_key, transceiver, draught_m
    static_extra: dict[str, np.ndarray]  # transceiver, eta_month/day/hour/minute


def _in_boxes(
    lat: np.ndarray, lon: np.ndarray, boxes: tuple[tuple[float, float, float, float], ...]
) -> np.ndarray:
    inside = np.zeros(len(lat), dtype=bool)
    for lat0, lat1, lon0, lon1 in boxes:
        inside |= (lat >= lat0) & (lat <= lat1) & (lon >= lon0) & (lon <= lon1)
    return inside


def _in_windows(t: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray:
    inside = np.zeros(len(t), dtype=bool)
    for a, b in windows:
        inside |= (t >= a) & (t <= b)
    return inside


def receivers_for(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.where(_in_boxes(lat, lon, (TERRESTRIAL_BOX,)), RECEIVER_TERRESTRIAL, RECEIVER_SATELLITE)


def _vessel_positions(scenario: Scenario, v: Vessel) -> dict[str, np.ndarray]:
    cfg = scenario.config
    rng = np.random.default_rng([cfg.seed, v.key, 1])
    first = max(cfg.t_begin, v.segments[0].t0)
    minutes = np.arange(math.ceil(first / 60.0) * 60.0, cfg.t_end, 60.0)
    t = minutes + rng.integers(0, 60, len(minutes))
    s = sample_segments(v.segments, t)
    moving = s["sog_kn"] >= 0.5
    if v.transceiver == "A":
        interval = np.where(moving, cfg.class_a_underway_interval_s, cfg.class_a_stationary_interval_s)
    else:
        interval = np.where(moving, cfg.class_b_underway_interval_s, cfg.class_b_stationary_interval_s)
    p_keep = 60.0 / interval * (1.0 - cfg.drop_probability)
    p_keep = np.where(
        _in_boxes(s["lat"], s["lon"], LOW_COVERAGE_BOXES), p_keep * cfg.low_coverage_keep, p_keep
    )
    keep = rng.random(len(t)) < p_keep
    for lat0, lat1, lon0, lon1, ta, tb in scenario.outages:
        keep &= ~(_in_windows(t, [(ta, tb)]) & _in_boxes(s["lat"], s["lon"], ((lat0, lat1, lon0, lon1),)))
    spoofed = np.zeros(len(t), dtype=bool)
    spoof_lat = np.full(len(t), np.nan)
    spoof_lon = np.full(len(t), np.nan)
    for ta, tb, _kind, target_lat, target_lon in v.spoofs:
        inside = _in_windows(t, [(ta, tb)])
        forced = inside & (((minutes - ta) // 60) % (SPOOF_REPORT_EVERY_S // 60) == 0)
        keep = np.where(inside, forced, keep)
        spoofed |= forced
        spoof_lat[forced], spoof_lon[forced] = target_lat, target_lon
    keep &= ~_in_windows(t, v.dark)
    rows = np.nonzero(keep)[0]
    t, spoofed, spoof_lat, spoof_lon = t[rows], spoofed[rows], spoof_lat[rows], spoof_lon[rows]
    s = {k: c[rows] for k, c in s.items()}
    n = len(t)
    moving = s["sog_kn"] >= 0.5

    north, east = rng.normal(0, cfg.position_jitter_m, (2, n))
    lat, lon = offset_m(s["lat"], s["lon"], north, east)
    lat = np.where(spoofed, spoof_lat + north * 1e-5, lat)
    lon = np.where(spoofed, spoof_lon + east * 1e-5, lon)
    # True positions on a land cell (straits, canals, channels narrower than the ~1 km mask) are not
    # reported: moving them to water would make sideways jumps that look like spoofing.
    usable = spoofed | ~is_land(lat, lon)
    sog = np.where(moving, s["sog_kn"] + rng.normal(0, 0.15, n), s["sog_kn"] + np.abs(rng.normal(0, 0.05, n)))
    cog = np.where(
        moving | (s["sog_kn"] > 0.05),
        s["cog_deg"] + rng.normal(0, 1.0, n) * np.where(moving, 1.0, 15.0),
        rng.uniform(0, 360, n),
    )
    heading = s["heading_deg"] + rng.normal(0, 1.5, n)
    if v.transceiver == "A":
        msg_type = rng.choice(np.array([1, 3, 2], dtype=np.int8), n, p=[0.8, 0.15, 0.05])
    else:
        msg_type = np.full(n, 18, dtype=np.int8)
    step_t = np.array([step[0] for step in v.identity])
    which = np.searchsorted(step_t, t, side="right") - 1
    mmsi = np.array([step[1] for step in v.identity], dtype=np.int64)[which]
    draught_t = np.array([step[0] for step in v.draught])
    draught_v = np.array([step[1] for step in v.draught])
    draught = draught_v[np.clip(np.searchsorted(draught_t, t, side="right") - 1, 0, None)]
    out = {
        "mmsi": mmsi,
        "ts_s": t.astype(np.int64),
        "lat": lat,
        "lon": lon,
        "sog_kn": np.clip(sog, 0.0, 102.2),
        "cog_deg": cog % 360.0,
        "heading_deg": heading % 360.0,
        "nav_status": s["nav_status"],
        "accuracy": rng.random(n) < 0.7,
        "msg_type": msg_type,
        "vessel_key": np.full(n, v.key, dtype=np.int64),
        "draught_m": draught,
    }
    return {k: c[usable] for k, c in out.items()}


def _vessel_statics(scenario: Scenario, v: Vessel) -> list[dict[str, object]]:
    cfg = scenario.config
    rng = np.random.default_rng([cfg.seed, v.key, 2])
    first = max(cfg.t_begin, v.segments[0].t0)
    times = list(np.arange(first + rng.uniform(0, cfg.static_interval_s), cfg.t_end, cfg.static_interval_s))
    for t_change, *_ in v.identity[1:]:
        times.append(t_change + rng.uniform(60, 600))
    for t_change, _ in v.draught[1:]:
        times.append(t_change + rng.uniform(60, 600))
    t = np.unique(np.floor(np.array([x for x in times if cfg.t_begin <= x < cfg.t_end])))
    t = t[~_in_windows(t, v.dark)]
    t = t[rng.random(len(t)) >= cfg.drop_probability]
    if len(t) == 0:
        return []
    where = sample_segments(v.segments, t)
    # A clone repeats the static reports of the ship whose MMSI it uses, voyage data included.
    src = scenario.vessels[v.static_identity_of] if v.static_identity_of is not None else v
    rows: list[dict[str, object]] = []
    for k, ts in enumerate(t):
        mmsi = v.identity_at(float(ts))[0]
        _, name, callsign, _ = src.identity_at(float(ts))
        dest, eta = "", math.nan
        for t_voyage, text, eta_s in src.voyages:
            if t_voyage <= ts:
                dest, eta = text, eta_s
        rows.append(
            {
                "mmsi": mmsi,
                "ts_s": int(ts),
                "imo": src.imo,
                "name": name,
                "callsign": callsign,
                "ship_type": src.ship_type,
                "length_m": src.length_m,
                "beam_m": src.beam_m,
                "draught_m": round(src.draught_at(float(ts)), 1) if v.transceiver == "A" else None,
                "destination": dest if v.transceiver == "A" else None,
                "eta_s": eta if v.transceiver == "A" and math.isfinite(eta) else None,
                "msg_type": 5 if v.transceiver == "A" else 24,
                "lat": float(where["lat"][k]),
                "lon": float(where["lon"][k]),
                "transceiver": v.transceiver,
            }
        )
    return rows


def _quantise_positions(p: dict[str, np.ndarray]) -> None:
    """Round to the resolution AIS carries, so the tables equal what a decoder reads from the NMEA.

    Positions are 1/600000 degree on the wire, stored (as the decoder stores them) rounded to 1e-6 degree.
    """
    p["lat"] = np.round(np.rint(p["lat"] * 600_000) / 600_000, 6)
    p["lon"] = np.round(np.rint(p["lon"] * 600_000) / 600_000, 6)
    p["sog_kn"] = np.rint(p["sog_kn"] * 10) / 10
    p["cog_deg"] = (np.rint(p["cog_deg"] * 10) % 3600) / 10
    p["heading_deg"] = np.rint(p["heading_deg"]) % 360


def _eta_minute_s(eta_s: float) -> float:
    return math.floor(eta_s / 60.0) * 60.0


def build_reports(scenario: Scenario) -> Reports:
    cfg = scenario.config
    source = f"simulated:{cfg.name}:seed={cfg.seed}"
    parts = [_vessel_positions(scenario, v) for v in scenario.vessels]
    p = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    _quantise_positions(p)
    order = np.lexsort((p["vessel_key"], p["ts_s"], p["mmsi"]))
    p = {k: c[order] for k, c in p.items()}
    n = len(order)
    class_b = p["msg_type"] == 18
    transceiver = np.where(class_b, "B", "A")
    positions = pa.table(
        {
            "mmsi": pa.array(p["mmsi"], pa.int64()),
            "ts": pa.array(p["ts_s"] * 1_000_000, pa.int64()).cast(TS_TYPE),
            "lat": pa.array(p["lat"]),
            "lon": pa.array(p["lon"]),
            "sog_kn": pa.array(p["sog_kn"]),
            "cog_deg": pa.array(p["cog_deg"]),
            "heading_deg": pa.array(p["heading_deg"]),
            "rot_deg_min": pa.nulls(n, pa.float64()),
            "nav_status": pa.array(p["nav_status"], pa.int8(), mask=class_b),
            "accuracy": pa.array(p["accuracy"]),
            "msg_type": pa.array(p["msg_type"], pa.int8()),
            "ts_origin": pa.array(["simulated"] * n, pa.string()),
            "receiver": pa.array(receivers_for(p["lat"], p["lon"]), pa.string()),
            "source": pa.array([source] * n, pa.string()),
            "simulated": pa.array(np.ones(n, dtype=bool)),
        },
        schema=POSITION_SCHEMA,
    )
    static_rows = [row for v in scenario.vessels for row in _vessel_statics(scenario, v)]
    static_rows.sort(key=lambda r: (int(r["mmsi"]), int(r["ts_s"]), str(r["name"])))  # type: ignore[call-overload]
    eta_s = [r["eta_s"] for r in static_rows]
    statics = pa.table(
        {
            "mmsi": pa.array([r["mmsi"] for r in static_rows], pa.int64()),
            "ts": pa.array([int(r["ts_s"]) * 1_000_000 for r in static_rows], pa.int64()).cast(TS_TYPE),  # type: ignore[call-overload]
            "imo": pa.array([r["imo"] for r in static_rows], pa.int64()),
            "name": pa.array([r["name"] for r in static_rows], pa.string()),
            "callsign": pa.array([r["callsign"] for r in static_rows], pa.string()),
            "ship_type": pa.array([r["ship_type"] for r in static_rows], pa.int16()),
            "length_m": pa.array([r["length_m"] for r in static_rows], pa.float64()),
            "beam_m": pa.array([r["beam_m"] for r in static_rows], pa.float64()),
            "draught_m": pa.array([r["draught_m"] for r in static_rows], pa.float64()),
            "destination": pa.array([r["destination"] for r in static_rows], pa.string()),
            "eta": pa.array(
                [None if e is None else int(_eta_minute_s(float(e))) * 1_000_000 for e in eta_s],  # type: ignore[arg-type]
                pa.int64(),
            ).cast(TS_TYPE),
            "msg_type": pa.array([r["msg_type"] for r in static_rows], pa.int8()),
            "ts_origin": pa.array(["simulated"] * len(static_rows), pa.string()),
            "receiver": pa.array(
                receivers_for(
                    np.array([r["lat"] for r in static_rows], dtype=float),
                    np.array([r["lon"] for r in static_rows], dtype=float),
                ),
                pa.string(),
            ),
            "source": pa.array([source] * len(static_rows), pa.string()),
            "simulated": pa.array(np.ones(len(static_rows), dtype=bool)),
        },
        schema=STATIC_SCHEMA,
    )
    return Reports(
        positions,
        statics,
        {"vessel_key": p["vessel_key"], "transceiver": transceiver, "draught_m": p["draught_m"]},
        {"transceiver": np.array([r["transceiver"] for r in static_rows], dtype="U1")},
    )
