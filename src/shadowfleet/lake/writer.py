"""The lake's single writer: day-partitioned, sorted Parquet files published atomically via the manifest.

Order of a write, and what a SIGKILL at each step leaves:
1. each day's rows go to a hidden temp file, fsynced      -> a `.tmp-*` file, removed on the next open
2. the temp file is renamed to its final `part-*.parquet` -> a complete file not in the manifest:
                                                             invisible to `Lake`, removed on the next open
3. chunk + files are committed in one SQLite transaction  -> done; the chunk key makes a re-run skip it
Opening a `LakeWriter` takes an exclusive lock (`_manifest/writer.lock`), so only one process writes
a lake at a time, and cleans whatever steps 1-2 of a killed run left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from shadowfleet.lake import layout
from shadowfleet.lake.atomic import TMP_PREFIX, fsync_dir, publish_atomic, tmp_path_for, write_parquet_atomic
from shadowfleet.lake.faults import crash_point
from shadowfleet.lake.manifest import ChunkEntry, FileEntry, Manifest
from shadowfleet.model.arrow_numpy import from_numpy, to_numpy

LOCK_FILE = "writer.lock"
NMEA_CHUNK_LINES_KEY = "nmea_chunk_lines"


class LakeLockedError(RuntimeError):
    """Another process is writing this lake."""


class NotALakeError(RuntimeError):
    """The folder exists, holds other things and has no manifest: it is not a lake, so nothing is written."""


def refuse_non_lake_folder(root: Path) -> None:
    """NotALakeError when `root` is a non-empty folder without `_manifest/` (a missing or empty one is fine)."""
    if not root.is_dir() or (root / layout.MANIFEST_DIR).is_dir():
        return
    try:
        with os.scandir(root) as entries:
            holds_something = any(True for _ in entries)
    except OSError as exc:
        raise OSError(f"cannot read lake folder {root}: {exc.strerror}") from exc
    if holds_something:
        raise NotALakeError(
            f"{root} is not a shadowfleet lake (no {layout.MANIFEST_DIR}/ folder) and is not empty; "
            "give a new or empty folder, or an existing lake"
        )


@dataclass(frozen=True)
class CleanupReport:
    removed_tmp: int
    removed_unmanifested: int


@dataclass(frozen=True)
class CompactionReport:
    days: int
    files_before: int
    files_after: int
    rows: int


def conform(table: pa.Table, schema: pa.Schema, what: str) -> pa.Table:
    """The table's columns in schema order and types; a clear error naming what is missing or wrong."""
    missing = [name for name in schema.names if name not in table.column_names]
    if missing:
        raise ValueError(f"{what}: missing columns {missing}")
    table = table.select(schema.names)
    if table.schema.equals(schema):
        return table
    try:
        return table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValueError(f"{what}: columns do not match the lake schema: {exc}") from exc


def dictionary_columns(schema: pa.Schema) -> list[str]:
    """Columns worth dictionary encoding: text and small codes (not coordinates, speeds or times)."""
    return [
        f.name
        for f in schema
        if pa.types.is_string(f.type) or pa.types.is_int8(f.type) or pa.types.is_int16(f.type)
    ]


def float_columns(schema: pa.Schema) -> list[str]:
    """Columns stored byte-stream-split: the doubles (coordinates, speeds, courses)."""
    return [f.name for f in schema if pa.types.is_floating(f.type)]


def statistics_columns(schema: pa.Schema) -> list[str]:
    """Columns with row-group min/max statistics: those queries filter on (vessel, time, area, IMO)."""
    return [name for name in ("mmsi", "ts", "lat", "lon", "imo") if name in schema.names]


US_PER_DAY = 86_400_000_000


