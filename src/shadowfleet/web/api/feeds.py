"""Atom feeds of new events per vessel, per area (bbox) and per watch list."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from shadowfleet.lake.web_queries import EventFilter
from shadowfleet.web.api.deps import settings, site_data
from shadowfleet.web.api.tracks import ERRORS
from shadowfleet.web.data import SiteData
from shadowfleet.web.feeds import atom_feed
from shadowfleet.web.params import MmsiPath, parse_bbox, parse_mmsi_list
from shadowfleet.web.settings import Settings
from shadowfleet.web.vessel_views import list_events

router = APIRouter(prefix="/feeds", tags=["feeds"], responses=ERRORS)
FEED_ENTRIES = 100
ATOM = "application/atom+xml"


def public_base_url(request: Request) -> str:
    """The configured public base URL, else the address this server is bound to (never the Host
    header, which any client can set)."""
    configured: str = request.app.state.settings.public_base_url
    if configured:
        return configured.rstrip("/")
    host, port = request.scope.get("server") or ("127.0.0.1", 80)
    host = f"[{host}]" if ":" in str(host) else str(host)
    return f"http://{host}" + ("" if port in (80, None) else f":{port}")


def _feed(request: Request, feed_id: str, title: str, events: list[dict]) -> Response:
    base = public_base_url(request)
    self_url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Response(atom_feed(feed_id, title, self_url, base, events), media_type=ATOM)


@router.get(
    "/vessels/{mmsi}.atom",
    summary="New events of one vessel",
    response_class=Response,
    responses={200: {"content": {ATOM: {}}}},
)
def vessel_feed(request: Request, mmsi: MmsiPath, data: SiteData = Depends(site_data)) -> Response:
    if data.vessel(mmsi) is None:
        raise HTTPException(404, f"no vessel with MMSI {mmsi}")
    events, _ = list_events(data, EventFilter(mmsi=mmsi), FEED_ENTRIES, 0)
    return _feed(request, f"urn:shadowfleet:vessel:{mmsi}", f"Events of MMSI {mmsi}", events)


@router.get(
    "/area.atom",
    summary="New events inside a bounding box",
    response_class=Response,
    responses={200: {"content": {ATOM: {}}}},
)
def area_feed(
    request: Request,
    bbox: Annotated[str, Query(description="min_lon,min_lat,max_lon,max_lat")],
    data: SiteData = Depends(site_data),
) -> Response:
    box = parse_bbox(bbox)
    events, _ = list_events(data, EventFilter(bbox=box), FEED_ENTRIES, 0)
    return _feed(request, f"urn:shadowfleet:area:{bbox}", f"Events in {bbox}", events)


@router.get(
    "/watchlist.atom",
    summary="New events of a watch list (given MMSIs, or the server's list)",
    response_class=Response,
    responses={200: {"content": {ATOM: {}}}},
)
def watchlist_feed(
    request: Request,
    mmsi: Annotated[
        str | None, Query(description="comma-separated MMSIs; default: the server's watch list")
    ] = None,
    data: SiteData = Depends(site_data),
    cfg: Settings = Depends(settings),
) -> Response:
    watched = parse_mmsi_list(mmsi) or cfg.watchlist_mmsi
    events: list[dict] = []
    for one in watched[:200]:
        found, _ = list_events(data, EventFilter(mmsi=one), FEED_ENTRIES, 0)
        events.extend(found)
    events.sort(key=lambda e: str(e["start_ts"]), reverse=True)
    label = ",".join(str(m) for m in watched)
    return _feed(
        request, f"urn:shadowfleet:watchlist:{label}", "Events of watched vessels", events[:FEED_ENTRIES]
    )
