"""`shadowfleet audit verify`: check the hash-chained audit log against the data."""

import typer

from shadowfleet.commands._registry_common import DB_OPTION, cli_errors, open_registry


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)

    @group.command("verify")
    def verify(db: str = DB_OPTION) -> None:
        """Exit 1 and name every row altered, inserted or deleted behind the application's back."""
        with cli_errors():
            from shadowfleet.registry import audit

            reg = open_registry(db)
            report = audit.verify_snapshot(reg.db.engine)
            for problem in report.problems:
                typer.echo(f"TAMPERED {problem}", err=True)
            status = "ok" if report.ok else "FAILED"
            typer.echo(
                f"audit {status}: {report.audit_rows} audit rows, {report.rows_checked} rows checked, head {report.head_hash}"
            )
            if not report.ok:
                raise typer.Exit(code=1)

    app.add_typer(group, name="audit")
