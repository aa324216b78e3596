"""A small lake in the documented layout, written with the project's schemas, for web tests.

Vessels are test fixtures with obviously fictional names; one carries markup in its name to prove
escaping. Events are built with the shared event-row builder.
"""

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from shadowfleet.detect.events import build_events
from shadowfleet.detect.run import stack_events
from shadowfleet.detect.voyages import VOYAGE_SCHEMA
from shadowfleet.lake.events import write_events, write_voyages
from shadowfleet.lake.manifest import ChunkEntry
from shadowfleet.lake.writer import LakeWriter
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
XSS_NAME = "<script>alert(1)</script>"


@dataclasses.dataclass(frozen=True)
class FixtureParams:
    max_distance_m: float = 500.0
    min_duration_h: float = 2.0


VESSELS = [
    # mmsi, imo, name, start lon, start lat, simulated
    (775000001, 9100001, "TEST TANKER ONE", -64.7, 10.3, True),
    (775000002, 9100002, "TEST TANKER TWO", -64.8, 10.9, True),
    (366000003, None, XSS_NAME, -80.0, 27.0, False),
]


def _positions(mmsi: int, lon0: float, lat0: float, simulated: bool, n: int, step_s: int) -> pa.Table:
    t_us = int(T0.timestamp() * 1e6) + np.arange(n, dtype=np.int64) * step_s * 1_000_000
    lon = lon0 + np.linspace(0, 2.0, n)
    lat = lat0 + np.sin(np.linspace(0, 3, n)) * 0.5
    return pa.table(
        {
            "mmsi": pa.array(np.full(n, mmsi), pa.int64()),
            "ts": pa.array(t_us, pa.int64()).cast(POSITION_SCHEMA.field("ts").type),
            "lat": lat,
            "lon": lon,
            "sog_kn": np.full(n, 11.5),
            "cog_deg": np.full(n, 90.0),
            "heading_deg": pa.nulls(n, pa.float64()),
            "rot_deg_min": pa.nulls(n, pa.float64()),
            "nav_status": pa.array(np.zeros(n, dtype=np.int8)),
            "accuracy": pa.array(np.ones(n, dtype=bool)),
            "msg_type": pa.array(np.ones(n, dtype=np.int8)),
            "ts_origin": pa.array(["simulated" if simulated else "csv"] * n),
            "receiver": pa.nulls(n, pa.string()),
            "source": pa.array(["fixture"] * n),
            "simulated": pa.array(np.full(n, simulated)),
        },
        schema=POSITION_SCHEMA,
    )


def _static(mmsi: int, imo: int | None, name: str, simulated: bool) -> pa.Table:
    ts = [T0, T0 + dt.timedelta(days=1)]
    return pa.table(
        {
            "mmsi": [mmsi, mmsi],
            "ts": ts,
            "imo": [imo, imo],
            "name": [name, name],
            "callsign": ["TEST1", "TEST1"],
            "ship_type": pa.array([80, 80], pa.int16()),
            "length_m": [250.0, 250.0],
            "beam_m": [44.0, 44.0],
            "draught_m": [9.5, 15.2],
            "destination": ["JOSE", "JOSE"],
            "eta": pa.nulls(2, STATIC_SCHEMA.field("eta").type),
            "msg_type": pa.array([5, 5], pa.int8()),
            "ts_origin": ["csv", "csv"],
            "receiver": pa.nulls(2, pa.string()),
            "source": ["fixture", "fixture"],
            "simulated": [simulated, simulated],
        },
        schema=STATIC_SCHEMA,
    )


