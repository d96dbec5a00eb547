"""The server's background loops, supervised: the tick loop and the fan-out loop.

Tick loop: paced to wall time by `tick_interval` (the engine turns it into dt with
`time_scale`), steps the engine, publishes the per-tick summary, answers reads between ticks,
hands a bundle to the fan-out loop, yields every tick, counts overruns.
Fan-out loop: sends each bundle to the clients (backend/events.py).
A loop that raises is logged with its traceback, marked down, reported as `alert.loop_failed`
and restarted at the next tick; health turns 503 while it is down or restarts too often.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass, field

from backend.runtime import Published

log = logging.getLogger(__name__)


@dataclass
class LoopState:
    """Liveness of one loop (read by /api/health)."""

    name: str
    alive: bool = False
    restarts: int = 0
    recent: collections.deque = field(default_factory=lambda: collections.deque(maxlen=1000))
    last_error: str | None = None

    def failed(self, exc: BaseException) -> None:
        self.alive = False
        self.restarts += 1
        self.recent.append(time.monotonic())
        self.last_error = f"{type(exc).__name__}: {exc}"

    def restarts_within(self, window_s: float) -> int:
        cutoff = time.monotonic() - window_s
        return sum(1 for t in self.recent if t >= cutoff)


class FaultHook:
    """Test-only: make a loop raise on its next `n` iterations (POST /api/_test/fault)."""

    def __init__(self):
        self._pending: dict[str, int] = {}

    def arm(self, loop: str, times: int) -> None:
        self._pending[loop] = self._pending.get(loop, 0) + times

    def check(self, loop: str) -> None:
        if self._pending.get(loop, 0) > 0:
            self._pending[loop] -= 1
            raise RuntimeError(f"injected fault in loop {loop!r}")


class Loops:
    """Starts the tick and fan-out loops once (under a lock) and supervises them."""

    def __init__(self, sio, runtime, hub, metrics, settings):
        self.sio, self.rt, self.hub, self.metrics = sio, runtime, hub, metrics
        self.settings = settings
        self.faults = FaultHook()
        self.state = {name: LoopState(name) for name in ("tick", "fanout")}
        self.overruns = 0
        self.seq = 0
        self.stopping = False
        self._lock = threading.Lock()
        self._started = False
        self._bundles = sio.server.eio.create_queue(maxsize=8)
        self.bundles_dropped = 0
        self.last_tick_ms = 0.0
        self.on_reset: list = []  # callbacks started as background tasks after a reset applies
        self._generation = runtime.engine.generation

    def start(self) -> bool:
        """Start both loops unless already started; True if this call started them."""
        with self._lock:
            if self._started:
                return False
            self._started = True
        self.sio.start_background_task(self._supervise, "tick", self._tick_loop)
        self.sio.start_background_task(self._supervise, "fanout", self._fanout_loop)
        return True

    def _interval_s(self) -> float:
        return float(self.rt.engine.config.tick_interval)

    def _supervise(self, name: str, body) -> None:
        state = self.state[name]
        while not self.stopping:
            state.alive = True
            try:
                body()
                return
            except Exception as exc:
                state.failed(exc)
                log.exception("loop %r failed (restart %d); restarting at the next tick",
                              name, state.restarts)
                self.metrics.restarts.labels(name).inc()
                self.hub.emit_server_event("alert.loop_failed", {
                    "loop": name, "error": state.last_error, "restarts": state.restarts})
                self.sio.sleep(self._interval_s())

    # -- tick loop ----------------------------------------------------------------------
    def _tick_loop(self) -> None:
        deadline = time.monotonic()
        while not self.stopping:
            self.faults.check("tick")
            self._tick_once()
            deadline += self._interval_s()
            if time.monotonic() > deadline:
                self.overruns += 1
                self.metrics.overruns.inc()
                deadline = time.monotonic()
                self.rt.serve()
                self.sio.sleep(0)  # yield every tick, even late
            else:
                self._serve_until(deadline)

    def _serve_until(self, deadline: float) -> None:
        """Answer reads as they arrive until the next tick is due."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.rt.wake.wait(left)
            self.rt.wake.clear()
            self.rt.serve()

    def _tick_once(self) -> None:
        eng = self.rt.engine
        t0 = time.perf_counter()
        self.rt.steps_started += 1
        try:
            ev = eng.step()
        finally:
            self.rt.steps_done = self.rt.steps_started
        frame = eng.frame()
        duration = time.perf_counter() - t0
        self.seq += 1
        counts = dict(ev.counts)
        counts["alert.loop_failed"] = self.hub.take_server_counts().get("alert.loop_failed", 0)
        totals = dict(eng.totals)
        totals["alert.loop_failed"] = sum(s.restarts for s in self.state.values())
        kpis = {**eng.kpis(), "tick_ms": round(duration * 1000.0, 3)}  # step + frame, wall ms
        pub = Published(seq=self.seq, tick=ev.tick, sim_time=ev.sim_time, wall_time=time.time(),
                        counts=counts, totals=totals, kpis=kpis, paused=bool(eng.paused),
                        smoke=eng.smoke.to_dict())
        self.rt.publish(pub)
        self.rt.serve(after_step=True)
        if eng.generation != self._generation:
            self._generation = eng.generation
            for callback in self.on_reset:
                self.sio.start_background_task(callback)
        self.last_tick_ms = duration * 1000.0
        self.metrics.on_tick(duration, counts)
        self._offer({"pub": pub, "events": ev, "frame": frame})

    def _offer(self, bundle: dict) -> None:
        """Queue a bundle for fan-out; if fan-out is 8 ticks behind, the oldest goes."""
        q = self._bundles
        while True:
            try:
                q.put_nowait(bundle)
                return
            except Exception:  # queue.Full under every async mode
                try:
                    q.get_nowait()
                    self.bundles_dropped += 1
                except Exception:
                    pass

    # -- fan-out loop -------------------------------------------------------------------
    def _fanout_loop(self) -> None:
        while not self.stopping:
            try:
                bundle = self._bundles.get(timeout=0.5)
            except Exception:  # queue.Empty
                continue
            self.faults.check("fanout")
            self.hub.deliver(bundle)
