"""POST /api/tasks (create a task) and GET /api/tasks/<task_id>."""

from __future__ import annotations

from flask import Blueprint

from backend.utils.errors import json_response, not_found
from backend.utils.jsonbody import json_body
from backend.utils.schema import Field, Schema, validate

from .common import parse_id, svc

bp = Blueprint("tasks", __name__)

ORIGIN = Schema("Origin", {
    "lat": Field("number", required=True, min=-90.0, max=90.0, doc="degrees", example=10.0),
    "lon": Field("number", required=True, min=-180.0, max=180.0, doc="degrees", example=20.0),
})
TASK_IN = Schema("TaskIn", {
    "energy_need": Field("number", required=True, min=0.0, doc="EU drawn over the task's run",
                         example=5.0),
    "processing_power_needed": Field("number", required=True, min=0.0, exclusive_min=True,
                                     doc="work units", example=40.0),
    "priority": Field("string", enum=("low", "medium", "high"), doc="default medium",
                      example="high"),
    "origin": Field("object", schema=ORIGIN, nullable=True, doc="ground origin, optional"),
}, doc="A task minus task_id and created_at")


@bp.post("/api/tasks")
def create_task():
    body = validate(json_body(), TASK_IN)
    task = svc().rt.submit({"type": "add_task", **body})
    return json_response(task, 201)


@bp.get("/api/tasks/<task_id>")
def get_task(task_id: str):
    n = parse_id("task", task_id)
    rt = svc().rt
    task = rt.read(lambda e: e.task(n))
    if task is None and n < rt.engine.book.next_id:  # its add_task is still queued: next step
        task = rt.read_after_step(lambda e: e.task(n))
    if task is None:
        raise not_found("task", task_id)
    return json_response(task)
