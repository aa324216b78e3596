"""Request-scoped access to the site's read model and settings."""

from fastapi import Request

from shadowfleet.web.data import SiteData
from shadowfleet.web.settings import Settings


async def site_data(request: Request) -> SiteData:
    return request.app.state.data  # type: ignore[no-any-return]


async def settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]
