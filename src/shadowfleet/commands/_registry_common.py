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

    if not init:
        missing = _missing_sqlite_file(url)
        if missing is not None:
            fail(
                RuntimeError(f"no registry database at {missing}; run `shadowfleet registry init --db {url}`")
            )
    reg = Registry(url)
    if init:
        reg.init()
    elif not reg.initialised:
        fail(RuntimeError(f"{url} is not a registry database; run `shadowfleet registry init --db {url}`"))
    return reg


def _missing_sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL when it does not exist (opening it would create an empty one)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # cli_errors reports a bad URL
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return None
    return None if os.path.exists(path) else path
