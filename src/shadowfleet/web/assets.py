"""Browser packages served straight from node_modules (installed by `npm ci`), never copied into the
repository. Only the listed package folders are exposed."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from shadowfleet.web.settings import Settings

# package -> folder inside it that the browser may fetch
VENDOR_DIRS = {
    "maplibre-gl": "dist",
    "uplot": "dist",
    "cytoscape": "dist",
    "topojson-client": "dist",
    "world-atlas": "",
}

REPO_NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules"


def node_modules_dir(settings: Settings) -> Path:
    configured = settings.node_modules_dir
    if configured.is_absolute() or configured.is_dir():
        return configured
    return REPO_NODE_MODULES


def vendor_url(package: str, path: str) -> str:
    return f"/static/vendor/{package}/{path}"


def mount_vendor(app: FastAPI, settings: Settings) -> list[str]:
    """Mount each vendor package folder that exists; returns the packages missing (run `npm ci`)."""
    root = node_modules_dir(settings)
    missing = []
    for package, sub in VENDOR_DIRS.items():
        folder = root / package / sub if sub else root / package
        if folder.is_dir():
            app.mount(
                f"/static/vendor/{package}", StaticFiles(directory=str(folder)), name=f"vendor-{package}"
            )
        else:
            missing.append(package)
    app.state.missing_vendor = missing
    return missing
