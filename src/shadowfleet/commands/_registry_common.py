"""Shared options and error handling for the registry's commands."""

import os
from typing import NoReturn

import typer

from shadowfleet.registry.db import DEFAULT_DB_URL

DB_OPTION = typer.Option(
    os.environ.get("SHADOWFLEET_DB_URL", DEFAULT_DB_URL),
    "--db",
    help="database URL (sqlite:///... or postgresql+psycopg://...)",
)


def fail(exc: BaseException) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


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
