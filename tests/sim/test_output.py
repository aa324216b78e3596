"""The files `shadowfleet simulate` writes: byte-identical for a seed, decodable by pyais, consistent."""

import csv
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest
from pyais.stream import FileReaderStream

from shadowfleet.model.schemas import EVENT_KINDS
from shadowfleet.sim.output import (
    CSV_COLUMNS,
    TRUTH_SCHEMA,
    VESSEL_SCHEMA,
    scenario_to_tables,
    write_scenario,
)
from shadowfleet.sim.scenario import ScenarioConfig

CONFIG = ScenarioConfig(seed=7, n_vessels=15, days=2)
FILES = ("ais.nmea", "ais.csv", "ground_truth.parquet", "ground_truth.csv", "vessels.parquet", "vessels.csv")


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory: pytest.TempPathFactory, cli_cmd: list[str], cli_env: dict[str, str]) -> Path:
    out = tmp_path_factory.mktemp("cli") / "scenario"
    args = [
        "simulate",
        "--seed",
        "7",
        "--out",
        str(out),
        "--vessels",
        "15",
        "--days",
        "2",
        "--start",
        "2026-01-01",
    ]
    result = subprocess.run(cli_cmd + args, env=cli_env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert '"positions"' in result.stdout
    return out


def test_same_seed_gives_byte_identical_files(cli_out: Path, tmp_path: Path) -> None:
    write_scenario(tmp_path, CONFIG)
    for name in FILES:
        assert (cli_out / name).read_bytes() == (tmp_path / name).read_bytes(), name
    assert not list(tmp_path.glob(".*.tmp"))


def test_nmea_decodes_with_pyais_and_matches_positions(cli_out: Path) -> None:
    tables = scenario_to_tables(CONFIG)
    lines = (cli_out / "ais.nmea").read_text(encoding="ascii").splitlines()
    assert all(line.startswith("\\") and ",i:SIMULATED*" in line.split("\\")[1] for line in lines)
    decoded: dict[int, list[tuple[int, int, float, float, float]]] = {}
    static_types: list[int] = []
    stamps = []
    for message in FileReaderStream(str(cli_out / "ais.nmea")):
        assert message.is_valid  # sentence checksum
        tag = message.tag_block
        assert tag is not None
        tag.init()
        stamps.append(int(tag.receiver_timestamp))
        d = message.decode()
        if d.msg_type in (1, 2, 3, 18):
            decoded.setdefault(d.mmsi, []).append(
                (int(tag.receiver_timestamp), d.second, d.lat, d.lon, d.speed)
            )
        else:
            static_types.append(d.msg_type)
    assert stamps == sorted(stamps)
    pos = tables.positions
    assert sum(len(v) for v in decoded.values()) == pos.num_rows
    assert (
        len([t for t in static_types if t == 5]) == (tables.statics.column("msg_type").to_numpy() == 5).sum()
    )
    df = pl.DataFrame(pos).with_columns(pl.col("ts").dt.epoch("s").alias("t_s"))
    for mmsi, rows in decoded.items():
        mine = df.filter(pl.col("mmsi") == mmsi)
        expected = sorted(zip(mine["t_s"], mine["lat"], mine["lon"], mine["sog_kn"], strict=True))
        got = sorted((t, lat, lon, sog) for t, _, lat, lon, sog in rows)
        assert len(got) == len(expected)
        for (t1, lat1, lon1, sog1), (t2, lat2, lon2, sog2), second in zip(
            got, expected, (r[1] for r in sorted(rows)), strict=True
        ):
            assert t1 == t2 and second == t1 % 60
            assert abs(lat1 - lat2) < 1e-6 and abs(lon1 - lon2) < 1e-6
            assert sog1 == pytest.approx(sog2, abs=1e-9)


def _tag_checksum_ok(line: str) -> bool:
    tag = line.split("\\")[1]
    body, checksum = tag.rsplit("*", 1)
    value = 0
    for ch in body.encode():
        value ^= ch
    return f"{value:02X}" == checksum


def test_tag_blocks_carry_time_source_and_checksum(cli_out: Path) -> None:
    lines = (cli_out / "ais.nmea").read_text(encoding="ascii").splitlines()
    assert all(_tag_checksum_ok(line) for line in lines)
    groups = [line for line in lines if line.startswith("\\g:")]
    assert groups and len(groups) % 2 == 0
    first_parts = [g for g in groups if g.startswith("\\g:1-2-")]
    assert len(first_parts) * 2 == len(groups)
    tags = [line.split("\\")[1] for line in lines]
    assert all(("s:SIM-" in t) and (",c:" in t) for t in tags)


def test_csv_has_marinecadastre_columns_and_simulated_flag(cli_out: Path) -> None:
    with open(cli_out / "ais.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert tuple(header) == CSV_COLUMNS and len(header) == 18
    assert {r[-1] for r in rows} == {"true"}
    assert {r[16] for r in rows} == {"A", "B"}
    tables = scenario_to_tables(CONFIG)
    assert len(rows) == tables.positions.num_rows
    lat = np.array([float(r[2]) for r in rows])
    assert np.all((lat >= -90) & (lat <= 90))
    named = [r for r in rows if r[7]]
    assert len(named) > len(rows) // 2
    assert all(r[8].startswith("IMO") for r in named if r[16] == "A")


def test_ground_truth_and_vessel_files(cli_out: Path) -> None:
    truth = pq.read_table(cli_out / "ground_truth.parquet")
    assert truth.schema == TRUTH_SCHEMA
    assert set(truth.column("kind").to_pylist()) <= set(EVENT_KINDS)
    with open(cli_out / "ground_truth.csv", encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == truth.num_rows + 1
    vessels = pq.read_table(cli_out / "vessels.parquet")
    assert vessels.schema == VESSEL_SCHEMA
    assert vessels.num_rows == 15


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "first of january"], "--start must be an ISO date"),
        (["--vessels", "3"], "--vessels"),
    ],
)
def test_cli_refuses_bad_input(
    args: list[str], message: str, tmp_path: Path, cli_cmd: list[str], cli_env: dict[str, str]
) -> None:
    result = subprocess.run(
        [*cli_cmd, "simulate", "--out", str(tmp_path / "x"), *args],
        env=cli_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr + result.stdout
    assert not (tmp_path / "x").exists()


def test_cli_refuses_a_file_as_output(tmp_path: Path, cli_cmd: list[str], cli_env: dict[str, str]) -> None:
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    result = subprocess.run(
        [*cli_cmd, "simulate", "--out", str(target), "--vessels", "15", "--days", "1"],
        env=cli_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "not a folder" in result.stderr + result.stdout
    assert target.read_text() == "keep me"


def test_our_decoder_reads_back_the_tables(cli_out: Path) -> None:
    """The NMEA file, through shadowfleet's own decoder, gives the rows scenario_to_tables returns."""
    from shadowfleet.ais.decoder import NmeaDecoder

    decoder = NmeaDecoder("ais.nmea")
    lines = (cli_out / "ais.nmea").read_bytes().splitlines()
    result = decoder.feed(lines, first_line_no=1)
    assert result.rejects.num_rows == 0 and decoder.flush().rejects.num_rows == 0
    tables = scenario_to_tables(CONFIG)
    columns = [c for c in tables.positions.column_names if c not in ("ts_origin", "source")]
    decoded = pl.DataFrame(result.positions).sort("mmsi", "ts", "lat").select(columns)
    expected = pl.DataFrame(tables.positions).sort("mmsi", "ts", "lat").select(columns)
    assert decoded.equals(expected)
    assert set(result.positions.column("ts_origin").to_pylist()) == {"tagblock"}
    statics = pl.DataFrame(result.statics).filter(pl.col("msg_type") == 5).sort("mmsi", "ts")
    ours = pl.DataFrame(tables.statics).filter(pl.col("msg_type") == 5).sort("mmsi", "ts")
    for column in (
        "mmsi",
        "ts",
        "imo",
        "name",
        "callsign",
        "ship_type",
        "draught_m",
        "destination",
        "simulated",
    ):
        assert statics[column].equals(ours[column]), column


def test_csv_imports_with_our_reader(cli_out: Path) -> None:
    """ais.csv through shadowfleet's MarineCadastre importer: every row, no rejects, same tracks."""
    from shadowfleet.ais.csv_import import read_csv

    parts = list(read_csv(cli_out / "ais.csv", simulated=True))
    assert sum(p.rejects.num_rows for p in parts) == 0
    got = pl.concat([pl.DataFrame(p.positions) for p in parts]).sort("mmsi", "ts")
    expected = pl.DataFrame(scenario_to_tables(CONFIG).positions).sort("mmsi", "ts")
    assert got.height == expected.height
    assert got["mmsi"].equals(expected["mmsi"]) and got["ts"].equals(expected["ts"])
    assert (got["lat"] - expected["lat"]).abs().max() <= 5.1e-6  # five decimals in the CSV
    assert got["sog_kn"].equals(expected["sog_kn"])
    assert set(got.filter(pl.col("msg_type") == 18)["mmsi"]) == set(
        expected.filter(pl.col("msg_type") == 18)["mmsi"]
    )


def test_split_days_gives_the_same_lines_one_file_a_day(cli_out: Path, tmp_path: Path) -> None:
    summary = write_scenario(tmp_path, CONFIG, split_days=True)
    day_files = sorted(tmp_path.glob("ais-*.nmea"))
    assert [p.name for p in day_files] == ["ais-2026-01-01.nmea", "ais-2026-01-02.nmea"]
    assert summary["files"][:2] == [p.name for p in day_files] and not (tmp_path / "ais.nmea").exists()
    joined = b"".join(p.read_bytes() for p in day_files)
    assert joined == (cli_out / "ais.nmea").read_bytes()
    for path in day_files:
        day = path.stem.removeprefix("ais-")
        stamps = {
            int(line.split(",c:")[1].split(",")[0].split("*")[0]) for line in path.read_text().splitlines()
        }
        assert {datetime.fromtimestamp(s, UTC).strftime("%Y-%m-%d") for s in stamps} == {day}
