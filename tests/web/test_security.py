"""Security: headers, escaping of stored markup, CSRF and sessions on every write, rate limits, secrets."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shadowfleet.registry.service import Registry
from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings, SettingsError, settings_from_env
from tests.web.conftest import TEST_SECRET, assert_error_shape
from tests.web.lakebuild import XSS_NAME
from tests.web.registrybuild import EDITOR

HTML = {"accept": "text/html"}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form without a CSRF token"
    return match.group(1)


def test_security_headers_on_pages_api_and_errors(client: TestClient) -> None:
    for path in ("/", "/api/v1/vessels", "/api/v1/vessels/1", "/static/site/css/site.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_stored_script_in_vessel_name_renders_as_text(client: TestClient) -> None:
    for path in ("/vessels/366000003", "/search?q=script", "/vessels?q=script", "/", "/events"):
        page = client.get(path, headers=HTML).text
        assert "<script>alert(1)</script>" not in page, path
    page = client.get("/vessels/366000003", headers=HTML).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    feed = client.get("/feeds/vessels/366000003.atom").text
    assert XSS_NAME not in feed


def test_markup_in_person_name_is_escaped(client: TestClient) -> None:
    page = client.get("/people/test-person", headers=HTML).text
    assert "Ivan <b>Testov</b>" not in page and "Ivan &lt;b&gt;Testov&lt;/b&gt;" in page


def test_writes_need_csrf_token(client: TestClient) -> None:
    r = client.post("/corrections", data={"entity_id": "test-person", "message": "x"})
    assert r.status_code == 403
    assert_error_shape(r.json(), 403)
    r = client.post(
        "/editor/login", data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": "forged"}
    )
    assert r.status_code == 403


def test_editor_writes_need_a_session(client: TestClient) -> None:
    token = csrf_from(client.get("/people/test-person", headers=HTML).text)
    for path, data in (
        ("/editor/drafts", {"entity_schema": "Person", "name": "X", "source_url": "https://example.org"}),
        ("/editor/entities/test-person/retract", {"version": "1", "note": "x"}),
        ("/editor/corrections/1/answer", {"answer": "x"}),
        ("/editor/matches/1/resolve", {"decision": "accept"}),
    ):
        r = client.post(path, data={**data, "csrf_token": token})
        assert r.status_code == 401, path
        assert_error_shape(r.json(), 401)


def test_login_rate_limited(settings: Settings, registry: Registry) -> None:
    app = create_app(Settings(**{**settings.__dict__, "login_attempts_per_min": 3}), registry=registry)
    client = TestClient(app)
    token = csrf_from(client.get("/editor/login", headers=HTML).text)
    codes = [
        client.post(
            "/editor/login", data={"username": "nobody", "password": "wrong-password", "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    r = client.post("/editor/login", data={"username": "nobody", "password": "x", "csrf_token": token})
    assert_error_shape(r.json(), 429)
    assert int(r.headers["retry-after"]) > 0


def test_corrections_rate_limited(settings: Settings, registry: Registry) -> None:
    app = create_app(Settings(**{**settings.__dict__, "corrections_per_hour": 2}), registry=registry)
    client = TestClient(app)
    token = csrf_from(client.get("/people/test-person", headers=HTML).text)
    form = {"entity_id": "test-person", "message": "The start date is wrong.", "csrf_token": token}
    codes = [client.post("/corrections", data=form, follow_redirects=False).status_code for _ in range(3)]
    assert codes == [303, 303, 429]


def test_refuses_default_or_missing_secret_outside_demo(lake_dir: Path) -> None:
    for secret in ("", "changethis", "short"):
        with pytest.raises(SettingsError, match="SECRET_KEY"):
            create_app(Settings(lake_path=lake_dir, secret_key=secret))
    demo = create_app(Settings(lake_path=lake_dir, secret_key="", demo_mode=True))
    assert len(demo.state.settings.secret_key) >= 32
    assert (
        create_app(Settings(lake_path=lake_dir, secret_key=TEST_SECRET)).state.settings.secret_key
        == TEST_SECRET
    )


def test_settings_from_env_parse_and_name_bad_values() -> None:
    cfg = settings_from_env(
        {
            "SHADOWFLEET_DEMO_MODE": "true",
            "SHADOWFLEET_PAGE_SIZE_MAX": "20",
            "SHADOWFLEET_WATCHLIST_MMSI": "1,2",
        }
    )
    assert cfg.demo_mode is True and cfg.page_size_max == 20 and cfg.watchlist_mmsi == (1, 2)
    with pytest.raises(SettingsError, match="SHADOWFLEET_PAGE_SIZE_MAX"):
        settings_from_env({"SHADOWFLEET_PAGE_SIZE_MAX": "lots"})
    with pytest.raises(SettingsError, match="SHADOWFLEET_DEMO_MODE"):
        settings_from_env({"SHADOWFLEET_DEMO_MODE": "perhaps"})
