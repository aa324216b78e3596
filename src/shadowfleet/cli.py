"""The `shadowfleet` command: thin wrappers over the Python API of each room.

Each room's commands live in `shadowfleet.commands.<area>` and register themselves on `app`.
"""

import importlib
import pkgutil

import typer

import shadowfleet.commands

app = typer.Typer(
    name="shadowfleet",
    help="Open, evidence-backed tracking of sanctioned maritime trade with Venezuela.",
    no_args_is_help=True,
    add_completion=False,
)


def _register_all() -> None:
    """Every module in `shadowfleet.commands` defines `register(app)`; adding a file adds commands."""
    for info in sorted(pkgutil.iter_modules(shadowfleet.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"shadowfleet.commands.{info.name}")
        module.register(app)


@app.callback()
def _root() -> None:
    """Open, evidence-backed tracking of sanctioned maritime trade with Venezuela."""


@app.command()
def version() -> None:
    """Print the shadowfleet version."""
    from shadowfleet import __version__

    typer.echo(__version__)


_register_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
