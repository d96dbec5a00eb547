"""One API error type and one handler: every error body is {"error": {code, message, field}}.

Covers our own validation errors, engine ValueErrors (mapped to 400 with the field they
name), and every werkzeug HTTPException (400 malformed, 404, 405, 413, ...).
"""

from __future__ import annotations

import logging
import re

import orjson
from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from backend.core.validation import Conflict, FieldError

log = logging.getLogger(__name__)

# Engine messages look like "w1(=2.0) must be ...", "origin.lat: expected ...",
# "qps: ...": the field is the leading dotted name.
_FIELD_RE = re.compile(r"^\s*([A-Za-z_][\w.\[\]]*)\s*(?:\(=|:)")


class ApiError(Exception):
    """An error answered as JSON: HTTP status, short code, message, offending field or None."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def field_of(message: str) -> str | None:
    """The field name an engine ValueError message starts with, or None."""
    m = _FIELD_RE.match(message)
    return m.group(1) if m else None


def from_value_error(exc: ValueError) -> ApiError:
    """A 400 error (409 for a Conflict) carrying the field (and code) of a FieldError, or the
    field named in the engine's message."""
    msg = str(exc)
    return ApiError(409 if isinstance(exc, Conflict) else 400, getattr(exc, "code", "invalid_value"), msg,
                    getattr(exc, "field", None) or field_of(msg))


def not_found(kind: str, ident) -> ApiError:
    return ApiError(404, "not_found", f"no {kind} {ident!r}", None)


def json_response(payload, status: int = 200) -> Response:
    """Serialise with orjson (numpy scalars and arrays allowed)."""
    data = orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY)
    return Response(data, status=status, mimetype="application/json")


def error_response(err: ApiError) -> Response:
    """The error as JSON, with any headers it carries (e.g. Retry-After on a 429)."""
    resp = json_response(err.body(), err.status)
    resp.headers.update(getattr(err, "headers", None) or {})
    return resp


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type",
               429: "too_many_requests", 503: "unavailable"}


def _http_error(exc: HTTPException) -> Response:
    code = _HTTP_CODES.get(exc.code, "http_error")
    resp = error_response(ApiError(exc.code or 500, code, exc.description or exc.name))
    if exc.code == 405 and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return resp


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error in request")
    return error_response(ApiError(500, "internal_error", f"{type(exc).__name__}: {exc}"))


def register_error_handlers(app: Flask) -> None:
    """Install the single error path for the whole app."""
    app.register_error_handler(ApiError, error_response)
    app.register_error_handler(FieldError, lambda exc: error_response(from_value_error(exc)))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
