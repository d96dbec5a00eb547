"""The engine as the web layer sees it: commands in, reads answered by the tick loop.

Handlers never touch engine arrays. They call `submit` (the engine validates and queues under
its own lock) or `query(fn)`, which hands `fn(engine)` to the tick loop; the loop runs it
between ticks and wakes the handler. `latest` is the per-tick summary the loop publishes
(an immutable dict replaced whole).
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field

from backend.utils.errors import ApiError, from_value_error


@dataclass
class Job:
    """One read handed to the tick loop; `done` is an event of the current async mode."""

    fn: object
    done: object
    result: object = None
    error: BaseException | None = None
    min_done: int = 0  # after-step jobs: answered once this many steps have completed


@dataclass
class Published:
    """What the tick loop publishes after every tick (replaced whole, never mutated)."""

    seq: int = 0
    tick: int = 0
    sim_time: float = 0.0
    wall_time: float = 0.0
    counts: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    kpis: dict = field(default_factory=dict)
    paused: bool = False
    smoke: dict = field(default_factory=dict)


class Runtime:
    """Owns the engine; the tick loop is its only caller apart from `engine.submit`."""

    def __init__(self, engine, make_event, query_timeout_s: float):
        self.engine = engine
        self._make_event = make_event
        self._timeout = query_timeout_s
        self._now_jobs: collections.deque = collections.deque()
        self._after_step_jobs: collections.deque = collections.deque()
        self.wake = make_event()
        self.latest = Published(wall_time=time.time())
        self._snap_cache: dict = {}  # key -> (seq, value)
        # A step drains the commands submitted before it *started*; after-step reads wait for
        # a step that started after they were queued (matters in threading mode).
        self.steps_started = 0
        self.steps_done = 0

    def submit(self, cmd: dict) -> dict:
        """Validate and queue a command; ValueError becomes a 400 naming the field."""
        try:
            return self.engine.submit(cmd)
        except ValueError as exc:
            raise from_value_error(exc) from None

    def query(self, fn, after_step: bool = False, timeout: float | None = None):
        """Run `fn(engine)` in the tick loop (now, or after the next step) and return its result."""
        job = Job(fn, self._make_event(), min_done=self.steps_started + 1 if after_step else 0)
        (self._after_step_jobs if after_step else self._now_jobs).append(job)
        if not after_step:
            self.wake.set()
        if not job.done.wait(self._timeout if timeout is None else timeout):
            raise ApiError(503, "loop_unavailable", "the tick loop did not answer in time")
        if job.error is not None:
            raise job.error
        return job.result

    def serve(self, after_step: bool = False) -> None:
        """Tick loop only: answer the waiting jobs of one kind."""
        jobs = self._after_step_jobs if after_step else self._now_jobs
        for _ in range(len(jobs)):
            job = jobs.popleft()
            if job.min_done > self.steps_done:
                jobs.append(job)  # its step has not run yet
                continue
            try:
                job.result = job.fn(self.engine)
            except Exception as exc:  # handed back to the waiting handler
                job.error = exc
            job.done.set()

    def publish(self, pub: Published) -> None:
        """Tick loop only: replace the per-tick summary; cached snapshots go stale."""
        self.latest = pub
        self._snap_cache = {}

    def cached(self, key, build):
        """Per-tick cache: `build()` once per (seq, key); `build` runs in the caller."""
        seq = self.latest.seq
        hit = self._snap_cache.get(key)
        if hit is not None and hit[0] == seq:
            return hit[1]
        value = build()
        self._snap_cache[key] = (seq, value)
        return value


def snapshot(rt: Runtime, sat_offset: int = 0, sat_limit: int | None = None) -> dict:
    """The engine snapshot after the latest tick, built by the tick loop, cached per tick."""
    key = ("snapshot", sat_offset, sat_limit)
    return rt.cached(key, lambda: rt.query(
        lambda e: e.snapshot(sat_offset=sat_offset, sat_limit=sat_limit)))
