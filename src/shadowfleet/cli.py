"""The `shadowfleet` command: thin wrappers over the Python API of each room.

Each room's commands live in `shadowfleet.commands.<area>` and register themselves on `app`.
"""

import importlib
import pkgutil
import sys

import typer

import shadowfleet.commands

_app = typer.Typer(
    name="shadowfleet",
    help="Open, evidence-backed tracking of sanctioned maritime trade with Venezuela.",
    no_args_is_help=True,
    add_completion=False,
)


_registered: set[str] = set()  # command modules already on `_app`


def _register(argv: list[str]) -> None:
    """Every module in `shadowfleet.commands` defines `register(app)`; adding a file adds commands.

    When the first argument names a module (`shadowfleet ingest ...`), only that module is imported:
    the other commands' imports would only slow the start of the one that runs.
    """
    modules = sorted(
        m.name for m in pkgutil.iter_modules(shadowfleet.commands.__path__) if not m.name.startswith("_")
    )  # a leading underscore marks shared helpers, not commands
    wanted = argv[1] if len(argv) > 1 else None
    if wanted in modules:
        modules = [wanted]
    for name in modules:
        if name not in _registered:
            importlib.import_module(f"shadowfleet.commands.{name}").register(_app)
            _registered.add(name)


@_app.callback()
def _root() -> None:
    """Open, evidence-backed tracking of sanctioned maritime trade with Venezuela."""


@_app.command()
def version() -> None:
    """Print the shadowfleet version."""
    from shadowfleet import __version__

    typer.echo(__version__)


def main() -> None:
    _register(sys.argv)
    _app()


def __getattr__(name: str) -> typer.Typer:
    """`shadowfleet.cli.app`: the command with every subcommand registered (for tests and embedding)."""
    if name != "app":
        raise AttributeError(name)
    _register([])
    return _app


if __name__ == "__main__":
    main()
