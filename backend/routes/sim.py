"""POST /api/reset, /api/sim/pause, /api/sim/resume, /api/sim/step: the simulation clock."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import json_response
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


def clock() -> dict:
    """Where the simulation stands after the last applied command."""
    def read(e):
        return {"tick": e.tick, "sim_time": e.sim_time, "paused": bool(e.paused), "dt": e.dt,
                "n_satellites": e.snapshot(sat_limit=0)["n_satellites"]}
    return svc().rt.query(read)


@bp.post("/api/reset")
def reset():
    body = validate(json_body(optional=True), RESET)
    submit_and_wait({"type": "reset", **body})
    return json_response(clock())


@bp.post("/api/sim/pause")
def pause():
    validate(json_body(optional=True), EMPTY)
    submit_and_wait({"type": "pause"})
    return json_response(clock())


@bp.post("/api/sim/resume")
def resume():
    validate(json_body(optional=True), EMPTY)
    submit_and_wait({"type": "resume"})
    return json_response(clock())


@bp.post("/api/sim/step")
def step():
    body = validate(json_body(optional=True), STEP)
    submit_and_wait({"type": "step", **body})
    return json_response(clock())
