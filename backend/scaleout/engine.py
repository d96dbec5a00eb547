"""ROLE=engine: the single process's engine and loops, plus the Redis link to the web processes.

Out, once per tick (a sink of the fan-out loop, after the local hub): the read view to
`vpp:view` (SET, replaced), then one `TickMessage` to the stream `vpp:out`, in one pipeline so a
web process that sees tick N finds a view at least as new. In: the `commands` loop reads
`vpp:commands` in order and gives each command to `Runtime.submit_numbered` exactly as a REST
handler of the single process would; its `Reply` goes to `vpp:out` (same stream as the ticks,
so a web process files the command before it sees the tick that applies it).

Exactly once: before submitting, the engine claims the command's idempotency key (`SET NX`).
A key already claimed is not submitted again: the stored reply is sent again instead. A command
past its deadline is ignored (its web process answers 503 and claims the key "abandoned" first,
so the engine cannot take it afterwards). A reply that could not be sent (Redis down) is kept
and sent again once Redis is back.
"""

from __future__ import annotations

import collections
import logging
import time
import uuid

from backend.events import frame_payload
from backend.loops import LoopState
from backend.utils.errors import ApiError

from . import link as keys
from .codec import CommandMessage, Reply, TickMessage, ViewMessage, dump
from .link import LinkDown, RedisLink

log = logging.getLogger(__name__)

REPLIES_KEPT = 10_000  # recent replies remembered by key (a re-sent command is answered from here)


def engine_health(loops) -> dict:
    """The engine's loop and pace figures that the web processes show in their health."""
    pub = loops.rt.latest
    requested = pub.smoke.get("qps", 0.0) if pub.smoke.get("running") else 0.0
    window_s = loops.settings.HEALTH_RESTART_WINDOW_S
    started = loops.step_started_at
    return {"loops": {name: {**state.report(), "restarts_recent": state.restarts_within(window_s)}
                      for name, state in loops.state.items()},
            "window": loops.window.report(requested), "degraded_for_s": loops.window.degraded_for_s(),
            "overruns": loops.overruns, "last_tick_ms": loops.last_tick_ms,
            "step_running_s": None if started is None else time.monotonic() - started,
            "fanout_dropped": loops.bundles_dropped,
            "recorder": None if loops.recorder is None else loops.recorder.status()}


class EngineLink:
    """Publishes each tick to Redis once and takes the web processes' commands in order."""

    def __init__(self, svc, sio):
        self.svc, self.sio = svc, sio
        self.link = RedisLink(svc.settings.REDIS_URL, sio.sleep)
        self.engine_id = uuid.uuid4().hex[:12]
        self.cap = svc.settings.CLIENT_EVENTS_PER_KIND
        self._replies: collections.OrderedDict = collections.OrderedDict()  # key -> encoded Reply
        self._unsent: list = []  # encoded replies Redis did not take yet
        self.ticks_published = 0
        self.ticks_unpublished = 0

    def attach(self) -> None:
        """Hook into the loops (before `loops.start()`): a fan-out sink and the commands loop."""
        loops = self.svc.loops
        loops.sinks.append(self.publish)
        loops.link = self
        loops.state["commands"] = LoopState("commands")
        self.sio.start_background_task(loops._supervise, "commands", self._command_loop)

    # -- out: ticks ---------------------------------------------------------------------
    def publish(self, bundle: dict) -> None:
        """One tick to Redis: the view, then the tick message (skipped while Redis is down)."""
        pub = bundle["pub"]
        head = {k: v for k, v in vars(pub).items() if k not in ("view", "frame")}
        msg = TickMessage(self.engine_id, pub.view.generation, head, frame_payload(pub.frame),
                          list(bundle["events"].records(limit_per_kind=self.cap)), bundle.get("applied", {}),
                          engine_health(self.svc.loops))
        view = dump(ViewMessage(self.engine_id, pub.seq, pub.view))
        tick = dump(msg)

        def send(r):
            pipe = r.pipeline(transaction=False)
            pipe.set(keys.VIEW, view)
            pipe.xadd(keys.OUT, {"m": tick}, maxlen=keys.OUT_MAXLEN, approximate=True)
            pipe.execute()
        try:
            self.link.call(send)
            self.ticks_published += 1
        except LinkDown:
            self.ticks_unpublished += 1

    # -- in: commands -------------------------------------------------------------------
    def _command_loop(self) -> None:
        last = "0-0"  # everything still in the stream: old entries are past their deadline or claimed
        while not self.svc.loops.stopping:
            try:
                self._flush_unsent()
                got = self.link.call(lambda r: r.xread({keys.COMMANDS: last}, count=100, block=keys.BLOCK_MS))
            except LinkDown:
                self.link.wait_retry()
                continue
            for _stream, entries in got or []:
                for entry_id, fields in entries:
                    last = entry_id
                    self._take(CommandMessage.decode(fields[b"m"]))

    def _take(self, msg: CommandMessage) -> None:
        """Submit one command unless it is late or already taken; send its reply."""
        known = self._replies.get(msg.key)
        if known is not None:
            self._send(known)
            return
        if time.time() > msg.deadline:
            return
        claim = keys.CLAIM + msg.key
        try:
            won = self.link.call(lambda r: r.set(claim, b"taken", nx=True, ex=keys.CLAIM_TTL_S))
            if not won:
                prior = self.link.call(lambda r: r.get(claim))
                if prior not in (None, b"taken", b"abandoned"):
                    self._send(prior)
                return
        except LinkDown:
            return  # not taken: its web process times out and answers 503
        reply = dump(self._submit(msg))
        self._remember(msg.key, reply)
        try:
            self.link.call(lambda r: r.set(claim, reply, xx=True, ex=keys.CLAIM_TTL_S))
        except LinkDown:
            pass
        self._send(reply)

    def _submit(self, msg: CommandMessage) -> Reply:
        """The command through the same runtime a single process's REST handler uses."""
        rt = self.svc.rt
        try:
            seq, result = rt.submit_numbered(msg.cmd)
        except ApiError as err:
            return Reply(msg.key, self.engine_id, error={"status": err.status, "code": err.code,
                                                         "message": err.message, "field": err.field})
        return Reply(msg.key, self.engine_id, seq=seq, result=result, entry=rt.commands.get(seq))

    def _remember(self, key: str, reply: bytes) -> None:
        self._replies[key] = reply
        while len(self._replies) > REPLIES_KEPT:
            self._replies.popitem(last=False)

    def _send(self, reply: bytes) -> None:
        try:
            self.link.call(lambda r: r.xadd(keys.OUT, {"m": reply}, maxlen=keys.OUT_MAXLEN, approximate=True))
        except LinkDown:
            self._unsent.append(reply)

    def _flush_unsent(self) -> None:
        while self._unsent:
            reply = self._unsent[0]
            self.link.call(lambda r: r.xadd(keys.OUT, {"m": reply}, maxlen=keys.OUT_MAXLEN, approximate=True))
            self._unsent.pop(0)

    # -- health -------------------------------------------------------------------------
    def health(self) -> tuple[list, dict]:
        """(degraded reasons, report) for the engine's own /api/health."""
        reason = self.link.reason()
        report = {**self.link.report(), "engine_id": self.engine_id, "ticks_published": self.ticks_published,
                  "ticks_unpublished": self.ticks_unpublished, "replies_unsent": len(self._unsent)}
        return ([reason] if reason else []), report
