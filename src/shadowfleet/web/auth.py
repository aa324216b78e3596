"""Editor sessions: who is logged in, and the guard every write uses (session + CSRF)."""

from fastapi import HTTPException, Request

from shadowfleet.registry import web_queries
from shadowfleet.registry.models import UserPublic
from shadowfleet.registry.service import Registry
from shadowfleet.web.security import check_csrf

SESSION_USER = "user_id"


def registry_of(request: Request) -> Registry:
    registry = request.app.state.registry
    if registry is None:
        raise HTTPException(404, "this instance has no registry configured (SHADOWFLEET_DB_URL)")
    return registry  # type: ignore[no-any-return]


def current_user(request: Request) -> UserPublic | None:
    user_id = request.session.get(SESSION_USER)
    if user_id is None or request.app.state.registry is None:
        return None
    return web_queries.active_user(request.app.state.registry, int(user_id))


def require_editor_write(
    request: Request, submitted_csrf: str | None, role: str = "contributor"
) -> UserPublic:
    """Every editorial write: a logged-in account with the role, and a valid CSRF token."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "log in as an editor first")
    check_csrf(request, submitted_csrf)
    from shadowfleet.registry.users import ROLE_RANK

    if ROLE_RANK[user.role] < ROLE_RANK[role]:
        raise HTTPException(403, f"this needs the {role} role; you are a {user.role}")
    return user
