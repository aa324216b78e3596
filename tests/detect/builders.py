"""Tiny hand-built tracks in metric units: positions given as (hours, metres north, metres east) of an origin."""

import datetime as dt

import numpy as np
import pyarrow as pa

from shadowfleet.detect.geo import offset_m
from shadowfleet.model.schemas import POSITION_SCHEMA

T0 = dt.datetime(2024, 3, 1, 0, 0, tzinfo=dt.UTC)
T0_US = int(T0.timestamp()) * 1_000_000


def track(
    mmsi: int,
    origin: tuple[float, float],
    hours: np.ndarray,
    north_m: np.ndarray,
    east_m: np.ndarray,
    sog_kn: np.ndarray | float | None = None,
    nav_status: int | None = None,
    t0_us: int = T0_US,
) -> pa.Table:
    hours = np.asarray(hours, dtype=np.float64)
    lat, lon = offset_m(np.full(len(hours), origin[0]), np.full(len(hours), origin[1]), north_m, east_m)
    ts = t0_us + np.round(hours * 3_600_000_000).astype(np.int64)
    if sog_kn is None:
        sog = pa.nulls(len(hours), pa.float64())
    else:
        sog = pa.array(np.broadcast_to(np.asarray(sog_kn, dtype=np.float64), hours.shape))
    n = len(hours)
    return pa.table(
        {
            "mmsi": pa.array([mmsi] * n, pa.int64()),
            "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            "lat": pa.array(lat),
            "lon": pa.array(lon),
            "sog_kn": sog,
            "cog_deg": pa.nulls(n, pa.float64()),
            "heading_deg": pa.nulls(n, pa.float64()),
            "rot_deg_min": pa.nulls(n, pa.float64()),
            "nav_status": pa.array([nav_status] * n, pa.int8()),
            "accuracy": pa.array([True] * n),
            "msg_type": pa.array([1] * n, pa.int8()),
            "ts_origin": pa.array(["simulated"] * n),
            "receiver": pa.nulls(n, pa.string()),
            "source": pa.array(["test"] * n),
            "simulated": pa.array([True] * n),
        },
        schema=POSITION_SCHEMA,
    )


def combine(*tables: pa.Table) -> pa.Table:
    return pa.concat_tables(tables).sort_by([("mmsi", "ascending"), ("ts", "ascending")])


def every(minutes: float, hours: float, start_h: float = 0.0) -> np.ndarray:
    return start_h + np.arange(0, hours * 60 + 1e-9, minutes) / 60.0
