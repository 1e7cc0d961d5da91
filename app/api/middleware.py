"""Request-level protections and measurements: body size, security headers, metrics, access logs, and a
warning naming the setting when a site missing from ALLOWED_ORIGINS calls the API."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import Metrics

log = logging.getLogger("app.access")
cors_log = logging.getLogger("app.cors")
TOO_LARGE = "Yêu cầu quá lớn (tối đa {limit} byte). / Request body too large (at most {limit} bytes)."
PAGES = ("/", "/helpdesk", "/admin")
DEFAULT_PORTS = {"http": 80, "https": 443}


class BodySizeLimit:
    """413 for bodies over the limit, whether announced by Content-Length or streamed (pure ASGI); the paths
    in `larger` (an upload) have their own limit."""

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None):
        self.app = app
        self.limit = limit
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.limit)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._reject(scope, receive, send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(scope, receive, send, limit)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = JSONResponse({"detail": TOO_LARGE.format(limit=limit)}, status_code=413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def content_security_policy(frame_ancestors: str, script_src: str = "'self'", style_src: str = "'self'") -> str:
    """The pages' CSP: everything from this origin only; inline script only where a page adds its hashes."""
    return (
        f"default-src 'self'; script-src {script_src}; style-src {style_src}; img-src 'self' data:; "
        f"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {frame_ancestors}"
    )


def _is_own_origin(origin: str, host: str) -> bool:
    """Whether the Origin is this service itself, as the Host header names it; a proxy may drop the port from
    Host (nginx's $host), and then the host name alone decides."""
    try:
        theirs, ours = urlsplit(origin), urlsplit(f"//{host}")
        if theirs.hostname != ours.hostname:
            return False
        return ours.port is None or (theirs.port or DEFAULT_PORTS.get(theirs.scheme)) == ours.port
    except ValueError:  # a malformed header
        return False


class RefusedOriginWarning:
    """Logs, once per origin, a browser call from a site that is not in ALLOWED_ORIGINS, naming the setting to
    change: the browser hides the refusal from the page, so without this the site's widget just fails. The
    response itself is CORSMiddleware's, unchanged (pure ASGI, placed just outside it)."""

    MAX_ORIGINS = 256  # any client can send any Origin header: memory and log lines stay bounded

    def __init__(self, app: ASGIApp, allowed_origins: list[str]):
        self.app = app
        self.allowed = frozenset(allowed_origins)
        self.warned: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "*" not in self.allowed:
            self._check(scope)
        await self.app(scope, receive, send)

    def _check(self, scope: Scope) -> None:
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1")[:200]
        if not origin or origin in self.allowed or origin in self.warned:
            return
        host = headers.get(b"host", b"").decode("latin-1")
        if _is_own_origin(origin, host):
            return
        if len(self.warned) >= self.MAX_ORIGINS:
            return
        self.warned.add(origin)
        cors_log.warning(
            "refused a browser call from %s: that site's widget cannot answer until the origin is added to "
            "ALLOWED_ORIGINS (comma-separated)%s", origin,
            "; no further refused origins will be logged" if len(self.warned) == self.MAX_ORIGINS else "",
            extra={"fields": {"origin": origin, "setting": "ALLOWED_ORIGINS"}})


# metric labels come from a closed set: any other method string a client sends is counted as "OTHER"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _method_name(request: Request) -> str:
    """The request method when it is a standard one, else "OTHER", so metrics stay bounded."""
    return request.method if request.method in KNOWN_METHODS else "OTHER"


def _route_name(request: Request) -> str:
    """The route template ("/api/chat"), never the raw path, so metrics stay bounded."""
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))


class ObservabilityMiddleware(BaseHTTPMiddleware):
    """Counts and times requests by route, adds security headers, writes one access log line."""

    def __init__(self, app: ASGIApp, metrics: Metrics, frame_ancestors: str):
        super().__init__(app)
        self.metrics = metrics
        self.csp = content_security_policy(frame_ancestors)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = _route_name(request)  # known once routing has run
        self.metrics.requests.labels(route, _method_name(request), str(response.status_code)).inc()
        self.metrics.latency.labels(route).observe(elapsed)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if route in PAGES:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        # the path and status only: query strings and bodies may carry personal data
        log.info("request", extra={"fields": {"route": route, "method": _method_name(request),
                                              "status": response.status_code, "ms": round(elapsed * 1000, 1)}})
        return response
