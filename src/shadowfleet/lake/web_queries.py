"""Read-only queries the public website needs beyond the core lake API (`Lake`): vessel summaries with
latest identity and position, event and voyage listings with filters, identity changes, and a cheap
fingerprint of the lake's contents for cache invalidation.

Positions and static reports are the files the manifest lists as visible (`Lake.files`); events and
voyages are the derived sets under `events/` and `voyages/`. A folder that is not a lake yet reads as
empty. Every result is an Arrow table; every table keeps the `simulated` column.
"""

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from shadowfleet.lake import layout
from shadowfleet.lake.query import Lake
from shadowfleet.model.schemas import EVENT_SCHEMA, POSITION_SCHEMA, STATIC_SCHEMA

TABLE_FOLDERS = ("positions", "static", "events", "voyages")
VENEZUELA_WINDOW_DAYS = 60


@dataclass(frozen=True)
class EventFilter:
    kinds: tuple[str, ...] = ()
    mmsi: int | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    # (min_lon, min_lat, max_lon, max_lat)
    bbox: tuple[float, float, float, float] | None = None
    # Only events of vessels with an apparent call at a Venezuelan terminal within VENEZUELA_WINDOW_DAYS.
    venezuela: bool = False
    since_first_seen: dt.datetime | None = None


def _parquet_files(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(str(p) for p in folder.rglob("*.parquet") if not p.name.startswith("."))


def lake_fingerprint(lake_path: Path) -> tuple[object, ...]:
    """Changes whenever the lake changes: the manifest (and its WAL), and the derived-set folders, which
    are replaced whole by renaming. A handful of stat calls, whatever the lake's size."""
    from shadowfleet.lake.manifest import MANIFEST_FILE

    manifest = lake_path / layout.MANIFEST_DIR / MANIFEST_FILE
    parts: list[object] = []
    for path in (manifest, lake_path / layout.EVENTS, lake_path / layout.VOYAGES):
        try:
            st = os.stat(path)
            parts.append((st.st_ino, st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            parts.append(None)
    # Commits grow the write-ahead log; readers opening it may touch its time but not its size.
    try:
        parts.append(os.stat(manifest.with_name(manifest.name + "-wal")).st_size)
    except FileNotFoundError:
        parts.append(None)
    for folder in (lake_path / layout.EVENTS, lake_path / layout.VOYAGES):
        if folder.is_dir():
            for child in sorted(os.listdir(folder)):
                st = os.stat(folder / child)
                parts.append((child, st.st_ino, st.st_mtime_ns))
    return tuple(parts)


class LakeQueries:
    """Thread-safe read queries over one lake folder (a DuckDB cursor per call)."""

    def __init__(self, lake_path: Path) -> None:
        self.lake_path = Path(lake_path)
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET TimeZone = 'UTC'")
        self._lock = threading.Lock()
        self._lake: Lake | None = None

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._con.cursor()

    def lake(self) -> Lake | None:
        """The lake reader, opened once the folder holds a manifest (None before the first ingest)."""
        if self._lake is None and (self.lake_path / layout.MANIFEST_DIR).is_dir():
            try:
                self._lake = Lake(self.lake_path)
            except FileNotFoundError:
                return None
        return self._lake

    def _source(self, name: str, empty_schema: pa.Schema | None) -> str | None:
        if name in layout.DATASETS:
            lake = self.lake()
            if lake is None:
                return None
            with self._lock:  # one manifest connection shared by the server's threads
                files = [str(p) for p in lake.files(name)]
        else:
            files = _parquet_files(self.lake_path / name)
        if not files:
            return None
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        return f"read_parquet([{listing}], hive_partitioning=false, union_by_name=true)"

    def _columns(self, source: str) -> set[str]:
        rows = self._cursor().execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        return {row[0] for row in rows}

    # -- vessels -------------------------------------------------------------------------------
    def vessel_summaries(self) -> pa.Table:
        """One row per MMSI seen in positions or static reports: latest identity and latest position."""
        pos = self._source("positions", POSITION_SCHEMA)
        sta = self._source("static", STATIC_SCHEMA)
        parts = []
        if pos:
            parts.append(
                f"""SELECT mmsi, max(ts) AS last_ts, min(ts) AS first_ts, count(*) AS n_positions,
                    arg_max(lat, ts) AS lat, arg_max(lon, ts) AS lon, arg_max(sog_kn, ts) AS sog_kn,
                    arg_max(cog_deg, ts) AS cog_deg, bool_or(simulated) AS simulated
                FROM {pos} WHERE lat IS NOT NULL AND lon IS NOT NULL GROUP BY mmsi"""
            )
        else:
            parts.append(
                "SELECT NULL::BIGINT AS mmsi, NULL::TIMESTAMPTZ AS last_ts, NULL::TIMESTAMPTZ AS first_ts, "
                "0::BIGINT AS n_positions, NULL::DOUBLE AS lat, NULL::DOUBLE AS lon, NULL::DOUBLE AS sog_kn, "
                "NULL::DOUBLE AS cog_deg, NULL::BOOLEAN AS simulated WHERE false"
            )
        if sta:
            parts.append(
                f"""SELECT mmsi, arg_max(imo, ts) FILTER (WHERE imo IS NOT NULL) AS imo,
                    arg_max(name, ts) FILTER (WHERE name IS NOT NULL) AS name,
                    arg_max(callsign, ts) FILTER (WHERE callsign IS NOT NULL) AS callsign,
                    arg_max(ship_type, ts) FILTER (WHERE ship_type IS NOT NULL) AS ship_type,
                    arg_max(length_m, ts) FILTER (WHERE length_m IS NOT NULL) AS length_m,
                    arg_max(beam_m, ts) FILTER (WHERE beam_m IS NOT NULL) AS beam_m,
                    arg_max(draught_m, ts) FILTER (WHERE draught_m IS NOT NULL) AS draught_m,
                    arg_max(destination, ts) FILTER (WHERE destination IS NOT NULL) AS destination,
                    bool_or(simulated) AS simulated_static
                FROM {sta} GROUP BY mmsi"""
            )
        else:
            parts.append(
                "SELECT NULL::BIGINT AS mmsi, NULL::BIGINT AS imo, NULL::VARCHAR AS name, "
                "NULL::VARCHAR AS callsign, NULL::SMALLINT AS ship_type, NULL::DOUBLE AS length_m, "
                "NULL::DOUBLE AS beam_m, NULL::DOUBLE AS draught_m, NULL::VARCHAR AS destination, "
                "NULL::BOOLEAN AS simulated_static WHERE false"
            )
        sql = f"""
            WITH p AS ({parts[0]}), s AS ({parts[1]})
            SELECT coalesce(p.mmsi, s.mmsi) AS mmsi, s.imo, s.name, s.callsign, s.ship_type, s.length_m,
                   s.beam_m, s.draught_m, s.destination, p.first_ts, p.last_ts,
                   coalesce(p.n_positions, 0) AS n_positions, p.lat, p.lon, p.sog_kn, p.cog_deg,
                   coalesce(p.simulated, false) OR coalesce(s.simulated_static, false) AS simulated
            FROM p FULL OUTER JOIN s ON p.mmsi = s.mmsi
            ORDER BY mmsi"""
        return self._cursor().execute(sql).to_arrow_table()

    def track(self, mmsi: int, start: dt.datetime | None, end: dt.datetime | None) -> pa.Table:
        """Positions of one vessel in [start, end) with a valid lat/lon, time-ordered (`Lake.track`)."""
        lake = self.lake()
        if lake is None:
            return POSITION_SCHEMA.empty_table()
        with self._lock:
            table = lake.track(mmsi, start, end)
        return table.filter(
            pa.compute.and_(pa.compute.is_valid(table["lat"]), pa.compute.is_valid(table["lon"]))
        )

    def static_reports(self, mmsi: int) -> pa.Table:
        """Every static report of one vessel, time-ordered (`Lake.static_history`)."""
        lake = self.lake()
        if lake is None:
            return STATIC_SCHEMA.empty_table()
        with self._lock:
            return lake.static_history(mmsi)

    def static_history(self, mmsi: int, reports: pa.Table | None = None) -> pa.Table:
        """Static reports of one vessel collapsed to changes: a row whenever identity or draught changes.
        `reports`: the vessel's static reports when the caller already has them."""
        if reports is None:
            reports = self.static_reports(mmsi)
        if reports.num_rows == 0:
            return STATIC_SCHEMA.empty_table()
        cur = self._cursor()
        cur.register("reports", reports)
        sta = "reports"
        sql = f"""
            SELECT ts, imo, name, callsign, ship_type, draught_m, destination, source, simulated FROM (
              SELECT *, lag(struct_pack(imo, name, callsign, ship_type, draught_m, destination))
                        OVER (ORDER BY ts) AS prev
              FROM {sta} WHERE mmsi = ?)
            WHERE prev IS NULL
               OR prev IS DISTINCT FROM struct_pack(imo, name, callsign, ship_type, draught_m, destination)
            ORDER BY ts"""
        return cur.execute(sql, [int(mmsi)]).to_arrow_table()

    # -- events and voyages ---------------------------------------------------------------------
    def events(self, flt: EventFilter, limit: int, offset: int) -> tuple[pa.Table, int]:
        """Events matching the filter, newest first, with the total count before paging. Retried once when
        the event set is replaced during the read (the old generation folder disappears)."""
        try:
            return self._events(flt, limit, offset)
        except duckdb.IOException:
            return self._events(flt, limit, offset)

    def _events(self, flt: EventFilter, limit: int, offset: int) -> tuple[pa.Table, int]:
        ev = self._source("events", EVENT_SCHEMA)
        if not ev:
            return EVENT_SCHEMA.empty_table(), 0
        where: list[str] = []
        args: list[object] = []
        if flt.kinds:
            where.append(f"kind IN ({', '.join('?' for _ in flt.kinds)})")
            args.extend(flt.kinds)
        if flt.mmsi is not None:
            where.append("(mmsi = ? OR other_mmsi = ?)")
            args.extend([flt.mmsi, flt.mmsi])
        if flt.start is not None:
            where.append("end_ts >= ?")
            args.append(flt.start)
        if flt.end is not None:
            where.append("start_ts < ?")
            args.append(flt.end)
        if flt.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = flt.bbox
            where.append("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?")
            args.extend([min_lon, max_lon, min_lat, max_lat])
        if flt.venezuela:
            cols = self._columns(ev)
            tests = []
            if "venezuelan_terminal" in cols:
                tests.append("coalesce(c.venezuelan_terminal, false)")
            if "port_country" in cols:
                tests.append("upper(coalesce(c.port_country, '')) IN ('VE', 'VEN')")
            if not tests:
                return EVENT_SCHEMA.empty_table(), 0
            where.append(
                f"""EXISTS (SELECT 1 FROM {ev} c WHERE ({" OR ".join(tests)})
                    AND c.kind IN ('port_call', 'dark_port_call')
                    AND (c.mmsi = e.mmsi OR c.mmsi = e.other_mmsi)
                    AND c.start_ts <= e.end_ts + INTERVAL {VENEZUELA_WINDOW_DAYS} DAY
                    AND c.end_ts >= e.start_ts - INTERVAL {VENEZUELA_WINDOW_DAYS} DAY)"""
            )
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        cur = self._cursor()
        total = cur.execute(f"SELECT count(*) FROM {ev} e {clause}", args).fetchall()[0][0]
        table = cur.execute(
            f"SELECT * FROM {ev} e {clause} ORDER BY start_ts DESC, event_id LIMIT ? OFFSET ?",
            [*args, int(limit), int(offset)],
        ).to_arrow_table()
        return table, int(total)

    def event(self, event_id: str) -> pa.Table:
        ev = self._source("events", EVENT_SCHEMA)
        if not ev:
            return EVENT_SCHEMA.empty_table()
        return self._cursor().execute(f"SELECT * FROM {ev} WHERE event_id = ?", [event_id]).to_arrow_table()

    def event_counts(self) -> dict[str, int]:
        ev = self._source("events", EVENT_SCHEMA)
        if not ev:
            return {}
        rows = (
            self._cursor().execute(f"SELECT kind, count(*) FROM {ev} GROUP BY kind ORDER BY kind").fetchall()
        )
        return {str(kind): int(n) for kind, n in rows}

    def voyages(
        self,
        mmsi: int | None,
        venezuela: bool | None,
        in_progress: bool | None,
        limit: int,
        offset: int,
    ) -> tuple[pa.Table, int]:
        """Voyages (the detect room's VOYAGE_SCHEMA), newest departure first, with the total before paging."""
        vo = self._source("voyages", None)
        if not vo:
            return pa.table({}), 0
        columns = self._columns(vo)
        needed = {"to_or_from_venezuela", "in_progress", "departure_ts"}
        if not needed <= columns:
            return pa.table({}), 0  # an empty placeholder set written before voyages were detected
        where: list[str] = []
        args: list[object] = []
        if mmsi is not None:
            where.append("mmsi = ?")
            args.append(mmsi)
        if venezuela is not None:
            where.append("to_or_from_venezuela = ?")
            args.append(venezuela)
        if in_progress is not None:
            where.append("in_progress = ?")
            args.append(in_progress)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        cur = self._cursor()
        total = cur.execute(f"SELECT count(*) FROM {vo} {clause}", args).fetchall()[0][0]
        table = cur.execute(
            f"SELECT * FROM {vo} {clause} ORDER BY departure_ts DESC, mmsi LIMIT ? OFFSET ?",
            [*args, int(limit), int(offset)],
        ).to_arrow_table()
        return table, int(total)

    def vessel_events(self, mmsi: int) -> pa.Table:
        """Every event naming the vessel (as `mmsi` or `other_mmsi`), all columns: the risk score's input."""
        ev = self._source("events", EVENT_SCHEMA)
        if not ev:
            return EVENT_SCHEMA.empty_table()
        sql = f"SELECT * FROM {ev} WHERE mmsi = ? OR other_mmsi = ? ORDER BY start_ts"
        return self._cursor().execute(sql, [int(mmsi), int(mmsi)]).to_arrow_table()
