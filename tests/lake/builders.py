"""Small hand-built position and static tables for lake tests."""

import datetime as dt

import pyarrow as pa

from shadowfleet.lake.manifest import ChunkEntry
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


def positions(
    rows: list[tuple[int, dt.datetime, float | None, float | None]],
    *,
    source: str = "test",
    simulated: bool = False,
) -> pa.Table:
    n = len(rows)
    return pa.table(
        {
            "mmsi": [r[0] for r in rows],
            "ts": [r[1] for r in rows],
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "sog_kn": [10.5] * n,
            "cog_deg": [90.0] * n,
            "heading_deg": [None] * n,
            "rot_deg_min": [None] * n,
            "nav_status": [0] * n,
            "accuracy": [True] * n,
            "msg_type": [1] * n,
            "ts_origin": ["tagblock"] * n,
            "receiver": [None] * n,
            "source": [source] * n,
            "simulated": [simulated] * n,
        },
        schema=POSITION_SCHEMA,
    )


def statics(
    rows: list[tuple[int, dt.datetime, str | None, int | None]],
    *,
    source: str = "test",
    simulated: bool = False,
) -> pa.Table:
    n = len(rows)
    return pa.table(
        {
            "mmsi": [r[0] for r in rows],
            "ts": [r[1] for r in rows],
            "imo": [r[3] for r in rows],
            "name": [r[2] for r in rows],
            "callsign": ["CALL"] * n,
            "ship_type": [80] * n,
            "length_m": [250.0] * n,
            "beam_m": [44.0] * n,
            "draught_m": [12.5] * n,
            "destination": ["JOSE"] * n,
            "eta": [None] * n,
            "msg_type": [5] * n,
            "ts_origin": ["tagblock"] * n,
            "receiver": [None] * n,
            "source": [source] * n,
            "simulated": [simulated] * n,
        },
        schema=STATIC_SCHEMA,
    )


def chunk(
    key: str, *, positions: int = 0, statics: int = 0, source: str = "test", index: int = 0
) -> ChunkEntry:
    return ChunkEntry(
        chunk_key=key,
        source=source,
        source_kind="nmea",
        chunk_index=index,
        first_line=1,
        n_lines=positions + statics,
        n_bytes=0,
        positions=positions,
        statics=statics,
        rejects=1,
        rejects_by_reason={"bad checksum": 1},
    )


def h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)
