"""Live ingest: lines from `shadowfleet.ais.live` readers, micro-batched into the lake within seconds.

A batch is flushed every `flush_interval_s` seconds or as soon as `flush_lines` lines are waiting,
whichever comes first. Each flush decodes the batch and commits it as one manifest chunk, so data is
visible to `Lake` readers a few seconds after it arrived. Decoding and writing run in a worker
thread, so the socket keeps being read meanwhile. Lines without a tag-block or trailer timestamp are
stamped with their arrival time (to the second: each network read keeps its own arrival time).

A crash loses at most the batch not yet flushed (the sender does not resend); nothing half-written is
ever visible. Many small files are merged by a periodic compaction of the current and previous day.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from shadowfleet.ais.decoder import DecodeResult, NmeaDecoder
from shadowfleet.ais.live import LiveLines, StatusFn, live_lines, parse_live_url
from shadowfleet.lake.ingest import IngestSummary, merge_results, rejects_by_reason
from shadowfleet.lake.manifest import ChunkEntry
from shadowfleet.lake.rejects_log import RejectsLog
from shadowfleet.lake.writer import LakeWriter


@dataclass
class LiveOptions:
    flush_interval_s: float = 2.0
    flush_lines: int = 50_000
    compact_interval_s: float = 600.0
    compact_min_files: int = 8  # a day is compacted once it has this many files
    simulated: bool = False
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    idle_timeout_s: float | None = None


STATUS_KEPT = 1000


@dataclass
class LiveStats:
    batches: int = 0
    summary: IngestSummary = field(default_factory=IngestSummary)
    # the latest status events (connected, retry, ...), oldest dropped: a source retrying for days
    # must not grow memory
    status: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=STATUS_KEPT))
    connected: bool = False  # a TCP source connected (or a UDP socket listened) at least once
    attempts_failed: int = 0
    last_failure: str = ""


class LiveIngest:
    """One live source into a lake. `await LiveIngest(writer, url).run(stop_event)`."""

    def __init__(
        self,
        writer: LakeWriter,
        url: str,
        options: LiveOptions | None = None,
        *,
        rejects_log: RejectsLog | None = None,
        on_flush: Callable[[LiveStats], None] | None = None,
        on_status: StatusFn | None = None,
        lines: AsyncIterator[LiveLines] | None = None,
    ) -> None:
        self.writer = writer
        self.url = url
        self.source = parse_live_url(url)
        self.options = options or LiveOptions()
        self.rejects_log = rejects_log
        self.on_flush = on_flush
        self.on_status = on_status
        self.stats = LiveStats()
        self._arrived = dt.datetime.now(dt.UTC)
        self.decoder = NmeaDecoder(url, simulated=self.options.simulated, clock=lambda: self._arrived)
        self._session = uuid.uuid4().hex
        self._line_no = 1
        self._buffer: list[LiveLines] = []
        self._buffered_lines = 0
        self._full = asyncio.Event()
        self._lines = lines

    def _status(self, event: str, detail: str) -> None:
        self.stats.status.append((event, detail))
        if event in ("connected", "listening"):
            self.stats.connected = True
        elif event == "retry":
            self.stats.attempts_failed += 1
            self.stats.last_failure = detail.split("; next try", 1)[0]
        if self.on_status is not None:
            self.on_status(event, f"{self.url}: {detail}")

    async def _read(self) -> None:
        opts = self.options
        reader = self._lines or live_lines(
            self.source,
            on_status=self._status,
            **(
                {
                    "backoff_initial_s": opts.backoff_initial_s,
                    "backoff_max_s": opts.backoff_max_s,
                    **({"idle_timeout_s": opts.idle_timeout_s} if opts.idle_timeout_s else {}),
                }
                if self.source.scheme == "tcp"
                else {}
            ),
        )
        async for batch in reader:
            self._buffer.append(batch)
            self._buffered_lines += len(batch.lines)
            if self._buffered_lines >= opts.flush_lines:
                self._full.set()

    def _decode_and_write(self, groups: list[LiveLines]) -> None:
        """Worker thread: decode groups (each with its arrival time as the clock) and commit one chunk."""
        result = DecodeResult.empty()
        # one decoder call per arrival second keeps clock stamps within a second of arrival
        run: list[bytes] = []
        run_start: dt.datetime | None = None
        digest = hashlib.sha256(f"live|{self.url}|{self._session}|{self.stats.batches}".encode())
        first_line = self._line_no
        n_lines = n_bytes = 0

        def feed_run() -> None:
            nonlocal result, run
            if run and run_start is not None:
                self._arrived = run_start
                result = merge_results(result, self.decoder.feed(run, self._line_no))
                self._line_no += len(run)
                run = []

        for group in groups:
            if run_start is None or (group.arrived - run_start).total_seconds() >= 1.0:
                feed_run()
                run_start = group.arrived
            run.extend(group.lines)
            for line in group.lines:
                digest.update(line)
                digest.update(b"\n")
                n_bytes += len(line) + 1
            n_lines += len(group.lines)
        feed_run()
        chunk = ChunkEntry(
            chunk_key=digest.hexdigest(),
            source=self.url,
            source_kind="live",
            chunk_index=self.stats.batches,
            first_line=first_line,
            n_lines=n_lines,
            n_bytes=n_bytes,
            positions=result.positions.num_rows,
            statics=result.statics.num_rows,
            rejects=result.rejects.num_rows,
            rejects_by_reason=rejects_by_reason(result),
            simulated=self.options.simulated,
        )
        self.writer.write_chunk(chunk, result.positions, result.statics)
        summary = self.stats.summary
        summary.lines += n_lines
        summary.add_result(result)
        summary.chunks_written += 1
        if self.rejects_log is not None and result.rejects.num_rows:
            self.rejects_log.write(result.rejects)
        self.stats.batches += 1

    async def _flush(self) -> None:
        groups, self._buffer, self._buffered_lines = self._buffer, [], 0
        self._full.clear()
        if groups:
            await asyncio.to_thread(self._decode_and_write, groups)
            if self.on_flush is not None:
                self.on_flush(self.stats)

    async def run(self, stop: asyncio.Event) -> LiveStats:
        """Read and flush until `stop` is set; then flush what is waiting and return."""
        reader = asyncio.create_task(self._read())
        loop = asyncio.get_running_loop()
        last_compact = loop.time()
        try:
            while not stop.is_set():
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._full.wait())]
                try:
                    await asyncio.wait(
                        [*waiters, reader],
                        timeout=self.options.flush_interval_s,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    for w in waiters:
                        w.cancel()
                if reader.done() and reader.exception() is not None:
                    raise reader.exception()  # type: ignore[misc]
                await self._flush()
                if loop.time() - last_compact >= self.options.compact_interval_s:
                    await asyncio.to_thread(self.compact_recent)
                    last_compact = loop.time()
                if reader.done():
                    break
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await self._flush()
            tail = await asyncio.to_thread(self.decoder.flush)
            self._count_tail(tail)
            if self._lines is None and not self.stats.connected:
                self.stats.summary.errors.append(self._never_connected())
        return self.stats

    def _never_connected(self) -> str:
        if self.stats.attempts_failed:
            return (
                f"{self.url}: never connected ({self.stats.attempts_failed} attempt(s) failed; "
                f"last: {self.stats.last_failure})"
            )
        return f"{self.url}: never connected"

    def _count_tail(self, tail: DecodeResult) -> None:
        """Fragments still waiting at shutdown become rejects (counted; they hold no rows)."""
        for reason, n in rejects_by_reason(tail).items():
            self.stats.summary.rejects += n
            self.stats.summary.rejects_by_reason[reason] = (
                self.stats.summary.rejects_by_reason.get(reason, 0) + n
            )
        if self.rejects_log is not None and tail.rejects.num_rows:
            self.rejects_log.write(tail.rejects)

    def compact_recent(self) -> None:
        today = dt.datetime.now(dt.UTC).date()
        days = [today.isoformat(), (today - dt.timedelta(days=1)).isoformat()]
        self.writer.compact(days, min_files=self.options.compact_min_files)


async def run_live(
    writer: LakeWriter,
    urls: list[str],
    stop: asyncio.Event,
    options: LiveOptions | None = None,
    *,
    rejects_log: RejectsLog | None = None,
    on_flush: Callable[[LiveStats], None] | None = None,
    on_status: StatusFn | None = None,
) -> list[LiveStats]:
    """Several live sources into one lake until `stop` is set."""
    ingests = [
        LiveIngest(writer, url, options, rejects_log=rejects_log, on_flush=on_flush, on_status=on_status)
        for url in urls
    ]
    return list(await asyncio.gather(*(i.run(stop) for i in ingests)))
