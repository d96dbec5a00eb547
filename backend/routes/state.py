"""GET /api/state: the snapshot, paged and filtered so it stays usable at 10,000 satellites.

Query parameters: sat_offset (first satellite index, default 0), sat_limit (how many, default
all), fields (comma-separated satellite fields to keep, default all).
"""

from __future__ import annotations

from flask import Blueprint, request

from backend.runtime import snapshot
from backend.utils.errors import ApiError, json_response

from .common import check_args, int_arg, svc

bp = Blueprint("state", __name__)

SAT_FIELDS = ("satellite_id", "plane", "slot", "position", "energy_amount", "max_energy",
              "energy_pct", "consumption_rate", "solar_rate", "sunlit", "blackout",
              "processing_capacity", "task_queue", "queue_length", "committed_energy",
              "backlog_work", "giving_energy", "beam_peer", "receiving_from", "predicted_energy",
              "predicted_pct", "topup_requested")
STATE_ARGS = ("sat_offset", "sat_limit", "fields")


def _fields() -> list | None:
    raw = request.args.get("fields")
    if not raw:
        return None
    names = [f.strip() for f in raw.split(",") if f.strip()]
    for name in names:
        if name not in SAT_FIELDS:
            raise ApiError(400, "invalid_value", f"fields: unknown satellite field {name!r}", "fields")
    return names


@bp.get("/api/state")
def get_state():
    check_args(STATE_ARGS)
    offset = int_arg("sat_offset", 0, 0, 10_000_000)
    limit = int_arg("sat_limit", None, 0, 10_000_000)
    fields = _fields()
    snap = snapshot(svc().rt, sat_offset=offset, sat_limit=limit)
    if fields:
        snap = dict(snap, satellites=[{k: s[k] for k in fields} for s in snap["satellites"]])
    return json_response(snap)
