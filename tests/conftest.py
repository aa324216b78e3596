"""Fixtures shared by every room's tests."""

import os
import sys
from pathlib import Path

import pytest

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
