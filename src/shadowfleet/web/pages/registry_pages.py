"""Registry pages: personnel directory, person pages with the correction form, companies and
organisations with their network graph, supporting states, and registry entities."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shadowfleet.registry import web_queries
from shadowfleet.registry.models import CorrectionCreate
from shadowfleet.web.auth import registry_of
from shadowfleet.web.pages.public import PAGE_SIZE, render
from shadowfleet.web.pagination import page
from shadowfleet.web.registry_view import ORG_SCHEMAS, SUPPORTING_STATES, entity_url, statement_dict
from shadowfleet.web.security import check_csrf, client_key

router = APIRouter(include_in_schema=False)


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message


@router.get("/people", response_class=HTMLResponse)
def people(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    registry = registry_of(request)
    found = registry.list_persons(q, limit=100_000, offset=0)
    items = found[offset : offset + PAGE_SIZE]
    return render(
        request,
        "people.html",
        query=q or "",
        people=items,
        result=page(request, [], len(found), PAGE_SIZE, offset),
    )


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person(request: Request, person_id: str) -> Response:
    registry = registry_of(request)
    found = registry.person(person_id)
    statements = [statement_dict(s) for s in found.person.statements]
    occupancies = sorted(found.occupancies, key=lambda o: o.start_date or o.date or "")
    graph = web_queries.entity_graph(registry, person_id)
    names = {n.id: n for n in graph.nodes}
    links = []
    for edge in graph.edges:
        other = edge.target if edge.source == person_id else edge.source
        node = names.get(other)
        if other == person_id or node is None or node.schema_name == "Sanction":
            continue
        links.append(
            {"role": edge.label, "label": node.caption, "url": entity_url(node.schema_name, node.id)}
        )
    return render(
        request,
        "person.html",
        p=found.person,
        statements=statements,
        occupancies=occupancies,
        sanctions=web_queries.sanction_listings(registry, person_id),
        links=links,
        corrections=found.corrections,
        flash=request.session.pop("flash", None),
        entity_url=entity_url,
    )


@router.post("/corrections")
def submit_correction(
    request: Request,
    entity_id: Annotated[str, Form(max_length=160)],
    message: Annotated[str, Form(max_length=5000)],
    kind: Annotated[str, Form()] = "correction",
    name: Annotated[str, Form(max_length=200)] = "",
    contact: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Public form: no account needed, but a CSRF token and a rate limit per client address."""
    check_csrf(request, csrf_token)
    request.app.state.corrections_limiter.hit(client_key(request, "corrections"))
    if kind not in ("correction", "reply"):
        raise HTTPException(422, "kind must be correction or reply")
    registry = registry_of(request)
    target = registry.entity(entity_id)
    registry.submit_correction(
        CorrectionCreate(
            kind=kind,  # type: ignore[arg-type]
            entity_id=entity_id,
            message=message,
            submitter_name=name or None,
            submitter_contact=contact or None,
        )
    )
    flash(request, "Thank you. Your request is in the editors' queue; the answer will be published here.")
    return RedirectResponse(entity_url(target.schema_name, entity_id) + "#correction", status_code=303)


@router.get("/entities", response_class=HTMLResponse)
def entities(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    refs, total = web_queries.list_entities(registry_of(request), ORG_SCHEMAS, q, PAGE_SIZE, offset)
    return render(
        request, "entities.html", query=q or "", refs=refs, result=page(request, [], total, PAGE_SIZE, offset)
    )


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, entity_id: str) -> Response:
    registry = registry_of(request)
    found = registry.entity(entity_id)
    if found.schema_name == "Person":
        return RedirectResponse(f"/people/{entity_id}", status_code=307)
    extras: dict[str, Any] = {}
    if found.schema_name == "Vessel":
        extras["dossier"] = registry.vessel_dossier(entity_id)
    return render(
        request,
        "entity.html",
        e=found,
        statements=[statement_dict(s) for s in found.statements],
        corrections=registry.public_corrections(entity_id),
        flash=request.session.pop("flash", None),
        entity_url=entity_url,
        **extras,
    )


@router.get("/states", response_class=HTMLResponse)
def states(request: Request) -> Response:
    counts = web_queries.states_with_support(registry_of(request))
    return render(request, "states.html", states=SUPPORTING_STATES, counts=counts)


@router.get("/states/{code}", response_class=HTMLResponse)
def state(request: Request, code: str) -> Response:
    code = code.lower()
    if code not in SUPPORTING_STATES:
        raise HTTPException(404, f"no state page {code!r}; pages exist for {', '.join(SUPPORTING_STATES)}")
    supports = web_queries.supports_of_state(registry_of(request), code)
    items = [{"entity": s, "statements": [statement_dict(st) for st in s.statements]} for s in supports]
    return render(request, "state.html", code=code, name=SUPPORTING_STATES[code], items=items)
