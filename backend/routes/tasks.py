"""POST /api/tasks (create a task) and GET /api/tasks/<task_id>.

Admission: while the pending queue (as of the latest tick, plus commands not yet applied) is at
its high-water mark (core/smoke.py: 90 % of queue_capacity), POST /api/tasks answers 429
`over_high_water` with Retry-After (whole seconds) and changes nothing.
"""

from __future__ import annotations

import math

from flask import Blueprint

from backend.core.smoke import high_water
from backend.utils.errors import ApiError, json_response, not_found
from backend.utils.jsonbody import json_body
from backend.utils.schema import Field, Schema, validate

from .common import parse_id, svc

bp = Blueprint("tasks", __name__)

RETRY_AFTER_TICKS = 10  # Retry-After: about this many ticks, at least 1 s

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


def _admit(rt) -> None:
    """429 while the queue is at its high-water mark."""
    config = rt.view().config
    mark = high_water(config.queue_capacity)
    pending = rt.latest.kpis.get("pending", 0) + rt.commands.pending()
    if pending >= mark:
        err = ApiError(429, "over_high_water", f"{pending} tasks pending, at the high-water mark of {mark} "
                       f"(90% of queue_capacity {config.queue_capacity}); retry later", None)
        err.headers = {"Retry-After": str(max(1, math.ceil(RETRY_AFTER_TICKS * config.tick_interval)))}
        raise err


@bp.post("/api/tasks")
def create_task():
    body = validate(json_body(), TASK_IN)
    rt = svc().rt
    _admit(rt)
    task = rt.submit({"type": "add_task", **body})
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
