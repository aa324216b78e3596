"""Web test fixtures: a small lake in the documented layout, a registry built through its service, and
an app over both."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shadowfleet.registry.service import Registry
from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings
from tests.web.lakebuild import build_lake
from tests.web.registrybuild import build_registry

TEST_SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session")
def lake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lake(tmp_path_factory.mktemp("lake"))


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return build_registry(tmp_path_factory.mktemp("registry") / "registry.db")


@pytest.fixture(scope="session")
def settings(lake_dir: Path) -> Settings:
    return Settings(lake_path=lake_dir, secret_key=TEST_SECRET, watchlist_mmsi=(775000001,))


@pytest.fixture(scope="session")
def app(settings: Settings, registry: Registry) -> FastAPI:
    return create_app(settings, registry=registry)


@pytest.fixture()
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def assert_error_shape(body: dict, status: int) -> None:
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["status"] == status
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["details"], list)
