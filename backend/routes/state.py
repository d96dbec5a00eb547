"""GET /api/state: the snapshot, paged and filtered so it stays usable at 10,000 satellites.

Query parameters: sat_offset (first satellite index, default 0), sat_limit (how many, default
all), fields (comma-separated satellite fields to keep, default all).
"""

from __future__ import annotations

from flask import Blueprint

from backend.runtime import snapshot
from backend.utils.errors import json_response
from backend.utils.schema import api

from .common import svc
from .models import Snapshot, StateQuery

bp = Blueprint("state", __name__)


def _fields(raw: str | None) -> list | None:
    return raw.split(",") if raw else None


@bp.get("/api/state")
@api("Snapshot (paged)", query=StateQuery, responses={200: Snapshot})
def get_state(query: StateQuery):
    fields = _fields(query.fields)
    snap = snapshot(svc().rt, sat_offset=query.sat_offset, sat_limit=query.sat_limit)
    if fields:
        snap = dict(snap, satellites=[{k: s[k] for k in fields} for s in snap["satellites"]])
    return json_response(snap)
