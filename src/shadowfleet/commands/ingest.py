"""`shadowfleet ingest PATH... --lake DIR`: AIS files and live streams into the track lake."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from shadowfleet.ais.csv_import import ColumnMapping
    from shadowfleet.lake.ingest import IngestOptions, IngestSummary
    from shadowfleet.lake.live_ingest import LiveStats
    from shadowfleet.lake.rejects_log import RejectsLog
    from shadowfleet.lake.writer import LakeWriter

FORMATS = ("auto", "nmea", "marinecadastre", "dma")


def _parse_mapping(pairs: list[str] | None, ts_format: str, text_codes: bool) -> ColumnMapping | None:
    if not pairs:
        return None
    from shadowfleet.ais.csv_import import ColumnMapping  # pandas-backed: only when a mapping is given

    try:
        return ColumnMapping.parse(",".join(pairs), ts_format=ts_format, text_codes=text_codes)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from None


def _summary_table(summary: IngestSummary, title: str) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    rate = summary.lines / summary.elapsed_s if summary.elapsed_s > 0 else 0.0
    rows = [
        ("inputs", f"{summary.inputs:,}"),
        ("lines decoded", f"{summary.lines:,}"),
        ("positions written", f"{summary.positions:,}"),
        ("static reports written", f"{summary.statics:,}"),
        ("rejects", f"{summary.rejects:,}"),
        ("chunks written", f"{summary.chunks_written:,} ({summary.files_written:,} files)"),
        (
            "skipped, already ingested",
            f"{summary.chunks_skipped:,} chunks ({summary.lines_skipped:,} lines)",
        ),
        ("elapsed", f"{summary.elapsed_s:.1f} s ({rate:,.0f} lines/s)"),
    ]
    if summary.files_without_ais:
        rows.insert(6, ("skipped, no AIS found", f"{len(summary.files_without_ais):,} files"))
    for reason, n in sorted(summary.rejects_by_reason.items(), key=lambda kv: -kv[1]):
        rows.append((f"  rejected: {reason}", f"{n:,}"))
    for key, value in rows:
        table.add_row(key, value)
    return table


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: list[str] = typer.Argument(
            ...,
            help="Files, folders (recursive), globs, .gz; tcp://host:port (connect) or udp://:port (listen).",
        ),
        lake: Path = typer.Option(
            ...,
            "--lake",
            help="Lake folder: an existing lake, or a new or empty folder (created if missing).",
        ),
        rejects: Path | None = typer.Option(
            None,
            "--rejects",
            help="Write every rejected line with its reason: *.jsonl for JSON lines, else CSV.",
        ),
        simulated: bool = typer.Option(False, "--simulated", help="Mark every row as simulated."),
        fmt: str = typer.Option("auto", "--format", help="auto | nmea | marinecadastre | dma"),
        mapping: list[str] | None = typer.Option(
            None,
            "--map",
            help="Other CSVs: FIELD=COLUMN pairs (repeat or comma-separate), e.g. --map mmsi=ShipId,ts=Time.",
        ),
        ts_format: str = typer.Option(
            "iso", "--ts-format", help="With --map: iso, epoch_s, epoch_ms or a strptime format."
        ),
        text_codes: bool = typer.Option(
            False, "--text-codes", help="With --map: nav status and ship type are text, not codes."
        ),
        chunk_lines: int | None = typer.Option(
            None,
            "--chunk-lines",
            min=1000,
            help="NMEA lines per chunk (bounds memory). Fixed for a lake by its first ingest; default 500,000.",
        ),
        flush_interval_s: float = typer.Option(
            2.0, "--flush-interval", help="Live: seconds between flushes."
        ),
        duration_s: float | None = typer.Option(
            None, "--duration", help="Live: stop after this many seconds (default: until Ctrl-C / SIGTERM)."
        ),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the progress bar."),
        json_summary: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    ) -> None:
        """Decode AIS (NMEA or CSV) into the lake. Idempotent: input already ingested is skipped."""
        from shadowfleet.commands._memory import keep_freed_memory

        keep_freed_memory()

        from shadowfleet.ais.inputs import expand_inputs
        from shadowfleet.lake.ingest import DEFAULT_CHUNK_LINES, IngestOptions, IngestSummary
        from shadowfleet.lake.rejects_log import RejectsLog
        from shadowfleet.lake.writer import LakeLockedError, LakeWriter, NotALakeError

        console = Console(stderr=True, soft_wrap=True)
        if fmt not in FORMATS:
            raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
        options = IngestOptions(
            simulated=simulated,
            fmt=fmt,
            mapping=_parse_mapping(mapping, ts_format, text_codes),
            chunk_lines=chunk_lines,
        )
        expanded = expand_inputs(paths)
        lake_is_new = not lake.exists()
        try:
            writer = LakeWriter(lake)
        except (LakeLockedError, NotALakeError, OSError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        try:
            writer.nmea_chunk_lines(chunk_lines, DEFAULT_CHUNK_LINES)
        except ValueError as exc:
            writer.close()
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        try:
            log = RejectsLog(rejects) if rejects is not None else None
        except OSError as exc:
            writer.close()
            console.print(f"[red]error:[/red] cannot write --rejects file {rejects}: {exc.strerror}")
            raise typer.Exit(2) from None
        summary = IngestSummary()
        started = time.perf_counter()
        with contextlib.ExitStack() as stack:
            stack.callback(writer.close)
            if log is not None:
                stack.callback(log.close)
            if expanded.files:
                summary = _ingest_files(
                    writer, options, log, expanded.files, expanded.named, progress, console
                )
            summary.errors[:0] = expanded.errors
            if expanded.live:
                live = _ingest_live(
                    writer, expanded.live, simulated, flush_interval_s, duration_s, log, console
                )
                summary.lines += live.lines
                summary.positions += live.positions
                summary.statics += live.statics
                summary.rejects += live.rejects
                summary.chunks_written += live.chunks_written
                summary.errors.extend(live.errors)
                for k, v in live.rejects_by_reason.items():
                    summary.rejects_by_reason[k] = summary.rejects_by_reason.get(k, 0) + v
                summary.inputs += len(expanded.live)
        summary.elapsed_s = time.perf_counter() - started
        if lake_is_new and summary.errors and summary.chunks_written == 0 and summary.chunks_skipped == 0:
            shutil.rmtree(lake, ignore_errors=True)  # a failed first run leaves no empty lake behind
        if json_summary:
            typer.echo(json.dumps(summary.to_dict(), indent=2, sort_keys=True))
        else:
            Console().print(_summary_table(summary, f"ingest into {lake}"))
        for warning in summary.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}")
        for error in summary.errors:
            console.print(f"[red]error:[/red] {error}")
        if log is not None:
            console.print(f"{log.rows:,} rejected lines written to {rejects}")
        if summary.refused:
            raise typer.Exit(2)
        if summary.errors:
            raise typer.Exit(1)


def _ingest_files(
    writer: LakeWriter,
    options: IngestOptions,
    log: RejectsLog | None,
    files: list[Path],
    named: set[Path],
    show: bool,
    console: Console,
) -> IngestSummary:
    from shadowfleet.ais.inputs import ExpandedInputs
    from shadowfleet.lake.ingest import Ingestor

    total_bytes = 0
    for f in files:
        with contextlib.suppress(OSError):
            total_bytes += f.stat().st_size
    columns = [
        TextColumn("[bold]ingest"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[lines]:>12,} lines  {task.fields[rate]:>9,.0f} sentences/s"),
        TextColumn("{task.fields[rows]:>12,} rows  {task.fields[rejects]:>8,} rejects"),
        TimeElapsedColumn(),
    ]
    started = time.perf_counter()
    with Progress(*columns, console=console, disable=not show, transient=False) as bar:
        task = bar.add_task("ingest", total=max(total_bytes, 1), lines=0, rate=0.0, rows=0, rejects=0)

        def on_progress(s: IngestSummary) -> None:
            elapsed = max(time.perf_counter() - started, 1e-9)
            bar.update(
                task,
                completed=min(s.bytes_read, total_bytes),
                lines=s.lines + s.lines_skipped,
                rate=s.lines / elapsed,
                rows=s.positions + s.statics,
                rejects=s.rejects,
            )

        ingestor = Ingestor(writer, options, rejects_log=log, on_progress=on_progress)
        try:
            summary = ingestor.ingest_inputs(ExpandedInputs(files=files, named=named))
        finally:
            ingestor.close()
        bar.update(task, completed=max(total_bytes, 1))
    return summary


def _ingest_live(
    writer: LakeWriter,
    urls: list[str],
    simulated: bool,
    flush_interval_s: float,
    duration_s: float | None,
    log: RejectsLog | None,
    console: Console,
) -> IngestSummary:
    from shadowfleet.ais.live import parse_live_url
    from shadowfleet.lake.ingest import IngestSummary
    from shadowfleet.lake.live_ingest import LiveOptions, run_live

    for url in urls:
        try:
            parse_live_url(url)
        except ValueError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    options = LiveOptions(flush_interval_s=flush_interval_s, simulated=simulated)

    def on_status(event: str, detail: str) -> None:
        console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {event}: {detail}")

    def on_flush(stats: LiveStats) -> None:
        s = stats.summary
        console.print(
            f"[dim]{time.strftime('%H:%M:%S')}[/dim] flushed batch {stats.batches}: "
            f"{s.lines:,} lines, {s.positions + s.statics:,} rows, {s.rejects:,} rejects"
        )

    async def main() -> list[LiveStats]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if duration_s is not None:
            loop.call_later(duration_s, stop.set)
        return await run_live(
            writer, urls, stop, options, rejects_log=log, on_flush=on_flush, on_status=on_status
        )

    console.print(f"reading {', '.join(urls)} (Ctrl-C to stop)")
    try:
        results = asyncio.run(main())
    except OSError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    total = IngestSummary()
    for r in results:
        s = r.summary
        total.lines += s.lines
        total.positions += s.positions
        total.statics += s.statics
        total.rejects += s.rejects
        total.chunks_written += s.chunks_written
        total.errors.extend(s.errors)
        for k, v in s.rejects_by_reason.items():
            total.rejects_by_reason[k] = total.rejects_by_reason.get(k, 0) + v
    return total
