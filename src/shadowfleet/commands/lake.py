"""`shadowfleet lake stats|compact|files --lake DIR`: look after a track lake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from shadowfleet.lake.query import Lake


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{n} B"


def _open_lake(lake: Path) -> Lake:
    from shadowfleet.lake.query import Lake

    try:
        return Lake(lake)
    except FileNotFoundError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    lake_app = typer.Typer(help="Inspect and maintain a track lake.", no_args_is_help=True)
    app.add_typer(lake_app, name="lake")

    @lake_app.command("stats")
    def stats(
        lake: Path = typer.Option(..., "--lake", help="Lake folder."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Days, rows, vessels, size on disk, sources and reject totals."""
        with _open_lake(lake) as handle:
            s = handle.stats()
        if as_json:
            typer.echo(json.dumps(s.to_dict(), indent=2, sort_keys=True))
            return
        table = Table(title=f"lake {lake}", show_header=False, title_justify="left")
        span = f" ({s.first_day} .. {s.last_day})" if s.first_day else ""
        for key, value in [
            ("days", f"{s.days:,}{span}"),
            ("positions", f"{s.position_rows:,}"),
            ("static reports", f"{s.static_rows:,}"),
            ("vessels (MMSI)", f"{s.vessels:,}"),
            ("simulated positions", f"{s.simulated_positions:,}"),
            ("files", f"{s.files:,}"),
            ("size on disk", _human_bytes(s.bytes_on_disk)),
            ("input chunks", f"{s.chunks:,} ({s.input_lines:,} lines)"),
            ("sources", f"{len(s.sources):,}"),
            ("rejects", f"{s.rejects:,}"),
        ]:
            table.add_row(key, value)
        for reason, n in s.rejects_by_reason.items():
            table.add_row(f"  rejected: {reason}", f"{n:,}")
        console = Console()
        console.print(table)
        if s.sources:
            sources = Table("source", "chunks", title="sources", title_justify="left")
            for source, n in sorted(s.sources.items())[:50]:
                sources.add_row(source, f"{n:,}")
            if len(s.sources) > 50:
                sources.add_row(f"... {len(s.sources) - 50:,} more", "")
            console.print(sources)

    @lake_app.command("compact")
    def compact(lake: Path = typer.Option(..., "--lake", help="Lake folder.")) -> None:
        """Merge each day's files into one sorted file (atomically; readers never see a mix)."""
        from shadowfleet.lake.writer import LakeLockedError, LakeWriter

        if not (lake / "_manifest" / "manifest.sqlite").exists():
            Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] not a shadowfleet lake: {lake}")
            raise typer.Exit(2)
        try:
            with LakeWriter(lake) as writer:
                report = writer.compact()
        except LakeLockedError as exc:
            Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        typer.echo(
            f"compacted {report.days} day(s): {report.files_before} files -> {report.files_after}, "
            f"{report.rows:,} rows rewritten"
        )

    @lake_app.command("files")
    def files(
        lake: Path = typer.Option(..., "--lake", help="Lake folder."),
        dataset: str = typer.Option("positions", "--dataset", help="positions | static"),
    ) -> None:
        """List the visible Parquet files of a dataset (e.g. to hand to Spark)."""
        from shadowfleet.lake.layout import DATASETS

        if dataset not in DATASETS:
            Console(stderr=True, soft_wrap=True).print(
                f"[red]error:[/red] unknown dataset {dataset!r}; valid datasets: {', '.join(DATASETS)}"
            )
            raise typer.Exit(2)
        with _open_lake(lake) as handle:
            for path in handle.files(dataset):
                typer.echo(str(path))