def build_lake(root: Path, n_positions: int = 600, step_s: int = 600) -> Path:
    """Write positions and static reports through the lake writer, then events and voyages through the
    lake's derived-set writers; returns root."""
    positions = pa.concat_tables(
        [_positions(m, x, y, s, n_positions, step_s) for m, _i, _n, x, y, s in VESSELS]
    )
    statics = pa.concat_tables([_static(m, i, n, s) for m, i, n, _x, _y, s in VESSELS])
    chunk = ChunkEntry(
        chunk_key="web-fixture-0",
        source="web-fixture",
        source_kind="test",
        chunk_index=0,
        first_line=1,
        n_lines=positions.num_rows + statics.num_rows,
        n_bytes=0,
        positions=positions.num_rows,
        statics=statics.num_rows,
        rejects=0,
    )
    with LakeWriter(root) as writer:
        writer.write_chunk(chunk, positions, statics)
    start_us = int((T0 + dt.timedelta(hours=10)).timestamp() * 1e6)
    hour_us = 3_600_000_000
    encounter = build_events(
        "encounter",
        mmsi=np.array([775000001]),
        other_mmsi=np.array([775000002]),
        start_us=np.array([start_us]),
        end_us=np.array([start_us + 5 * hour_us]),
        lat=np.array([10.5]),
        lon=np.array([-64.2]),
        confidence=np.array([0.8]),
        evidence=[
            json.dumps(
                {
                    "vessel": [
                        [f"2024-03-01T{10 + h:02d}:00:00Z", 10.5, -64.2 + h * 0.001] for h in range(6)
                    ],
                    "other": [
                        [f"2024-03-01T{10 + h:02d}:00:00Z", 10.501, -64.2 + h * 0.001] for h in range(6)
                    ],
                    "median_distance_m": 120.0,
                }
            )
        ],
        params=FixtureParams(),
        detector_version="encounter-fixture",
        simulated=np.array([True]),
        extra={"duration_h": [5.0], "median_distance_m": [120.0]},
    )
    gap = build_events(
        "ais_gap",
        mmsi=np.array([366000003]),
        start_us=np.array([start_us + 20 * hour_us]),
        end_us=np.array([start_us + 30 * hour_us]),
        lat=np.array([27.2]),
        lon=np.array([-79.5]),
        confidence=np.array([0.6]),
        evidence=[json.dumps({"note": XSS_NAME, "speed_kn": float("inf")})],
        params=FixtureParams(),
        detector_version="gap-fixture",
        simulated=np.array([False]),
        # An infinite implied speed (two reports at one instant) must not break JSON output.
        extra={
            "duration_h": [10.0],
            "median_distance_m": pa.nulls(1, pa.float64()),
            "implied_speed_kn": [float("inf")],
        },
    )
    port_call = build_events(
        "port_call",
        mmsi=np.array([775000001]),
        start_us=np.array([start_us - 8 * hour_us]),
        end_us=np.array([start_us - 4 * hour_us]),
        lat=np.array([10.3]),
        lon=np.array([-64.7]),
        confidence=np.array([0.9]),
        evidence=[json.dumps({"track": [["2024-03-01T02:00:00Z", 10.3, -64.7]]})],
        params=FixtureParams(),
        detector_version="port-call-fixture",
        simulated=np.array([True]),
        extra={
            "port_name": ["Jose Terminal"],
            "port_country": ["VE"],
            "venezuelan_terminal": [True],
            "duration_h": [4.0],
        },
    )
    write_events(root, stack_events([encounter, gap, port_call]))
    ts = STATIC_SCHEMA.field("ts").type
    columns: dict[str, object] = {
        "voyage_id": ["v1", "v2"],
        "mmsi": pa.array([775000001, 775000002], pa.int64()),
        "origin_port_id": ["wpi-jose", "wpi-amuay"],
        "origin_port_name": ["Jose Terminal", "Amuay"],
        "origin_country": ["VE", "VE"],
        "destination_port_id": ["wpi-freeport", None],
        "destination_port_name": ["Freeport", None],
        "destination_country": ["BS", None],
        "departure_ts": pa.array([T0, T0], ts),
        "arrival_ts": pa.array([T0 + dt.timedelta(days=3), None], ts),
        "duration_h": [72.0, 90.0],
        "distance_nm": [1100.0, 700.0],
        "distance_method": ["track", "track"],
        "to_or_from_venezuela": [True, True],
        "in_progress": [False, True],
        "origin_known": [True, True],
        "draught_departure_m": [15.2, 9.5],
        "draught_arrival_m": [15.2, None],
        "laden_departure": ["laden", "ballast"],
        "laden_arrival": ["laden", None],
        "declared_destination": ["FREEPORT", None],
        "origin_event_id": [None, None],
        "destination_event_id": [None, None],
        "simulated": [True, True],
        "detector_version": ["voyage-fixture", "voyage-fixture"],
        "params": ["{}", "{}"],
    }
    # Columns the voyage schema gains later (estimates, categories) are left null here.
    for field in VOYAGE_SCHEMA:
        columns.setdefault(field.name, pa.nulls(2, field.type))
    voyages = pa.table(columns, schema=VOYAGE_SCHEMA)
    # The estimated cargo on departure, appended after the schema by the voyage builder.
    voyages = voyages.append_column("cargo_estimate_t", pa.array([100_000.0, None], pa.float64()))
    voyages = voyages.append_column("cargo_estimate_bbl", pa.array([700_000.0, None], pa.float64()))
    write_voyages(root, voyages)
    return root
