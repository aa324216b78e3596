"""Tiny hand-built AIS tables in the lake's schemas, for detector tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA

T0 = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def positions(
    rows: list[tuple[int, float, float, float]], sog_kn: float = 10.0, simulated: bool = False
) -> pa.Table:
    """Rows of (mmsi, minutes after T0, lat, lon), sorted by (mmsi, ts) here."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    data: dict[str, list[Any]] = {f.name: [] for f in POSITION_SCHEMA}
    for mmsi, minutes, lat, lon in rows:
        values = {
            "mmsi": mmsi,
            "ts": at(minutes),
            "lat": lat,
            "lon": lon,
            "sog_kn": sog_kn,
            "cog_deg": None,
            "heading_deg": None,
            "rot_deg_min": None,
            "nav_status": 0,
            "accuracy": False,
            "msg_type": 1,
            "ts_origin": "simulated" if simulated else "csv",
            "receiver": None,
            "source": "test",
            "simulated": simulated,
        }
        for k, v in values.items():
            data[k].append(v)
    return pa.table(data, schema=POSITION_SCHEMA)


def statics(rows: list[dict[str, Any]], simulated: bool = False) -> pa.Table:
    """Rows as dicts with mmsi, minutes and any STATIC_SCHEMA fields; sorted by (mmsi, ts) here."""
    rows = sorted(rows, key=lambda r: (r["mmsi"], r["minutes"]))
    data: dict[str, list[Any]] = {f.name: [] for f in STATIC_SCHEMA}
    for row in rows:
        values: dict[str, Any] = {f.name: None for f in STATIC_SCHEMA}
        values.update(
            msg_type=5,
            ts_origin="simulated" if simulated else "csv",
            source="test",
            simulated=simulated,
        )
        values.update({k: v for k, v in row.items() if k != "minutes"})
        values["ts"] = at(row["minutes"])
        for k in data:
            data[k].append(values[k])
    return pa.table(data, schema=STATIC_SCHEMA)
