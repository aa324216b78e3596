"""Web test fixtures: a small lake in the documented layout and an app over it."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings
from tests.web.lakebuild import build_lake

TEST_SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session")
def lake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lake(tmp_path_factory.mktemp("lake"))


@pytest.fixture(scope="session")
def settings(lake_dir: Path) -> Settings:
    return Settings(lake_path=lake_dir, secret_key=TEST_SECRET, watchlist_mmsi=(775000001,))


@pytest.fixture(scope="session")
def app(settings: Settings):
    return create_app(settings)


@pytest.fixture()
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)
