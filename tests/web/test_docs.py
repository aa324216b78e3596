"""Every setting and every endpoint is documented in docs/web.md (a new one fails this test until it is)."""

from collections.abc import Iterator

from fastapi import FastAPI
from starlette.routing import Mount, Route

from shadowfleet.web.settings import setting_names
from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "web.md"


def routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, walking included routers."""

    def walk(items: list) -> Iterator[tuple[str, str]]:  # type: ignore[type-arg]
        for r in items:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes)
            elif isinstance(r, Route) and not isinstance(r, Mount):
                for method in sorted((r.methods or set()) - {"HEAD"}):
                    yield method, r.path

    yield from walk(list(app.routes))


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in setting_names() if f"`{name}`" not in text]
    assert missing == []


def test_every_endpoint_is_documented(app: FastAPI) -> None:
    text = DOC.read_text(encoding="utf-8")
    found = list(routes(app))
    assert len(found) > 40
    missing = [f"{m} {p}" for m, p in found if f"`{m} {p}`" not in text]
    assert missing == []
