"""HEAD gets GET's status and headers, never a body; unknown paths still 404."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/", "/events", "/api/v1/events", "/api/v1/vessels?q=x"])
def test_head_like_get_without_body(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_of_a_missing_page_is_404(client: TestClient) -> None:
    assert client.head("/no-such-page").status_code == 404


def test_other_methods_are_unchanged(client: TestClient) -> None:
    assert client.delete("/events").status_code == 405
