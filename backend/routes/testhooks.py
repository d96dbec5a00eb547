"""Test hooks (registered only with TEST_HOOKS=1): POST /api/_test/fault {loop, times} makes a
loop raise; POST /api/_test/slow {ticks, seconds} makes each of the next ticks burn that much
extra CPU inside the step (pure Python, holding the GIL as a heavy tick does)."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import json_response
from backend.utils.jsonbody import json_body
from backend.utils.schema import Field, Schema, validate

from .common import svc

bp = Blueprint("testhooks", __name__)

FAULT = Schema("Fault", {
    "loop": Field("string", required=True, enum=("tick", "fanout")),
    "times": Field("integer", min=1, max=1000, doc="consecutive failures (default 1)"),
})


SLOW = Schema("Slow", {
    "ticks": Field("integer", required=True, min=0, max=100000, doc="ticks to slow (0: stop)"),
    "seconds": Field("number", required=True, min=0.0, max=60.0, doc="extra wall s per tick"),
})


@bp.post("/api/_test/slow")
def slow():
    body = validate(json_body(), SLOW)
    svc().loops.faults.slow(body["ticks"], body["seconds"])
    return json_response({"armed": body})


@bp.post("/api/_test/fault")
def fault():
    body = validate(json_body(), FAULT)
    svc().loops.faults.arm(body["loop"], body.get("times", 1))
    return json_response({"armed": body})
