"""Helpers shared by the route modules: services, id parsing, query parameters."""

from __future__ import annotations

import re

from flask import current_app, request

from backend.utils.errors import ApiError, not_found

_ID = re.compile(r"^(sat|drone|task)-(0|[1-9][0-9]{0,11})$")


def svc():
    """The app's services (settings, rt, hub, loops, metrics)."""
    return current_app.extensions["vpp"]


def parse_id(kind: str, ident: str) -> int:
    """'sat-3' -> 3 for kind 'sat'; anything else is a 404."""
    m = _ID.match(ident)
    if not m or m.group(1) != kind:
        raise not_found({"sat": "satellite", "drone": "drone", "task": "task"}[kind], ident)
    return int(m.group(2))


def entity_or_404(kind: str, ident: str, read) -> dict:
    """Read one entity in the tick loop; None from the engine is a 404."""
    n = parse_id(kind, ident)
    out = svc().rt.query(lambda e: read(e, n))
    if out is None:
        raise not_found({"sat": "satellite", "drone": "drone", "task": "task"}[kind], ident)
    return out


def int_arg(name: str, default, lo: int, hi: int):
    """An integer query parameter within [lo, hi] or a 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]+", raw):
        raise ApiError(400, "invalid_type", f"{name}: expected a non-negative integer, got {raw!r}", name)
    value = int(raw)
    if not lo <= value <= hi:
        raise ApiError(400, "out_of_range", f"{name}(={value}) must be within [{lo}, {hi}]", name)
    return value


def check_args(allowed: tuple) -> None:
    """Unknown query parameters are rejected like unknown body fields."""
    for name in request.args:
        if name not in allowed:
            raise ApiError(400, "unknown_field", f"{name}: unknown query parameter; expected one of "
                           f"{list(allowed)}", name)


def submit_and_wait(cmd: dict, read=None):
    """Submit a command, wait for the step that applies it, and return `read(engine)` taken
    right after that step (or the submit result when `read` is None)."""
    rt = svc().rt
    result = rt.submit(cmd)
    after = rt.query(read or (lambda e: None), after_step=True)
    return result if read is None else after
