"""Atom feed links come from the configured public base URL or the server's own address, never the
request's Host header."""

import dataclasses

import pytest
from fastapi.testclient import TestClient

from shadowfleet.registry.service import Registry
from shadowfleet.web.app import create_app
from shadowfleet.web.settings import Settings, SettingsError

FEED = "/feeds/vessels/775000001.atom"


def test_host_header_never_reaches_feed_links(client: TestClient) -> None:
    body = client.get(FEED, headers={"Host": "evil.example"}).text
    assert "evil.example" not in body
    assert 'href="http://testserver/feeds/vessels/775000001.atom"' in body  # the bound address
    assert 'href="http://testserver/events/' in body


def test_configured_public_base_url_wins(settings: Settings, registry: Registry) -> None:
    public = dataclasses.replace(settings, public_base_url="https://ships.example.org/sf/")
    client = TestClient(create_app(public, registry=registry))
    body = client.get(FEED, headers={"Host": "evil.example"}).text
    assert "evil.example" not in body
    assert 'href="https://ships.example.org/sf/feeds/vessels/775000001.atom"' in body
    assert 'href="https://ships.example.org/sf/events/' in body


def test_public_base_url_must_be_http() -> None:
    with pytest.raises(SettingsError, match="PUBLIC_BASE_URL"):
        Settings(secret_key="s" * 40, public_base_url="javascript:alert(1)").checked()
