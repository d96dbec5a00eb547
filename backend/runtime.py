"""The engine as the web layer sees it: commands in, reads from published views.

The tick loop is the only caller of `engine.step()`. It runs each step off the event loop
(`offload`: gevent's native thread pool, eventlet's tpool, or in place in threading mode,
where the loop is its own thread) and then publishes a `Published` record carrying an
immutable `ReadView` of the state (backend/readview.py). Handlers never touch the engine:
- `read(fn)` runs `fn(view)` on the latest published view, in the caller: no wait for a tick;
- `submit(cmd)` validates and queues a command and files it in the command ledger;
- `wait_applied(cmd_id)` waits (at most QUERY_TIMEOUT_S) for the step that took the command:
  the ledger then says `applied` or `rejected` (with the reason). A command is never cancelled
  or applied twice: a wait that times out leaves it `pending` and the route answers 202 with
  its id (GET /api/commands/<id>).
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field

from backend.utils.errors import ApiError, from_value_error

LEDGER_SIZE = 10_000  # commands remembered for GET /api/commands/<id> (oldest forgotten first)


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
    view: object = None  # ReadView of the state after this tick
    frame: dict | None = None  # the globe frame of this tick (numpy arrays, never mutated)
    real_time_factor: float | None = None  # over the health window (None while paused)


def offloader(async_mode: str):
    """`run(fn)` -> fn() executed where it does not hold the event loop, for each async mode.

    gevent: the hub's native thread pool (the calling greenlet waits cooperatively while other
    greenlets run whenever the worker releases the GIL: in numpy calls and at every switch
    interval); eventlet: tpool; threading: in place (the caller is already a thread).
    """
    if async_mode == "gevent":
        import gevent

        return lambda fn: gevent.get_hub().threadpool.apply(fn)
    if async_mode == "eventlet":
        from eventlet import tpool

        return tpool.execute
    return lambda fn: fn()


class CommandLedger:
    """Status of recent commands by sequence number: pending, applied or rejected (bounded)."""

    def __init__(self, size: int = LEDGER_SIZE):
        self._size = size
        self._entries: collections.OrderedDict = collections.OrderedDict()
        self._pending = 0

    def filed(self, seq: int, kind: str) -> dict:
        entry = {"command_id": command_id(seq), "type": kind, "status": "pending",
                 "submitted_at": time.time(), "applied_at_tick": None, "error": None}
        return self.mirror(seq, entry)

    def mirror(self, seq: int, entry: dict) -> dict:
        """File a pending entry as given (a web process copies the engine's entries)."""
        entry = dict(entry)
        self._entries[seq] = entry
        self._pending += 1
        while len(self._entries) > self._size:
            _, old = self._entries.popitem(last=False)
            self._pending -= old["status"] == "pending"
        return entry

    def settle(self, applied: dict, tick: int) -> None:
        """After a step: every command it took is applied, or rejected with the engine's reason."""
        for seq, rejection in applied.items():
            entry = self._entries.get(seq)
            if entry is None or entry["status"] != "pending":
                continue
            self._pending -= 1
            entry["applied_at_tick"] = tick
            if rejection is None:
                entry["status"] = "applied"
            else:
                entry["status"] = "rejected"
                entry["error"] = {"code": "command_rejected", "message": rejection["error"],
                                  "field": rejection["field"]}

    def get(self, seq: int) -> dict | None:
        entry = self._entries.get(seq)
        return None if entry is None else dict(entry)

    def pending(self) -> int:
        """Commands filed and not yet taken by a step."""
        return self._pending


def command_id(seq: int) -> str:
    return f"cmd-{seq}"


class RuntimeBase:
    """What the routes and the namespace use, whether the engine is here or behind Redis:
    the command ledger, waits for a command's step, the latest published tick, per-tick cache.

    `Runtime` (below) owns the engine; `backend.scaleout.web.RemoteRuntime` (ROLE=web) sends
    commands to the engine over Redis and reads the views it publishes there."""

    def __init__(self, make_event, query_timeout_s: float, async_mode: str = "threading"):
        self._make_event = make_event
        self.timeout_s = query_timeout_s
        self.offload = offloader(async_mode)  # blocking work (a step, a database read) off the loop
        self.commands = CommandLedger()
        self._waiters: list = []
        self.latest = Published(wall_time=time.time())
        self._snap_cache: dict = {}  # key -> (seq, value)
        self.steps_started = 0
        self.steps_done = 0

    # -- commands -----------------------------------------------------------------------
    def submit(self, cmd: dict) -> dict:
        """Validate and queue a command; ValueError becomes a 400 naming the field."""
        return self.submit_numbered(cmd)[1]

    def submit_numbered(self, cmd: dict) -> tuple[int, dict]:
        raise NotImplementedError

    def task_reserved(self, n: int) -> bool:
        """Task number `n` was handed out (its add_task may still wait for a step)."""
        raise NotImplementedError

    def freshness(self) -> dict:
        """{} while the published state is current; {"stale": True, ...} when it is not."""
        return {}

    def wait_applied(self, seq: int, timeout: float | None = None) -> dict:
        """Wait for the step that took command `seq`; its ledger entry (status may be pending)."""
        def settled() -> bool:
            entry = self.commands.get(seq)
            return entry is None or entry["status"] != "pending"
        self._wait(settled, timeout)
        return self.commands.get(seq)

    # -- reads --------------------------------------------------------------------------
    def view(self):
        raise NotImplementedError

    def read(self, fn):
        """`fn(view)` on the latest published view, in the caller (never waits for a tick)."""
        return fn(self.view())

    def read_after_step(self, fn, timeout: float | None = None):
        """`fn(view)` on the view of a step that started after this call (503 if none in time)."""
        target = self.steps_started + 1
        if not self._wait(lambda: self.steps_done >= target, timeout):
            raise ApiError(503, "loop_unavailable", "no tick completed in time; try again")
        return fn(self.view())

    def wait_view(self, done, timeout: float | None = None) -> bool:
        """Wait until `done(view)` holds for a published view; False when it timed out."""
        return self._wait(lambda: done(self.view()), timeout)

    def query(self, fn, after_step: bool = False, timeout: float | None = None):
        """Compatibility name: `read` or `read_after_step`."""
        return self.read_after_step(fn, timeout) if after_step else self.read(fn)

    def _wait(self, done, timeout: float | None) -> bool:
        deadline = time.monotonic() + (self.timeout_s if timeout is None else timeout)
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            event = self._make_event()
            self._waiters.append(event)
            if done():
                return True
            event.wait(left)
        return True

    # -- tick loop side -----------------------------------------------------------------
    def publish(self, pub: Published, applied: dict) -> None:
        """Tick loop only: replace the per-tick summary, settle the step's commands, wake waiters."""
        self.latest = pub
        self._snap_cache = {}
        self.commands.settle(applied, pub.tick)
        self.steps_done = self.steps_started
        waiters, self._waiters = self._waiters, []
        for event in waiters:
            event.set()

    def cached(self, key, build):
        """Per-tick cache: `build()` once per (seq, key); `build` runs in the caller."""
        seq = self.latest.seq
        hit = self._snap_cache.get(key)
        if hit is not None and hit[0] == seq:
            return hit[1]
        value = build()
        self._snap_cache[key] = (seq, value)
        return value


class Runtime(RuntimeBase):
    """Owns the engine; the tick loop is its only stepper, handlers read published views."""

    def __init__(self, engine, make_event, query_timeout_s: float, async_mode: str = "threading"):
        super().__init__(make_event, query_timeout_s, async_mode)
        self.engine = engine

    def submit_numbered(self, cmd: dict) -> tuple[int, dict]:
        """`submit`, also returning the command's sequence number (filed in the ledger)."""
        try:
            seq, result = self.engine.submit_numbered(cmd)
        except ValueError as exc:
            raise from_value_error(exc) from None
        self.commands.filed(seq, cmd.get("type"))
        return seq, result

    def task_reserved(self, n: int) -> bool:
        return n < self.engine.book.next_id

    def view(self):
        """The latest published view; before the first tick, one taken now."""
        view = self.latest.view
        if view is None:
            from backend.readview import ReadView

            view = ReadView(self.engine)
        return view


def snapshot(rt: RuntimeBase, sat_offset: int = 0, sat_limit: int | None = None) -> dict:
    """The snapshot of the latest published view, cached per tick; marked `stale` (with its age
    and why) when the engine behind a web process stopped publishing."""
    key = ("snapshot", sat_offset, sat_limit)
    snap = rt.cached(key, lambda: rt.read(lambda v: v.snapshot(sat_offset=sat_offset, sat_limit=sat_limit)))
    stale = rt.freshness()
    return {**snap, **stale} if stale else snap
