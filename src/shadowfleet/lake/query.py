"""The analysts' API: `Lake(path)` answers questions with pyarrow Tables, read through DuckDB.

Only files listed in the manifest are read (never a glob), so a write in progress or a file left by a
killed process is never seen. Every method returns a `pyarrow.Table`; for Polars use
`polars.from_arrow(table)`, for pandas `table.to_pandas()`.

    lake = Lake("var/lake")
    lake.track(636012345, start="2024-01-01", end="2024-02-01")
    lake.latest_positions(bbox=(-75.0, 8.0, -60.0, 16.0), since="2024-01-30")
    polars.from_arrow(lake.vessels())
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.lake import layout
from shadowfleet.lake.manifest import FileEntry, Manifest
from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA, TS_TYPE

TimeLike = dt.datetime | dt.date | str
DayLike = dt.date | str
BBox = tuple[float, float, float, float]  # (min_lon, min_lat, max_lon, max_lat), GeoJSON order

VESSELS_SCHEMA = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("imo", pa.int64()),
        pa.field("callsign", pa.string()),
        pa.field("ship_type", pa.int16()),
        pa.field("first_seen", TS_TYPE),
        pa.field("last_seen", TS_TYPE),
        pa.field("position_count", pa.int64()),
        pa.field("static_count", pa.int64()),
        pa.field("simulated", pa.bool_()),
    ]
)

DAYS_SCHEMA = pa.schema(
    [
        pa.field("date", pa.date32(), nullable=False),
        pa.field("positions", pa.int64()),
        pa.field("statics", pa.int64()),
        pa.field("files", pa.int64()),
        pa.field("bytes", pa.int64()),
    ]
)

_RETRIES = 3  # a compaction may delete a file between listing and reading: list again and retry


def to_utc(value: TimeLike) -> dt.datetime:
    """A datetime in UTC from a datetime (naive = UTC), a date (midnight UTC) or an ISO string."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise TypeError(f"not a time: {value!r}")


def to_day(value: DayLike) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date().isoformat() if value.tzinfo else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(value).isoformat()


def _us(value: dt.datetime) -> int:
    return int(value.timestamp()) * 1_000_000 + value.microsecond


