"""POST /api/reset, /api/sim/pause, /api/sim/resume, /api/sim/step: the simulation clock."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import ApiError, json_response
from backend.utils.jsonbody import json_body
from backend.utils.schema import Field, Schema, validate

from .common import submit_and_wait, svc
from .smoke import EMPTY

bp = Blueprint("sim", __name__)

RESET = Schema("Reset", {
    "seed": Field("integer", min=0, max=2**63 - 1, doc="RNG seed (default: the current one)",
                  example=7),
    "scenario": Field("object", free_object=True, doc="partial Scenario: n_satellites, planes, ...",
                      example={"n_satellites": 600}),
})
STEP = Schema("Step", {
    "ticks": Field("integer", min=1, max=1000, doc="ticks to advance while paused (default 1)",
                   example=5),
})


def clock(e) -> dict:
    """Where the simulation stands right after the step that applied the command."""
    snap = e.snapshot(sat_limit=0)
    return {k: snap[k] for k in ("tick", "sim_time", "sim_date", "paused", "dt", "seed",
                                 "n_satellites", "n_drones")}


@bp.post("/api/reset")
def reset():
    body = validate(json_body(optional=True), RESET)
    return json_response(submit_and_wait({"type": "reset", **body}, clock))


@bp.post("/api/sim/pause")
def pause():
    validate(json_body(optional=True), EMPTY)
    return json_response(submit_and_wait({"type": "pause"}, clock))


@bp.post("/api/sim/resume")
def resume():
    validate(json_body(optional=True), EMPTY)
    return json_response(submit_and_wait({"type": "resume"}, clock))


@bp.post("/api/sim/step")
def step():
    body = validate(json_body(optional=True), STEP)
    if not svc().rt.read(lambda e: e.paused):
        raise ApiError(409, "not_paused", "step works while paused: POST /api/sim/pause first", None)
    return json_response(submit_and_wait({"type": "step", **body}, clock))
