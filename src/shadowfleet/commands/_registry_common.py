"""Shared options and error handling for the registry's commands."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from shadowfleet.registry.defaults import DEFAULT_DB_URL

DB_OPTION = typer.Option(
    os.environ.get("SHADOWFLEET_DB_URL", DEFAULT_DB_URL),
    "--db",
    help="database URL (sqlite:///... or postgresql+psycopg://...)",
)


def fail(exc: BaseException) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn the errors a user can cause (bad URL, unreachable server, bad input) into one line, exit 2."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    from shadowfleet.registry.validation import RegistryError

    try:
        yield
    except (NoSuchModuleError, ArgumentError) as exc:
        fail(RuntimeError(f"not a database URL we can use ({exc})"))
    except SQLAlchemyError as exc:
        fail(RuntimeError(f"database error: {str(exc).splitlines()[0]}"))
    except (RegistryError, ValueError, OSError) as exc:
        fail(exc)


def open_registry(url: str, init: bool = False):  # type: ignore[no-untyped-def]
    from shadowfleet.registry.service import Registry

    reg = Registry(url)
    if init:
        reg.init()
    elif not reg.initialised:
        fail(RuntimeError(f"{url} is not a registry database; run `shadowfleet registry init --db {url}`"))
    return reg


def register(app: typer.Typer) -> None:
    """Not a command module (helpers only)."""
