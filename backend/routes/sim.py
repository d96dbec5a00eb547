"""POST /api/reset, /api/sim/pause, /api/sim/resume, /api/sim/step: the simulation clock."""

from __future__ import annotations

from flask import Blueprint

from backend.core.commands import Empty, Reset, Step
from backend.utils.errors import ApiError, json_response
from backend.utils.schema import api

from .common import CommandPending, submit_and_apply, submit_and_wait, svc
from .models import Clock

bp = Blueprint("sim", __name__)


def clock(e) -> dict:
    """Where the simulation stands right after the step that applied the command."""
    snap = e.snapshot(sat_limit=0)
    return {k: snap[k] for k in ("tick", "sim_time", "sim_date", "paused", "dt", "seed",
                                 "n_satellites", "n_drones")}


@bp.post("/api/reset")
@api("Back to the seed state (optional seed, scenario)", body=Reset, body_required=False,
     responses={200: Clock}, waits=True)
def reset(body: Reset):
    return json_response(submit_and_wait({"type": "reset", **body.model_dump(exclude_unset=True,
                                                                             exclude_none=True)}, clock))


@bp.post("/api/sim/pause")
@api("Pause the clock", body=Empty, body_required=False, responses={200: Clock}, waits=True)
def pause(body: Empty):
    return json_response(submit_and_wait({"type": "pause"}, clock))


@bp.post("/api/sim/resume")
@api("Resume the clock", body=Empty, body_required=False, responses={200: Clock}, waits=True)
def resume(body: Empty):
    return json_response(submit_and_wait({"type": "resume"}, clock))


@bp.post("/api/sim/step")
@api("Advance while paused; answers after the last of the ticks", body=Step, body_required=False,
     responses={200: Clock}, errors=(409,), waits=True)
def step(body: Step):
    rt = svc().rt
    if not rt.read(lambda e: e.paused):
        raise ApiError(409, "not_paused", "step works while paused: POST /api/sim/pause first", None)
    _, entry = submit_and_apply({"type": "step", **body.model_dump()})
    if not rt.wait_view(lambda v: v.steps_left == 0):  # a pause or reset also ends the steps
        raise CommandPending(entry)
    return json_response(rt.read(clock))
