"""Limit/offset pagination with totals and links, shared by every list endpoint."""

from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from pydantic import BaseModel

T = TypeVar("T")


class PageLinks(BaseModel):
    self: str
    next: str | None = None
    prev: str | None = None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    links: PageLinks


def page_links(request: Request, total: int, limit: int, offset: int) -> PageLinks:
    params = dict(request.query_params)

    def link(new_offset: int) -> str:
        params["offset"] = str(new_offset)
        params["limit"] = str(limit)
        return f"{request.url.path}?{urlencode(params)}"

    return PageLinks(
        self=link(offset),
        next=link(offset + limit) if offset + limit < total else None,
        prev=link(max(0, offset - limit)) if offset > 0 else None,
    )


def page(request: Request, items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "links": page_links(request, total, limit, offset).model_dump(),
    }
