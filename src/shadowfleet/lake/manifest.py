"""The lake's manifest: which Parquet files are visible, and which input chunks are already ingested.

A SQLite database (WAL mode, synchronous=FULL) at `LAKE/_manifest/manifest.sqlite`. A data file is
part of the lake only once its row is committed here; readers list files from here, never by globbing.
Tables:

- `chunks`: one row per ingested input chunk, keyed by `chunk_key` (a content hash, see
  `shadowfleet.lake.ingest`), with the counts it produced and its rejects by reason (JSON).
- `files`: one row per visible data file: path relative to the lake, dataset (`positions`/`static`),
  day, rows, bytes, min/max `ts` and `mmsi`, and the chunk that wrote it (NULL for a compacted file).
  `parent_key` links NMEA chunks into their hash chain.
- `inputs`: whole inputs known to be complete (CSV files, keyed by content hash and options), so a
  re-run skips them after hashing alone.
- `meta`: `layout_version`; `nmea_chunk_lines`, the chunk size every NMEA ingest into this lake uses
  (chunk keys depend on it, so it is fixed when the first NMEA input is ingested).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LAYOUT_VERSION = "1"
MANIFEST_DIR = "_manifest"
MANIFEST_FILE = "manifest.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    chunk_index INTEGER NOT NULL,
    first_line INTEGER NOT NULL,
    n_lines INTEGER NOT NULL,
    n_bytes INTEGER NOT NULL,
    positions INTEGER NOT NULL,
    statics INTEGER NOT NULL,
    rejects INTEGER NOT NULL,
    rejects_by_reason TEXT NOT NULL,
    simulated INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    parent_key TEXT
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    dataset TEXT NOT NULL,
    day TEXT NOT NULL,
    rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    min_ts_us INTEGER,
    max_ts_us INTEGER,
    min_mmsi INTEGER,
    max_mmsi INTEGER,
    chunk_key TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inputs (
    input_key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    completed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_dataset_day ON files (dataset, day);
CREATE INDEX IF NOT EXISTS chunks_parent ON chunks (parent_key);
"""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the lake root, '/'-separated
    dataset: str
    day: str  # YYYY-MM-DD
    rows: int
    bytes: int
    min_ts_us: int | None
    max_ts_us: int | None
    min_mmsi: int | None
    max_mmsi: int | None
    chunk_key: str | None = None


@dataclass(frozen=True)
class ChunkEntry:
    chunk_key: str
    source: str
    source_kind: str
    chunk_index: int
    first_line: int
    n_lines: int
    n_bytes: int
    positions: int
    statics: int
    rejects: int
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    simulated: bool = False
    parent_key: str | None = None  # NMEA: the key of the chunk before (the hash chain's previous link)


