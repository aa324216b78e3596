"""`shadowfleet sanctions update`: import OFAC's SDN list, current (online) or a local copy."""

from pathlib import Path

import typer

from shadowfleet.commands._registry_common import DB_OPTION, cli_errors, fail, open_registry


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Sanctions lists.", no_args_is_help=True)

    @group.command("update")
    def update(
        db: str = DB_OPTION,
        file: Path = typer.Option(
            None, "--file", help="a local sdn.csv instead of downloading the current list"
        ),
        alt: Path = typer.Option(None, help="alt.csv (aliases)"),
        add: Path = typer.Option(None, help="add.csv (addresses of organisations)"),
        history: Path = typer.Option(None, help="derived history CSV with first/last date listed"),
        list_date: str = typer.Option(None, help="the list's date (default: from the file name, or today)"),
        scope: str = typer.Option("vessels", help="vessels (and what they link to) or all"),
    ) -> None:
        """Import the OFAC SDN list into the registry (one transaction; a bad file changes nothing)."""
        with cli_errors():
            from datetime import date

            from shadowfleet.registry import ofac

            if scope not in ("vessels", "all"):
                fail(ValueError("--scope must be 'vessels' or 'all'"))
            try:
                data = file if file is not None else ofac.fetch_current()
                entries, listings = ofac.read_files(data, alt, add, history)
                when = (
                    list_date
                    or (ofac.list_date_from_name(file) if file else None)
                    or date.today().isoformat()
                )
                reg = open_registry(db, init=True)
                with reg.db.session(ofac.ACTOR) as session:
                    report = ofac.import_entries(session, entries, when, listings, scope)
            except (OSError, ValueError) as exc:
                fail(exc)
            typer.echo(
                f"sdn: {report.entries_read} entries, {report.vessels} vessels; {report.entities_added} new entities, "
                f"{report.statements_added} new statements, {report.statements_seen_again} seen again "
                f"({report.entities_per_s:.0f} entities/s)"
            )
            for warning in report.warnings[:20]:
                typer.echo(f"warning: {warning}", err=True)

    app.add_typer(group, name="sanctions")
