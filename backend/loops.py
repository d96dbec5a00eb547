"""The server's background loops, supervised: the tick loop and the fan-out loop.

Tick loop: paced to wall time by `tick_interval` (the engine turns it into dt with
`time_scale`). Each tick it runs the step off the event loop (`Runtime.offload`: under gevent
a native thread of the hub's pool, so HTTP and Socket.IO keep being served while numpy and
Python work), publishes the per-tick summary with a read view, settles the step's commands,
hands a bundle to the fan-out loop, records the tick in a 10 s window (`TickWindow`: real-time
factor, tick rate, overruns, per-phase time) and sleeps until the next tick is due.
Commands submitted meanwhile are applied by the next step: pause, resume and step take effect
at the next tick boundary.
Fan-out loop: sends each bundle to the clients (backend/events.py).
Supervision: a loop that raises is marked down, reported as `alert.loop_failed`, and restarted
after a back-off that doubles with each failure of a burst (LOOP_BACKOFF_BASE_S up to
LOOP_BACKOFF_MAX_S). A burst ends once the loop has run BURST_QUIET_S without failing; it is
logged once, with the traceback of its first failure (the next burst's line counts the
previous one's failures).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass, field

from backend.history import step_aside
from backend.readview import ReadView
from backend.runtime import Published

log = logging.getLogger(__name__)

WINDOW_S = 10.0  # health window: real-time factor, tick rate, overruns, qps, phase times
DEGRADED_RTF = 0.9  # below this for WINDOW_S: health "degraded"
OVERRUN_LOG_EVERY_S = 10.0
BURST_QUIET_S = 30.0  # a loop that ran this long without failing ends its failure burst


@dataclass
class LoopState:
    """Liveness of one loop (read by /api/health)."""

    name: str
    alive: bool = False
    restarts: int = 0
    recent: collections.deque = field(default_factory=lambda: collections.deque(maxlen=1000))
    last_error: str | None = None
    started_at: float = 0.0  # monotonic, last (re)start
    burst_failures: int = 0  # failures in the current burst
    backoff_s: float = 0.0  # delay before the pending restart
    restart_at: float | None = None  # monotonic time of the pending restart

    def failed(self, exc: BaseException, base_s: float, max_s: float) -> tuple[bool, int]:
        """Record a failure; (starts a new burst?, failures of the burst before it)."""
        now = time.monotonic()
        new_burst = self.burst_failures == 0 or now - self.started_at >= BURST_QUIET_S
        previous = self.burst_failures if new_burst else 0
        self.burst_failures = 1 if new_burst else self.burst_failures + 1
        self.alive = False
        self.restarts += 1
        self.recent.append(now)
        self.last_error = f"{type(exc).__name__}: {exc}"
        self.backoff_s = min(max_s, base_s * 2 ** (self.burst_failures - 1))
        self.restart_at = now + self.backoff_s
        return new_burst, previous

    def restarted(self) -> None:
        self.alive, self.started_at, self.restart_at = True, time.monotonic(), None

    def restarts_within(self, window_s: float) -> int:
        cutoff = time.monotonic() - window_s
        return sum(1 for t in self.recent if t >= cutoff)

    def report(self) -> dict:
        now = time.monotonic()
        quiet = self.burst_failures and now - self.started_at >= BURST_QUIET_S and self.alive
        return {"alive": self.alive, "restarts": self.restarts, "last_error": self.last_error,
                "burst_failures": 0 if quiet else self.burst_failures,
                "backoff_s": round(self.backoff_s, 3) if self.restart_at else 0.0,
                "restart_in_s": round(max(0.0, self.restart_at - now), 3) if self.restart_at else None}


class FaultHook:
    """Test-only: make a loop raise on its next `n` iterations, or slow the next `n` ticks
    (POST /api/_test/fault, POST /api/_test/slow)."""

    def __init__(self):
        self._pending: dict[str, int] = {}
        self._slow: list = [0, 0.0]  # ticks left, extra seconds each

    def arm(self, loop: str, times: int) -> None:
        self._pending[loop] = self._pending.get(loop, 0) + times

    def slow(self, ticks: int, seconds: float) -> None:
        self._slow = [ticks, seconds]

    def check(self, loop: str) -> None:
        if self._pending.get(loop, 0) > 0:
            self._pending[loop] -= 1
            raise RuntimeError(f"injected fault in loop {loop!r}")

    def stall(self) -> None:
        """After an advancing step (off the event loop): burn CPU for the armed extra time."""
        ticks, seconds = self._slow
        if ticks <= 0:
            return
        self._slow[0] -= 1
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:  # pure Python: holds the GIL as a heavy tick does
            sum(range(1000))


@dataclass(frozen=True)
class TickSample:
    """One tick as the health window sees it."""

    at: float  # monotonic, end of the tick
    wall_s: float  # wall seconds since the previous tick ended
    sim_s: float  # simulated seconds it advanced
    time_scale: float
    paused: bool
    overrun: bool
    tick_s: float  # wall seconds of the step
    phases: dict  # wall s per phase
    generated: int  # tasks the generator made


class TickWindow:
    """The last WINDOW_S of ticks: real-time factor, tick rate, overruns, qps, phase times."""

    def __init__(self):
        self.samples: collections.deque = collections.deque()
        self.slow_since: float | None = None  # monotonic: real-time factor below DEGRADED_RTF since

    def add(self, sample: TickSample) -> None:
        self.samples.append(sample)
        cutoff = sample.at - WINDOW_S
        while self.samples and self.samples[0].at < cutoff:
            self.samples.popleft()
        rtf = self.real_time_factor()
        if rtf is None or rtf >= DEGRADED_RTF:
            self.slow_since = None
        elif self.slow_since is None:
            self.slow_since = sample.at

    def real_time_factor(self) -> float | None:
        """Simulated seconds advanced per wall second over the window, over time_scale
        (running ticks only; None while paused the whole window)."""
        running = [s for s in self.samples if not s.paused and s.wall_s > 0]
        wanted = sum(s.wall_s * s.time_scale for s in running)
        return sum(s.sim_s for s in running) / wanted if wanted > 0 else None

    def degraded_for_s(self) -> float:
        return 0.0 if self.slow_since is None else time.monotonic() - self.slow_since

    def report(self, requested_qps: float) -> dict:
        n = len(self.samples)
        span = sum(s.wall_s for s in self.samples)
        phases = collections.Counter()
        for s in self.samples:
            phases.update(s.phases)
        rtf = self.real_time_factor()
        return {
            "window_s": WINDOW_S, "real_time_factor": None if rtf is None else round(rtf, 4),
            "tick_rate_hz": round(n / span, 3) if span > 0 else 0.0,
            "overruns_in_window": sum(s.overrun for s in self.samples),
            "tick_ms_mean": round(1000.0 * sum(s.tick_s for s in self.samples) / n, 3) if n else 0.0,
            "tick_ms_max": round(1000.0 * max((s.tick_s for s in self.samples), default=0.0), 3),
            "phase_ms_mean": {k: round(1000.0 * v / n, 3) for k, v in phases.items()} if n else {},
            "generator": {"requested_qps": requested_qps,
                          "achieved_qps": round(sum(s.generated for s in self.samples) / span, 3)
                          if span > 0 else 0.0},
        }


@dataclass
class StepResult:
    """What one offloaded step hands back to the tick loop."""

    events: object
    frame: dict
    view: ReadView
    kpis: dict
    applied: dict
    phases: dict
    generated: int
    time_scale: float
    duration_s: float


class Loops:
    """Starts the tick and fan-out loops once (under a lock) and supervises them."""

    def __init__(self, sio, runtime, hub, metrics, settings):
        self.sio, self.rt, self.hub, self.metrics = sio, runtime, hub, metrics
        self.settings = settings
        self.faults = FaultHook()
        self.state = {name: LoopState(name) for name in ("tick", "fanout")}
        self.window = TickWindow()
        self.overruns = 0
        self.seq = 0
        self.stopping = False
        self._lock = threading.Lock()
        self._started = False
        self._bundles = sio.server.eio.create_queue(maxsize=8)
        self.bundles_dropped = 0
        self.last_tick_ms = 0.0
        self.step_started_at: float | None = None  # monotonic, while a step runs
        self._last_tick_end = time.monotonic()
        self._last_overrun_log = -OVERRUN_LOG_EVERY_S
        self.on_reset: list = []  # callbacks started as background tasks after a reset applies
        self.recorder = None  # backend.history.Recorder, fed after each step (never waits)
        self._generation = None  # of the engine's state, set at start
        self.sinks: list = []  # more consumers of each bundle after the hub (ROLE=engine: Redis)
        self.link = None  # ROLE=engine / web: the Redis link, reported by health

    def start(self) -> bool:
        """Start both loops unless already started; True if this call started them."""
        with self._lock:
            if self._started:
                return False
            self._started = True
        self._generation = self.rt.engine.generation
        self.rt.latest = Published(wall_time=time.time(), view=ReadView(self.rt.engine), frame=self.rt.engine.frame(),
                                   paused=bool(self.rt.engine.paused), smoke=self.rt.engine.smoke.to_dict())
        self.sio.start_background_task(self._supervise, "tick", self._tick_loop)
        self.sio.start_background_task(self._supervise, "fanout", self._fanout_loop)
        return True

    def _interval_s(self) -> float:
        return float(self.rt.engine.config.tick_interval)

    def _supervise(self, name: str, body) -> None:
        state = self.state[name]
        st = self.settings
        while not self.stopping:
            state.restarted()
            try:
                body()
                return
            except Exception as exc:
                new_burst, previous = state.failed(exc, st.LOOP_BACKOFF_BASE_S, st.LOOP_BACKOFF_MAX_S)
                if new_burst:
                    log.exception("loop %r failed (restart %d%s); restarting with back-off from %.2f s",
                                  name, state.restarts,
                                  f"; previous burst had {previous} failures" if previous else "",
                                  state.backoff_s)
                self.metrics.restarts.labels(name).inc()
                self.hub.emit_server_event("alert.loop_failed", {
                    "loop": name, "error": state.last_error, "restarts": state.restarts,
                    "burst_failures": state.burst_failures, "backoff_s": state.backoff_s})
                self.sio.sleep(state.backoff_s)

    # -- tick loop ----------------------------------------------------------------------
    def _tick_loop(self) -> None:
        deadline = self._last_tick_end = time.monotonic()
        while not self.stopping:
            self.faults.check("tick")
            self._tick_once(deadline)
            deadline += self._interval_s()
            now = time.monotonic()
            if now > deadline:
                deadline = now
                self.sio.sleep(0)  # yield every tick, even late
            else:
                self.sio.sleep(deadline - now)

    def _step(self) -> StepResult:
        """One engine step and everything built from it; runs off the event loop."""
        eng = self.rt.engine
        t0 = time.perf_counter()
        tick_before = eng.tick
        with step_aside(self.recorder):
            ev = eng.step()
            if eng.tick != tick_before:
                self.faults.stall()  # test hook: a heavy tick (commands were applied before it)
            frame = eng.frame()
            view = ReadView(eng)
            kpis = eng.kpis()
        if self.recorder is not None:
            self.recorder.record(eng, ev, {**kpis, "tick_ms": (time.perf_counter() - t0) * 1000.0})
        return StepResult(ev, frame, view, kpis, dict(eng.applied), dict(eng.phase_s), eng.generated_last,
                          float(eng.config.time_scale), time.perf_counter() - t0)

    def _tick_once(self, deadline: float) -> None:
        eng = self.rt.engine
        sim_before = eng.sim_time
        self.rt.steps_started += 1
        self.step_started_at = time.monotonic()
        try:
            res = self.rt.offload(self._step)
        except BaseException:
            self.rt.commands.settle(dict(eng.applied), eng.tick)  # applied before the failure
            raise
        finally:
            self.step_started_at = None
        ev, view = res.events, res.view
        now = time.monotonic()
        overrun = now > deadline + self._interval_s()
        reset = view.generation != self._generation
        advanced = 0.0 if reset else max(0.0, view.sim_time - sim_before)
        idle = advanced == 0.0 and (view.paused or reset)  # not counted in the real-time factor
        self.window.add(TickSample(now, now - self._last_tick_end, advanced, res.time_scale, idle, overrun,
                                   res.duration_s, res.phases, res.generated))
        self._last_tick_end = now
        self.seq += 1
        counts = dict(ev.counts)
        counts["alert.loop_failed"] = self.hub.take_server_counts().get("alert.loop_failed", 0)
        totals = dict(view.totals)
        totals["alert.loop_failed"] = sum(s.restarts for s in self.state.values())
        rtf = self.window.real_time_factor()
        kpis = {**res.kpis, "tick_ms": round(res.duration_s * 1000.0, 3)}  # step + views, wall ms
        pub = Published(seq=self.seq, tick=ev.tick, sim_time=ev.sim_time, wall_time=time.time(),
                        counts=counts, totals=totals, kpis=kpis, paused=view.paused,
                        smoke=view.smoke.to_dict(), view=view, frame=res.frame,
                        real_time_factor=None if rtf is None else round(rtf, 4))
        self.rt.publish(pub, res.applied)
        self.note_generation(view.generation)
        self.last_tick_ms = res.duration_s * 1000.0
        self.metrics.on_tick(res.duration_s, counts)
        if overrun:
            self._overran()
        self._offer({"pub": pub, "events": ev, "frame": res.frame, "applied": res.applied})

    def note_generation(self, generation) -> None:
        """A new generation of state (a reset; behind a web process also a new engine): every
        client gets a fresh `state` (the on_reset callbacks run as background tasks)."""
        if generation == self._generation:
            return
        self._generation = generation
        for callback in self.on_reset:
            self.sio.start_background_task(callback)

    def link_health(self) -> tuple[list, dict | None]:
        """(degraded reasons, report) of the Redis link; ([], None) in a single process."""
        return ([], None) if self.link is None else self.link.health()

    def _overran(self) -> None:
        self.overruns += 1
        self.metrics.overruns.inc()
        now = time.monotonic()
        if now - self._last_overrun_log < OVERRUN_LOG_EVERY_S:
            return
        self._last_overrun_log = now
        w = self.window.report(self.rt.latest.smoke.get("qps", 0.0) if self.rt.latest.smoke.get("running") else 0.0)
        log.warning("ticks overrunning: %d in the last %.0f s; real_time_factor %s, %.2f ticks/s, "
                    "tick %.1f ms mean / %.1f ms max, phases ms %s, generator %s", w["overruns_in_window"],
                    WINDOW_S, w["real_time_factor"], w["tick_rate_hz"], w["tick_ms_mean"], w["tick_ms_max"],
                    w["phase_ms_mean"], w["generator"])

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
            for sink in self.sinks:
                sink(bundle)
