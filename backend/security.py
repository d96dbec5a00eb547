"""The door: Host check (DNS rebinding), allowed origins, the API token, JSON-only bodies and
security headers on every response.

- Host: a request whose Host header is not in ALLOWED_HOSTS gets 403 (a WSGI middleware, so it
  covers the Socket.IO transport too).
- Origin: a browser request from an origin other than the served one or CORS_ORIGINS gets 403;
  allowed cross-site origins get CORS headers (the Socket.IO handshake is checked by
  python-engineio against the same list).
- Token: with API_TOKEN set, every state-changing request (POST, PATCH, PUT, DELETE) needs
  `Authorization: Bearer <token>` (401 otherwise); the socket checks it at connect (backend/ws.py).
- Bodies: a state-changing request with a body, or with a Content-Type, must be
  application/json (415), which also forces a CORS preflight on cross-site requests.
"""

from __future__ import annotations

import hmac

import orjson
from flask import Flask, request

from backend.config import Settings
from backend.utils.errors import ApiError
from backend.utils.jsonbody import require_json_type

CHANGING = frozenset({"POST", "PATCH", "PUT", "DELETE"})
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; "
       "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Resource-Policy": "same-origin"}


def _host_name(host: str) -> str:
    """'Example.com:5000' -> 'example.com'; '[::1]:5000' -> '[::1]'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host: str, allowed: tuple | None) -> bool:
    """Whether a Host header value is accepted (by name, or by name:port as listed)."""
    if allowed is None:
        return True
    host = host.strip().lower()
    return bool(host) and (host in allowed or _host_name(host) in allowed)


class HostCheck:
    """WSGI middleware: 403 in the usual error shape unless the Host header is allowed."""

    def __init__(self, app, allowed: tuple | None):
        self.app, self.allowed = app, allowed

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST", "")
        if host_allowed(host, self.allowed):
            return self.app(environ, start_response)
        body = orjson.dumps(ApiError(403, "host_not_allowed", f"Host {host!r} is not allowed "
                                     "(ALLOWED_HOSTS)").body())
        start_response("403 FORBIDDEN", [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body))), *HEADERS.items()])
        return [body]


def origin_allowed(origin: str, host: str, scheme: str, allowed: tuple | None) -> bool:
    """Same origin as the request, or one of CORS_ORIGINS (None: any)."""
    origin = origin.rstrip("/").lower()
    if allowed is None or origin == f"{scheme}://{host}".lower():
        return True
    return origin in allowed


def token_ok(header: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>` matches (constant-time compare)."""
    if not token:
        return True
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def install(app: Flask, st: Settings) -> None:
    """Register the checks and headers on `app` (call before the socket middleware wraps it)."""
    origins = st.cors_origins()

    @app.before_request
    def _door():
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(origin, request.host, request.scheme, origins):
            raise ApiError(403, "origin_not_allowed", f"Origin {origin!r} is not allowed (CORS_ORIGINS)")
        if request.method in CHANGING:
            if not token_ok(request.headers.get("Authorization"), st.API_TOKEN):
                raise ApiError(401, "unauthorized", "this route changes state: send "
                               "'Authorization: Bearer <API_TOKEN>'")
            require_json_type(bool(request.content_length) or "chunked" in
                              request.headers.get("Transfer-Encoding", "").lower())

    @app.after_request
    def _headers(resp):
        for key, value in HEADERS.items():
            resp.headers.setdefault(key, value)
        origin = request.headers.get("Origin")
        if origin and origin_allowed(origin, request.host, request.scheme, origins):
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, OPTIONS"
            resp.headers["Access-Control-Max-Age"] = "600"
            resp.headers.add("Vary", "Origin")
        if resp.status_code == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="vpp"'
        return resp


def socketio_origins(st: Settings):
    """cors_allowed_origins for python-engineio: the same rule as REST (served origin or
    CORS_ORIGINS), as a callable of (origin, environ)."""
    origins = st.cors_origins()

    def allowed(origin, environ) -> bool:
        return origin is None or origin_allowed(origin, environ.get("HTTP_HOST", ""),
                                                environ.get("wsgi.url_scheme", "http"), origins)

    return allowed
