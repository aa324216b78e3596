"""Public pages: home, search, vessel dossier, events, Venezuela traffic, methods and the policy pages."""

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markdown_it import MarkdownIt

from shadowfleet.lake.web_queries import EventFilter
from shadowfleet.model.schemas import EVENT_KINDS
from shadowfleet.web.data import EVENT_WORDING, SiteData
from shadowfleet.web.pagination import page
from shadowfleet.web.params import MmsiPath, check_range, parse_bbox, utc
from shadowfleet.web.vessel_views import dossier, list_events, search_vessels

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
REPO_DOCS = Path(__file__).resolve().parents[4] / "docs"


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _data(request: Request) -> SiteData:
    return request.app.state.data  # type: ignore[no-any-return]


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    data = _data(request)
    events, n_events = list_events(data, EventFilter(), 12, 0)
    vessels = data.vessels()
    recent = []
    if vessels.num_rows:
        latest = vessels.sort_by([("last_ts", "descending")]).slice(0, 12)
        recent = [r for r in latest.to_pylist() if r.get("last_ts") is not None]
    watched = [v for v in (data.vessel(m) for m in sorted(data.watchlist)) if v is not None]
    return render(
        request,
        "home.html",
        watched=watched,
        events=events,
        n_events=n_events,
        n_vessels=vessels.num_rows,
        counts=data.event_counts(),
        wording=EVENT_WORDING,
        recent_vessels=recent,
    )


@router.get("/vessels", response_class=HTMLResponse)
def vessel_list(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    items, total = search_vessels(
        _data(request), q, None, None, PAGE_SIZE, offset, request.app.state.registry_view
    )
    return render(
        request, "vessels.html", query=q or "", result=page(request, items, total, PAGE_SIZE, offset)
    )


@router.get("/vessels/{mmsi}", response_class=HTMLResponse)
def vessel_page(request: Request, mmsi: MmsiPath) -> Response:
    found = dossier(_data(request), mmsi, request.app.state.registry_view)
    if found is None:
        raise HTTPException(404, f"no vessel with MMSI {mmsi}")
    port_calls = [e for e in found["events"] if e["kind"] in ("port_call", "dark_port_call")]
    return render(request, "vessel.html", d=found, v=found["vessel"], port_calls=port_calls)


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    kind: Annotated[list[str] | None, Query()] = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    bbox: str | None = None,
    venezuela: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    kinds = tuple(k for k in (kind or ()) if k)
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise HTTPException(422, f"unknown event kind {unknown[0]!r}")
    start_ts = utc(dt.datetime.combine(start, dt.time())) if start else None
    end_ts = utc(dt.datetime.combine(end, dt.time()) + dt.timedelta(days=1)) if end else None
    check_range(start_ts, end_ts)
    flt = EventFilter(kinds=kinds, start=start_ts, end=end_ts, bbox=parse_bbox(bbox), venezuela=venezuela)
    items, total = list_events(_data(request), flt, PAGE_SIZE, offset)
    return render(
        request,
        "events.html",
        result=page(request, items, total, PAGE_SIZE, offset),
        kinds=EVENT_KINDS,
        wording=EVENT_WORDING,
        selected=set(kinds),
        start=start,
        end=end,
        bbox=bbox or "",
        venezuela=venezuela,
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str) -> Response:
    from shadowfleet.web.vessel_views import public_event

    found = _data(request).event(event_id)
    if found is None:
        raise HTTPException(404, f"no event {event_id!r}")
    notes = dict(request.app.state.settings.source_notes)
    sources = [{**s, "note": notes.get(str(s["source"]))} for s in _data(request).event_sources(found)]
    return render(request, "event.html", e=public_event(found), sources=sources)


@router.get("/venezuela", response_class=HTMLResponse)
def venezuela_board(request: Request) -> Response:
    data = _data(request)
    in_progress, n_in_progress = data.voyages(None, True, True, 200, 0)
    completed, n_completed = data.voyages(None, True, False, 200, 0)
    return render(
        request,
        "venezuela.html",
        in_progress=in_progress,
        completed=completed,
        n_in_progress=n_in_progress,
        n_completed=n_completed,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    from shadowfleet.web.search import search_all

    hits = search_all(request.app, q, 50) if q.strip() else []
    return render(request, "search.html", query=q, hits=hits)


def _docs_dir(request: Request) -> Path:
    configured = request.app.state.settings.docs_dir
    return configured if configured.is_dir() else REPO_DOCS


def _markdown() -> MarkdownIt:
    # Raw HTML in the Markdown is escaped, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@router.get("/methods", response_class=HTMLResponse)
def methods_index(request: Request) -> Response:
    folder = _docs_dir(request) / "methods"
    pages = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            first = path.read_text(encoding="utf-8").splitlines()[:1]
            title = first[0].lstrip("# ").strip() if first else path.stem
            pages.append({"slug": path.stem, "title": title})
    return render(request, "methods.html", pages=pages)


@router.get("/methods/{slug}", response_class=HTMLResponse)
def method_page(request: Request, slug: str) -> Response:
    folder = _docs_dir(request) / "methods"
    if not (slug.isascii() and slug.replace("-", "").replace("_", "").isalnum()):
        raise HTTPException(404, f"no methods page {slug!r}")
    path = folder / f"{slug}.md"
    if not path.is_file() and "_" in slug:  # event kinds: identity_change -> identity.md
        path = folder / f"{slug.rsplit('_', 1)[0]}.md"
    if not path.is_file():
        raise HTTPException(404, f"no methods page {slug!r}")
    body = _markdown().render(path.read_text(encoding="utf-8"))
    return render(request, "method.html", body=body, slug=slug)


@router.get("/about", response_class=HTMLResponse)
def about(request: Request) -> Response:
    return render(request, "about.html")


@router.get("/licences", response_class=HTMLResponse)
def licences(request: Request) -> Response:
    return render(request, "licences.html")


@router.get("/policy", response_class=HTMLResponse)
def policy(request: Request) -> Response:
    return render(request, "policy.html")
