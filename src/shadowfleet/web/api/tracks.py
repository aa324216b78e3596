"""Vessels, tracks, latest positions, events and voyages."""

import datetime as dt
import gzip
import json
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from shadowfleet.lake.web_queries import EventFilter
from shadowfleet.model.schemas import EVENT_KINDS
from shadowfleet.web import exports
from shadowfleet.web.api.deps import settings, site_data
from shadowfleet.web.api.models import Dossier, Event, VesselSummary
from shadowfleet.web.data import GZIP_MIN_BYTES, SiteData, track_geojson
from shadowfleet.web.errors import ErrorResponse
from shadowfleet.web.pagination import Page, page
from shadowfleet.web.params import MmsiPath, check_range, parse_bbox, utc
from shadowfleet.web.settings import Settings
from shadowfleet.web.vessel_views import dossier, list_events, search_vessels

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorResponse, "description": "Not found"},
    422: {"model": ErrorResponse, "description": "Invalid input"},
    429: {"model": ErrorResponse, "description": "Rate limited"},
    500: {"model": ErrorResponse, "description": "Server error"},
}

router = APIRouter(prefix="/api/v1", tags=["vessels and events"], responses=ERRORS)


Limit = Annotated[
    int | None, Query(ge=1, le=10_000, description="page size (capped by the server's maximum)")
]
Offset = Annotated[int, Query(ge=0, le=100_000_000)]
Format = Literal["json", "geojson", "csv", "ftm"]


def packed(body: bytes | None) -> tuple[bytes, bytes | None] | None:
    """A body and, when worth it, its gzip form: both cached, so compression is paid once."""
    if body is None:
        return None
    return body, gzip.compress(body, compresslevel=6) if len(body) >= 16 * 1024 else None


def send(request: Request, pair: tuple[bytes, bytes | None], media_type: str) -> Response:
    plain, compressed = pair
    if compressed is not None and "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            compressed, media_type=media_type, headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        )
    return Response(plain, media_type=media_type, headers={"Vary": "Accept-Encoding"})


def page_size(limit: int | None, cfg: Settings) -> int:
    return min(limit or cfg.page_size_default, cfg.page_size_max)


def exported(fmt: Format, items: list[dict], body: dict, kind: str) -> Response:
    if fmt == "csv":
        return PlainTextResponse(exports.to_csv(items), media_type="text/csv; charset=utf-8")
    if fmt == "geojson":
        if kind == "event":
            return JSONResponse(exports.events_geojson(items), media_type="application/geo+json")
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [i["lon"], i["lat"]]}
                if i.get("lat") is not None
                else None,
                "properties": i,
            }
            for i in items
        ]
        return JSONResponse(
            {"type": "FeatureCollection", "features": features}, media_type="application/geo+json"
        )
    if fmt == "ftm":
        convert = exports.event_ftm if kind == "event" else exports.vessel_ftm
        return PlainTextResponse(
            exports.ftm_lines(convert(i) for i in items), media_type="application/x-ndjson"
        )
    return JSONResponse(body)


@router.get("/vessels", response_model=Page[VesselSummary], summary="Search vessels by IMO, MMSI or name")
def vessels(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="name, MMSI or IMO")] = None,
    imo: Annotated[int | None, Query(ge=0, le=9_999_999)] = None,
    mmsi: Annotated[int | None, Query(ge=0, le=999_999_999)] = None,
    limit: Limit = None,
    offset: Offset = 0,
    format: Format = "json",
    data: SiteData = Depends(site_data),
    cfg: Settings = Depends(settings),
) -> Response:
    size = page_size(limit, cfg)
    items, total = search_vessels(data, q, imo, mmsi, size, offset, request.app.state.registry_view)
    return exported(format, items, page(request, items, total, size, offset), "vessel")


async def cached_vessel_answer(
    request: Request,
    data: SiteData,
    key: tuple[object, ...],
    encoded: Callable[[], tuple[bytes, bytes | None] | None],
    mmsi: int,
    media_type: str,
) -> Response:
    """A vessel's encoded answer from the cache, or built (None: no such vessel, 404) and cached.

    Cached answers are served on the event loop; anything that reads the lake runs in the thread pool.
    """
    pair = data.memo_peek(key) or await run_in_threadpool(data.memo, key, encoded)
    if pair is None:
        raise HTTPException(404, f"no vessel with MMSI {mmsi}")
    return send(request, pair, media_type)  # type: ignore[arg-type]


@router.get("/vessels/{mmsi}", response_model=Dossier, summary="A vessel's dossier")
async def vessel_dossier(request: Request, mmsi: MmsiPath, data: SiteData = Depends(site_data)) -> Response:
    registry_view = request.app.state.registry_view
    key = ("dossier-json", mmsi)

    def encoded() -> tuple[bytes, bytes | None] | None:
        found = dossier(data, mmsi, registry_view)
        return None if found is None else packed(json.dumps(found, separators=(",", ":")).encode())

    return await cached_vessel_answer(request, data, key, encoded, mmsi, "application/json")


