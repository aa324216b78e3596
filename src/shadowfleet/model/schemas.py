"""Arrow schemas of the track lake: the stable, documented layout that DuckDB and Spark read.

Timestamps are UTC with microsecond precision. Angles are degrees, speeds knots, lengths metres;
columns say so in their names. AIS "not available" values are stored as nulls, never as numbers.
"""

import pyarrow as pa

TS_TYPE = pa.timestamp("us", tz="UTC")

# Where a row's receive time came from. "clock" means the reading machine's clock at the moment the
# line was read (no tag block, trailer or Gatehouse stamp): it is flagged so analysts can discount it.
TS_ORIGINS = ("tagblock", "trailer", "gatehouse", "csv", "clock", "simulated")

POSITION_SCHEMA = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("ts", TS_TYPE, nullable=False),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("sog_kn", pa.float64()),
        pa.field("cog_deg", pa.float64()),
        pa.field("heading_deg", pa.float64()),
        pa.field("rot_deg_min", pa.float64()),
        pa.field("nav_status", pa.int8()),
        pa.field("accuracy", pa.bool_()),
        pa.field("msg_type", pa.int8(), nullable=False),
        pa.field("ts_origin", pa.string(), nullable=False),
        pa.field("receiver", pa.string()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("simulated", pa.bool_(), nullable=False),
    ]
)

STATIC_SCHEMA = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("ts", TS_TYPE, nullable=False),
        pa.field("imo", pa.int64()),
        pa.field("name", pa.string()),
        pa.field("callsign", pa.string()),
        pa.field("ship_type", pa.int16()),
        pa.field("length_m", pa.float64()),
        pa.field("beam_m", pa.float64()),
        pa.field("draught_m", pa.float64()),
        pa.field("destination", pa.string()),
        # AIS sends month/day/hour/minute only; the year is the one that puts the ETA nearest the report.
        pa.field("eta", TS_TYPE),
        pa.field("msg_type", pa.int8(), nullable=False),
        pa.field("ts_origin", pa.string(), nullable=False),
        pa.field("receiver", pa.string()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("simulated", pa.bool_(), nullable=False),
    ]
)

# One row per input line (or assembled message) that could not be used, with the reason.
REJECT_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("line_no", pa.int64()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("line", pa.string()),
    ]
)

EVENT_KINDS = (
    "ais_gap",
    "dark_port_call",
    "encounter",
    "loitering",
    "port_call",
    "spoofing",
    "identity_change",
    "draught_change",
)

# Columns every event row has. Detectors add kind-specific columns (units in their names); the lake
# stores the union, nulls where a column does not apply to a kind.
EVENT_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("other_mmsi", pa.int64()),
        pa.field("start_ts", TS_TYPE, nullable=False),
        pa.field("end_ts", TS_TYPE, nullable=False),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("confidence", pa.float64(), nullable=False),
        pa.field("detector_version", pa.string(), nullable=False),
        pa.field("params", pa.string(), nullable=False),
        pa.field("evidence", pa.string(), nullable=False),
        pa.field("simulated", pa.bool_(), nullable=False),
    ]
)
