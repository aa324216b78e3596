"""Security: response headers, CSRF tokens, editor sessions, and in-memory rate limits."""

import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable

from fastapi import HTTPException, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
# Cytoscape.js inserts one fixed <style> element (".__________cytoscape_container { position: relative; }");
# allowing exactly that text by its hash keeps style-src free of 'unsafe-inline'.
CYTOSCAPE_STYLE_HASH = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"


def content_security_policy(extra_origins: Iterable[str] = ()) -> str:
    extra = " ".join(extra_origins)
    # MapLibre decodes map images through blob: URLs and runs its worker from our own origin.
    return (
        "default-src 'self'; "
        "script-src 'self'; "
        f"style-src 'self' {CYTOSCAPE_STYLE_HASH}; "
        f"img-src 'self' data: blob: {extra}".rstrip()
        + "; "
        + f"connect-src 'self' {extra}".rstrip()
        + "; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
            await send(message)

        await self.app(scope, receive, add_headers)


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get(CSRF_FIELD)
    if not expected or not submitted or not secrets.compare_digest(str(expected), str(submitted)):
        raise HTTPException(403, "missing or invalid CSRF token; reload the form and try again")


class RateLimiter:
    """Sliding-window limit of `max_events` per `window_s` per key (client address + action)."""

    def __init__(self, max_events: int, window_s: float) -> None:
        self.max_events = max_events
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window_s:
                hits.popleft()
            if len(hits) >= self.max_events:
                retry_s = max(1, int(self.window_s - (now - hits[0])) + 1)
                raise HTTPException(
                    429,
                    f"too many requests; try again in {retry_s} s",
                    headers={"Retry-After": str(retry_s)},
                )
            hits.append(now)


def client_key(request: Request, action: str) -> str:
    host = request.client.host if request.client else "unknown"
    return f"{action}:{host}"
