"""Policy arena jobs: POST /api/arena starts one, GET /api/arena[/<job_id>[/report[/<file>]]] reads them.

A job runs `python -m backend.arena` in a subprocess (backend/arena/jobs.py): never in the tick
or a greenthread of the server, niced, one at a time, at most ARENA_MAX_SAT_HOURS per job. While
it runs, /ws sends `arena.progress` (runs done / total) and at its end `arena.finished`. Jobs
belong to the server process that started them (with ROLE=web, to that web process).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from flask import Blueprint, Response, current_app, send_file
from pydantic import BaseModel, ConfigDict, Field

from backend.arena import jobs as arena_jobs
from backend.arena.jobs import REPORT_FILES, ArenaJobIn, Busy, Jobs, Limits
from backend.envfile import ROOT
from backend.utils.errors import ApiError, json_response, not_found
from backend.utils.schema import FILE, api

from .common import svc

bp = Blueprint("arena", __name__)

JobId = Annotated[str, Field(pattern=r"^arena-[1-9][0-9]{0,8}$", examples=["arena-1"])]
ReportFile = Literal[REPORT_FILES]
WATCH_S = 0.5  # wall s between looks at a running job (for the /ws events)
RETRY_AFTER_S = 5


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Progress(Open):
    done: int = Field(description="runs finished")
    total: int = Field(description="runs in the job (policies x seeds)")


class ArenaJob(Open):
    """One arena job; `summary` (per policy and KPI: mean, 95 % interval, paired difference
    against the baseline) once it is done, `report` and `files` where to read the rest."""

    job_id: str = Field(examples=["arena-1"])
    state: Literal[arena_jobs.STATES] = Field(description="running, done, failed or cancelled")
    scenario: str
    policies: list[str]
    seeds: list[int]
    hours: float = Field(description="simulated h per run")
    load: float = Field(description="tasks / nominal wall s")
    sat_hours: float = Field(description="simulated satellite-hours of the job")
    progress: Progress
    created_wall: float = Field(description="wall s since 1970")
    finished_wall: float | None = Field(description="wall s since 1970; null while running")
    error: str | None
    baseline: str = Field(description="the first policy")
    summary: dict | None = Field(description="results.json's summary once done, else null")
    report: str | None = Field(description="GET this for results.json once done")
    files: list[str] = Field(description="report files, each at report/<file>")


class ArenaJobList(Open):
    """Every job kept, newest first (without their summaries)."""

    running: str | None = Field(description="the job running, if any")
    jobs: list[dict]
    limits: dict = Field(description="max_sat_hours, workers, nice, keep")


def jobs() -> Jobs:
    """The app's jobs, made at first use from the ARENA_* settings."""
    ext = current_app.extensions
    if "arena" not in ext:
        st = svc().settings
        root = Path(ROOT / st.ARENA_DIR) if st.ARENA_DIR else Path(tempfile.mkdtemp(prefix="vpp-arena-"))
        ext["arena"] = Jobs(root, Limits(st.ARENA_MAX_SAT_HOURS, st.ARENA_WORKERS, st.ARENA_NICE, st.ARENA_KEEP))
    return ext["arena"]


def view(job: arena_jobs.Job, summary: bool = True) -> dict:
    results = job.results() if summary else None
    b = job.body
    return {"job_id": job.job_id, "state": job.poll(), "scenario": b.scenario, "policies": list(b.policies),
            "seeds": list(b.seeds), "hours": b.hours, "load": b.load, "sat_hours": round(job.sat_hours, 6),
            "progress": job.progress(), "created_wall": job.created_wall, "finished_wall": job.finished_wall,
            "error": job.error, "baseline": b.policies[0],
            "summary": results["summary"] if results is not None else None,
            "report": f"/api/arena/{job.job_id}/report" if job.state == "done" else None, "files": job.files()}


def _job_or_404(job_id: str) -> arena_jobs.Job:
    job = jobs().get(job_id)
    if job is None:
        raise not_found("arena job", job_id)
    return job


def _watch(job: arena_jobs.Job, hub, sleep) -> None:
    """Send arena.progress when a run finishes and arena.finished at the end (a background task
    that only reads the job's files and process status)."""
    last = None
    while job.poll() == "running":
        now = job.progress()
        if now != last:
            hub.emit_server_event("arena.progress", {"job_id": job.job_id, **now})
            last = now
        sleep(WATCH_S)
    hub.emit_server_event("arena.finished", {"job_id": job.job_id, "state": job.state, "error": job.error,
                                             **job.progress()})


@bp.post("/api/arena")
@api("Start an arena job (policies x seeds on a scenario)", body=ArenaJobIn, responses={201: ArenaJob},
     errors=(409, 429))
def start_job(body: ArenaJobIn):
    """201 with the job (it runs on); 409 `arena_too_large` over ARENA_MAX_SAT_HOURS, 429 `arena_busy` (with
    Retry-After) while another job runs. Neither starts anything."""
    try:
        job = jobs().start(body)
    except Busy as exc:
        err = ApiError(429, "arena_busy", str(exc), None)
        err.headers = {"Retry-After": str(RETRY_AFTER_S)}
        raise err from None
    from backend.app import socketio

    socketio.start_background_task(_watch, job, svc().hub, socketio.sleep)
    resp = json_response(view(job), 201)
    resp.headers["Location"] = f"/api/arena/{job.job_id}"
    return resp


@bp.get("/api/arena")
@api("Arena jobs, newest first", responses={200: ArenaJobList})
def list_jobs():
    js = jobs()
    running = js.running()
    return json_response({"running": running.job_id if running else None,
                          "jobs": [view(j, summary=False) for j in reversed(js.jobs.values())],
                          "limits": vars(js.limits)})


@bp.get("/api/arena/<job_id>")
@api("One arena job: state, progress, and the summary once done", path={"job_id": JobId},
     responses={200: ArenaJob})
def get_job(job_id: str):
    return json_response(view(_job_or_404(job_id)))


@bp.delete("/api/arena/<job_id>")
@api("Cancel a running arena job (a finished one stays as it is)", path={"job_id": JobId},
     responses={200: ArenaJob})
def cancel_job(job_id: str):
    job = _job_or_404(job_id)
    job.cancel()
    return json_response(view(job))


def _done_or_409(job_id: str) -> arena_jobs.Job:
    job = _job_or_404(job_id)
    if job.poll() != "done":
        raise ApiError(409, "arena_not_done", f"arena job {job_id} is {job.state}: its report exists once done", None)
    return job


@bp.get("/api/arena/<job_id>/report")
@api("An arena job's report (results.json: specs, every run's KPIs and SoC series, the summary)",
     path={"job_id": JobId}, responses={200: {"type": "object"}}, errors=(409,))
def get_report(job_id: str):
    job = _done_or_409(job_id)
    return Response((job.folder / "results.json").read_bytes(), mimetype="application/json")


@bp.get("/api/arena/<job_id>/report/<name>")
@api("A file of an arena job's report: results.json, table.csv, kpis.png or soc.png",
     path={"job_id": JobId, "name": ReportFile}, responses={200: FILE}, errors=(409,))
def get_report_file(job_id: str, name: str):
    if name not in REPORT_FILES:
        raise not_found("report file", name)
    job = _done_or_409(job_id)
    path = job.folder / name
    if not path.is_file():
        raise not_found("report file", name)
    return send_file(path, max_age=0)
