"""Per-client fan-out on the Socket.IO namespace `/ws`.

Every event kind has a room `ev:<name>`; a client is in the rooms of the kinds it subscribes
to (all by default) once its connect-time `state` has been sent. Each payload is encoded once
and sent to its room, skipping clients that are behind or over their per-tick cap.

Bounded outgoing queues: python-engineio's per-client queue is unbounded, so before each tick
we look at its depth. A client with more than CLIENT_QUEUE_MAX_PACKETS unsent packets is
"behind": it gets nothing this tick (its unsent tick is in effect replaced by the newest one
it later receives), what it missed is counted as skipped, and after CLIENT_MAX_LAG_S behind it
is disconnected. The `tick` counters stay exact whatever a client was sent.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from backend.core.ticklog import EVENT_NAMES

log = logging.getLogger(__name__)

NS = "/ws"
SERVER_EVENTS = ("alert.loop_failed", "arena.progress", "arena.finished")
SUBSCRIBABLE = ("tick",) + tuple(EVENT_NAMES) + SERVER_EVENTS


def serialize_sends(server) -> None:
    """Make each Socket.IO packet reach a client's queue as one unit.

    A binary event is several engine.io packets (header, then attachments). python-socketio
    does not lock around them, so in threading mode an ack or another emit from a second thread
    can land between a header and its attachments and the client mis-decodes the stream
    (python-socketio issue #403). One lock around the two send paths prevents that; under
    gevent it is uncontended and costs nothing.
    """
    lock = threading.RLock()

    def locked(fn):
        def call(*args, **kwargs):
            with lock:
                return fn(*args, **kwargs)
        return call

    server.manager.emit = locked(server.manager.emit)
    server._send_packet = locked(server._send_packet)


def room(name: str) -> str:
    return f"ev:{name}"


@dataclass
class Client:
    """One connected /ws client and what it was (not) sent."""

    sid: str
    eio_sid: str
    subs: set
    cap: int
    ready: bool = False
    behind_since: float | None = None
    ticks_sent: int = 0
    skipped_ticks: int = 0
    skipped_events: int = 0
    connected_at: float = field(default_factory=time.time)

    def stats(self) -> dict:
        return {"events": sorted(self.subs), "max_per_tick": self.cap, "ticks_sent": self.ticks_sent,
                "skipped_ticks": self.skipped_ticks, "skipped_events": self.skipped_events,
                "behind": self.behind_since is not None}


def tick_payload(bundle: dict) -> dict:
    """The `tick` event: JSON header plus the frame arrays as little-endian float32 bytes."""
    pub, frame = bundle["pub"], bundle["frame"]
    out = {"seq": pub.seq, "tick": pub.tick, "sim_time": pub.sim_time, "paused": pub.paused,
           "smoke": pub.smoke, "real_time_factor": pub.real_time_factor,
           "counters": pub.counts, "totals": pub.totals, "kpis": pub.kpis,
           "tick_wall_time": pub.wall_time, "sent_at": time.time()}
    out.update(frame_payload(frame))
    return out


def frame_payload(frame: dict) -> dict:
    """A globe frame for Socket.IO: header values, arrays as little-endian float32 bytes."""
    return {key: value.astype("<f4").tobytes() if isinstance(value, np.ndarray) else value
            for key, value in frame.items()}


class Hub:
    """Client registry, subscriptions and delivery; used by the namespace and the loops."""

    def __init__(self, server, settings, metrics):
        self.server, self.metrics = server, metrics
        self.cap = settings.CLIENT_EVENTS_PER_KIND
        self.max_packets = settings.CLIENT_QUEUE_MAX_PACKETS
        self.max_lag_s = settings.CLIENT_MAX_LAG_S
        self.clients: dict[str, Client] = {}
        self._server_counts: dict[str, int] = {}
        self.disconnected_behind = 0

    # -- registry ------------------------------------------------------------------------
    def register(self, sid: str, eio_sid: str, subs, cap: int | None) -> Client:
        client = Client(sid, eio_sid, set(subs), self.cap if cap is None else min(cap, self.cap))
        self.clients[sid] = client
        self.metrics.clients.set(len(self.clients))
        return client

    def unregister(self, sid: str) -> None:
        self.clients.pop(sid, None)
        self.metrics.clients.set(len(self.clients))

    def make_ready(self, sid: str) -> None:
        """After the connect-time state: join the rooms of the client's subscriptions."""
        client = self.clients.get(sid)
        if client is None:
            return
        for name in client.subs:
            self.server.enter_room(sid, room(name), namespace=NS)
        client.ready = True

    def subscribe(self, sid: str, names, cap: int | None = None) -> dict:
        client = self.clients[sid]
        client.subs |= set(names)
        if cap is not None:
            client.cap = min(cap, self.cap)
        if client.ready:
            for name in names:
                self.server.enter_room(sid, room(name), namespace=NS)
        return client.stats()

    def unsubscribe(self, sid: str, names) -> dict:
        client = self.clients[sid]
        client.subs -= set(names)
        if client.ready:
            for name in names:
                self.server.leave_room(sid, room(name), namespace=NS)
        return client.stats()

    # -- server-only events --------------------------------------------------------------
    def emit_server_event(self, name: str, payload: dict) -> None:
        """An event the server raises itself (alert.loop_failed); counted into the next tick."""
        self._server_counts[name] = self._server_counts.get(name, 0) + 1
        self.server.emit(name, payload, to=room(name), namespace=NS)

    def take_server_counts(self) -> dict:
        counts, self._server_counts = self._server_counts, {}
        return counts

    # -- delivery ------------------------------------------------------------------------
    def _queue_len(self, eio_sid: str) -> int:
        sock = self.server.eio.sockets.get(eio_sid)
        return sock.queue.qsize() if sock is not None else 0

    def _triage(self, now: float) -> tuple[list, list]:
        """(behind sids, sids to disconnect) from each client's unsent engine.io packets."""
        behind, drop = [], []
        for c in list(self.clients.values()):
            if not c.ready:
                continue
            if self._queue_len(c.eio_sid) <= self.max_packets:
                c.behind_since = None
                continue
            behind.append(c.sid)
            c.behind_since = c.behind_since or now
            if now - c.behind_since > self.max_lag_s:
                drop.append(c.sid)
        return behind, drop

    def deliver(self, bundle: dict) -> None:
        """Send one tick and its events to every ready client that keeps up."""
        if not self.clients:
            return
        behind, drop = self._triage(time.monotonic())
        self._account(bundle["pub"].counts, set(behind))
        self.server.emit("tick", tick_payload(bundle), to=room("tick"), skip_sid=behind, namespace=NS)
        wanted = set().union(*(c.subs for c in self.clients.values() if c.ready)) - {"tick"}
        if wanted:
            self._send_records(bundle["events"], wanted, behind)
        for sid in drop:
            self.drop(sid)

    def _send_records(self, events, wanted: set, behind: list) -> None:
        low_caps = [c for c in self.clients.values() if c.cap < self.cap]
        seen = dict.fromkeys(EVENT_NAMES, 0)
        for name, payload in events.records(limit_per_kind=self.cap):
            k = seen[name]
            seen[name] = k + 1
            if name not in wanted:
                continue
            skip = behind + [c.sid for c in low_caps if c.cap <= k] if low_caps else behind
            self.server.emit(name, payload, to=room(name), skip_sid=skip, namespace=NS)

    def _account(self, counts: dict, behind: set) -> None:
        """Skipped ticks and events per client (cap or behind)."""
        skipped_total = 0
        for c in list(self.clients.values()):
            if not c.ready:
                continue
            if c.sid in behind:
                c.skipped_ticks += "tick" in c.subs
                n = sum(counts.get(name, 0) for name in c.subs if name != "tick")
            else:
                c.ticks_sent += "tick" in c.subs
                n = sum(max(0, counts.get(name, 0) - c.cap) for name in c.subs if name != "tick")
            c.skipped_events += n
            skipped_total += n
        if skipped_total:
            self.metrics.skipped.inc(skipped_total)

    def drop(self, sid: str) -> None:
        """Disconnect a client that stayed behind; abort its engine.io socket (no drain wait)."""
        client = self.clients.get(sid)
        if client is None:
            return
        log.warning("disconnecting client %s: behind for more than %.1f s", sid, self.max_lag_s)
        self.disconnected_behind += 1
        self.metrics.dropped_clients.inc()
        self.server.disconnect(sid, namespace=NS)
        sock = self.server.eio.sockets.get(client.eio_sid)
        if sock is not None:
            sock.close(wait=False, abort=True)
        self.unregister(sid)

    def summary(self) -> dict:
        clients = list(self.clients.values())
        return {"connected": len(clients), "behind": sum(c.behind_since is not None for c in clients),
                "disconnected_behind": self.disconnected_behind,
                "skipped_events": sum(c.skipped_events for c in clients)}
