"""GET /api/config and POST /api/config (partial, validated whole, applied between ticks)."""

from __future__ import annotations

from flask import Blueprint

from backend.core.params import ConfigPatch, ConfigView
from backend.utils.errors import json_response
from backend.utils.jsonbody import json_body
from backend.utils.schema import api

from .common import submit_and_wait, svc

bp = Blueprint("config", __name__)


def _config() -> dict:
    return svc().rt.read(lambda e: e.config.to_dict())


@bp.get("/api/config")
@api("The whole simulation config", responses={200: ConfigView})
def get_config():
    return json_response(_config())


@bp.post("/api/config")
@api("Change part of the config (validated whole, applied between ticks)",
     body=ConfigPatch, responses={200: ConfigView}, waits=True)
def post_config(body: ConfigPatch):
    body = json_body()  # as sent: nested groups and flat keys keep their names in errors
    return json_response(submit_and_wait({"type": "set_config", "config": body},
                                         lambda e: e.config.to_dict()))
