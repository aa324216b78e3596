"""`shadowfleet registry ...`: create, seed, import and export the registry database."""

import sys
from pathlib import Path

import typer

from shadowfleet.commands._registry_common import DB_OPTION, cli_errors, fail, open_registry


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="The curated entity registry (vessels, companies, people, sanctions).", no_args_is_help=True
    )

    @group.command("init")
    def init(db: str = DB_OPTION) -> None:
        """Create or migrate the database (alembic upgrade head)."""
        with cli_errors():
            reg = open_registry(db, init=True)
            typer.echo(f"registry ready at {reg.db.engine.url.render_as_string(hide_password=True)}")

    @group.command("seed")
    def seed_cmd(
        db: str = DB_OPTION,
        path: list[Path] = typer.Option(
            None, "--file", help="seed JSON file(s); default: the packaged dataset"
        ),
    ) -> None:
        """Load the curated seed dataset (every claim with its source)."""
        with cli_errors():
            from shadowfleet.registry import seed

            reg = open_registry(db, init=True)
            try:
                with reg.db.session(seed.ACTOR) as session:
                    report = seed.load(session, list(path) if path else None)
            except Exception as exc:
                fail(exc)
            typer.echo(
                f"seed: {report.entities} entities in {report.files} files, {report.entities_added} new, {report.statements_added} new statements"
            )

    @group.command("export")
    def export(
        db: str = DB_OPTION,
        fmt: str = typer.Option("ftm", "--format", help="ftm: FollowTheMoney JSON lines"),
        retention_years: int = typer.Option(5, help="people out of post longer than this are left out"),
    ) -> None:
        """Write the published registry to stdout."""
        with cli_errors():
            from shadowfleet.registry import ftm

            if fmt != "ftm":
                fail(ValueError(f"--format {fmt!r}: only 'ftm' is supported"))
            reg = open_registry(db)
            with reg.db.session() as session:
                for entity in ftm.export_entities(session, retention_years):
                    sys.stdout.write(ftm.dumps(entity) + "\n")

    @group.command("import")
    def import_cmd(
        path: Path = typer.Argument(..., help="FtM JSON lines file ('-' for stdin)"),
        db: str = DB_OPTION,
        source_url: str = typer.Option(None, help="source for entities without their own sourceUrl"),
        source_title: str = typer.Option(None),
        publisher: str = typer.Option(None),
    ) -> None:
        """Import FollowTheMoney JSON lines (OpenSanctions format or our own export)."""
        with cli_errors():
            from shadowfleet.registry import ftm
            from shadowfleet.registry.models import SourceIn

            reg = open_registry(db, init=True)
            default = (
                SourceIn(url=source_url, title=source_title, publisher=publisher) if source_url else None
            )
            lines = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
            try:
                with reg.db.session("importer:ftm") as session:
                    report = ftm.import_lines(session, lines, "importer:ftm", default)
            except Exception as exc:
                fail(exc)
            typer.echo(
                f"ftm: {report.lines} lines, {report.entities_added} new entities, {report.statements_added} new statements"
            )
            for reason in report.skipped[:20]:
                typer.echo(f"skipped: {reason}", err=True)

    app.add_typer(group, name="registry")
