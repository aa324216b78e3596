"""`shadowfleet detect`: run every detector over a lake, incrementally."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import typer


def register(app: typer.Typer) -> None:
    @app.command("detect")
    def detect(
        lake_arg: str = typer.Option(
            ..., "--lake", help="Lake folder (written by ingest); with --engine spark also a URL (s3a://...)."
        ),
        ports: Path | None = typer.Option(None, "--ports", help="Extra ports CSV: name,country,lat,lon."),
        wpi: Path | None = typer.Option(
            None, "--wpi", help="Folder with WPI_ports.csv and anchorage_overrides.csv (GFW)."
        ),
        land: Path | None = typer.Option(
            None, "--land", help="Natural Earth land TopoJSON (world-atlas land-10m.json) for shore distance."
        ),
        margin_days: int = typer.Option(2, "--margin-days", min=0, help="Context days around changed days."),
        full: bool = typer.Option(False, "--full", help="Ignore the saved state: re-run every day."),
        engine: str = typer.Option("local", "--engine", help="local (incremental) or spark (whole lake)."),
        master: str | None = typer.Option(
            None,
            "--master",
            help="Spark master URL (local[4], spark://..., yarn, k8s://...); default: spark-submit's.",
        ),
        spark_conf: list[str] = typer.Option(
            [], "--spark-conf", help="Extra Spark setting KEY=VALUE (repeatable)."
        ),
    ) -> None:
        """Detect apparent AIS gaps, encounters, loitering, port calls, dark port calls, spoofing,
        identity changes and draught changes (and build voyages); store them in the lake."""
        from shadowfleet.detect.run import CLOCK_EXCLUDED, DetectContext, detection_fingerprint, run_all
        from shadowfleet.geodata.land import LandDataError, default_land_path, load_shore
        from shadowfleet.geodata.ports import GazetteerError, load_gazetteer
        from shadowfleet.lake.events import read_events, run_incremental

        if engine not in ("local", "spark"):
            typer.echo(f"error: --engine must be local or spark, not {engine!r}", err=True)
            raise typer.Exit(2)
        lake = Path(lake_arg)
        if engine == "local" and not lake.is_dir():
            typer.echo(f"error: lake folder not found: {lake}", err=True)
            raise typer.Exit(2)
        if land is None:
            land = default_land_path()
        try:
            gazetteer = load_gazetteer(wpi, include_searoute=True, user_csv=ports)
            shore = load_shore(land) if land is not None else None
        except (GazetteerError, LandDataError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if shore is None:
            typer.echo("warning: no land file; shore distances unknown (use --land)", err=True)
        context = DetectContext(gazetteer=gazetteer, shore=shore)
        if engine == "spark":
            from shadowfleet.scale.command import SparkCommandError, run_spark_command

            try:
                typer.echo(run_spark_command(lake_arg, context, master, spark_conf))
            except SparkCommandError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
            return
        timings: dict[str, float] = {}
        try:
            report = run_incremental(
                lake,
                lambda pos, sta: run_all(pos, sta, context, timings=timings),
                margin_days=margin_days,
                full=full,
                detection=detection_fingerprint(),
            )
        except ValueError as exc:
            message = " ".join(str(exc).split())
            typer.echo(f"error: detection failed: {message}", err=True)
            raise typer.Exit(2) from exc
        if not report.changed_days:
            typer.echo(f"nothing new: {report.events_after} events unchanged")
            _echo_kind_counts(read_events(lake))
            return
        typer.echo(
            f"days changed: {', '.join(report.changed_days)}; loaded {len(report.loaded_days)} days, "
            f"{report.positions} positions; events {report.events_before} -> {report.events_after}"
            + ("" if report.written else " (unchanged)")
        )
        n_clock = int(timings.get(CLOCK_EXCLUDED, 0))
        if n_clock:
            typer.echo(
                f"left out {n_clock} positions whose time is the ingest clock's (no receive time in the input)"
            )
        _echo_kind_counts(read_events(lake))


def _echo_kind_counts(events: pa.Table | None) -> None:
    """One line of stored events per kind, e.g. `events by kind: ais_gap 12, port_call 3`."""
    if events is None or events.num_rows == 0:
        typer.echo("events by kind: none")
        return
    counts = pc.value_counts(events.column("kind")).to_pylist()
    parts = [f"{c['values']} {c['counts']}" for c in sorted(counts, key=lambda c: str(c["values"]))]
    typer.echo("events by kind: " + ", ".join(parts))
