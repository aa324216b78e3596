"""Registry reads: persons, entities (companies, organisations, vessels, sanctions...), networks, search."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from shadowfleet.registry import web_queries
from shadowfleet.registry.service import Registry
from shadowfleet.web import exports
from shadowfleet.web.api.deps import settings
from shadowfleet.web.api.models import SearchResults
from shadowfleet.web.api.tracks import ERRORS, Limit, Offset, page_size
from shadowfleet.web.auth import registry_of
from shadowfleet.web.pagination import page
from shadowfleet.web.registry_view import ORG_SCHEMAS, entity_url
from shadowfleet.web.search import search_all
from shadowfleet.web.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["registry"], responses=ERRORS)


def _registry(request: Request) -> Registry:
    return registry_of(request)


@router.get(
    "/persons",
    summary="Personnel directory: published holders of an official position (within the retention period)",
)
def persons(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = None,
    offset: Offset = 0,
    registry: Registry = Depends(_registry),
    cfg: Settings = Depends(settings),
) -> Response:
    size = page_size(limit, cfg)
    found = registry.list_persons(q, limit=100_000, offset=0)
    items = [p.model_dump(mode="json") for p in found[offset : offset + size]]
    for item in items:
        item["url"] = f"/people/{item['person']['id']}"
    return JSONResponse(page(request, items, len(found), size, offset))


@router.get("/persons/{person_id}", summary="A person with occupancies, sources and answered corrections")
def person(person_id: str, registry: Registry = Depends(_registry)) -> Response:
    return JSONResponse(registry.person(person_id).model_dump(mode="json"))


@router.get("/entities", summary="Published entities by schema and name fragment")
def entities(
    request: Request,
    schema: Annotated[
        list[str] | None, Query(description="e.g. Company, Organization, Vessel, Sanction")
    ] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = None,
    offset: Offset = 0,
    registry: Registry = Depends(_registry),
    cfg: Settings = Depends(settings),
) -> Response:
    size = page_size(limit, cfg)
    schemas = tuple(schema or ORG_SCHEMAS)
    refs, total = web_queries.list_entities(registry, schemas, q, size, offset)
    items: list[dict[str, Any]] = [
        {**r.model_dump(mode="json"), "url": entity_url(r.schema_name, r.id)} for r in refs
    ]
    return JSONResponse(page(request, items, total, size, offset))


@router.get("/entities/{entity_id}", summary="One entity with its sourced statements (JSON or FtM)")
def entity(
    entity_id: str, format: Literal["json", "ftm"] = "json", registry: Registry = Depends(_registry)
) -> Response:
    if format == "ftm":
        entity = web_queries.ftm_entity(registry, entity_id)
        return PlainTextResponse(exports.ftm_lines([entity]), media_type="application/x-ndjson")
    return JSONResponse(registry.entity(entity_id).model_dump(mode="json"))


@router.get("/entities/{entity_id}/graph", summary="The entity's ownership, management and sanctions network")
def entity_graph(entity_id: str, registry: Registry = Depends(_registry)) -> Response:
    graph = web_queries.entity_graph(registry, entity_id)
    nodes = [
        {
            "id": n.id,
            "label": n.caption,
            "schema": n.schema_name,
            "url": entity_url(n.schema_name, n.id),
            "sanctioned": n.id in graph.sanctioned or n.schema_name == "Sanction",
            "center": n.id == entity_id,
        }
        for n in graph.nodes
    ]
    edges = [
        {
            "source": e.source,
            "target": e.target,
            "label": e.label,
            "start_date": e.start_date,
            "end_date": e.end_date,
        }
        for e in graph.edges
    ]
    return JSONResponse({"nodes": nodes, "edges": edges})


@router.get("/search", response_model=SearchResults, summary="Search vessels, people and companies")
def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=200)]) -> Response:
    hits = search_all(request.app, q, 50)
    return JSONResponse({"query": q, "items": hits, "total": len(hits)})
