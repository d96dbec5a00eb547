"""Socket.IO payload models (namespace /ws): what a client may send, checked like REST bodies."""

from __future__ import annotations

from pydantic import Field

from backend.core.validation import Strict, param
from backend.events import SUBSCRIBABLE

EventName = str  # one of SUBSCRIBABLE: checked by the namespace (error code unknown_event)


class Subscribe(Strict):
    """subscribe / unsubscribe: event names (and, for subscribe, a lower per-kind cap)."""

    events: list[EventName] = Field(..., max_length=64, description=f"names among {list(SUBSCRIBABLE)}")
    max_per_tick: int = param(None, 0, 100_000, "events / tick", "lower the per-kind cap for this client")


class StateRequest(Strict):
    """state: ask for a fresh `state` event."""

    sat_limit: int = param(None, 0, 10_000_000, "satellites", "satellites in the state")


class ConnectAuth(Strict):
    """The Socket.IO `auth` object at connect."""

    events: list[EventName] = Field(None, max_length=64, description="initial subscriptions (default: every event)")
    max_per_tick: int = param(None, 0, 100_000, "events / tick", "lower the per-kind cap for this client")
    sat_limit: int = param(None, 0, 10_000_000, "satellites", "satellites in the connect-time state")
    token: str = Field(None, max_length=512, description="the server's API_TOKEN, when it has one")
