"""`shadowfleet simulate`: write a labelled, simulated AIS scenario (NMEA, CSV, ground truth, fleet)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command(name="simulate")(simulate)


def _parse_start(text: str) -> datetime:
    try:
        start = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"--start must be an ISO date such as 2026-01-01, got {text!r}") from exc
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


def simulate(
    out: Path = typer.Option(..., "--out", help="Output folder (created if missing; files are replaced)."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives byte-identical files."),
    vessels: int = typer.Option(80, "--vessels", min=15, max=5000, help="Number of vessels (>= 15)."),
    days: float = typer.Option(30.0, "--days", min=1.0, max=365.0, help="Length of the scenario in days."),
    start: str = typer.Option("2026-01-01", "--start", help="Start of the scenario (UTC), ISO date or time."),
    split_days: bool = typer.Option(
        False, "--split-days", help="Write the NMEA as one file a UTC day (ais-YYYY-MM-DD.nmea)."
    ),
) -> None:
    """Sail a fictional fleet along real sea lanes around Venezuela, with labelled behaviours."""
    from shadowfleet.sim.output import write_scenario
    from shadowfleet.sim.scenario import ScenarioConfig

    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"--out {out} exists and is not a folder")
    config = ScenarioConfig(seed=seed, n_vessels=vessels, days=days, start=_parse_start(start))
    summary = write_scenario(out, config, split_days=split_days)
    typer.echo(json.dumps({"out": str(out), **summary}, indent=2))
