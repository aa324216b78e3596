"""`shadowfleet backup` / `shadowfleet restore`: the whole registry as JSON lines, exactly."""

from pathlib import Path

import typer

from shadowfleet.commands._registry_common import DB_OPTION, cli_errors, fail, open_registry


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup_cmd(db: str = DB_OPTION, out: Path = typer.Option(..., "--out", help="file to write")) -> None:
        """Write every registry row (entities, versions, users, audit chain) to FILE."""
        with cli_errors():
            from shadowfleet.registry import backup

            reg = open_registry(db)
            tmp = out.with_name(out.name + ".partial")
            with tmp.open("w", encoding="utf-8") as fh:
                rows = backup.backup(reg.db.engine, fh)
            tmp.replace(out)
            typer.echo(f"backup: {rows} rows to {out}")

    @app.command("restore")
    def restore_cmd(
        db: str = DB_OPTION, in_: Path = typer.Option(..., "--in", help="backup file to read")
    ) -> None:
        """Restore a backup into an empty database (all or nothing)."""
        with cli_errors():
            from shadowfleet.registry import backup

            reg = open_registry(db, init=True)
            try:
                with in_.open(encoding="utf-8") as fh:
                    rows = backup.restore(reg.db.engine, fh)
            except (OSError, backup.BackupError) as exc:
                fail(exc)
            typer.echo(f"restore: {rows} rows from {in_}")
