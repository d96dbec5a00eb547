"""ROLE=web: REST, /ws and the globe, with the engine behind Redis (no engine in this process).

`RemoteRuntime` stands where a single process has its `Runtime`: the routes and the namespace
call the same methods and get the same answers.
- commands: validated by the route's models here, sent on `vpp:commands` with an idempotency
  key, submitted by the engine; its reply (seq, result, ledger entry, or the 4xx it raised) is
  what this process answers. Refused with 503 `redis_unavailable` while Redis is unreachable and
  `engine_unavailable` while no tick came for ENGINE_STALE_S (nothing is queued silently).
- the ledger: a copy of the engine's, filed from its replies and settled by its ticks, so
  GET /api/commands/<id> answers on every web process.
- reads: the engine's latest `ReadView` from `vpp:view`, loaded once per tick on first use
  (staleness: at most the tick in flight, as in a single process).

`WebLoops` replaces the tick loop by the link loop: it reads `vpp:out` and, for each tick,
publishes it here exactly as the single process's tick loop does (`Runtime.publish`) and hands
the bundle to the same fan-out loop and hub (subscriptions, caps, bounded queues).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import uuid

from backend.core.ticklog import TickEvents
from backend.loops import Loops, LoopState
from backend.runtime import CommandLedger, Published, RuntimeBase
from backend.utils.errors import ApiError

from . import link as keys
from .codec import CommandMessage, Reply, TickMessage, load
from .link import LinkDown, RedisLink

log = logging.getLogger(__name__)

SETTLED_KEPT = 10_000  # settlements seen before their reply (the reply is filed late)
RETRY_AFTER_S = 1  # Retry-After of a command refused while Redis or the engine is away [s]


class RemoteRuntime(RuntimeBase):
    """The engine as a web process sees it: commands over Redis, reads of the engine's views."""

    def __init__(self, link: RedisLink, make_event, settings):
        super().__init__(make_event, settings.QUERY_TIMEOUT_S, settings.ASYNC_MODE)
        self.link = link
        self.stale_after_s = settings.ENGINE_STALE_S
        self.engine_id: str | None = None
        self.last_rx: float | None = None  # monotonic, last tick received
        self._waiting: dict[str, list] = {}  # key -> [event, reply or None]
        self._settled: collections.OrderedDict = collections.OrderedDict()  # seq -> (rejection, tick)
        self._view: tuple = (None, -1, None)  # engine_id, seq, view
        self._view_lock = threading.Lock()
        self._next_task = 0
        self._mine = threading.local()  # per request (greenlet or thread): the command it submitted
        self._held: dict[str, list] = {}  # engine id -> replies filed before its first tick arrived

    # -- availability ---------------------------------------------------------------------
    def engine_reason(self) -> str | None:
        """Why the engine counts as unavailable here, or None."""
        if self.last_rx is None:
            return "engine_unavailable: no tick received from the engine yet"
        age = time.monotonic() - self.last_rx
        if age > self.stale_after_s:
            return f"engine_unavailable: no tick from the engine for {age:.1f} s"
        return None

    def freshness(self) -> dict:
        why = self.link.reason() or self.engine_reason()
        if why is None:
            return {}
        age = None if self.last_rx is None else round(time.monotonic() - self.last_rx, 3)
        return {"stale": True, "stale_s": age, "stale_reason": why}

    def _refuse_if_down(self) -> None:
        """503 at once (with Retry-After) while Redis or the engine is away: nothing is queued."""
        why = self.link.reason()
        err = None
        if why:
            err = ApiError(503, "redis_unavailable", f"{why}; the command was not sent")
        elif (why := self.engine_reason()) is not None:
            err = ApiError(503, "engine_unavailable", f"{why.split(': ', 1)[1]}; the command was not sent")
        if err is not None:
            err.headers = {"Retry-After": str(RETRY_AFTER_S)}
            raise err

    # -- commands ------------------------------------------------------------------------
    def submit_numbered(self, cmd: dict) -> tuple[int, dict]:
        """Send the command to the engine and return its (seq, result), or raise its error."""
        self._refuse_if_down()
        msg = CommandMessage(uuid.uuid4().hex, cmd, time.time() + self.timeout_s)
        slot = [self._make_event(), None]
        self._waiting[msg.key] = slot
        try:
            self.link.call(lambda r: r.xadd(keys.COMMANDS, {"m": msg.encode()}, maxlen=keys.COMMANDS_MAXLEN,
                                            approximate=True))
            slot[0].wait(self.timeout_s)
            reply = slot[1] or self._claim_or_reply(msg.key)
        except LinkDown as exc:
            raise ApiError(503, "redis_unavailable", f"{exc}; the command may not have reached the engine: "
                           "check the state before sending it again") from None
        finally:
            self._waiting.pop(msg.key, None)
        if reply.error is not None:
            err = reply.error
            raise ApiError(err["status"], err["code"], err["message"], err["field"])
        self._mine.command = (reply.seq, reply.engine_id)
        return reply.seq, reply.result

    def _claim_or_reply(self, key: str) -> Reply:
        """No reply in time: claim the key 'abandoned' (then the engine will not take it: 503),
        or find the reply the engine stored with its claim."""
        claim = keys.CLAIM + key
        if self.link.call(lambda r: r.set(claim, b"abandoned", nx=True, ex=keys.CLAIM_TTL_S)):
            raise ApiError(503, "engine_unavailable", f"the engine did not take the command within "
                           f"{self.timeout_s:g} s; it was not applied")
        prior = self.link.call(lambda r: r.get(claim))
        if prior in (None, b"taken", b"abandoned"):
            raise ApiError(503, "engine_unavailable", "the engine took the command but its answer did not "
                           "arrive; check the state before sending it again")
        return load(prior)

    def on_reply(self, reply: Reply) -> None:
        """A reply on `vpp:out` (to any web process): file it (held until this process sees a tick
        of a new engine that sent it); wake the request that waits for it."""
        if reply.seq is not None:
            if reply.engine_id == self.engine_id:
                self._file(reply)
            else:
                self._held.setdefault(reply.engine_id, []).append(reply)
                while len(self._held) > 2:  # replies of engines never seen here: keep the newest two
                    self._held.pop(next(iter(self._held)))
        slot = self._waiting.get(reply.key)
        if slot is not None:
            slot[1] = reply
            slot[0].set()

    def _file(self, reply: Reply) -> None:
        """The engine's ledger entry for the command, settled at once if its tick came first."""
        if self.commands.get(reply.seq) is not None:
            return
        self.commands.mirror(reply.seq, reply.entry)
        early = self._settled.pop(reply.seq, None)
        if early is not None:
            self.commands.settle({reply.seq: early[0]}, early[1])
        task_id = (reply.result or {}).get("task_id")
        if isinstance(task_id, str) and task_id.removeprefix("task-").isdigit():
            self._next_task = max(self._next_task, int(task_id.removeprefix("task-")) + 1)

    def wait_applied(self, seq: int, timeout: float | None = None) -> dict:
        """As in a single process, for the engine that filed the command; 503 if this process moved
        on to another engine meanwhile (the command's fate went with the engine that took it)."""
        mine = getattr(self._mine, "command", None)  # (seq, engine id) of this request's command
        owner = mine[1] if mine is not None and mine[0] == seq else self.engine_id
        start = self.engine_id

        def done() -> bool:
            if self.engine_id != owner:
                return self.engine_id != start  # a third engine: the owner is gone
            entry = self.commands.get(seq)
            return entry is None or entry["status"] != "pending"
        self._wait(done, timeout)
        entry = self.commands.get(seq) if self.engine_id == owner else None
        if entry is None:
            raise ApiError(503, "engine_unavailable", "the engine changed while the command was in flight; "
                           "check the state before sending it again")
        return entry

    def task_reserved(self, n: int) -> bool:
        return n < max(self._next_task, self.view().book.next_id)

    # -- reads ---------------------------------------------------------------------------
    def view(self):
        """The engine's view of the latest tick seen here (loaded from Redis once per tick);
        the last one loaded while Redis or the engine is away; 503 if there never was one."""
        engine, seq, view = self._view
        if view is not None and engine == self.engine_id and seq >= self.latest.seq:
            return view
        with self._view_lock:
            engine, seq, view = self._view
            if view is None or engine != self.engine_id or seq < self.latest.seq:
                try:
                    raw = self.link.call(lambda r: r.get(keys.VIEW))
                except LinkDown:
                    raw = None
                if raw is not None:
                    got = load(raw)
                    if self.engine_id in (None, got.engine_id):
                        self._view = (got.engine_id, got.seq, got.view)
            view = self._view[2]
        if view is None:
            why = self.link.reason()
            if why:
                raise ApiError(503, "redis_unavailable", f"{why}; no state loaded from the engine yet")
            raise ApiError(503, "engine_unavailable", "no state from the engine yet")
        return view

    # -- the link loop's side --------------------------------------------------------------
    def on_tick(self, msg: TickMessage) -> Published:
        """Publish one tick of the engine here; a new engine starts a new ledger."""
        if msg.engine_id != self.engine_id:
            if self.engine_id is not None:
                log.warning("engine changed (%s -> %s): new ledger, clients get a fresh state",
                            self.engine_id, msg.engine_id)
            self.engine_id = msg.engine_id
            self.commands = CommandLedger()
            self._settled.clear()
            self._next_task = 0
            for reply in self._held.pop(msg.engine_id, []):
                self._file(reply)
        pub = Published(**msg.pub, frame=msg.frame)
        for seq, rejection in msg.applied.items():
            if self.commands.get(seq) is None:
                self._settled[seq] = (rejection, pub.tick)
        while len(self._settled) > SETTLED_KEPT:
            self._settled.popitem(last=False)
        self.last_rx = time.monotonic()
        self.steps_started = pub.seq  # `publish` marks it done
        self.publish(pub, msg.applied)
        self.steps_started = pub.seq + 1  # the engine's next step is under way
        return pub


