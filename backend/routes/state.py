"""GET /api/state: the snapshot, paged and filtered so it stays usable at 10,000 satellites.

Query parameters: sat_offset (first satellite index, default 0), sat_limit (how many, default
all), fields (comma-separated satellite fields to keep, default all).
"""

from __future__ import annotations

from flask import Blueprint

from backend.runtime import snapshot
from backend.utils.errors import ApiError, json_response
from backend.utils.schema import api

from .common import svc
from .models import Snapshot, StateQuery

bp = Blueprint("state", __name__)

SAT_FIELDS = ("satellite_id", "plane", "slot", "position", "energy_amount", "max_energy",
              "energy_pct", "consumption_rate", "solar_rate", "sunlit", "sun_fraction", "in_service", "blackout",
              "processing_capacity", "current_tasks", "queue_length", "committed_energy",
              "backlog_work", "giving_energy", "beam_peer", "receiving_from", "predicted_energy",
              "predicted_pct", "topup_requested")


def _fields(raw: str | None) -> list | None:
    if not raw:
        return None
    names = [f.strip() for f in raw.split(",") if f.strip()]
    for name in names:
        if name not in SAT_FIELDS:
            raise ApiError(400, "invalid_value", f"fields: unknown satellite field {name!r}", "fields")
    return names


@bp.get("/api/state")
@api("Snapshot (paged)", query=StateQuery, responses={200: Snapshot})
def get_state(query: StateQuery):
    fields = _fields(query.fields)
    snap = snapshot(svc().rt, sat_offset=query.sat_offset, sat_limit=query.sat_limit)
    if fields:
        snap = dict(snap, satellites=[{k: s[k] for k in fields} for s in snap["satellites"]])
    return json_response(snap)
