"""The real MarineCadastre sample (NOAA, US public domain) as POSITION_SCHEMA / STATIC_SCHEMA tables."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA, TS_TYPE

SAMPLE = "marinecadastre-2022-01-03-sample/AIS_2022_01_03_first99999.csv"


def _null_if(column: pa.ChunkedArray, value: float) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(column, value), pa.scalar(None, column.type), column)


def load(shared_data: Path) -> tuple[pa.Table, pa.Table]:
    types = {
        "BaseDateTime": pa.timestamp("s"),
        "MMSI": pa.int64(),
        "IMO": pa.string(),
        "CallSign": pa.string(),
        "VesselName": pa.string(),
    }
    raw = pacsv.read_csv(shared_data / SAMPLE, convert_options=pacsv.ConvertOptions(column_types=types))
    raw = raw.append_column(
        "ts", pc.assume_timezone(raw.column("BaseDateTime").cast(pa.timestamp("us")), "UTC")
    ).sort_by([("MMSI", "ascending"), ("ts", "ascending")])
    n = raw.num_rows
    ts = raw.column("ts").cast(TS_TYPE)
    common = {
        "ts_origin": pa.array(["csv"] * n),
        "receiver": pa.nulls(n, pa.string()),
        "source": pa.array(["marinecadastre-2022-01-03"] * n),
        "simulated": pa.array([False] * n),
    }
    positions = pa.table(
        {
            "mmsi": raw.column("MMSI"),
            "ts": ts,
            "lat": raw.column("LAT").cast(pa.float64()),
            "lon": raw.column("LON").cast(pa.float64()),
            "sog_kn": raw.column("SOG").cast(pa.float64()),
            "cog_deg": raw.column("COG").cast(pa.float64()),
            "heading_deg": _null_if(raw.column("Heading").cast(pa.float64()), 511.0),
            "rot_deg_min": pa.nulls(n, pa.float64()),
            "nav_status": raw.column("Status").cast(pa.int8()),
            "accuracy": pa.nulls(n, pa.bool_()),
            "msg_type": pa.array([1] * n, pa.int8()),
            **common,
        },
        schema=POSITION_SCHEMA,
    )
    imo_text = pc.utf8_ltrim(raw.column("IMO"), "IMO")
    imo = pc.cast(pc.if_else(pc.match_substring_regex(imo_text, r"^\d+$"), imo_text, None), pa.int64())
    statics = pa.table(
        {
            "mmsi": raw.column("MMSI"),
            "ts": ts,
            "imo": imo,
            "name": raw.column("VesselName"),
            "callsign": raw.column("CallSign"),
            "ship_type": raw.column("VesselType").cast(pa.int16()),
            "length_m": raw.column("Length").cast(pa.float64()),
            "beam_m": raw.column("Width").cast(pa.float64()),
            "draught_m": raw.column("Draft").cast(pa.float64()),
            "destination": pa.nulls(n, pa.string()),
            "eta": pa.nulls(n, TS_TYPE),
            "msg_type": pa.array([5] * n, pa.int8()),
            **common,
        },
        schema=STATIC_SCHEMA,
    )
    return positions, statics
