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
    """Read one entity from the latest published view; None is a 404."""
    n = parse_id(kind, ident)
    out = svc().rt.read(lambda e: read(e, n))
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


class CommandPending(ApiError):
    """The wait for a command's step timed out: 202 with its ledger entry and where to poll."""

    def __init__(self, entry: dict):
        super().__init__(202, "pending", f"command {entry['command_id']} is queued; poll its status")
        self.entry = entry

    def body(self) -> dict:
        return {**self.entry, "poll": f"/api/commands/{self.entry['command_id']}"}


def submit_and_settle(cmd: dict) -> tuple[dict, dict]:
    """Submit a command and wait for the step that takes it: (submit answer, ledger entry).

    Raises CommandPending (202) when that step has not run within QUERY_TIMEOUT_S; the
    command stays queued and is applied or rejected exactly once."""
    rt = svc().rt
    seq, result = rt.submit_numbered(cmd)
    entry = rt.wait_applied(seq)
    if entry["status"] == "pending":
        raise CommandPending(entry)
    return result, entry


def submit_and_wait(cmd: dict, read=None, rejected_code: str = "command_rejected"):
    """Submit a command, wait for the step that applies it, and return `read(view)` of the
    state right after that step (or the submit answer when `read` is None). A command the
    engine refused when applying it is a 409 `rejected_code` with the reason."""
    result, entry = submit_and_settle(cmd)
    if entry["status"] == "rejected":
        err = entry["error"]
        raise ApiError(409, rejected_code, err["message"], err["field"])
    return result if read is None else svc().rt.read(read)
