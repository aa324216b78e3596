"""`shadowfleet users create|list|disable|enable`: editorial accounts with argon2 password hashes."""

import sys

import typer

from shadowfleet.commands._registry_common import DB_OPTION, cli_errors, fail, open_registry


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Editorial user accounts.", no_args_is_help=True)

    @group.command("create")
    def create(
        username: str = typer.Option(..., "--username"),
        role: str = typer.Option("contributor", "--role", help="contributor, editor or admin"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
        db: str = DB_OPTION,
    ) -> None:
        """Create a user; the password comes from a prompt or stdin, never the command line."""
        with cli_errors():
            from shadowfleet.registry.validation import RegistryError

            if password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
            reg = open_registry(db, init=True)
            try:
                user = reg.create_user(username, password, role)
            except RegistryError as exc:
                fail(exc)
            typer.echo(f"created {user.role} {user.username}")

    @group.command("list")
    def list_(db: str = DB_OPTION) -> None:
        """Every account with its role and whether it can log in."""
        with cli_errors():
            reg = open_registry(db)
            for user in reg.list_users():
                state = "active" if user["active"] else "disabled"
                typer.echo(f"{user['username']}\t{user['role']}\t{state}\t{user['created_at']:%Y-%m-%d}")

    def _set_active(username: str, active: bool, db: str) -> None:
        with cli_errors():
            reg = open_registry(db)
            user = reg.set_user_active(username, active)
            typer.echo(f"{'enabled' if active else 'disabled'} {user.role} {user.username}")

    @group.command("disable")
    def disable(username: str = typer.Argument(...), db: str = DB_OPTION) -> None:
        """Stop an account from logging in (its past edits stay attributed to it)."""
        _set_active(username, False, db)

    @group.command("enable")
    def enable(username: str = typer.Argument(...), db: str = DB_OPTION) -> None:
        """Let a disabled account log in again."""
        _set_active(username, True, db)

    app.add_typer(group, name="users")
