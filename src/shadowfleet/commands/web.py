"""`shadowfleet serve` (the website and API) and `shadowfleet demo` (build the demo data, then serve)."""

import dataclasses
import logging
from pathlib import Path

import typer


def _run(settings, host: str, port: int) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from shadowfleet.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    typer.echo(f"shadowfleet is serving on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        lake: Path | None = typer.Option(
            None, "--lake", help="Lake folder (default: $SHADOWFLEET_LAKE_PATH)."
        ),
        db: str | None = typer.Option(
            None, "--db", help="Registry database URL (default: $SHADOWFLEET_DB_URL)."
        ),
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port", min=1, max=65535),
    ) -> None:
        """Serve the website, API and feeds. Needs SHADOWFLEET_SECRET_KEY (32+ random characters)."""
        from shadowfleet.web.settings import SettingsError, settings_from_env

        try:
            settings = settings_from_env(lake_path=lake, db_url=db).checked()
        except SettingsError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if settings.lake_path is not None and not settings.lake_path.is_dir():
            typer.echo(f"error: lake folder not found: {settings.lake_path}", err=True)
            raise typer.Exit(2)
        if settings.db_url:
            from shadowfleet.registry.service import Registry

            registry = Registry(settings.db_url)
            ready = registry.initialised
            registry.close()
            if not ready:
                typer.echo(
                    f"error: {settings.db_url} is not a registry database; run "
                    f"`shadowfleet registry init --db {settings.db_url}`",
                    err=True,
                )
                raise typer.Exit(2)
        _run(settings, host, port)

    @app.command("demo")
    def demo(
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port", min=1, max=65535),
        build_only: bool = typer.Option(
            False, "--build-only", help="Build var/demo/ and exit without serving."
        ),
        root: Path = typer.Option(Path("var") / "demo", "--dir", help="Where the demo data lives."),
        sim_vessels: int = typer.Option(
            80, "--sim-vessels", min=15, help="Simulated fleet size (first build)."
        ),
        sim_days: float = typer.Option(30.0, "--sim-days", min=1.0, help="Simulated days (first build)."),
    ) -> None:
        """Build the demo (simulated Venezuela scenario, real samples, detection, registry) and serve it."""
        from shadowfleet.web import demo as demo_build
        from shadowfleet.web.settings import settings_from_env

        paths = demo_build.build(root, progress=typer.echo, sim_vessels=sim_vessels, sim_days=sim_days)
        for username, password in demo_build.editor_credentials(paths):
            typer.echo(f"demo editor account (demo mode only): user {username}  password {password}")
        if build_only:
            return
        settings = settings_from_env(
            lake_path=paths.lake,
            db_url=paths.db_url,
            demo_mode=True,
            secret_key=demo_build.secret_key(paths),
        )
        settings = dataclasses.replace(
            settings, source_notes=demo_build.sample_notes(demo_build.shared_data_dir())
        )
        if not settings.watchlist_mmsi:
            watchlist = demo_build.demo_watchlist(paths)
            settings = dataclasses.replace(settings, watchlist_mmsi=watchlist)
            typer.echo(f"watch list: the {len(watchlist)} vessels with the highest risk scores")
        _run(settings, host, port)
