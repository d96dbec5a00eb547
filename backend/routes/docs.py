"""GET /api/openapi.json (OpenAPI 3 of every route) and GET /api/docs (self-contained page)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response

from backend.core.params import schema_table
from backend.utils.errors import json_response
from backend.utils.schema import to_openapi

from .entities import LAUNCH, SET_SATELLITE
from .sim import RESET, STEP
from .smoke import EMPTY, SMOKE_START
from .state import SAT_FIELDS
from .tasks import TASK_IN

bp = Blueprint("docs", __name__)

_PAGE = Path(__file__).with_name("docs_page.html")

# (method, path, summary, body schema, query params, success status)
OPERATIONS = [
    ("post", "/api/tasks", "Create a task", TASK_IN, (), 201),
    ("get", "/api/tasks/{task_id}", "One task (recent or live)", None, (), 200),
    ("post", "/api/smoke/start", "Start the load generator", SMOKE_START, (), 200),
    ("post", "/api/smoke/stop", "Stop the load generator", EMPTY, (), 200),
    ("get", "/api/state", "Snapshot (paged)", None,
     (("sat_offset", "integer", "first satellite index (default 0)"),
      ("sat_limit", "integer", "satellites to include (default all)"),
      ("fields", "string", "comma-separated satellite fields: " + ",".join(SAT_FIELDS))), 200),
    ("get", "/api/config", "The whole simulation config", None, (), 200),
    ("post", "/api/config", "Change part of the config (validated whole, applied between ticks)",
     "config", (), 200),
    ("post", "/api/reset", "Back to the seed state (optional seed, scenario)", RESET, (), 200),
    ("post", "/api/sim/pause", "Pause the clock", EMPTY, (), 200),
    ("post", "/api/sim/resume", "Resume the clock", EMPTY, (), 200),
    ("post", "/api/sim/step", "Advance while paused", STEP, (), 200),
    ("get", "/api/satellites/{sat_id}", "One satellite", None, (), 200),
    ("post", "/api/satellites/{sat_id}", "set_satellite what-if hook", SET_SATELLITE, (), 200),
    ("patch", "/api/satellites/{sat_id}", "set_satellite (same as POST)", SET_SATELLITE, (), 200),
    ("get", "/api/drones/{drone_id}", "One drone", None, (), 200),
    ("post", "/api/drones/{drone_id}/launch", "Launch a drone to a satellite", LAUNCH, (), 200),
    ("post", "/api/drones/{drone_id}/recall", "Recall a drone", EMPTY, (), 200),
    ("get", "/api/health", "Loops alive, last tick age, overruns (503 when unhealthy)", None, (), 200),
    ("get", "/metrics", "Prometheus text exposition", None, (), 200),
    ("get", "/api/openapi.json", "This document", None, (), 200),
]

ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"},
    "field": {"type": "string", "nullable": True}}}}}


def _config_schema() -> dict:
    groups = {}
    for row in schema_table():
        num = "boolean" if isinstance(row["default"], bool) else (
            "integer" if isinstance(row["default"], int) else "number")
        prop = {"type": num, "default": row["default"], "description": f"{row['doc']} [{row['unit']}]"}
        if row["min"] is not None:
            prop["minimum"] = row["min"]
        if row["max"] is not None:
            prop["maximum"] = row["max"]
        groups.setdefault(row["group"], {"type": "object", "additionalProperties": False,
                                         "properties": {}})["properties"][row["key"]] = prop
    return {"type": "object", "additionalProperties": False, "properties": groups,
            "description": "partial; nested groups or flat keys"}


def _operation(method, path, summary, body, params, status) -> dict:
    op = {"summary": summary, "operationId": f"{method}_{path}".replace("/", "_").strip("_"),
          "responses": {str(status): {"description": "OK", "content": {"application/json": {}}},
                        "4XX": {"description": "error",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    names = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
    op["parameters"] = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                        for n in names]
    op["parameters"] += [{"name": n, "in": "query", "schema": {"type": t}, "description": d}
                         for n, t, d in params]
    if body is not None:
        schema = _config_schema() if body == "config" else to_openapi(body)
        op["requestBody"] = {"required": body not in (EMPTY, RESET, STEP),
                             "content": {"application/json": {"schema": schema}}}
    return op


def openapi() -> dict:
    paths: dict = {}
    for method, path, *rest in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, path, *rest)
    return {"openapi": "3.0.3",
            "info": {"title": "Satellite VPP", "version": "1.0",
                     "description": "REST control of the simulator; live events on Socket.IO /ws "
                                    "(see docs/api.md)."},
            "paths": paths, "components": {"schemas": {"Error": ERROR}}}


@bp.get("/api/openapi.json")
def openapi_json():
    return json_response(openapi())


@bp.get("/api/docs")
def docs_page():
    return Response(_PAGE.read_text(encoding="utf-8"), mimetype="text/html")
