import subprocess

import pyarrow as pa

from shadowfleet.model import EVENT_SCHEMA, POSITION_SCHEMA, STATIC_SCHEMA


def test_lake_schemas_carry_the_documented_columns() -> None:
    assert POSITION_SCHEMA.field("mmsi").type == pa.int64()
    assert POSITION_SCHEMA.field("ts").type == pa.timestamp("us", tz="UTC")
    for name in ("lat", "lon", "sog_kn", "cog_deg", "heading_deg"):
        assert POSITION_SCHEMA.field(name).type == pa.float64()
    for name in (
        "imo",
        "name",
        "callsign",
        "ship_type",
        "length_m",
        "beam_m",
        "draught_m",
        "destination",
        "eta",
    ):
        assert name in STATIC_SCHEMA.names
    for name in (
        "event_id",
        "kind",
        "other_mmsi",
        "start_ts",
        "end_ts",
        "detector_version",
        "params",
        "evidence",
    ):
        assert name in EVENT_SCHEMA.names


def test_every_table_says_whether_it_is_simulated() -> None:
    for schema in (POSITION_SCHEMA, STATIC_SCHEMA, EVENT_SCHEMA):
        assert not schema.field("simulated").nullable


def test_cli_prints_version(cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    out = subprocess.run([*cli_cmd, "version"], env=cli_env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0.1.0"
