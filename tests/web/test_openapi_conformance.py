"""OpenAPI conformance with schemathesis against the ASGI app: no server errors, responses that match the
documented schema, on a real lake and registry. Bounded: a few examples per operation."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings
from tests.web.conftest import TEST_SECRET
from tests.web.lakebuild import build_lake
from tests.web.registrybuild import build_registry


def _app():  # type: ignore[no-untyped-def]
    import tempfile
    from pathlib import Path

    root = Path(tempfile.mkdtemp(prefix="sf-openapi-"))
    lake = build_lake(root / "lake")
    registry = build_registry(root / "registry.db")
    return create_app(Settings(lake_path=lake, secret_key=TEST_SECRET), registry=registry)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    case.validate_response(response, checks=[response_schema_conformance])
