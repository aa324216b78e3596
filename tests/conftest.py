"""Fixtures shared by every room's tests."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from shadowfleet.detect.gazetteer import Gazetteer
    from shadowfleet.detect.shore import Shore

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The real public reference data, `../shared/data` beside the repository (or $SHADOWFLEET_SHARED_DATA)."""
    override = os.environ.get("SHADOWFLEET_SHARED_DATA")
    if override:
        return Path(override)
    return REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(
            f"reference data not found at {path}; it must sit at ../shared/data beside the repository"
        )
    return path


@pytest.fixture(scope="session")
def cli_env() -> dict[str, str]:
    """Environment for running `python -m shadowfleet` in a subprocess from a source checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT / "src"), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="session")
def cli_cmd() -> list[str]:
    return [sys.executable, "-m", "shadowfleet"]


@pytest.fixture(scope="session")
def gazetteer(shared_data: Path) -> "Gazetteer":
    """The WPI ports and GFW anchorages gazetteer (detect and scale tests)."""
    from shadowfleet.geodata.ports import load_gazetteer

    return load_gazetteer(shared_data / "gfw-ports-anchorages")


@pytest.fixture(scope="session")
def shore(shared_data: Path) -> "Shore":
    """Natural Earth land at 1:10m (detect and scale tests)."""
    from shadowfleet.geodata.land import load_shore

    return load_shore(shared_data / "geo" / "world-atlas" / "land-10m.json")
