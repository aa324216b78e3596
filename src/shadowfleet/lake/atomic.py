"""Atomic file writes: readers see a whole file or none of it, never a partial one.

`write_parquet_atomic` writes to a hidden temporary name in the target folder, fsyncs it, renames it
over the target (an atomic step on POSIX file systems) and fsyncs the folder so the rename survives a
power cut. `replace_dir_atomic` swaps a whole set of files at once: the set lives in a generation
folder and the public path is a symbolic link that is re-pointed in one rename.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

TMP_PREFIX = ".tmp-"
PARQUET_COMPRESSION = "zstd"
ROW_GROUP_ROWS = 131_072  # small enough that row-group statistics prune by mmsi on sorted files


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tmp_path_for(path: Path) -> Path:
    """A hidden sibling name that no `*.parquet` glob matches (leading dot, `.tmp` suffix)."""
    return path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{path.name}.tmp")


def publish_atomic(tmp: Path, path: Path) -> None:
    """fsync `tmp`, rename it to `path`, fsync the folder."""
    fsync_file(tmp)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_bytes_atomic(data: bytes, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        publish_atomic(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_parquet_atomic(
    table: pa.Table,
    path: str | os.PathLike[str],
    *,
    compression: str = PARQUET_COMPRESSION,
    row_group_rows: int = ROW_GROUP_ROWS,
    dictionary_columns: Sequence[str] | None = None,
    byte_stream_split_columns: Sequence[str] = (),
    statistics_columns: Sequence[str] | None = None,
    before_publish: Callable[[], None] | None = None,
) -> int:
    """Write `table` to `path` atomically (temp file, fsync, rename, fsync folder); returns bytes written.

    `dictionary_columns`: dictionary-encode only these (None: every column, Parquet's default).
    `byte_stream_split_columns`: floating-point columns stored byte-stream-split (compress better and
    faster than plain doubles).
    `statistics_columns`: write min/max statistics for these only (None: every column).
    `before_publish` runs after the temporary file is durable and before the rename (a test hook).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_for(path)
    try:
        pq.write_table(
            table,
            tmp,
            compression=compression,
            row_group_size=row_group_rows,
            write_statistics=True if statistics_columns is None else list(statistics_columns),
            use_dictionary=True if dictionary_columns is None else list(dictionary_columns),
            use_byte_stream_split=list(byte_stream_split_columns) or False,
        )
        size = tmp.stat().st_size
        fsync_file(tmp)
        if before_publish is not None:
            before_publish()
        publish_atomic(tmp, path)
        return size
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


GENERATIONS_DIR_SUFFIX = ".generations"


def replace_dir_atomic(
    path: str | os.PathLike[str],
    files: Mapping[str, pa.Table],
    *,
    compression: str = PARQUET_COMPRESSION,
) -> Path:
    """Atomically replace the whole set of Parquet files under `path` with `files`.

    `files` maps a relative name (may contain sub-folders, e.g. ``"date=2024-01-02/part-0.parquet"``)
    to a table. The set is written into a fresh generation folder ``<path>.generations/<id>/``; then
    `path`, a symbolic link, is re-pointed at it with one rename. Readers that glob
    ``<path>/**/*.parquet`` (DuckDB, Spark, pandas) see either the old set or the new one, never a mix.
    The previous generation is removed afterwards; a reader already scanning it may fail and should
    retry. A pre-existing real folder at `path` is moved into a generation first (one-time migration).
    Returns the new generation folder.
    """
    path = Path(path)
    for rel in files:
        rel_path = Path(rel)
        if rel_path.is_absolute() or ".." in rel_path.parts:
            raise ValueError(f"file name must be relative and stay inside the set: {rel!r}")
    generations = path.with_name(path.name + GENERATIONS_DIR_SUFFIX)
    generations.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_symlink():
        legacy = generations / f"legacy-{uuid.uuid4().hex}"
        os.replace(path, legacy)
        os.symlink(os.path.relpath(legacy, path.parent), path)
    gen_dir = generations / uuid.uuid4().hex
    tmp_dir = generations / f"{TMP_PREFIX}{gen_dir.name}"
    tmp_dir.mkdir()
    for rel, table in files.items():
        target = tmp_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target, compression=compression, row_group_size=ROW_GROUP_ROWS)
        fsync_file(target)
        fsync_dir(target.parent)
    os.replace(tmp_dir, gen_dir)
    fsync_dir(generations)
    previous = Path(os.path.realpath(path)) if path.is_symlink() else None
    link_tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
    os.symlink(os.path.relpath(gen_dir, path.parent), link_tmp)
    os.replace(link_tmp, path)
    fsync_dir(path.parent)
    if previous is not None and previous != gen_dir.resolve() and previous.parent == generations.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    cleanup_generations(path)
    return gen_dir


def cleanup_generations(path: str | os.PathLike[str]) -> None:
    """Remove generation folders that `path` does not point at (left by a crash mid-replace)."""
    path = Path(path)
    generations = path.with_name(path.name + GENERATIONS_DIR_SUFFIX)
    if not generations.is_dir():
        return
    current = Path(os.path.realpath(path)) if path.is_symlink() else None
    for child in generations.iterdir():
        if current is None or child.resolve() != current:
            shutil.rmtree(child, ignore_errors=True)
    for stray in path.parent.glob(f"{TMP_PREFIX}*-{path.name}"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()