def split_by_day(table: pa.Table) -> list[tuple[str, pa.Table]]:
    """(YYYY-MM-DD, rows of that UTC day sorted by (mmsi, ts)) for each day present.

    Rows equal in (mmsi, ts) keep their input order. The order comes from one sort of packed integer
    keys (see `day_mmsi_ts_order`) and a single `take` (skipped when the rows are already in order);
    each day is then a zero-copy slice.
    """
    n = table.num_rows
    if n == 0:
        return []
    ts_us = _int64(table["ts"])
    mmsi = _int64(table["mmsi"])
    day = ts_us // US_PER_DAY
    order = day_mmsi_ts_order(day, mmsi, ts_us)
    if not bool((order[1:] > order[:-1]).all()):
        table = table.take(from_numpy(order))
        day = day[order]
    bounds = np.flatnonzero(day[1:] != day[:-1]) + 1
    starts = [0, *bounds.tolist()]
    stops = [*bounds.tolist(), n]
    epoch = dt.date(1970, 1, 1)
    return [
        ((epoch + dt.timedelta(days=int(day[a]))).isoformat(), table.slice(a, b - a))
        for a, b in zip(starts, stops, strict=True)
    ]


MMSI_BITS = 30  # an AIS MMSI field is 30 bits wide


def day_mmsi_ts_order(day: np.ndarray, mmsi: np.ndarray, ts_us: np.ndarray) -> np.ndarray:
    """The permutation a stable sort by (day, mmsi, ts) gives.

    Fast path: each row becomes one int64 `(day offset, mmsi, rank)`, where rank is the row's place in
    (ts, input order), so the keys are distinct and one (SIMD) sort of them orders the rows; the low bits
    of each sorted key are the row number. Input that does not fit the bits (an MMSI beyond 30 bits,
    days too far apart for the rows' count) takes a three-key lexsort, with the same result.
    """
    n = int(mmsi.size)
    row_bits = max(1, (n - 1).bit_length())
    day_min = int(day.min())
    day_bits = 63 - MMSI_BITS - row_bits
    fits = (
        day_bits > 0
        and int(day.max()) - day_min < (1 << day_bits)
        and int(mmsi.min()) >= 0
        and int(mmsi.max()) < (1 << MMSI_BITS)
    )
    if not fits:
        return np.lexsort((ts_us, mmsi, day))
    by_time: np.ndarray | None = None  # row of each rank; None when rank = row
    rank = np.arange(n, dtype=np.int64)
    if not bool((ts_us[1:] >= ts_us[:-1]).all()):
        by_time = np.argsort(ts_us, kind="stable")
        rank[by_time] = np.arange(n, dtype=np.int64)
    key = ((day - day_min) << (MMSI_BITS + row_bits)) | (mmsi << row_bits) | rank
    key.sort()
    key &= (1 << row_bits) - 1
    return key if by_time is None else by_time[key]


def _int64(column: pa.ChunkedArray) -> np.ndarray:
    return to_numpy(column, np.int64)


def file_entry(
    rel_path: str, dataset: str, day: str, table: pa.Table, size: int, chunk_key: str | None
) -> FileEntry:
    ts = pc.min_max(table["ts"])
    mmsi = pc.min_max(table["mmsi"])
    ts_min, ts_max = ts["min"], ts["max"]
    return FileEntry(
        path=rel_path,
        dataset=dataset,
        day=day,
        rows=table.num_rows,
        bytes=size,
        min_ts_us=ts_min.cast(pa.int64()).as_py() if ts_min.is_valid else None,
        max_ts_us=ts_max.cast(pa.int64()).as_py() if ts_max.is_valid else None,
        min_mmsi=mmsi["min"].as_py(),
        max_mmsi=mmsi["max"].as_py(),
        chunk_key=chunk_key,
    )


