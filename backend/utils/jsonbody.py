"""Strict JSON request bodies: application/json only, no duplicate keys, no NaN/Infinity,
size-limited, objects only. JSON has one number type: 885.0 is the integer 885 (as JSON Schema
counts it), so an integral literal with a fraction or exponent is read as an int."""

from __future__ import annotations

import json

from flask import request

from .errors import ApiError


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ApiError(400, "duplicate_key", f"duplicate key {key!r} in JSON body", key)
        obj[key] = value
    return obj


def _number(text: str) -> float | int:
    """A JSON number with a fraction or exponent: an int when it is integral (885.0, 1e3)."""
    value = float(text)
    return int(value) if value.is_integer() else value


class _NonFinite(str):
    """Marks a NaN/Infinity literal during parsing so its path can be reported."""


def _find_non_finite(value, path: str = ""):
    """(path, literal) of the first NaN/Infinity in a parsed body, or None."""
    if isinstance(value, _NonFinite):
        return path, str(value)
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        sub = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]"
        found = _find_non_finite(item, sub.lstrip("."))
        if found:
            return found
    return None


def loads_strict(raw: bytes | str):
    """Parse JSON text, rejecting duplicate keys and NaN/Infinity with an ApiError."""
    try:
        body = json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_NonFinite,
                          parse_float=_number)
    except ApiError:
        raise
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "malformed_json", f"body is not valid JSON: {exc}") from None
    found = _find_non_finite(body)
    if found:
        path, literal = found
        raise ApiError(400, "invalid_number", f"{path or 'body'}: {literal} is not allowed, numbers "
                       "must be finite", path or None)
    return body


def json_body(optional: bool = False) -> dict:
    """The request body as a JSON object; {} when empty and `optional`.

    Content-Type must be application/json whenever there is a body (415 otherwise, which also
    makes a cross-site browser request need a CORS preflight). Reading the body enforces
    MAX_CONTENT_LENGTH (werkzeug raises 413).
    """
    raw = request.get_data(cache=True)
    require_json_type(bool(raw))
    if not raw.strip():
        if optional:
            return {}
        raise ApiError(400, "missing_body", "a JSON object body is required")
    body = loads_strict(raw)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_type", f"body must be a JSON object, got {type(body).__name__}")
    return body


def require_json_type(has_body: bool) -> None:
    """415 unless the Content-Type is application/json (or absent with no body at all)."""
    ctype = request.mimetype
    if (has_body or ctype) and ctype != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type {ctype or 'missing'}: expected application/json")
