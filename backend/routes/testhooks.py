"""POST /api/_test/fault {loop, times}: make a loop raise (registered only with TEST_HOOKS=1)."""

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


@bp.post("/api/_test/fault")
def fault():
    body = validate(json_body(), FAULT)
    svc().loops.faults.arm(body["loop"], body.get("times", 1))
    return json_response({"armed": body})
