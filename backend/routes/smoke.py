"""POST /api/smoke/start {qps, burst} and POST /api/smoke/stop: the load generator."""

from __future__ import annotations

from flask import Blueprint

from backend.core.commands import Empty, SmokeStart
from backend.utils.errors import json_response
from backend.utils.schema import api

from .common import submit_and_wait
from .models import Smoke

bp = Blueprint("smoke", __name__)


def smoke_state(e) -> dict:
    """The generator's state as the engine reports it after the command was applied."""
    return e.snapshot(sat_limit=0)["smoke"]


@bp.post("/api/smoke/start")
@api("Start (or retune) the load generator", body=SmokeStart, responses={200: Smoke}, waits=True)
def start(body: SmokeStart):
    return json_response(submit_and_wait({"type": "smoke_start", **body.model_dump()}, smoke_state))


@bp.post("/api/smoke/stop")
@api("Stop the load generator", body=Empty, body_required=False, responses={200: Smoke}, waits=True)
def stop(body: Empty):
    return json_response(submit_and_wait({"type": "smoke_stop"}, smoke_state))