@router.get(
    "/vessels/{mmsi}/track",
    summary="A vessel's track as GeoJSON (thinned for display unless full=true)",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def vessel_track(
    request: Request,
    mmsi: MmsiPath,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    full: bool = False,
    data: SiteData = Depends(site_data),
    cfg: Settings = Depends(settings),
) -> Response:
    start, end = utc(start), utc(end)
    check_range(start, end)
    key = ("track", mmsi, start, end, full)

    def encoded() -> tuple[bytes, bytes | None] | None:
        if data.vessel(mmsi) is None:
            return None
        window = data.track(mmsi).window(start, end)
        shown = window if full else window.thinned(cfg.track_display_max_points)
        body = track_geojson(shown, len(window.ts_us), simplified=len(shown.ts_us) < len(window.ts_us))
        return packed(json.dumps(body, separators=(",", ":")).encode())

    return await cached_vessel_answer(request, data, key, encoded, mmsi, "application/geo+json")


@router.get(
    "/positions/latest",
    summary="Latest position of every vessel (GeoJSON points), optionally inside a bbox and since a time",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def latest_positions(
    request: Request,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    since: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1_000_000)] = 1_000_000,
    data: SiteData = Depends(site_data),
) -> Response:
    gzip_ok = "gzip" in request.headers.get("accept-encoding", "")
    media = "application/geo+json"
    if bbox is None and since is None and limit == 1_000_000:
        cached = data.latest_all_peek()
        if cached is None:
            cached = await run_in_threadpool(data.latest_positions_all)
        plain, packed = cached
        if gzip_ok:
            return Response(
                packed, media_type=media, headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            )
        return Response(plain, media_type=media, headers={"Vary": "Accept-Encoding"})
    body, _count = await run_in_threadpool(data.latest_positions_geojson, parse_bbox(bbox), utc(since), limit)
    if gzip_ok and len(body) >= GZIP_MIN_BYTES:
        packed = gzip.compress(body, compresslevel=1)
        return Response(
            packed, media_type=media, headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        )
    return Response(body, media_type=media, headers={"Vary": "Accept-Encoding"})


def event_filter(
    kind: list[str] | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    bbox: str | None,
    venezuela: bool,
    mmsi: int | None,
) -> EventFilter:
    kinds = tuple(kind or ())
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise HTTPException(
            422, f"unknown event kind {unknown[0]!r}; expected one of {', '.join(EVENT_KINDS)}"
        )
    start, end = utc(start), utc(end)
    check_range(start, end)
    return EventFilter(
        kinds=kinds, mmsi=mmsi, start=start, end=end, bbox=parse_bbox(bbox), venezuela=venezuela
    )


@router.get("/events", response_model=Page[Event], summary="Detected events (apparent), filtered")
def events(
    request: Request,
    kind: Annotated[list[str] | None, Query(description=f"one or more of {', '.join(EVENT_KINDS)}")] = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    venezuela: Annotated[bool, Query(description="only vessels on a voyage to or from Venezuela")] = False,
    mmsi: Annotated[int | None, Query(ge=0, le=999_999_999)] = None,
    limit: Limit = None,
    offset: Offset = 0,
    format: Format = "json",
    data: SiteData = Depends(site_data),
    cfg: Settings = Depends(settings),
) -> Response:
    size = page_size(limit, cfg)
    flt = event_filter(kind, start, end, bbox, venezuela, mmsi)
    items, total = list_events(data, flt, size, offset)
    return exported(format, items, page(request, items, total, size, offset), "event")


@router.get("/events/{event_id}", response_model=Event, summary="One event with its evidence")
def event(event_id: str, data: SiteData = Depends(site_data)) -> Response:
    found = data.event(event_id)
    if found is None:
        raise HTTPException(404, f"no event {event_id!r}")
    from shadowfleet.web.vessel_views import public_event

    return JSONResponse(public_event(found))


@router.get("/voyages", summary="Voyages, optionally to or from Venezuela, in progress or completed")
def voyages(
    request: Request,
    mmsi: Annotated[int | None, Query(ge=0, le=999_999_999)] = None,
    venezuela: bool | None = None,
    status: Literal["in_progress", "completed"] | None = None,
    limit: Limit = None,
    offset: Offset = 0,
    format: Literal["json", "csv"] = "json",
    data: SiteData = Depends(site_data),
    cfg: Settings = Depends(settings),
) -> Response:
    size = page_size(limit, cfg)
    in_progress = None if status is None else status == "in_progress"
    items, total = data.voyages(mmsi, venezuela, in_progress, size, offset)
    for item in items:
        item["simulated"] = bool(item.get("simulated"))
    return exported(format, items, page(request, items, total, size, offset), "voyage")
