"""File ingest: AIS files -> decoder -> lake, in bounded chunks, idempotent and crash-safe.

Idempotency key (the `chunk_key` in the manifest):

- NMEA: an input is cut into chunks of `chunk_lines` raw lines counted from its first line (a lake
  keeps one chunk size for good: the keys depend on it). Chunk k's
  key is ``sha256(key[k-1] || bytes of chunk k)`` with a fixed root: a hash chain. It covers every byte
  from the start of the input to the end of the chunk, so it also fixes the decoder's carry-over (the
  fragments of multi-part messages and tag-block groups still waiting at the chunk boundary): the same
  bytes always give the same rows. The key does not depend on the file name or on compression, so the
  same log under another name, or gzipped, adds nothing. A re-run hashes every chunk (fast) and decodes
  only chunks not yet in the manifest; before the first such chunk after a skipped one it replays the
  skipped chunk through the decoder (output discarded) to restore the carry-over state.
- CSV: the whole file's sha256 plus format, mapping, chunk size and chunk index. A file fully ingested
  is recorded as such and skipped after hashing alone.

Neither key depends on `simulated` for NMEA; CSV keys include it (as they always have, so existing
lakes keep their keys), and the key the other value would give is looked up too. Either way, an input
already in the lake with the other `simulated` value is refused whole (`SimulatedConflictError`, in
`IngestSummary.refused`): the same bytes never give two copies of their rows, one real, one simulated.

A grown file (a log appended to since the last run) re-uses the keys of its unchanged full chunks.
Its former last, partial chunk is found by its parent link (the key before it) and its hash over the
new chunk's first bytes: those lines are fed to the decoder for state only, and only the new lines
add rows. So ingesting a log that is still being written, again and again, adds each line once.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

from shadowfleet.ais.decoder import DecodeResult, NmeaDecoder
from shadowfleet.ais.fast_frame import LineBuffer
from shadowfleet.ais.inputs import (
    SNIFF_BYTES,
    DamagedInputError,
    ExpandedInputs,
    OpenedInput,
    expand_inputs,
    file_has_ais,
    open_input,
    read_head,
    sniff_kind,
)
from shadowfleet.lake.line_blocks import iter_line_blocks, line_ends
from shadowfleet.lake.manifest import ChunkEntry
from shadowfleet.lake.readahead import read_ahead
from shadowfleet.lake.rejects_log import RejectsLog
from shadowfleet.lake.writer import LakeWriter

if TYPE_CHECKING:
    from shadowfleet.ais.csv_import import ColumnMapping

NMEA_KEY_ROOT = b"shadowfleet/nmea-chunk-chain/v1"
DEFAULT_CHUNK_LINES = 500_000
DEFAULT_CSV_CHUNK_ROWS = 200_000
T = TypeVar("T")


class SimulatedConflictError(Exception):
    """A chunk of this input is already in the lake with the other `simulated` value."""

    def __init__(self, stored_simulated: bool) -> None:
        super().__init__("simulated" if stored_simulated else "real")
        self.stored_simulated = stored_simulated

    def message(self, path: Path) -> str:
        stored = "simulated" if self.stored_simulated else "real"
        wanted = "real" if self.stored_simulated else "simulated"
        return (
            f"{path}: already in the lake as {stored} data; refusing to add its rows again as {wanted} "
            "data (nothing of it was written)"
        )


@dataclass
class IngestOptions:
    simulated: bool = False
    fmt: str = "auto"  # auto | nmea | marinecadastre | dma
    mapping: ColumnMapping | None = None  # a CSV column mapping (implies CSV)
    # NMEA lines per chunk; None = the lake's (fixed at its first NMEA ingest, default 500,000)
    chunk_lines: int | None = None
    # receive time for lines without a tag block/trailer/Gatehouse stamp (default: the decoder's clock)
    clock: Callable[[], dt.datetime] | None = None
    csv_chunk_rows: int = DEFAULT_CSV_CHUNK_ROWS


@dataclass
class IngestSummary:
    inputs: int = 0
    lines: int = 0
    positions: int = 0
    statics: int = 0
    rejects: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    chunks_written: int = 0
    chunks_skipped: int = 0
    lines_skipped: int = 0
    files_written: int = 0
    bytes_read: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files_without_ais: list[str] = field(default_factory=list)  # skipped: no AIS in them (see ingest_file)
    refused: list[str] = field(default_factory=list)  # inputs refused whole, nothing written (also in errors)
    elapsed_s: float = 0.0

    def add_result(self, result: DecodeResult) -> None:
        self.positions += result.positions.num_rows
        self.statics += result.statics.num_rows
        for reason, n in rejects_by_reason(result).items():
            self.rejects += n
            self.rejects_by_reason[reason] = self.rejects_by_reason.get(reason, 0) + n

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def rejects_by_reason(result: DecodeResult) -> dict[str, int]:
    if result.rejects.num_rows == 0:
        return {}
    counts = result.rejects.group_by("reason").aggregate([("reason", "count")])
    return dict(zip(counts["reason"].to_pylist(), counts["reason_count"].to_pylist(), strict=True))


def merge_results(a: DecodeResult, b: DecodeResult) -> DecodeResult:
    counts = dict(a.counts)
    for k, v in b.counts.items():
        counts[k] = counts.get(k, 0) + v
    return DecodeResult(
        pa.concat_tables([a.positions, b.positions]),
        pa.concat_tables([a.statics, b.statics]),
        pa.concat_tables([a.rejects, b.rejects]),
        counts,
    )


def _lookahead(it: Iterator[T]) -> Iterator[tuple[T, bool]]:
    """(item, is_last) pairs."""
    try:
        current = next(it)
    except StopIteration:
        return
    for nxt in it:
        yield current, False
        current = nxt
    yield current, True


ProgressFn = Callable[[IngestSummary], None]


class Ingestor:
    """Runs inputs through the decoder into a `LakeWriter`; decoding overlaps the previous chunk's write."""

    def __init__(
        self,
        writer: LakeWriter,
        options: IngestOptions | None = None,
        *,
        rejects_log: RejectsLog | None = None,
        on_progress: ProgressFn | None = None,
    ) -> None:
        self.writer = writer
        self.options = options or IngestOptions()
        self.rejects_log = rejects_log
        self.on_progress = on_progress
        self.summary = IngestSummary()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lake-writer")
        self._pending: list[Future[None]] = []
        self._submitted: set[str] = set()  # chunk keys queued in this run (not yet in the manifest)
        self._submitted_by_parent: dict[str, list[tuple[str, int]]] = {}

    def _known(self, key: str) -> bool:
        """The chunk is in the lake (or queued); SimulatedConflictError if it was stored with the other flag."""
        if key in self._submitted:
            return True
        stored = self.writer.chunk_simulated(key)
        if stored is None:
            return False
        if stored != self.options.simulated:
            raise SimulatedConflictError(stored)
        return True

    # -- the write side -----------------------------------------------------------------------------
    def _submit(self, chunk: ChunkEntry, result: DecodeResult) -> None:
        """Queue a chunk for writing; at most one write waits, so memory stays bounded."""
        self._submitted.add(chunk.chunk_key)
        if chunk.parent_key is not None:
            self._submitted_by_parent.setdefault(chunk.parent_key, []).append(
                (chunk.chunk_key, chunk.n_bytes)
            )
        self._pending.append(self._pool.submit(self._write, chunk, result))
        while len(self._pending) > 1:
            self._pending.pop(0).result()

    def _write(self, chunk: ChunkEntry, result: DecodeResult) -> None:
        files = self.writer.write_chunk(chunk, result.positions, result.statics)
        self.summary.files_written += len(files)
        self.summary.chunks_written += 1

    def drain(self) -> None:
        while self._pending:
            self._pending.pop(0).result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            self._pool.shutdown(wait=True)

    def _record(self, result: DecodeResult, n_lines: int) -> None:
        self.summary.lines += n_lines
        self.summary.add_result(result)
        if self.rejects_log is not None and result.rejects.num_rows:
            self.rejects_log.write(result.rejects)
        if self.on_progress is not None:
            self.on_progress(self.summary)

    # -- inputs ------------------------------------------------------------------------------------
    def ingest(self, args: Sequence[str]) -> IngestSummary:
        """Ingest every file named by `args` (files, folders, globs). Errors are collected, not raised."""
        return self.ingest_inputs(expand_inputs(args))

    def ingest_inputs(self, expanded: ExpandedInputs) -> IngestSummary:
        """Ingest expanded inputs: their files, and their errors into the summary."""
        started = time.perf_counter()
        self.summary.errors.extend(expanded.errors)
        for url in expanded.live:
            self.summary.errors.append(f"{url}: live sources are read by `ingest_live`, not as files")
        try:
            for path in expanded.files:
                self.ingest_file(path, named=path.resolve() in expanded.named)
        finally:
            try:
                self.drain()
            finally:
                self.summary.elapsed_s = time.perf_counter() - started
        return self.summary

    def ingest_file(self, path: Path, *, named: bool = True) -> None:
        """Ingest one file; problems go to the summary.

        A file without AIS is not decoded (its lines would all be rejects): NMEA (by content or
        `fmt="nmea"`) in which no line holds an AIS sentence, or a CSV (by content) whose header is no
        known AIS export. It is listed in `files_without_ais`, with a warning when it was found in a folder
        or by a glob (`named=False`), and as an error when it was named as such.
        """
        self.summary.inputs += 1
        fmt = self.options.fmt
        decoding_nmea = False
        try:
            if self.options.mapping is None and fmt in ("auto", "nmea"):
                head = read_head(path)
                if fmt == "auto":
                    fmt = "nmea" if sniff_kind(head) == "nmea" else "auto"
                if fmt == "auto":
                    problem = _csv_header_problem(head)
                    if problem is not None:
                        self._without_ais(path, named, problem, "not NMEA, and not a known AIS CSV export")
                        return
                elif _has_content(head) and not file_has_ais(path, head):
                    why = "no line holds an AIS sentence such as !AIVDM or !AIVDO"
                    self._without_ais(path, named, f"no AIS found: {why}", why)
                    return
            if fmt == "nmea":
                decoding_nmea = True
                self._ingest_nmea(path)
            else:
                self._ingest_csv(path, fmt)
        except SimulatedConflictError as exc:
            self.summary.refused.append(exc.message(path))
            self.summary.errors.append(exc.message(path))
        except DamagedInputError as exc:
            if decoding_nmea:
                kept = "the whole lines before the damage were ingested; the repaired file adds only the rest"
            elif fmt == "nmea":
                kept = "no AIS in what could be read"
            else:
                kept = "nothing of it was ingested (a CSV file is ingested whole, once it is intact)"
            self.summary.errors.append(f"{path}: {exc}; {kept}")
        except PermissionError:
            self.summary.errors.append(f"{path}: permission denied")
        except (OSError, EOFError, ValueError) as exc:
            self.summary.errors.append(f"{path}: {exc}")

    def _without_ais(self, path: Path, named: bool, error: str, why: str) -> None:
        self.summary.files_without_ais.append(str(path))
        if named:
            self.summary.errors.append(f"{path}: {error}")
        else:
            self.summary.warnings.append(f"no AIS found in {path} ({why}); skipped")
        if self.on_progress is not None:
            self.on_progress(self.summary)

    def _ingest_nmea(self, path: Path) -> None:
        opened = open_input(path)
        source = str(path)
        decoder = NmeaDecoder(source, simulated=self.options.simulated, clock=self.options.clock)
        skipped: tuple[bytes, int] | None = None
        line_no = 1
        bytes_before = self.summary.bytes_read
        try:
            chunk_lines = self.writer.nmea_chunk_lines(self.options.chunk_lines, DEFAULT_CHUNK_LINES)
            # the next chunk is read and hashed while this one decodes
            for block in read_ahead(_keyed_blocks(opened, chunk_lines), depth=2, name="nmea-reader"):
                data, n_lines, key, parent = block.data, block.n_lines, block.key, block.parent
                self.summary.bytes_read = bytes_before + block.bytes_read
                if self._known(key):
                    self.summary.chunks_skipped += 1
                    self.summary.lines_skipped += n_lines
                    skipped = (data, line_no)
                    line_no += n_lines
                    if self.on_progress is not None:
                        self.on_progress(self.summary)
                    continue
                if skipped is not None:
                    decoder.feed_buffer(*skipped)  # restores the carry-over; rows already stored
                    skipped = None
                done_lines, done_bytes = self._lines_already_ingested(parent, data)
                if done_lines:  # this file grew since: its former last chunk is a prefix of this one
                    decoder.feed_buffer(data[:done_bytes], line_no)  # carry-over only; rows are stored
                    self.summary.lines_skipped += done_lines
                if done_bytes:
                    result = decoder.feed_buffer(data[done_bytes:], line_no + done_lines)
                else:
                    result = decoder.feed_line_buffer(block.lines, line_no)
                if block.is_last:
                    result = merge_results(result, decoder.flush())
                chunk = ChunkEntry(
                    chunk_key=key,
                    source=source,
                    source_kind="nmea",
                    chunk_index=block.index,
                    first_line=line_no,
                    n_lines=n_lines,
                    n_bytes=len(data),
                    positions=result.positions.num_rows,
                    statics=result.statics.num_rows,
                    rejects=result.rejects.num_rows,
                    rejects_by_reason=rejects_by_reason(result),
                    simulated=self.options.simulated,
                    parent_key=parent.hex(),
                )
                del data, block
                self._record(result, n_lines - done_lines)
                self._submit(chunk, result)
                line_no += n_lines
        finally:
            self.summary.bytes_read = bytes_before + opened.counter.bytes_read
            opened.close()

    def _lines_already_ingested(self, parent: bytes, data: bytes) -> tuple[int, int]:
        """(lines, bytes) at the start of this chunk an earlier, shorter version of it already ingested.

        A log that grew since it was ingested keeps its full chunks (same keys, skipped) but its former
        last chunk, a prefix of the new one, would be ingested again. A chunk with the same parent link
        whose key equals the hash of our first n_bytes is that prefix. If it ended mid-line (the logger
        was writing), that line is decoded again now that it is whole; if it only lacked the line ending,
        it was whole and is not.
        """
        parent_hex = parent.hex()
        candidates = self.writer.prefix_candidates(parent_hex, len(data))
        candidates += [c for c in self._submitted_by_parent.get(parent_hex, []) if c[1] < len(data)]
        for key, n_bytes in sorted(candidates, key=lambda c: -c[1]):
            digest = hashlib.sha256(parent)
            digest.update(data[:n_bytes])
            if digest.hexdigest() != key:
                continue
            stored = self.writer.chunk_simulated(key)  # None: queued in this run, so with our flag
            if stored is not None and stored != self.options.simulated:
                raise SimulatedConflictError(stored)
            ends = line_ends(data).tolist()
            whole = bisect.bisect_right(ends, n_bytes)
            start = ends[whole - 1] if whole else 0
            if whole < len(ends) and start != n_bytes:
                line = data[start : ends[whole]]
                if line.rstrip(b"\r\n") == data[start:n_bytes].rstrip(b"\r\n"):
                    whole += 1
            return whole, (ends[whole - 1] if whole else 0)
        return 0, 0

    def _ingest_csv(self, path: Path, fmt: str) -> None:
        file_hash = hashlib.sha256()
        opened = open_input(path)
        try:
            while block := opened.stream.read(1 << 22):
                file_hash.update(block)
        finally:
            opened.close()
        input_key = self._csv_input_key(file_hash.hexdigest(), fmt, self.options.simulated)
        other_key = self._csv_input_key(file_hash.hexdigest(), fmt, not self.options.simulated)
        if self.writer.has_input(other_key) or self.writer.has_chunk(_csv_chunk_key(other_key, 0)):
            raise SimulatedConflictError(not self.options.simulated)
        size = path.stat().st_size
        if self.writer.has_input(input_key):
            self.summary.chunks_skipped += 1
            self.summary.bytes_read += size
            if self.on_progress is not None:
                self.on_progress(self.summary)
            return
        source = str(path)
        opened = open_input(path)
        try:
            self._ingest_csv_chunks(opened, fmt, source, input_key)
        finally:
            opened.close()
        self.summary.bytes_read += size
        if self.on_progress is not None:
            self.on_progress(self.summary)

    def _csv_input_key(self, file_sha256: str, fmt: str, simulated: bool) -> str:
        mapping = self.options.mapping
        mapping_key = None if mapping is None else [mapping.columns, mapping.ts_format, mapping.text_codes]
        params = json.dumps([fmt, mapping_key, self.options.csv_chunk_rows, simulated], sort_keys=True)
        return hashlib.sha256(f"csv|{file_sha256}|{params}".encode()).hexdigest()

    def _ingest_csv_chunks(self, opened: OpenedInput, fmt: str, source: str, input_key: str) -> None:
        from shadowfleet.ais.csv_import import read_csv  # pandas-backed: imported only for CSV input

        first_line = 2  # line 1 is the header
        index = -1
        results = read_csv(
            opened.stream,
            fmt=fmt,
            mapping=self.options.mapping,
            source=source,
            chunk_rows=self.options.csv_chunk_rows,
            simulated=self.options.simulated,
        )
        for index, result in enumerate(results):
            key = _csv_chunk_key(input_key, index)
            n_rows = int(result.counts.get("rows", result.positions.num_rows + result.rejects.num_rows))
            if self._known(key):
                self.summary.chunks_skipped += 1
                self.summary.lines_skipped += n_rows
            else:
                chunk = ChunkEntry(
                    chunk_key=key,
                    source=source,
                    source_kind="csv",
                    chunk_index=index,
                    first_line=first_line,
                    n_lines=n_rows,
                    n_bytes=0,
                    positions=result.positions.num_rows,
                    statics=result.statics.num_rows,
                    rejects=result.rejects.num_rows,
                    rejects_by_reason=rejects_by_reason(result),
                    simulated=self.options.simulated,
                )
                self._record(result, n_rows)
                self._submit(chunk, result)
            first_line += n_rows
        self.drain()
        self.writer.record_input(input_key, source, index + 1)


