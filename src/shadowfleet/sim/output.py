"""Scenario outputs: Arrow tables in memory, and the files `shadowfleet simulate` writes.

Files in the output folder (each written to a temporary name, then renamed into place):
  ais.nmea              NMEA 0183 AIVDM with NMEA 4.0 tag blocks (s:, c:, i:SIMULATED, g: for groups),
                        or ais-YYYY-MM-DD.nmea, one a UTC day
  ais.csv               MarineCadastre's 17 columns plus a final `Simulated` column
  ground_truth.parquet  one row per injected behaviour (and .csv)
  vessels.parquet       the fictional fleet (and .csv)
"""

import json
import math
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shadowfleet.model.schemas import TS_TYPE
from shadowfleet.sim import encode
from shadowfleet.sim.reporting import Reports, build_reports
from shadowfleet.sim.scenario import Scenario, ScenarioConfig, plan_scenario

TRUTH_SCHEMA = pa.schema(
    [
        pa.field("truth_id", pa.int64(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("other_mmsi", pa.int64()),
        pa.field("start_ts", TS_TYPE, nullable=False),
        pa.field("end_ts", TS_TYPE, nullable=False),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("details", pa.string(), nullable=False),
        pa.field("simulated", pa.bool_(), nullable=False),
    ]
)

VESSEL_SCHEMA = pa.schema(
    [
        pa.field("vessel_key", pa.int64(), nullable=False),
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("imo", pa.int64()),
        pa.field("name", pa.string(), nullable=False),
        pa.field("callsign", pa.string(), nullable=False),
        pa.field("flag", pa.string(), nullable=False),
        pa.field("ship_type", pa.int16(), nullable=False),
        pa.field("length_m", pa.float64(), nullable=False),
        pa.field("beam_m", pa.float64(), nullable=False),
        pa.field("deadweight_t", pa.float64(), nullable=False),
        pa.field("role", pa.string(), nullable=False),
        pa.field("transceiver_class", pa.string(), nullable=False),
        pa.field("identity_history", pa.string(), nullable=False),
        pa.field("simulated", pa.bool_(), nullable=False),
    ]
)

CSV_COLUMNS = (
    "MMSI", "BaseDateTime", "LAT", "LON", "SOG", "COG", "Heading", "VesselName", "IMO", "CallSign",
    "VesselType", "Status", "Length", "Width", "Draft", "Cargo", "TransceiverClass", "Simulated",
)  # fmt: skip


class ScenarioTables(NamedTuple):
    positions: pa.Table  # POSITION_SCHEMA, sorted by (mmsi, ts)
    statics: pa.Table  # STATIC_SCHEMA, sorted by (mmsi, ts); type 24 parts A and B merged into one row
    truth: pa.Table  # TRUTH_SCHEMA
    vessels: pa.Table  # VESSEL_SCHEMA


def _us(seconds: float) -> int:
    """Whole seconds, as the reports carry, in microseconds."""
    return round(seconds) * 1_000_000


def truth_table(scenario: Scenario) -> pa.Table:
    rows = scenario.truth
    return pa.table(
        {
            "truth_id": pa.array(range(len(rows)), pa.int64()),
            "kind": pa.array([e.kind for e in rows], pa.string()),
            "mmsi": pa.array([e.mmsi for e in rows], pa.int64()),
            "other_mmsi": pa.array([e.other_mmsi for e in rows], pa.int64()),
            "start_ts": pa.array([_us(e.start_s) for e in rows], pa.int64()).cast(TS_TYPE),
            "end_ts": pa.array([_us(e.end_s) for e in rows], pa.int64()).cast(TS_TYPE),
            "lat": pa.array([None if math.isnan(e.lat) else e.lat for e in rows], pa.float64()),
            "lon": pa.array([None if math.isnan(e.lon) else e.lon for e in rows], pa.float64()),
            "details": pa.array([json.dumps(e.details, sort_keys=True, default=_json_default) for e in rows]),
            "simulated": pa.array([True] * len(rows), pa.bool_()),
        },
        schema=TRUTH_SCHEMA,
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def vessels_table(scenario: Scenario) -> pa.Table:
    vs = scenario.vessels
    history = [
        json.dumps(
            [
                {"from_s": None if math.isinf(t) else t, "mmsi": m, "name": n, "callsign": c, "flag": f}
                for t, m, n, c, f in v.identity
            ]
        )
        for v in vs
    ]
    return pa.table(
        {
            "vessel_key": pa.array([v.key for v in vs], pa.int64()),
            "mmsi": pa.array([v.identity[0][1] for v in vs], pa.int64()),
            "imo": pa.array([v.imo for v in vs], pa.int64()),
            "name": pa.array([v.identity[0][2] for v in vs]),
            "callsign": pa.array([v.identity[0][3] for v in vs]),
            "flag": pa.array([v.declared_flag or v.identity[0][4] for v in vs]),
            "ship_type": pa.array([v.ship_type for v in vs], pa.int16()),
            "length_m": pa.array([v.length_m for v in vs], pa.float64()),
            "beam_m": pa.array([v.beam_m for v in vs], pa.float64()),
            "deadweight_t": pa.array([v.deadweight_t for v in vs], pa.float64()),
            "role": pa.array([v.role for v in vs]),
            "transceiver_class": pa.array([v.transceiver for v in vs]),
            "identity_history": pa.array(history),
            "simulated": pa.array([True] * len(vs), pa.bool_()),
        },
        schema=VESSEL_SCHEMA,
    )


def scenario_to_tables(config: ScenarioConfig | None = None, **overrides: Any) -> ScenarioTables:
    """Plan and report a scenario straight to Arrow tables (no NMEA round trip).

    `scenario_to_tables(seed=3, n_vessels=60, days=20)` is the same as passing a ScenarioConfig.
    The last few results are kept (Arrow tables are immutable), so test modules sharing a seed pay once.
    """
    return _tables(_config(config, overrides))


@lru_cache(maxsize=4)
def _tables(config: ScenarioConfig) -> ScenarioTables:
    scenario = plan_scenario(config)
    reports = build_reports(scenario)
    return ScenarioTables(reports.positions, reports.statics, truth_table(scenario), vessels_table(scenario))


def _config(config: ScenarioConfig | None, overrides: dict[str, Any]) -> ScenarioConfig:
    if config is None:
        return ScenarioConfig(**overrides)
    if overrides:
        raise ValueError("pass either a ScenarioConfig or keyword settings, not both")
    return config


def run_scenario(config: ScenarioConfig | None = None, **overrides: Any) -> tuple[Scenario, Reports]:
    """The planned scenario and its reports, computed afresh (not cached)."""
    scenario = plan_scenario(_config(config, overrides))
    return scenario, build_reports(scenario)


# ---- NMEA -----------------------------------------------------------------------------------------


def nmea_lines(reports: Reports) -> list[str]:
    """Every report as tagged AIVDM lines, in receive-time order (ties: MMSI, then message order)."""
    pos, sta = reports.positions, reports.statics
    keys: list[np.ndarray] = []
    lines: list[str] = []

    mmsi = pos.column("mmsi").to_numpy()
    ts_s = pos.column("ts").cast(pa.int64()).to_numpy() // 1_000_000
    msg_type = pos.column("msg_type").to_numpy()
    receiver = pos.column("receiver").to_numpy(zero_copy_only=False)
    channel = np.where(np.arange(len(mmsi)) % 2 == 0, "A", "B")

    def col(name: str) -> np.ndarray:
        return pos.column(name).to_numpy(zero_copy_only=False).astype(float)

    lat, lon, sog, cog, heading = (col(c) for c in ("lat", "lon", "sog_kn", "cog_deg", "heading_deg"))
    nav = np.nan_to_num(pos.column("nav_status").to_numpy(zero_copy_only=False).astype(float), nan=15).astype(
        np.int64
    )
    accuracy = pos.column("accuracy").to_numpy(zero_copy_only=False).astype(np.int64)
    for is_b, build in ((False, "A"), (True, "B")):
        rows = np.nonzero((msg_type == 18) == is_b)[0]
        if len(rows) == 0:
            continue
        common = {
            "mmsi": mmsi[rows],
            "lat": lat[rows],
            "lon": lon[rows],
            "sog_kn": sog[rows],
            "cog_deg": cog[rows],
            "heading_deg": heading[rows],
            "second": ts_s[rows] % 60,
            "accuracy": accuracy[rows],
        }
        if build == "A":
            payloads = encode.class_a_position_payloads(
                msg_type=msg_type[rows].astype(np.int64), nav_status=nav[rows], **common
            )
        else:
            payloads = encode.class_b_position_payloads(**common)
        bodies = encode.sentence_bodies(payloads, fill_bits=0, channel=channel[rows])
        tags = encode.tag_block_bodies(ts_s[rows], receiver[rows])
        lines.extend(encode.nmea_lines(tags, bodies))
        keys.append(np.stack([ts_s[rows], mmsi[rows], np.zeros(len(rows), np.int64)], axis=1))

    s_mmsi = sta.column("mmsi").to_numpy()
    s_ts = sta.column("ts").cast(pa.int64()).to_numpy() // 1_000_000
    s_type = sta.column("msg_type").to_numpy()
    s_rcv = sta.column("receiver").to_numpy(zero_copy_only=False)

    def scol(name: str) -> list[Any]:
        return sta.column(name).to_pylist()

    names = [x or "" for x in scol("name")]
    callsigns = [x or "" for x in scol("callsign")]
    ship_type = np.array(scol("ship_type"), dtype=np.int64)
    length = np.array(scol("length_m"), dtype=float)
    beam = np.array(scol("beam_m"), dtype=float)
    a_rows = np.nonzero(s_type == 5)[0]
    if len(a_rows):
        eta = sta.column("eta").cast(pa.int64()).to_pylist()
        month, day, hour, minute = _eta_fields([eta[i] for i in a_rows])
        all_draught, all_imo, all_destination = scol("draught_m"), scol("imo"), scol("destination")
        draught = np.nan_to_num(np.array([all_draught[i] for i in a_rows], dtype=float))
        first, second, fill = encode.type5_payloads(
            mmsi=s_mmsi[a_rows],
            imo=np.array([all_imo[i] or 0 for i in a_rows], dtype=np.int64),
            callsign=[callsigns[i] for i in a_rows],
            name=[names[i] for i in a_rows],
            ship_type=ship_type[a_rows],
            length_m=length[a_rows],
            beam_m=beam[a_rows],
            eta_month=month,
            eta_day=day,
            eta_hour=hour,
            eta_minute=minute,
            draught_m=draught,
            destination=[all_destination[i] or "" for i in a_rows],
        )
        group_ids = np.arange(1, len(a_rows) + 1)
        seq = [str(g % 10) for g in group_ids]
        chan = np.where(group_ids % 2 == 0, "A", "B")
        for part, payloads, fill_bits in ((1, first, 0), (2, second, fill)):
            bodies = encode.sentence_bodies(
                payloads,
                fill_bits=fill_bits,
                channel=chan,
                fragment_count=2,
                fragment_number=part,
                sequence_id=seq,
            )
            tags = encode.tag_block_bodies(s_ts[a_rows], s_rcv[a_rows], [f"{part}-2-{g}" for g in group_ids])
            lines.extend(encode.nmea_lines(tags, bodies))
            keys.append(np.stack([s_ts[a_rows], s_mmsi[a_rows], np.full(len(a_rows), part)], axis=1))
    b_rows = np.nonzero(s_type == 24)[0]
    if len(b_rows):
        part_a, part_b = encode.type24_payloads(
            mmsi=s_mmsi[b_rows],
            name=[names[i] for i in b_rows],
            ship_type=ship_type[b_rows],
            callsign=[callsigns[i] for i in b_rows],
            length_m=length[b_rows],
            beam_m=beam[b_rows],
        )
        for part, payloads in ((3, part_a), (4, part_b)):
            bodies = encode.sentence_bodies(payloads, fill_bits=0, channel=["B"] * len(b_rows))
            tags = encode.tag_block_bodies(s_ts[b_rows], s_rcv[b_rows])
            lines.extend(encode.nmea_lines(tags, bodies))
            keys.append(np.stack([s_ts[b_rows], s_mmsi[b_rows], np.full(len(b_rows), part)], axis=1))
    if not lines:
        return []
    k = np.concatenate(keys)
    order = np.lexsort((np.arange(len(k)), k[:, 2], k[:, 1], k[:, 0]))
    return [lines[i] for i in order]


def _eta_fields(eta_us: list[int | None]) -> tuple[np.ndarray, ...]:
    """AIS ETA month/day/hour/minute (0/0/24/60 = not available)."""
    out = np.zeros((len(eta_us), 4), dtype=np.int64)
    for i, value in enumerate(eta_us):
        if value is None:
            out[i] = (0, 0, 24, 60)
            continue
        ts = np.datetime64(value, "us").astype("datetime64[m]")
        text = str(ts)  # YYYY-MM-DDTHH:MM
        out[i] = (int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]))
    return out[:, 0], out[:, 1], out[:, 2], out[:, 3]


# ---- MarineCadastre-style CSV ------------------------------------------------------------------------


def marinecadastre_frame(reports: Reports) -> pl.DataFrame:
    """Positions joined (as of their time) with the vessel's last static report, in the 17+1 columns."""
    pos = pl.DataFrame(reports.positions)
    sta = pl.DataFrame(reports.statics)
    pos = pos.with_columns(pl.Series("transceiver", reports.position_extra["transceiver"]))
    statics = sta.select(
        "mmsi",
        pl.col("ts").alias("static_ts"),
        "imo",
        "name",
        "callsign",
        "ship_type",
        "length_m",
        "beam_m",
        "draught_m",
    ).sort("mmsi", "static_ts")
    joined = pos.sort("mmsi", "ts").join_asof(
        statics, left_on="ts", right_on="static_ts", by="mmsi", strategy="backward", check_sortedness=False
    )
    return joined.select(
        pl.col("mmsi").alias("MMSI"),
        pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime"),
        pl.col("lat").round(5).alias("LAT"),
        pl.col("lon").round(5).alias("LON"),
        pl.col("sog_kn").round(1).alias("SOG"),
        pl.col("cog_deg").round(1).alias("COG"),
        pl.col("heading_deg").fill_null(511).cast(pl.Int64).alias("Heading"),
        pl.col("name").alias("VesselName"),
        pl.when(pl.col("imo").is_not_null()).then(pl.format("IMO{}", pl.col("imo"))).alias("IMO"),
        pl.col("callsign").alias("CallSign"),
        pl.col("ship_type").alias("VesselType"),
        pl.col("nav_status").cast(pl.Int64).alias("Status"),
        pl.col("length_m").cast(pl.Int64).alias("Length"),
        pl.col("beam_m").cast(pl.Int64).alias("Width"),
        pl.col("draught_m").round(1).alias("Draft"),
        pl.col("ship_type").alias("Cargo"),
        pl.col("transceiver").alias("TransceiverClass"),
        pl.lit(True).alias("Simulated"),
    )


# ---- writing ------------------------------------------------------------------------------------------


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        write(tmp_path)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _write_parquet(table: pa.Table) -> Callable[[Path], None]:
    return lambda p: pq.write_table(table, p, compression="zstd")


def _write_csv(table: pa.Table) -> Callable[[Path], None]:
    return lambda p: pacsv.write_csv(table, p)


def write_scenario(
    out_dir: Path | str, config: ScenarioConfig, *, split_days: bool = False
) -> dict[str, Any]:
    """Plan, report and write a scenario into `out_dir`; returns a summary (counts and file names).

    With `split_days`, the NMEA goes to one file a UTC day, `ais-YYYY-MM-DD.nmea`, instead of `ais.nmea`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scenario, reports = run_scenario(config)
    lines = nmea_lines(reports)
    truth = truth_table(scenario)
    vessels = vessels_table(scenario)
    frame = marinecadastre_frame(reports)

    def write_lines(chunk: list[str]) -> Callable[[Path], None]:
        def write(p: Path) -> None:
            with open(p, "w", encoding="ascii", newline="\n") as fh:
                fh.write("\n".join(chunk))
                fh.write("\n")

        return write

    nmea_files: list[str] = []
    if split_days:
        by_day: dict[str, list[str]] = {}
        for line in lines:  # in receive-time order, so each day's lines stay in order
            stamp = int(line.split(",c:", 1)[1].split(",", 1)[0].split("*", 1)[0])
            day = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
            by_day.setdefault(day, []).append(line)
        for day, chunk in by_day.items():
            nmea_files.append(f"ais-{day}.nmea")
            _atomic_write(out / nmea_files[-1], write_lines(chunk))
    else:
        nmea_files.append("ais.nmea")
        _atomic_write(out / "ais.nmea", write_lines(lines))
    _atomic_write(out / "ais.csv", lambda p: frame.write_csv(p))
    _atomic_write(out / "ground_truth.parquet", _write_parquet(truth))
    _atomic_write(out / "ground_truth.csv", _write_csv(truth))
    _atomic_write(out / "vessels.parquet", _write_parquet(vessels))
    _atomic_write(out / "vessels.csv", _write_csv(vessels))
    kinds: dict[str, int] = {}
    for kind in truth.column("kind").to_pylist():
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "positions": reports.positions.num_rows,
        "statics": reports.statics.num_rows,
        "nmea_lines": len(lines),
        "vessels": vessels.num_rows,
        "truth": kinds,
        "files": [
            *nmea_files,
            "ais.csv",
            "ground_truth.parquet",
            "ground_truth.csv",
            "vessels.parquet",
            "vessels.csv",
        ],
    }
