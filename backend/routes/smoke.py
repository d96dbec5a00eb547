"""POST /api/smoke/start {qps, burst} and POST /api/smoke/stop: the load generator."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import json_response
from backend.utils.jsonbody import json_body
from backend.utils.schema import Field, Schema, validate

from .common import submit_and_wait

bp = Blueprint("smoke", __name__)

SMOKE_START = Schema("SmokeStart", {
    "qps": Field("number", required=True, min=0.0, exclusive_min=True,
                 doc="tasks per wall second, at most config smoke.qps_max", example=50),
    "burst": Field("integer", min=1, max=1_000_000, doc="tasks per burst (default 1)", example=10),
})
EMPTY = Schema("Empty", {})


def smoke_state(e) -> dict:
    """The generator's state as the engine reports it after the command was applied."""
    return e.snapshot(sat_limit=0)["smoke"]


@bp.post("/api/smoke/start")
def start():
    body = validate(json_body(), SMOKE_START)
    return json_response(submit_and_wait({"type": "smoke_start", **body}, smoke_state))


@bp.post("/api/smoke/stop")
def stop():
    validate(json_body(optional=True), EMPTY)
    return json_response(submit_and_wait({"type": "smoke_stop"}, smoke_state))
