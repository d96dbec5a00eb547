"""POST /api/tasks (create a task) and GET /api/tasks/<task_id>.

Admission: while the pending queue (as of the latest tick, plus commands not yet applied) is at
its high-water mark (core/smoke.py: 90 % of queue_capacity), POST /api/tasks answers 429
`over_high_water` with Retry-After (whole seconds) and changes nothing.
"""

from __future__ import annotations

import math

from flask import Blueprint

from backend.core.commands import TaskIn
from backend.core.ids import TaskId
from backend.core.smoke import high_water
from backend.utils.errors import ApiError, json_response, not_found
from backend.utils.schema import api

from .common import parse_id, svc
from .models import Task

bp = Blueprint("tasks", __name__)

RETRY_AFTER_TICKS = 10  # Retry-After: about this many ticks, at least 1 s


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
@api("Create a task", body=TaskIn, responses={201: Task}, errors=(429,))
def create_task(body: TaskIn):
    rt = svc().rt
    _admit(rt)
    task = rt.submit({"type": "add_task", **body.model_dump()})
    return json_response(task, 201)


@bp.get("/api/tasks/<task_id>")
@api("One task (recent or live)", path={"task_id": TaskId}, responses={200: Task})
def get_task(task_id: str):
    n = parse_id("task", task_id)
    rt = svc().rt
    task = rt.read(lambda e: e.task(n))
    if task is None and rt.task_reserved(n):  # its add_task is still queued: next step
        task = rt.read_after_step(lambda e: e.task(n))
    if task is None:
        raise not_found("task", task_id)
    return json_response(task)
