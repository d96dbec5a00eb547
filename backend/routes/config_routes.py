"""GET /api/config and POST /api/config (partial, validated whole, applied between ticks)."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import json_response
from backend.utils.jsonbody import json_body

from .common import submit_and_wait, svc

bp = Blueprint("config", __name__)


def _config() -> dict:
    return svc().rt.read(lambda e: e.config.to_dict())


@bp.get("/api/config")
def get_config():
    return json_response(_config())


@bp.post("/api/config")
def post_config():
    body = json_body()
    return json_response(submit_and_wait({"type": "set_config", "config": body},
                                         lambda e: e.config.to_dict()))
