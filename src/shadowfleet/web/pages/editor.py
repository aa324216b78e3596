"""The editor interface: login, drafts, review queue, corrections queue and match review queue.

Every POST checks an editor session and a CSRF token (`require_editor_write`); login is rate limited.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from shadowfleet.registry import web_queries
from shadowfleet.registry.models import ClaimIn, EntityCreate, SourceIn
from shadowfleet.registry.users import AuthenticationError
from shadowfleet.registry.validation import RegistryValidationError
from shadowfleet.web.auth import SESSION_USER, current_user, registry_of, require_editor_write
from shadowfleet.web.pages.public import render
from shadowfleet.web.security import check_csrf, client_key

router = APIRouter(prefix="/editor", include_in_schema=False)
DRAFT_SCHEMAS = ("Person", "Company", "Organization", "Vessel", "Position", "Support")


def _back(path: str, request: Request, message: str) -> Response:
    """After a successful write: drop cached public views so the change shows at once."""
    request.app.state.data.invalidate()
    request.session["flash"] = message
    return RedirectResponse(path, status_code=303)


def _page(request: Request, template: str, **context: Any) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/editor/login", status_code=303)
    return render(request, template, user=user, flash=request.session.pop("flash", None), **context)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    registry = registry_of(request)
    user = current_user(request)
    if user is None:
        return RedirectResponse("/editor/login", status_code=303)
    counts = web_queries.review_item_counts(registry)
    drafts = registry.entities_in_status(user, "draft")
    in_review = registry.entities_in_status(user, "in_review")
    return _page(request, "editor_home.html", counts=counts, n_drafts=len(drafts), n_review=len(in_review))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    registry_of(request)
    return render(request, "editor_login.html", error=None)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    registry = registry_of(request)
    check_csrf(request, csrf_token)
    request.app.state.login_limiter.hit(client_key(request, "login"))
    try:
        user = registry.authenticate(username, password)
    except AuthenticationError:
        return render(request, "editor_login.html", status=401, error="Unknown user or wrong password.")
    csrf = request.session.get("csrf_token")
    request.session.clear()
    request.session[SESSION_USER] = user.id
    if csrf:
        request.session["csrf_token"] = csrf
    return RedirectResponse("/editor", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/drafts", response_class=HTMLResponse)
def drafts(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/editor/login", status_code=303)
    items = registry_of(request).entities_in_status(user, "draft")
    return _page(request, "editor_drafts.html", items=items, schemas=DRAFT_SCHEMAS)


@router.post("/drafts")
def create_draft(
    request: Request,
    entity_schema: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=500)],
    source_url: Annotated[str, Form(max_length=2000)],
    source_title: Annotated[str, Form(max_length=500)] = "",
    source_publisher: Annotated[str, Form(max_length=500)] = "",
    source_date: Annotated[str, Form(max_length=10)] = "",
    extra: Annotated[str, Form(max_length=20000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A new draft: a name plus optional `property: value` lines, all supported by one source.
    A refused value re-renders the form with the message naming the field and every value kept."""
    user = require_editor_write(request, csrf_token, "contributor")
    typed = {
        "entity_schema": entity_schema,
        "name": name,
        "extra": extra,
        "source_url": source_url,
        "source_title": source_title,
        "source_publisher": source_publisher,
        "source_date": source_date,
    }
    try:
        entity = registry_of(request).create_draft(
            user,
            EntityCreate(
                schema=entity_schema,
                properties=_draft_properties(
                    entity_schema, name, extra, source_url, source_title, source_publisher, source_date
                ),
            ),
        )
    except (RegistryValidationError, DraftFormError) as exc:
        return _drafts_form(request, user, typed, f"{exc.field}: {exc.message}")
    except ValidationError as exc:  # a malformed source (URL, date) caught by the model
        problems = "; ".join(
            f"source_{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return _drafts_form(request, user, typed, problems)
    return _back("/editor/drafts", request, f"Draft {entity.caption} created.")


class DraftFormError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _draft_properties(
    entity_schema: str,
    name: str,
    extra: str,
    source_url: str,
    source_title: str,
    source_publisher: str,
    source_date: str,
) -> dict[str, list[ClaimIn]]:
    if entity_schema not in DRAFT_SCHEMAS:
        raise DraftFormError("entity_schema", f"must be one of {', '.join(DRAFT_SCHEMAS)}")
    source = SourceIn(
        url=source_url.strip(),
        title=source_title.strip() or None,
        publisher=source_publisher.strip() or None,
        published_date=source_date.strip() or None,
    )
    properties: dict[str, list[ClaimIn]] = {"name": [ClaimIn(value=name.strip(), source=source)]}
    for line_no, line in enumerate(extra.splitlines(), start=1):
        if not line.strip():
            continue
        prop, sep, value = line.partition(":")
        if not sep or not prop.strip() or not value.strip():
            raise DraftFormError(f"extra line {line_no}", "write it as `property: value`")
        properties.setdefault(prop.strip(), []).append(ClaimIn(value=value.strip(), source=source))
    return properties


def _drafts_form(request: Request, user: Any, typed: dict[str, str], error: str) -> Response:
    items = registry_of(request).entities_in_status(user, "draft")
    return render(
        request,
        "editor_drafts.html",
        status=422,
        user=user,
        flash=None,
        items=items,
        schemas=DRAFT_SCHEMAS,
        typed=typed,
        error=error,
    )


@router.post("/entities/{entity_id}/{action}")
def transition(
    request: Request,
    entity_id: str,
    action: str,
    version: Annotated[int, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    roles = {"submit": "contributor", "publish": "editor", "return": "editor", "retract": "editor"}
    if action not in roles:
        raise HTTPException(404, f"unknown action {action!r}")
    user = require_editor_write(request, csrf_token, roles[action])
    registry = registry_of(request)
    if action == "submit":
        entity = registry.submit_for_review(user, entity_id, version)
        return _back("/editor/drafts", request, f"{entity.caption} submitted for review.")
    if action == "publish":
        entity = registry.publish(user, entity_id, version)
        return _back("/editor/review", request, f"{entity.caption} published.")
    if action == "return":
        entity = registry.return_to_draft(user, entity_id, version, note or "returned for changes")
        return _back("/editor/review", request, f"{entity.caption} returned to draft.")
    entity = registry.retract(user, entity_id, note, version)
    return _back("/editor/review", request, f"{entity.caption} retracted.")


@router.get("/review", response_class=HTMLResponse)
def review(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/editor/login", status_code=303)
    items = registry_of(request).entities_in_status(user, "in_review")
    return _page(request, "editor_review.html", items=items)


@router.get("/corrections", response_class=HTMLResponse)
def corrections(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/editor/login", status_code=303)
    registry = registry_of(request)
    items = registry.review_queue(user, "correction") + registry.review_queue(user, "reply")
    return _page(request, "editor_corrections.html", items=sorted(items, key=lambda i: i.id))


@router.post("/corrections/{item_id}/answer")
def answer(
    request: Request,
    item_id: int,
    answer: Annotated[str, Form(max_length=5000)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    user = require_editor_write(request, csrf_token, "editor")
    registry_of(request).answer_correction(user, item_id, answer)
    return _back("/editor/corrections", request, f"Request {item_id} answered on the record.")


@router.get("/matches", response_class=HTMLResponse)
def matches(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse("/editor/login", status_code=303)
    items = registry_of(request).review_queue(user, "match")
    return _page(request, "editor_matches.html", items=items)


@router.post("/matches/{item_id}/resolve")
def resolve(
    request: Request,
    item_id: int,
    decision: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    user = require_editor_write(request, csrf_token, "editor")
    if decision not in ("accept", "reject"):
        raise HTTPException(422, "decision must be accept or reject")
    registry_of(request).resolve_review(user, item_id, decision == "accept", note or None)
    return _back("/editor/matches", request, f"Match {item_id} {decision}ed.")