def _create_atomically(path: Path) -> None:
    """A new manifest appears with its tables or not at all (a kill mid-creation leaves a temp file)."""
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.executescript(_SCHEMA)
            conn.execute("INSERT INTO meta (key, value) VALUES ('layout_version', ?)", (LAYOUT_VERSION,))
        finally:
            conn.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        for leftover in path.parent.glob(f".tmp-*-{path.name}*"):  # of earlier killed creations
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Manifest:
    """Thin access layer over the SQLite manifest. One instance per thread."""

    def __init__(self, lake_root: Path, *, create: bool = False) -> None:
        self.lake_root = Path(lake_root)
        self.path = self.lake_root / MANIFEST_DIR / MANIFEST_FILE
        if not self.path.exists() and not create:
            raise FileNotFoundError(
                f"not a shadowfleet lake (no {MANIFEST_DIR}/{MANIFEST_FILE}): {lake_root}"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if create and not self.path.exists():
            _create_atomically(self.path)
        self.conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        if create:
            columns = {row[1] for row in self.conn.execute("PRAGMA table_info(chunks)").fetchall()}
            if columns and "parent_key" not in columns:  # manifests written before the column existed
                self.conn.execute("ALTER TABLE chunks ADD COLUMN parent_key TEXT")
            self.conn.executescript(_SCHEMA)
            self.conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('layout_version', ?)", (LAYOUT_VERSION,)
            )

    def close(self) -> None:
        self.conn.close()

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- ingest bookkeeping -------------------------------------------------------------------
    def has_chunk(self, chunk_key: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM chunks WHERE chunk_key = ?", (chunk_key,)).fetchone()
        return row is not None

    def chunk_simulated(self, chunk_key: str) -> bool | None:
        """Whether the chunk was stored as simulated data; None when it is not in the lake."""
        row = self.conn.execute("SELECT simulated FROM chunks WHERE chunk_key = ?", (chunk_key,)).fetchone()
        return None if row is None else bool(row[0])

    def commit_chunk(self, chunk: ChunkEntry, files: Sequence[FileEntry]) -> None:
        """Record a chunk and the files it wrote in one transaction: after this they are visible."""
        now = _now()
        with self._transaction():
            self.conn.execute(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    chunk.chunk_key,
                    chunk.source,
                    chunk.source_kind,
                    chunk.chunk_index,
                    chunk.first_line,
                    chunk.n_lines,
                    chunk.n_bytes,
                    chunk.positions,
                    chunk.statics,
                    chunk.rejects,
                    json.dumps(chunk.rejects_by_reason, sort_keys=True),
                    int(chunk.simulated),
                    now,
                    chunk.parent_key,
                ),
            )
            self._insert_files(files, now)

    def prefix_candidates(self, parent_key: str, below_bytes: int) -> list[tuple[str, int]]:
        """(chunk_key, n_bytes) of chunks that follow `parent_key` and are shorter than `below_bytes`:
        earlier, shorter versions of a chunk (the last chunk of a file that has grown since)."""
        rows = self.conn.execute(
            "SELECT chunk_key, n_bytes FROM chunks WHERE parent_key = ? AND n_bytes < ? ORDER BY n_bytes DESC",
            (parent_key, below_bytes),
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def has_input(self, input_key: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM inputs WHERE input_key = ?", (input_key,)).fetchone()
        return row is not None

    def record_input(self, input_key: str, source: str, chunks: int) -> None:
        with self._transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO inputs VALUES (?,?,?,?)", (input_key, source, chunks, _now())
            )

    def replace_files(self, old_paths: Iterable[str], new_files: Sequence[FileEntry]) -> None:
        """Swap files in one transaction (compaction): the old ones vanish as the new ones appear."""
        now = _now()
        with self._transaction():
            self.conn.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in old_paths])
            self._insert_files(new_files, now)

    def _insert_files(self, files: Sequence[FileEntry], now: str) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    f.path,
                    f.dataset,
                    f.day,
                    f.rows,
                    f.bytes,
                    f.min_ts_us,
                    f.max_ts_us,
                    f.min_mmsi,
                    f.max_mmsi,
                    f.chunk_key,
                    now,
                )
                for f in files
            ],
        )

    def _transaction(self) -> _Txn:
        return _Txn(self.conn)

    # -- reading ------------------------------------------------------------------------------
    def files(
        self,
        dataset: str,
        *,
        days: Sequence[str] | None = None,
        mmsi: int | None = None,
        start_us: int | None = None,
        end_us: int | None = None,
    ) -> list[FileEntry]:
        """Visible files of a dataset, pruned by day, mmsi range and time range when given."""
        sql = "SELECT path, dataset, day, rows, bytes, min_ts_us, max_ts_us, min_mmsi, max_mmsi, chunk_key FROM files WHERE dataset = ?"
        args: list[object] = [dataset]
        if days is not None:
            if not days:
                return []
            sql += f" AND day IN ({','.join('?' * len(days))})"
            args.extend(days)
        if mmsi is not None:
            sql += " AND (min_mmsi IS NULL OR (min_mmsi <= ? AND max_mmsi >= ?))"
            args.extend([mmsi, mmsi])
        if start_us is not None:
            sql += " AND (max_ts_us IS NULL OR max_ts_us >= ?)"
            args.append(start_us)
        if end_us is not None:
            sql += " AND (min_ts_us IS NULL OR min_ts_us < ?)"
            args.append(end_us)
        sql += " ORDER BY day, path"
        return [FileEntry(*row) for row in self.conn.execute(sql, args).fetchall()]

    def all_file_paths(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT path FROM files").fetchall()}

    def chunks(self) -> list[ChunkEntry]:
        rows = self.conn.execute(
            "SELECT chunk_key, source, source_kind, chunk_index, first_line, n_lines, n_bytes, positions,"
            " statics, rejects, rejects_by_reason, simulated FROM chunks ORDER BY ingested_at, source, chunk_index"
        ).fetchall()
        return [
            ChunkEntry(
                chunk_key=row[0],
                source=row[1],
                source_kind=row[2],
                chunk_index=row[3],
                first_line=row[4],
                n_lines=row[5],
                n_bytes=row[6],
                positions=row[7],
                statics=row[8],
                rejects=row[9],
                rejects_by_reason=json.loads(row[10]),
                simulated=bool(row[11]),
            )
            for row in rows
        ]

    def day_summary(self) -> list[tuple[str, str, int, int, int]]:
        """(day, dataset, files, rows, bytes) for every day with visible files."""
        return [
            (r[0], r[1], int(r[2]), int(r[3]), int(r[4]))
            for r in self.conn.execute(
                "SELECT day, dataset, count(*), sum(rows), sum(bytes) FROM files GROUP BY day, dataset ORDER BY day, dataset"
            ).fetchall()
        ]


class _Txn:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error (sqlite3 in autocommit mode)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
