"""The Socket.IO namespace `/ws`: connect (state first, then live events), subscriptions, stats.

Bounded connect: the `state` lists at most CONNECT_SAT_LIMIT satellites as JSON (a client may
ask for fewer, never more) and carries the whole constellation as the latest binary globe
frame (`frame`: 24 bytes a satellite). Both are built once per tick and shared by every client
that connects during it, so a connect costs one emit, not a snapshot of its own.

Payloads from clients go through the same schema validator as REST bodies; a bad payload is
answered (ack) with {"error": {code, message, field}}.
"""

from __future__ import annotations

import logging

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace

from backend.events import NS, SUBSCRIBABLE, frame_payload
from backend.runtime import snapshot
from backend.core.validation import FieldError, parse
from backend.payloads import ConnectAuth, StateRequest, Subscribe
from backend.security import token_ok
from backend.utils.errors import ApiError

log = logging.getLogger(__name__)


def validate(data, model) -> dict:
    """The payload checked by `model` (only the fields given), or ApiError naming the field."""
    try:
        return parse(model, data).model_dump(exclude_unset=True)
    except FieldError as err:
        raise ApiError(400, err.code, str(err), err.field) from None



def _names(body: dict) -> list:
    names = body.get("events", list(SUBSCRIBABLE))
    for i, name in enumerate(names):
        if name not in SUBSCRIBABLE:
            raise ApiError(400, "unknown_event", f"events[{i}]: unknown event {name!r}", f"events[{i}]")
    return names


class VppNamespace(Namespace):
    """One namespace class for /ws (connect, disconnect, subscribe, unsubscribe, stats, state)."""

    def __init__(self, services):
        super().__init__(NS)
        self.svc = services
        self._sat_limits: dict[str, int] = {}  # sid -> satellites wanted in a `state`
        services.loops.on_reset.append(self._resync_all)

    def on_connect(self, auth=None):
        try:
            opts = validate(auth or {}, ConnectAuth)
            names = _names(opts)
            given = opts.get("token")
            header = request.headers.get("Authorization") if given is None else f"Bearer {given}"
            if not token_ok(header, self.svc.settings.API_TOKEN):
                raise ApiError(401, "unauthorized", "send auth {token: <API_TOKEN>} to connect")
        except ApiError as err:
            raise ConnectionRefusedError(err.message, err.body()) from None  # message, data
        eio_sid = self.socketio.server.manager.eio_sid_from_sid(request.sid, NS)
        self.svc.hub.register(request.sid, eio_sid, names, opts.get("max_per_tick"))
        limit = self._limit(opts)
        self._sat_limits[request.sid] = limit
        self.socketio.start_background_task(self._send_state, request.sid, limit, True)

    def _limit(self, opts: dict) -> int:
        """Satellites listed as JSON in a `state`: the client's sat_limit, at most CONNECT_SAT_LIMIT."""
        cap = self.svc.settings.CONNECT_SAT_LIMIT
        return min(cap, opts.get("sat_limit", cap))

    def _resync_all(self) -> None:
        """After a reset every client gets a fresh `state`, with its own satellite limit."""
        for sid, limit in list(self._sat_limits.items()):
            self._send_state(sid, limit, False)

    def _send_state(self, sid: str, sat_limit: int, then_ready: bool) -> None:
        """Send the current snapshot to one client, then let live events flow to it."""
        rt = self.svc.rt
        try:
            snap = snapshot(rt, sat_limit=sat_limit)
        except ApiError as err:
            log.warning("state for %s unavailable: %s", sid, err.message)
            self.socketio.emit("error", err.body(), to=sid, namespace=NS)
            snap = None
        if snap is not None:
            frame = rt.cached("frame", lambda: frame_payload(rt.latest.frame) if rt.latest.frame else None)
            self.socketio.emit("state", {**snap, "frame": frame}, to=sid, namespace=NS)
        if then_ready:
            self.svc.hub.make_ready(sid)

    def on_disconnect(self, reason=None):
        self._sat_limits.pop(request.sid, None)
        self.svc.hub.unregister(request.sid)

    def on_subscribe(self, data=None):
        return self._change(data, self.svc.hub.subscribe, with_cap=True)

    def on_unsubscribe(self, data=None):
        return self._change(data, self.svc.hub.unsubscribe, with_cap=False)

    def _change(self, data, apply, with_cap: bool) -> dict:
        try:
            body = validate(data if isinstance(data, dict) else _not_object(data), Subscribe)
            names = _names(body)
            args = (body.get("max_per_tick"),) if with_cap else ()
            return {"ok": True, **apply(request.sid, names, *args)}
        except ApiError as err:
            return err.body()
        except KeyError:
            return ApiError(409, "not_connected", "client is not registered").body()

    def on_stats(self, data=None):
        client = self.svc.hub.clients.get(request.sid)
        return client.stats() if client else ApiError(409, "not_connected", "unknown client").body()

    def on_state(self, data=None):
        """Resync on demand: a fresh `state` event (same as at connect)."""
        try:
            opts = validate(data if isinstance(data, dict) else {}, StateRequest)
        except ApiError as err:
            return err.body()
        self.socketio.start_background_task(self._send_state, request.sid, self._limit(opts), False)
        return {"ok": True}


def _not_object(data):
    raise ApiError(400, "invalid_type", f"payload must be an object, got {data!r}", None)