class LakeWriter:
    """Writes a lake. `with LakeWriter(path) as w: w.write_chunk(...)`. Thread-safe `write_chunk`."""

    def __init__(self, root: str | os.PathLike[str], *, wait_for_lock: bool = False) -> None:
        self.root = Path(root)
        refuse_non_lake_folder(self.root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / layout.MANIFEST_DIR).mkdir(exist_ok=True)
        except OSError as exc:
            raise OSError(f"cannot create lake folder {self.root}: {exc.strerror}") from exc
        self._lock_fd = os.open(self.root / layout.MANIFEST_DIR / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | (0 if wait_for_lock else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(self._lock_fd)
            raise LakeLockedError(f"another process is writing the lake at {self.root}") from None
        self.manifest = Manifest(self.root, create=True)
        self._mutex = threading.Lock()  # guards the manifest connection (short holds only)
        self._write_lock = threading.Lock()  # one write_chunk at a time
        self.cleanup = self._clean_unpublished()

    def __enter__(self) -> LakeWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.manifest.close()
        with contextlib.suppress(OSError):
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)

    def _clean_unpublished(self) -> CleanupReport:
        """Remove temp files and data files the manifest does not list (leftovers of a killed run)."""
        known = self.manifest.all_file_paths()
        removed_tmp = removed_files = 0
        for dataset in layout.DATASETS:
            base = self.root / dataset
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if not path.is_file():
                    continue
                rel = path.relative_to(self.root).as_posix()
                if path.name.startswith(TMP_PREFIX):
                    path.unlink()
                    removed_tmp += 1
                elif path.suffix == ".parquet" and rel not in known:
                    path.unlink()
                    removed_files += 1
        return CleanupReport(removed_tmp, removed_files)

    def has_chunk(self, chunk_key: str) -> bool:
        with self._mutex:
            return self.manifest.has_chunk(chunk_key)

    def chunk_simulated(self, chunk_key: str) -> bool | None:
        """Whether the chunk was stored as simulated data; None when it is not in the lake."""
        with self._mutex:
            return self.manifest.chunk_simulated(chunk_key)

    def prefix_candidates(self, parent_key: str, below_bytes: int) -> list[tuple[str, int]]:
        with self._mutex:
            return self.manifest.prefix_candidates(parent_key, below_bytes)

    def nmea_chunk_lines(self, requested: int | None, default: int) -> int:
        """The lake's NMEA chunk size: fixed by the first NMEA ingest, since chunk keys depend on it."""
        with self._mutex:
            stored = self.manifest.get_meta(NMEA_CHUNK_LINES_KEY)
            if stored is None:
                size = requested or default
                self.manifest.set_meta(NMEA_CHUNK_LINES_KEY, str(size))
                return size
            if requested is not None and requested != int(stored):
                raise ValueError(
                    f"this lake cuts NMEA input into chunks of {int(stored):,} lines (its idempotency keys"
                    f" depend on it); leave out the chunk size or use {stored}"
                )
            return int(stored)

    def has_input(self, input_key: str) -> bool:
        with self._mutex:
            return self.manifest.has_input(input_key)

    def record_input(self, input_key: str, source: str, chunks: int) -> None:
        with self._mutex:
            self.manifest.record_input(input_key, source, chunks)

    def write_chunk(self, chunk: ChunkEntry, positions: pa.Table, statics: pa.Table) -> list[FileEntry]:
        """Write one input chunk's rows (one file per dataset and day) and commit it to the manifest.

        A chunk already in the manifest is not written again (returns no files).
        """
        from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA

        positions = conform(positions, POSITION_SCHEMA, "positions")
        statics = conform(statics, STATIC_SCHEMA, "static reports")
        name = f"part-{chunk.chunk_key[:32]}.parquet"
        # the manifest mutex is not held while Parquet is written, so readers of the manifest
        # (`has_chunk` from the decoding thread) do not wait for the write
        with self._write_lock:
            if self.has_chunk(chunk.chunk_key):
                return []
            entries: list[FileEntry] = []
            for dataset, table in ((layout.POSITIONS, positions), (layout.STATIC, statics)):
                for day, part in split_by_day(table):
                    rel = layout.data_file(dataset, day, name)
                    size = write_parquet_atomic(
                        part,
                        self.root / rel,
                        dictionary_columns=dictionary_columns(part.schema),
                        byte_stream_split_columns=float_columns(part.schema),
                        statistics_columns=statistics_columns(part.schema),
                        before_publish=lambda: crash_point("before_publish"),
                    )
                    crash_point("after_publish")
                    entries.append(file_entry(rel, dataset, day, part, size, chunk.chunk_key))
            with self._mutex:
                self.manifest.commit_chunk(chunk, entries)
            crash_point("after_commit")
            return entries

    def compact(
        self,
        days: Sequence[str] | None = None,
        *,
        min_files: int = 2,
        max_rows_per_file: int = 20_000_000,
        memory_limit: str = "1GB",
    ) -> CompactionReport:
        """Merge each day's files into as few sorted files as `max_rows_per_file` allows, atomically.

        Sorting runs in DuckDB with a memory limit (spilling to disk), so a day of any size compacts in
        bounded memory. Per group: write temp, fsync, rename, swap in the manifest in one transaction,
        then delete the old files.
        """
        from shadowfleet.model.schemas import POSITION_SCHEMA, STATIC_SCHEMA

        schemas = {layout.POSITIONS: POSITION_SCHEMA, layout.STATIC: STATIC_SCHEMA}
        n_days = files_before = files_after = rows = 0
        with self._write_lock, self._mutex:
            for dataset in (layout.POSITIONS, layout.STATIC):
                entries = self.manifest.files(dataset, days=days)
                by_day: dict[str, list[FileEntry]] = {}
                for e in entries:
                    by_day.setdefault(e.day, []).append(e)
                for day, day_files in sorted(by_day.items()):
                    if len(day_files) < min_files:
                        continue
                    n_days += 1
                    for group in _groups_by_rows(day_files, max_rows_per_file):
                        files_before += len(group)
                        if len(group) == 1:
                            files_after += 1
                            continue
                        rows += self._compact_group(dataset, day, group, schemas[dataset], memory_limit)
                        files_after += 1
        return CompactionReport(n_days, files_before, files_after, rows)

    def _compact_group(
        self, dataset: str, day: str, group: list[FileEntry], schema: pa.Schema, memory_limit: str
    ) -> int:
        import duckdb  # only compaction sorts through DuckDB

        digest = hashlib.sha256("\n".join(sorted(e.path for e in group)).encode()).hexdigest()[:32]
        rel = layout.data_file(dataset, day, f"compact-{digest}.parquet")
        target = self.root / rel
        tmp = tmp_path_for(target)
        spill = self.root / layout.MANIFEST_DIR / f"{TMP_PREFIX}spill"
        con = duckdb.connect(
            config={"memory_limit": memory_limit, "temp_directory": str(spill), "threads": 2}
        )
        try:
            files = [str(self.root / e.path) for e in group]
            result = con.execute(
                "SELECT * FROM read_parquet(?, hive_partitioning = false) ORDER BY mmsi, ts, msg_type",
                [files],
            )
            reader = result.to_arrow_reader(131_072)
            total = 0
            ts_min = ts_max = mmsi_min = mmsi_max = None
            with pq.ParquetWriter(
                tmp,
                schema,
                compression="zstd",
                use_dictionary=dictionary_columns(schema),
                use_byte_stream_split=float_columns(schema) or False,
                write_statistics=statistics_columns(schema),
            ) as out:
                for batch in reader:
                    table = pa.Table.from_batches([batch]).cast(schema)
                    out.write_table(table, row_group_size=131_072)
                    total += table.num_rows
                    t = pc.min_max(table["ts"])
                    m = pc.min_max(table["mmsi"])
                    ts_min = _lo(ts_min, t["min"].cast(pa.int64()).as_py())
                    ts_max = _hi(ts_max, t["max"].cast(pa.int64()).as_py())
                    mmsi_min = _lo(mmsi_min, m["min"].as_py())
                    mmsi_max = _hi(mmsi_max, m["max"].as_py())
            expected = sum(e.rows for e in group)
            if total != expected:
                raise RuntimeError(
                    f"compaction of {dataset} {day} read {total} rows, manifest says {expected}"
                )
            size = tmp.stat().st_size
            publish_atomic(tmp, target)
            crash_point("compact_after_publish")
            new = FileEntry(rel, dataset, day, total, size, ts_min, ts_max, mmsi_min, mmsi_max, None)
            self.manifest.replace_files([e.path for e in group], [new])
            crash_point("compact_after_commit")
            for e in group:
                if e.path != rel:
                    with contextlib.suppress(FileNotFoundError):
                        (self.root / e.path).unlink()
            fsync_dir(target.parent)
            return total
        finally:
            con.close()
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _lo(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _hi(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _groups_by_rows(files: Iterable[FileEntry], max_rows: int) -> list[list[FileEntry]]:
    groups: list[list[FileEntry]] = []
    current: list[FileEntry] = []
    rows = 0
    for e in sorted(files, key=lambda f: f.path):
        if current and rows + e.rows > max_rows:
            groups.append(current)
            current, rows = [], 0
        current.append(e)
        rows += e.rows
    if current:
        groups.append(current)
    return groups
