"""The FastAPI app factory: settings -> app with API, pages, feeds, static assets and security layers."""

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlparse

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from shadowfleet import __version__
from shadowfleet.registry.service import Registry
from shadowfleet.web import assets
from shadowfleet.web.data import SiteData, format_lat, format_lon, iso
from shadowfleet.web.errors import CatchAllErrors, install_error_handlers
from shadowfleet.web.head_requests import HeadAsGet
from shadowfleet.web.registry_view import RegistryView, occupancy_period
from shadowfleet.web.security import RateLimiter, SecurityHeaders, content_security_policy, csrf_token
from shadowfleet.web.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
log = logging.getLogger("shadowfleet.web")


def _templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    env = templates.env
    env.autoescape = True
    env.globals["csrf_token"] = csrf_token
    env.globals["settings"] = settings
    env.globals["version"] = __version__
    env.globals["vendor"] = assets.vendor_url
    env.globals["occupancy_period"] = occupancy_period
    env.filters["lat"] = format_lat
    env.filters["lon"] = format_lon
    env.filters["when"] = lambda v: "" if v is None else str(iso(v)).replace("T", " ").replace("Z", " UTC")
    return templates


def create_app(settings: Settings, registry: Registry | None = None) -> FastAPI:
    """Build the app. `settings.checked()` refuses default secrets outside demo mode."""
    settings = settings.checked()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Build the vessel summaries and latest positions in the background, so the first visitor
        # does not wait for them.
        threading.Thread(target=app.state.data.warm, name="warm-caches", daemon=True).start()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="shadowfleet",
        version=__version__,
        description=(
            "Open, evidence-backed data on vessels carrying sanctioned trade to and from Venezuela, and on "
            "the foreign personnel supporting the regime. Events are apparent, detected from AIS, with "
            "their evidence, detector version and parameters. Simulated records say so (`simulated`)."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.data = SiteData(settings.lake_path, settings.watchlist_mmsi)
    if registry is None and settings.db_url:
        registry = Registry(settings.db_url)
    app.state.registry = registry
    app.state.registry_view = RegistryView(registry) if registry is not None else None
    app.state.templates = _templates(settings)
    app.state.login_limiter = RateLimiter(settings.login_attempts_per_min, 60.0)
    app.state.corrections_limiter = RateLimiter(settings.corrections_per_hour, 3600.0)

    install_error_handlers(app)

    from shadowfleet.web.api import feeds as feed_routes
    from shadowfleet.web.api import registry_api
    from shadowfleet.web.api import tracks as track_routes
    from shadowfleet.web.pages import editor as editor_pages
    from shadowfleet.web.pages import public as public_pages
    from shadowfleet.web.pages import registry_pages

    app.include_router(track_routes.router)
    app.include_router(registry_api.router)
    app.include_router(feed_routes.router)
    app.include_router(public_pages.router)
    app.include_router(registry_pages.router)
    app.include_router(editor_pages.router)

    app.mount("/static/site", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="site-static")
    assets.mount_vendor(app, settings)

    origins = []
    if settings.tile_url:
        parsed = urlparse(settings.tile_url)
        origins.append(f"{parsed.scheme}://{parsed.netloc}")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="shadowfleet_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeaders, csp=content_security_policy(origins))
    app.add_middleware(HeadAsGet)
    app.add_middleware(CatchAllErrors)
    return app
