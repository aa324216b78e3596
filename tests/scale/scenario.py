"""A hand-built multi-day scenario in the Caribbean: one track per behaviour the detectors look for.

Positions are (hours since 2024-03-01T00:00Z, metres north, metres east) of an origin, as in the detector
tests. Every vessel is labelled simulated.
"""

import numpy as np
import pyarrow as pa

from shadowfleet.detect.geo import offset_m
from shadowfleet.model.schemas import STATIC_SCHEMA
from tests.detect.builders import T0_US, combine, every, track

OPEN_SEA = (13.5, -66.0)  # north of Venezuela, > 60 nm from land
JOSE_TERMINAL = (10.1, -64.85)  # World Port Index


def _drift(hours: np.ndarray, north_kn: float) -> np.ndarray:
    return hours * north_kn * 1852.0


def _shared_mmsi(mmsi: int, origin: tuple[float, float], start_h: float, hours: float) -> pa.Table:
    """Two transmitters using one MMSI, 900 m apart, reporting alternately every 10 s."""
    h = start_h + np.arange(0, hours * 3600, 10) / 3600.0
    north = np.where(np.arange(len(h)) % 2 == 0, 450.0, -450.0)
    return track(mmsi, origin, h, north, np.zeros_like(h), sog_kn=0.2)


def scenario() -> pa.Table:
    tables = []
    # encounter across midnight (day 1 21:00 - day 2 03:00), drifting together at 0.5 kn
    h = every(10, 6, start_h=21)
    tables.append(track(311000001, OPEN_SEA, h, _drift(h - 21, 0.5), np.zeros_like(h), sog_kn=0.5))
    tables.append(track(311000002, OPEN_SEA, h, _drift(h - 21, 0.5), np.full_like(h, 250.0), sog_kn=0.5))
    # encounter with a 3 h pause over midnight of day 2 -> 3, merged into one by the detector
    sea2 = (13.8, -67.2)
    h = np.concatenate([every(10, 3, start_h=44), every(10, 3, start_h=50)])
    tables.append(track(311000003, sea2, h, np.zeros_like(h), np.zeros_like(h), sog_kn=0.1))
    tables.append(track(311000004, sea2, h, np.full_like(h, 300.0), np.zeros_like(h), sog_kn=0.1))
    # a long silence at sea (14 h), then moving on
    h = np.concatenate([every(10, 8, start_h=2), every(10, 8, start_h=24)])
    tables.append(track(311000005, (14.2, -69.0), h, _drift(h, 9.0), np.zeros_like(h), sog_kn=9.0))
    # a port call at Jose Terminal: in from 20 km, 10 h alongside, out again
    h = every(10, 20, start_h=5)
    north = np.interp(h, [5, 8, 18, 21, 25], [20_000, 0, 0, 20_000, 40_000])
    sog = np.interp(h, [5, 8, 18, 21, 25], [10, 0, 0, 10, 10])
    tables.append(track(311000006, JOSE_TERMINAL, h, north, np.zeros_like(h), sog_kn=sog))
    # loitering far out: slow for 9 h
    h = every(10, 9, start_h=30)
    tables.append(track(311000007, (15.5, -64.0), h, _drift(h - 30, 0.3), np.zeros_like(h), sog_kn=0.3))
    # a shared MMSI beside a tanker: both transmitters within 500 m of it for 4 h
    sea3 = (12.9, -70.2)
    tables.append(_shared_mmsi(311000008, sea3, 10.0, 4.0))
    h = every(10, 4, start_h=10)
    tables.append(track(311000009, sea3, h, np.zeros_like(h), np.zeros_like(h), sog_kn=0.2))
    # background traffic: straight lines through many cells and days
    rng = np.random.default_rng(7)
    for k in range(30):
        start = float(rng.uniform(0, 60))
        h = every(15, float(rng.uniform(4, 24)), start_h=start)
        lat0, lon0 = offset_m(
            np.array([12.0]), np.array([-72.0]), rng.uniform(0, 4e5, 1), rng.uniform(0, 8e5, 1)
        )
        course = rng.uniform(0, 2 * np.pi)
        dist = (h - start) * 12.0 * 1852.0
        tables.append(
            track(
                312000000 + k,
                (float(lat0[0]), float(lon0[0])),
                h,
                dist * np.cos(course),
                dist * np.sin(course),
                sog_kn=12.0,
            )
        )
    return combine(*tables)


def day_us(day: int) -> int:
    return T0_US + day * 86_400_000_000


def statics() -> pa.Table:
    """Static reports: a load during the midnight encounter, a load at Jose Terminal, a renamed vessel."""
    rows = [
        # (mmsi, hour, imo, name, draught_m)
        (311000001, 16.0, 9000001, "SIM ALBA", 8.0),
        (311000001, 20.0, 9000001, "SIM ALBA", 8.0),
        (311000001, 27.5, 9000001, "SIM ALBA", 14.5),
        (311000002, 19.0, 9000013, "SIM BRUMA", 15.0),
        (311000002, 28.0, 9000013, "SIM BRUMA", 9.0),
        (311000006, 4.0, 9000025, "SIM CALMA", 7.0),
        (311000006, 22.0, 9000025, "SIM CALMA", 13.0),
        (311000005, 1.0, 9000037, "SIM DUNA", 10.0),
        (311000005, 30.0, 9000037, "SIM DUNA II", 10.0),
    ]
    n = len(rows)
    ts = [T0_US + int(h * 3_600_000_000) for _, h, _, _, _ in rows]
    return pa.table(
        {
            "mmsi": pa.array([r[0] for r in rows], pa.int64()),
            "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            "imo": pa.array([r[2] for r in rows], pa.int64()),
            "name": pa.array([r[3] for r in rows]),
            "callsign": pa.nulls(n, pa.string()),
            "ship_type": pa.array([80] * n, pa.int16()),
            "length_m": pa.array([180.0] * n),
            "beam_m": pa.array([32.0] * n),
            "draught_m": pa.array([r[4] for r in rows]),
            "destination": pa.nulls(n, pa.string()),
            "eta": pa.nulls(n, pa.timestamp("us", tz="UTC")),
            "msg_type": pa.array([5] * n, pa.int8()),
            "ts_origin": pa.array(["simulated"] * n),
            "receiver": pa.nulls(n, pa.string()),
            "source": pa.array(["test"] * n),
            "simulated": pa.array([True] * n),
        },
        schema=STATIC_SCHEMA,
    ).sort_by([("mmsi", "ascending"), ("ts", "ascending")])
