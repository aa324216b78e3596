"""One error shape for every failure, API and pages alike.

API responses (and any client that does not ask for HTML) get JSON:
`{"error": {"status": 404, "code": "not_found", "message": "...", "details": [...]}}`.
Browsers get the same facts rendered as a page. Unhandled exceptions are logged and become 500s.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("shadowfleet.web")

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
}


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorResponse(BaseModel):
    """The shape of every error the server returns."""

    error: ErrorBody


def error_payload(status: int, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": STATUS_CODES.get(status, "error"),
            "message": message,
            "details": details or [],
        }
    }


def wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request,
    status: int,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_html(request):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            return templates.TemplateResponse(
                request,
                "error.html",
                {"status": status, "message": message, "details": details or []},
                status_code=status,
                headers=headers,
            )
    return JSONResponse(error_payload(status, message, details), status_code=status, headers=headers)


def _clean_validation(errors: list[Any]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        out.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(request, exc.status_code, message, headers=getattr(exc, "headers", None))

    from shadowfleet.registry.queries import NotFound
    from shadowfleet.registry.service import ConflictError, WorkflowError
    from shadowfleet.registry.users import AuthenticationError, PermissionDenied
    from shadowfleet.registry.validation import RegistryValidationError

    registry_statuses: list[tuple[type[Exception], int]] = [
        (NotFound, 404),
        (RegistryValidationError, 422),
        (ConflictError, 409),
        (WorkflowError, 409),
        (PermissionDenied, 403),
        (AuthenticationError, 401),
    ]
    for exc_type, status in registry_statuses:

        async def _registry(request: Request, exc: Exception, status: int = status) -> Response:
            message = str(exc.args[0]) if exc.args else str(exc)
            return error_response(request, status, message or exc.__class__.__name__)

        app.add_exception_handler(exc_type, _registry)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = _clean_validation(list(exc.errors()))
        names = ", ".join(".".join(d["loc"][1:] or d["loc"]) for d in details) or "request"
        return error_response(request, 422, f"invalid input: {names}", details)


class CatchAllErrors:
    """Outermost ASGI layer: an exception anywhere becomes a logged 500 in the error shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = JSONResponse(error_payload(500, "internal server error; it has been logged"), 500)
            await response(scope, receive, send)
