"""Test hooks (registered only with TEST_HOOKS=1): POST /api/_test/fault {loop, times} makes a
loop raise; POST /api/_test/slow {ticks, seconds} makes each of the next ticks burn that much
extra CPU inside the step (pure Python, holding the GIL as a heavy tick does)."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import json_response
from backend.utils.schema import api

from .common import svc
from .models import FaultIn, FaultOut, SlowIn

bp = Blueprint("testhooks", __name__)


@bp.post("/api/_test/slow")
@api("Make each of the next ticks burn extra CPU (TEST_HOOKS=1 only)", body=SlowIn, responses={200: FaultOut})
def slow(body: SlowIn):
    svc().loops.faults.slow(body.ticks, body.seconds)
    return json_response({"armed": body.model_dump()})


@bp.post("/api/_test/fault")
@api("Make a loop raise (TEST_HOOKS=1 only)", body=FaultIn, responses={200: FaultOut})
def fault(body: FaultIn):
    svc().loops.faults.arm(body.loop, body.times)
    return json_response({"armed": body.model_dump(exclude_unset=True)})
