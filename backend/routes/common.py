"""Helpers shared by the route modules: services, id parsing, waiting for a command."""

from __future__ import annotations

from flask import current_app

from backend.core import ids
from backend.utils.errors import ApiError, not_found


def svc():
    """The app's services (settings, rt, hub, loops, metrics)."""
    return current_app.extensions["vpp"]


def parse_id(kind: str, ident: str) -> int:
    """Array index of a canonical id ('sat-003' -> 2, backend.core.ids); anything else
    ('sat-3', 'sat-0003', 'sat-003\\n', 'sat-٣') is a 404."""
    n = ids.parse_id(kind, ident)
    if n is None:
        raise not_found(ids.NOUN[kind], ident)
    return n


def entity_or_404(kind: str, ident: str, read) -> dict:
    """Read one entity from the latest published view; None is a 404."""
    n = parse_id(kind, ident)
    out = svc().rt.read(lambda e: read(e, n))
    if out is None:
        raise not_found(ids.NOUN[kind], ident)
    return out


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


def submit_and_apply(cmd: dict, rejected_code: str = "command_rejected") -> tuple[dict, dict]:
    """`submit_and_settle`, and a command the engine refused when applying it is a 409
    `rejected_code` with the reason."""
    result, entry = submit_and_settle(cmd)
    if entry["status"] == "rejected":
        err = entry["error"]
        raise ApiError(409, rejected_code, err["message"], err["field"])
    return result, entry


def submit_and_wait(cmd: dict, read=None, rejected_code: str = "command_rejected"):
    """Submit a command, wait for the step that applies it, and return `read(view)` of the
    state right after that step (or the submit answer when `read` is None)."""
    result, _ = submit_and_apply(cmd, rejected_code)
    return result if read is None else svc().rt.read(read)
