"""Arena jobs for the server: each job is one `python -m backend.arena` subprocess in its own folder.

The server never simulates a job itself: `Jobs.start` validates the size, spawns the command line
(niced, in a new session so a cancel stops its workers too) and returns at once; the subprocess
writes `progress.json` ({done, total} runs) and, at the end, the report folder (results.json,
table.csv, kpis.png, soc.png). A job's state is read from its process and files when asked.

Limits, so a job cannot starve the live simulation: at most `max_sat_hours` simulated
satellite-hours per job (policies x seeds x satellites x hours), one job running at a time,
`workers` worker processes at niceness `nice`, and the newest `keep` jobs kept (older finished
jobs and their folders are deleted).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from backend.core.policies import sets
from backend.core.scenario import Scenario
from backend.core.validation import Conflict, Strict, param
from backend.envfile import ROOT

from . import scenarios

REPORT_FILES = ("results.json", "table.csv", "kpis.png", "soc.png")  # what /report/<file> serves
STATES = ("running", "done", "failed", "cancelled")
MAX_SEEDS = 50
MAX_SEED = 2**31 - 1


def _unique(values: list) -> list:
    seen = set()
    for v in values:
        if v in seen:
            raise ValueError(f"{v!r} is given twice; list each once")
        seen.add(v)
    return values


PolicyName = Literal[sets.NAMES]  # read from the registry: a new policy set is accepted at once
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]


class ArenaJobIn(Strict):
    """An arena job: the matrix policies x seeds on one scenario (python -m backend.arena)."""

    scenario: Literal[tuple(scenarios.SCENARIOS)] = Field("default", description="named arena scenario",
                                                           examples=["default"])
    policies: Annotated[list[PolicyName], AfterValidator(_unique)] = Field(
        ..., min_length=1, max_length=len(sets.NAMES), json_schema_extra={"uniqueItems": True},
        description="policy sets, each once; the first is the baseline", examples=[["v1", "least_loaded"]])
    seeds: Annotated[list[Seed], AfterValidator(_unique)] = Field(
        ..., min_length=1, max_length=MAX_SEEDS, json_schema_extra={"uniqueItems": True},
        description="RNG seeds, each once (common random numbers: every policy runs every seed)",
        examples=[[1, 2]])
    hours: float = param(..., 0.0, 24.0, "simulated h", "length of each run", exclusive_lo=True, example=0.05)
    load: float = param(50.0, 0.0, 10_000.0, "tasks / nominal wall s", "smoke load before the scenario's "
                        "factor", example=50.0)


@functools.cache
def satellites(scenario: str) -> int:
    """Fleet size of a named scenario [satellites]."""
    return Scenario().updated(scenarios.get(scenario).world).n_satellites


def sat_hours(body: ArenaJobIn) -> float:
    """Simulated satellite-hours of a job: policies x seeds x satellites x hours [sat-h]."""
    return len(body.policies) * len(body.seeds) * satellites(body.scenario) * body.hours


@dataclass(frozen=True)
class Limits:
    """How big a job may be and how it runs (ARENA_* settings)."""

    max_sat_hours: float = 6000.0  # per job [satellite-hours]
    workers: int = 1  # worker processes per job
    nice: int = 10  # niceness added to the job's processes
    keep: int = 20  # jobs kept, newest first


class Busy(Exception):
    """A job is running: one at a time."""

    def __init__(self, running: "Job"):
        super().__init__(f"arena job {running.job_id} is running ({running.progress()['done']} of "
                         f"{running.progress()['total']} runs); one job at a time: retry when it ends or cancel it")
        self.running = running


@dataclass
class Job:
    """One arena job: its inputs, its subprocess and its folder."""

    job_id: str
    body: ArenaJobIn
    folder: Path
    proc: subprocess.Popen
    sat_hours: float
    created_wall: float = field(default_factory=time.time)
    finished_wall: float | None = None
    state: str = "running"
    error: str | None = None

    def poll(self) -> str:
        """The state, updated from the process (running until it exits)."""
        if self.state == "running" and self.proc.poll() is not None:
            self.finished_wall = time.time()
            if self.proc.returncode == 0 and (self.folder / "results.json").is_file():
                self.state = "done"
            else:
                self.state = "failed"
                self.error = self._last_log_line() or f"exit status {self.proc.returncode}"
        return self.state

    def progress(self) -> dict:
        """{done, total} runs, from the subprocess's progress file."""
        total = len(self.body.policies) * len(self.body.seeds)
        try:
            done = int(json.loads((self.folder / "progress.json").read_text())["done"])
        except (OSError, ValueError, KeyError, TypeError):
            done = 0
        return {"done": total if self.state == "done" else done, "total": total}

    def results(self) -> dict | None:
        """The report (results.json) once done, else None."""
        if self.poll() != "done":
            return None
        return json.loads((self.folder / "results.json").read_text())

    def files(self) -> list:
        """The report files there are (REPORT_FILES order)."""
        return [name for name in REPORT_FILES if self.poll() == "done" and (self.folder / name).is_file()]

    def cancel(self) -> None:
        """Stop the job's process group (the CLI and its workers)."""
        if self.poll() == "running":
            _kill_group(self.proc)
            self.proc.wait()
            self.state, self.finished_wall, self.error = "cancelled", time.time(), "cancelled"

    def _last_log_line(self) -> str | None:
        try:
            lines = [ln for ln in (self.folder / "log.txt").read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return None
        return lines[-1][-500:] if lines else None


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def command(body: ArenaJobIn, folder: Path, limits: Limits) -> list:
    """The command line of a job (the same CLI a user runs)."""
    return [sys.executable, "-m", "backend.arena", "--scenario", body.scenario, "--policies", ",".join(body.policies),
            "--seeds", ",".join(str(s) for s in body.seeds), "--hours", repr(body.hours), "--load", repr(body.load),
            "--out", str(folder), "--workers", str(limits.workers), "--progress", str(folder / "progress.json"),
            "--nice", str(limits.nice)]


class Jobs:
    """The server's arena jobs, newest last; ids arena-1, arena-2, ..."""

    def __init__(self, root: Path, limits: Limits):
        self.root = Path(root)
        self.limits = limits
        self.jobs: dict[str, Job] = {}
        self._next = 1
        atexit.register(self.shutdown)

    def running(self) -> Job | None:
        return next((j for j in self.jobs.values() if j.poll() == "running"), None)

    def start(self, body: ArenaJobIn) -> Job:
        """Spawn a job; Conflict (409) when it is too big, Busy while another runs."""
        size = sat_hours(body)
        if size > self.limits.max_sat_hours:
            raise Conflict("hours", f"this job is {size:,.0f} satellite-hours ({len(body.policies)} policies x "
                           f"{len(body.seeds)} seeds x {satellites(body.scenario):,} satellites x {body.hours:g} h); "
                           f"at most {self.limits.max_sat_hours:,.0f} per job (ARENA_MAX_SAT_HOURS)",
                           code="arena_too_large")
        running = self.running()
        if running is not None:
            raise Busy(running)
        self._forget_old()
        job_id = f"arena-{self._next}"
        self._next += 1
        folder = self.root / job_id
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "log.txt", "wb") as log:
            proc = subprocess.Popen(command(body, folder, self.limits), cwd=ROOT, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        job = Job(job_id, body, folder, proc, size)
        self.jobs[job_id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def _forget_old(self) -> None:
        """Keep the newest `keep - 1` jobs (room for the new one): delete older finished ones."""
        for job in list(self.jobs.values())[: max(0, len(self.jobs) - self.limits.keep + 1)]:
            if job.poll() != "running":
                del self.jobs[job.job_id]
                shutil.rmtree(job.folder, ignore_errors=True)

    def shutdown(self) -> None:
        """Stop every running job (at server exit)."""
        for job in self.jobs.values():
            if job.state == "running" and job.proc.poll() is None:
                _kill_group(job.proc)