def _has_content(head: bytes) -> bool:
    """False for an empty or all-blank file (nothing to do, nothing to warn about)."""
    return bool(head.strip()) or len(head) >= SNIFF_BYTES


def _csv_header_problem(head: bytes) -> str | None:
    """Why a CSV (by its look) is not a recognised AIS export; None when it is one (or empty)."""
    if not head.strip():
        return None
    from shadowfleet.ais.csv_import import sniff_csv_format  # pandas-backed: imported only for CSV input

    try:
        sniff_csv_format(head)
    except ValueError as exc:
        return str(exc)
    return None


def _csv_chunk_key(input_key: str, index: int) -> str:
    return hashlib.sha256(f"{input_key}|{index}".encode()).hexdigest()


@dataclass(frozen=True)
class _KeyedBlock:
    index: int
    data: bytes
    n_lines: int
    is_last: bool
    parent: bytes  # the previous chunk's key (the chain's root for the first)
    key: str  # hex sha256(parent || data)
    bytes_read: int  # of the input file, when this block was complete
    lines: LineBuffer  # data framed into lines for the decoder


def _keyed_blocks(opened: OpenedInput, chunk_lines: int) -> Iterator[_KeyedBlock]:
    """The input's chunks of `chunk_lines` lines with their hash-chain keys (see the module docstring)."""
    prev_key = hashlib.sha256(NMEA_KEY_ROOT).digest()
    blocks = iter_line_blocks(opened.stream, chunk_lines)
    for index, ((data, n_lines), is_last) in enumerate(_lookahead(blocks)):
        digest = hashlib.sha256(prev_key)
        digest.update(data)
        parent, prev_key = prev_key, digest.digest()
        lines = LineBuffer.from_buffer(data)
        yield _KeyedBlock(
            index, data, n_lines, is_last, parent, prev_key.hex(), opened.counter.bytes_read, lines
        )


def ingest_paths(
    lake: str | Path,
    args: Sequence[str],
    options: IngestOptions | None = None,
    *,
    rejects_path: str | Path | None = None,
    on_progress: ProgressFn | None = None,
) -> IngestSummary:
    """Ingest files/folders/globs into the lake at `lake` (created if missing); returns the summary."""
    with contextlib.ExitStack() as stack:
        writer = stack.enter_context(LakeWriter(lake))
        log = stack.enter_context(RejectsLog(rejects_path)) if rejects_path is not None else None
        ingestor = Ingestor(writer, options, rejects_log=log, on_progress=on_progress)
        try:
            return ingestor.ingest(args)
        finally:
            ingestor.close()
