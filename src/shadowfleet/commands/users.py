"""`shadowfleet users create`: editorial accounts with argon2 password hashes."""

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

    app.add_typer(group, name="users")