class MirroredLoop:
    """One of the engine's loops as its last tick reported it (duck-types LoopState for health)."""

    def __init__(self, name: str):
        self.name, self.alive, self.burst_failures, self.last_error = name, True, 0, None
        self._report = {"alive": True, "restarts": 0, "last_error": None, "burst_failures": 0,
                        "backoff_s": 0.0, "restart_in_s": None}
        self._recent = 0

    def update(self, report: dict) -> None:
        self._report = {k: v for k, v in report.items() if k != "restarts_recent"}
        self._recent = report.get("restarts_recent", 0)
        self.alive, self.burst_failures = report["alive"], report["burst_failures"]
        self.last_error = report["last_error"]

    def report(self) -> dict:
        return dict(self._report)

    def restarts_within(self, _window_s: float) -> int:
        return self._recent


class MirroredWindow:
    """The engine's health window as its last tick reported it (duck-types TickWindow)."""

    def __init__(self):
        self._report: dict = {"window_s": 10.0, "real_time_factor": None, "tick_rate_hz": 0.0,
                              "overruns_in_window": 0, "tick_ms_mean": 0.0, "tick_ms_max": 0.0,
                              "phase_ms_mean": {}, "generator": {"requested_qps": 0.0, "achieved_qps": 0.0}}
        self._degraded_for_s = 0.0

    def update(self, report: dict, degraded_for_s: float) -> None:
        self._report, self._degraded_for_s = report, degraded_for_s

    def report(self, _requested_qps: float) -> dict:
        return dict(self._report)

    def degraded_for_s(self) -> float:
        return self._degraded_for_s