@dataclass(frozen=True)
class LakeStats:
    days: int
    first_day: str | None
    last_day: str | None
    position_rows: int
    static_rows: int
    vessels: int
    files: int
    bytes_on_disk: int
    chunks: int
    sources: dict[str, int] = field(default_factory=dict)  # source -> chunks ingested
    input_lines: int = 0
    rejects: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    simulated_positions: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Lake:
    """Read access to a lake folder written by `LakeWriter` / `shadowfleet ingest`."""

    def __init__(self, root: str | os.PathLike[str], *, memory_limit: str = "1GB") -> None:
        self.root = Path(root)
        self.manifest = Manifest(self.root)
        self._con = duckdb.connect(config={"memory_limit": memory_limit})
        self._con.execute("SET TimeZone = 'UTC'")

    def close(self) -> None:
        self._con.close()
        self.manifest.close()

    def __enter__(self) -> Lake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- files --------------------------------------------------------------------------------
    def files(self, dataset: str = layout.POSITIONS, days: Iterable[DayLike] | None = None) -> list[Path]:
        """Absolute paths of the visible files of a dataset (for Spark: `spark.read.parquet(*paths)`).

        ValueError for a dataset name the lake does not have (valid: `layout.DATASETS`)."""
        if dataset not in layout.DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}; valid datasets: {', '.join(layout.DATASETS)}")
        day_list = None if days is None else [to_day(d) for d in days]
        return [self.root / e.path for e in self.manifest.files(dataset, days=day_list)]

    def _source(self, entries: Sequence[FileEntry], schema: pa.Schema) -> str:
        if not entries:
            return (
                "(SELECT * FROM __empty_positions)"
                if schema is POSITION_SCHEMA
                else "(SELECT * FROM __empty_static)"
            )
        paths = ", ".join("'" + str(self.root / e.path).replace("'", "''") + "'" for e in entries)
        return f"read_parquet([{paths}], hive_partitioning = false)"

    def _run(
        self,
        build: Any,
        params: Sequence[object] = (),
        schema: pa.Schema | None = None,
    ) -> pa.Table:
        """Run the SQL that `build()` returns (re-listing files on each try); cast to `schema` if given."""
        last: Exception | None = None
        for _ in range(_RETRIES):
            cur = self._con.cursor()
            try:
                cur.register("__empty_positions", POSITION_SCHEMA.empty_table())
                cur.register("__empty_static", STATIC_SCHEMA.empty_table())
                cur.execute("SET TimeZone = 'UTC'")
                result = cur.execute(build(), list(params)).arrow()
                table = result.read_all() if isinstance(result, pa.RecordBatchReader) else result
                return table.cast(schema) if schema is not None else table
            except duckdb.IOException as exc:
                last = exc
            finally:
                cur.close()
        assert last is not None
        raise last

    def sql(self, query: str, params: Sequence[object] = ()) -> pa.Table:
        """Any DuckDB SQL over the views `positions` and `static` (all visible files)."""

        def build() -> str:
            pos = self._source(self.manifest.files(layout.POSITIONS), POSITION_SCHEMA)
            sta = self._source(self.manifest.files(layout.STATIC), STATIC_SCHEMA)
            return f"WITH positions AS (SELECT * FROM {pos}), static AS (SELECT * FROM {sta}) {query}"

        return self._run(build, params)

    # -- questions ----------------------------------------------------------------------------
    def track(self, mmsi: int, start: TimeLike | None = None, end: TimeLike | None = None) -> pa.Table:
        """Positions of one vessel, ordered by time; `start` inclusive, `end` exclusive."""
        start_dt = to_utc(start) if start is not None else None
        end_dt = to_utc(end) if end is not None else None
        where = ["mmsi = ?"]
        params: list[object] = [int(mmsi)]
        if start_dt is not None:
            where.append("ts >= ?")
            params.append(start_dt)
        if end_dt is not None:
            where.append("ts < ?")
            params.append(end_dt)

        def build() -> str:
            entries = self.manifest.files(
                layout.POSITIONS,
                mmsi=int(mmsi),
                start_us=_us(start_dt) if start_dt else None,
                end_us=_us(end_dt) if end_dt else None,
            )
            return f"SELECT * FROM {self._source(entries, POSITION_SCHEMA)} WHERE {' AND '.join(where)} ORDER BY ts"

        return self._run(build, params, POSITION_SCHEMA)

    def latest_positions(self, bbox: BBox | None = None, since: TimeLike | None = None) -> pa.Table:
        """One row per vessel: its latest position with a valid lat/lon (at or after `since`).

        With `bbox` = (min_lon, min_lat, max_lon, max_lat), only vessels whose latest position lies in
        the box; min_lon > max_lon means a box across the antimeridian.
        """
        since_dt = to_utc(since) if since is not None else None
        where = ["lat IS NOT NULL", "lon IS NOT NULL"]
        params: list[object] = []
        if since_dt is not None:
            where.append("ts >= ?")
            params.append(since_dt)
        outer = ""
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
            lon_cond = "(lon >= ? AND lon <= ?)" if min_lon <= max_lon else "(lon >= ? OR lon <= ?)"
            outer = f"WHERE lat >= ? AND lat <= ? AND {lon_cond}"
            params += [min_lat, max_lat, min_lon, max_lon]

        def build() -> str:
            entries = self.manifest.files(layout.POSITIONS, start_us=_us(since_dt) if since_dt else None)
            inner = (
                f"SELECT * FROM {self._source(entries, POSITION_SCHEMA)} WHERE {' AND '.join(where)}"
                " QUALIFY row_number() OVER (PARTITION BY mmsi ORDER BY ts DESC, msg_type) = 1"
            )
            return f"SELECT * FROM ({inner}) {outer} ORDER BY mmsi"

        return self._run(build, params, POSITION_SCHEMA)

    def static_history(self, mmsi: int) -> pa.Table:
        """Every static/voyage report of one vessel, ordered by time."""

        def build() -> str:
            entries = self.manifest.files(layout.STATIC, mmsi=int(mmsi))
            return (
                f"SELECT * FROM {self._source(entries, STATIC_SCHEMA)} WHERE mmsi = ? ORDER BY ts, msg_type"
            )

        return self._run(build, [int(mmsi)], STATIC_SCHEMA)

    def positions_for_days(self, days: Iterable[DayLike]) -> pa.Table:
        """All positions of the given UTC days, sorted by (mmsi, ts) — the detectors' input."""
        day_list = sorted({to_day(d) for d in days})

        def build() -> str:
            entries = self.manifest.files(layout.POSITIONS, days=day_list)
            return f"SELECT * FROM {self._source(entries, POSITION_SCHEMA)} ORDER BY mmsi, ts, msg_type"

        return self._run(build, (), POSITION_SCHEMA)

    def statics_for_days(self, days: Iterable[DayLike]) -> pa.Table:
        """All static reports of the given UTC days, sorted by (mmsi, ts)."""
        day_list = sorted({to_day(d) for d in days})

        def build() -> str:
            entries = self.manifest.files(layout.STATIC, days=day_list)
            return f"SELECT * FROM {self._source(entries, STATIC_SCHEMA)} ORDER BY mmsi, ts, msg_type"

        return self._run(build, (), STATIC_SCHEMA)

    def vessels(self) -> pa.Table:
        """One row per MMSI seen: latest non-null name/imo/callsign/ship_type, first/last seen, counts."""
        query = """
            , p AS (SELECT mmsi, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS n,
                           bool_or(simulated) AS sim FROM positions GROUP BY mmsi)
            , s AS (SELECT mmsi,
                           arg_max(name, ts) FILTER (WHERE name IS NOT NULL) AS name,
                           arg_max(imo, ts) FILTER (WHERE imo IS NOT NULL) AS imo,
                           arg_max(callsign, ts) FILTER (WHERE callsign IS NOT NULL) AS callsign,
                           arg_max(ship_type, ts) FILTER (WHERE ship_type IS NOT NULL) AS ship_type,
                           min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS n,
                           bool_or(simulated) AS sim FROM static GROUP BY mmsi)
            SELECT coalesce(p.mmsi, s.mmsi) AS mmsi, s.name, s.imo, s.callsign, s.ship_type,
                   least(p.first_ts, s.first_ts) AS first_seen, greatest(p.last_ts, s.last_ts) AS last_seen,
                   coalesce(p.n, 0) AS position_count, coalesce(s.n, 0) AS static_count,
                   coalesce(p.sim, false) OR coalesce(s.sim, false) AS simulated
            FROM p FULL OUTER JOIN s ON p.mmsi = s.mmsi
            ORDER BY 1
        """

        def build() -> str:
            pos = self._source(self.manifest.files(layout.POSITIONS), POSITION_SCHEMA)
            sta = self._source(self.manifest.files(layout.STATIC), STATIC_SCHEMA)
            return f"WITH positions AS (SELECT * FROM {pos}), static AS (SELECT * FROM {sta}) {query}"

        return self._run(build, (), VESSELS_SCHEMA)

    def days(self) -> pa.Table:
        """One row per UTC day with data: date, position rows, static rows, files, bytes."""
        acc: dict[str, list[int]] = {}
        for day, dataset, n_files, rows, size in self.manifest.day_summary():
            entry = acc.setdefault(day, [0, 0, 0, 0])
            entry[0 if dataset == layout.POSITIONS else 1] += rows
            entry[2] += n_files
            entry[3] += size
        ordered = sorted(acc)
        return pa.table(
            {
                "date": pa.array([dt.date.fromisoformat(d) for d in ordered], pa.date32()),
                "positions": pa.array([acc[d][0] for d in ordered], pa.int64()),
                "statics": pa.array([acc[d][1] for d in ordered], pa.int64()),
                "files": pa.array([acc[d][2] for d in ordered], pa.int64()),
                "bytes": pa.array([acc[d][3] for d in ordered], pa.int64()),
            },
            schema=DAYS_SCHEMA,
        )

    def stats(self) -> LakeStats:
        """Totals of the whole lake (the `shadowfleet lake stats` figures)."""
        days = self.days()
        chunks = self.manifest.chunks()
        sources: dict[str, int] = {}
        reasons: dict[str, int] = {}
        for c in chunks:
            sources[c.source] = sources.get(c.source, 0) + 1
            for reason, n in c.rejects_by_reason.items():
                reasons[reason] = reasons.get(reason, 0) + n
        counts = self.sql(
            "SELECT (SELECT count(*) FROM (SELECT mmsi FROM positions UNION SELECT mmsi FROM static)) AS vessels,"
            " (SELECT count(*) FROM positions WHERE simulated) AS simulated_positions"
        ).to_pylist()[0]
        day_names = [d.isoformat() for d in days.column("date").to_pylist()]
        manifest_bytes = sum(p.stat().st_size for p in self.manifest.path.parent.glob("manifest.sqlite*"))
        return LakeStats(
            days=len(day_names),
            first_day=day_names[0] if day_names else None,
            last_day=day_names[-1] if day_names else None,
            position_rows=int(pc.sum(days["positions"]).as_py() or 0),
            static_rows=int(pc.sum(days["statics"]).as_py() or 0),
            vessels=int(counts["vessels"]),
            files=int(pc.sum(days["files"]).as_py() or 0),
            bytes_on_disk=int(pc.sum(days["bytes"]).as_py() or 0) + manifest_bytes,
            chunks=len(chunks),
            sources=sources,
            input_lines=sum(c.n_lines for c in chunks),
            rejects=sum(c.rejects for c in chunks),
            rejects_by_reason=dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
            simulated_positions=int(counts["simulated_positions"]),
        )