class RecorderMirror:
    """The engine's recorder as a web process sees it: its status from the engine's latest tick
    and the same database (HISTORY_URL, opened here for reading) for the /api/runs routes."""

    OFF = {"enabled": False, "state": "off", "error": None, "error_for_s": None, "current_run": None,
           "dropped_ticks": 0, "dropped_records": 0, "lost": {}}

    def __init__(self, url: str):
        from backend.history.store import open_engine

        self.engine = open_engine(url)
        self._status = dict(self.OFF)

    def update(self, status: dict | None) -> None:
        self._status = dict(self.OFF) if status is None else status

    def current_run(self) -> int | None:
        return self._status.get("current_run")

    def status(self) -> dict:
        return dict(self._status)


class WebLoops(Loops):
    """The link loop (ticks and replies from Redis) and the fan-out loop of a web process."""

    def __init__(self, sio, runtime: RemoteRuntime, hub, metrics, settings):
        super().__init__(sio, runtime, hub, metrics, settings)
        self.state = {"tick": MirroredLoop("tick"), "fanout": LoopState("fanout"), "link": LoopState("link")}
        self.window = MirroredWindow()
        self.link = self
        self.gaps = 0  # ticks the engine published that this process never saw

    def start(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
        self.sio.start_background_task(self._supervise, "link", self._link_loop)
        self.sio.start_background_task(self._supervise, "fanout", self._fanout_loop)
        return True

    def _link_loop(self) -> None:
        rt, last = self.rt, "$"
        while not self.stopping:
            try:
                got = rt.link.call(lambda r: r.xread({keys.OUT: last}, count=32, block=keys.BLOCK_MS))
            except LinkDown:
                rt.link.wait_retry()
                continue
            for _stream, entries in got or []:
                for entry_id, fields in entries:
                    last = entry_id
                    msg = load(fields[b"m"])
                    if isinstance(msg, Reply):
                        rt.on_reply(msg)
                    else:
                        self._on_tick(msg)

    def _on_tick(self, msg: TickMessage) -> None:
        previous = self.rt.latest.seq if self.rt.engine_id == msg.engine_id else None
        pub = self.rt.on_tick(msg)
        if previous is not None and pub.seq > previous + 1:
            self.gaps += pub.seq - previous - 1
        self._mirror_health(msg.health)
        self.note_generation((msg.engine_id, msg.generation))
        events = TickEvents(pub.tick, pub.sim_time)
        for name, payload in msg.records:
            events.emit(name, payload)
        self._offer({"pub": pub, "events": events, "frame": msg.frame, "applied": msg.applied})

    def _mirror_health(self, h: dict) -> None:
        self.state["tick"].update(h["loops"]["tick"])
        if self.recorder is not None:
            self.recorder.update(h.get("recorder"))
        self.window.update(h["window"], h["degraded_for_s"])
        self.overruns, self.last_tick_ms = h["overruns"], h["last_tick_ms"]
        running = h["step_running_s"]
        self.step_started_at = None if running is None else time.monotonic() - running

    def health(self) -> tuple[list, dict]:
        """(degraded reasons, report): Redis and the engine as this process sees them."""
        rt = self.rt
        reasons = [r for r in (rt.link.reason(), rt.engine_reason()) if r]
        age = None if rt.last_rx is None else round(time.monotonic() - rt.last_rx, 3)
        return reasons, {**rt.link.report(), "engine_id": rt.engine_id, "engine_up": rt.engine_reason() is None,
                         "last_tick_received_s_ago": age, "ticks_missed": self.gaps}


def web_services(services_cls, sio, settings, hub, metrics):
    """The Services of a web process: RemoteRuntime and WebLoops around the same hub, and the
    engine's recorder database for reading (when HISTORY_URL is not off)."""
    from backend.history.urls import database_url

    link = RedisLink(settings.REDIS_URL, sio.sleep)
    rt = RemoteRuntime(link, sio.server.eio.create_event, settings)
    loops = WebLoops(sio, rt, hub, metrics, settings)
    url = database_url(settings.HISTORY_URL)
    loops.recorder = None if url is None else RecorderMirror(url)
    return services_cls(settings, rt, hub, loops, metrics, loops.recorder)
