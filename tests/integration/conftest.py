"""Integration fixtures: a real server per async mode and a recording python-socketio client."""

from __future__ import annotations

import threading
import time

import engineio
import pytest
import requests
import socketio

MODES = ("gevent", "threading")


class _InOrderEio(engineio.Client):
    """python-engineio's client runs each message in a new thread, so a binary event's header
    and attachments can be decoded out of order; handle messages on the reading thread."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):
    """A python-socketio client that decodes packets in arrival order."""

    def _engineio_client_class(self):
        return _InOrderEio


class Recorder:
    """A real python-socketio client on /ws that records every event with its arrival time."""

    def __init__(self, url: str, auth: dict | None = None):
        self.url, self.auth = url, auth
        self.sio = InOrderClient(reconnection=False)
        self.events: list[tuple[str, object, float]] = []
        self._cond = threading.Condition()
        self.sio.on("*", self._any, namespace="/ws")

    def _any(self, event, data=None):
        with self._cond:
            self.events.append((event, data, time.monotonic()))
            self._cond.notify_all()

    def connect(self) -> "Recorder":
        self.sio.connect(self.url, namespaces=["/ws"], transports=["websocket"], auth=self.auth,
                         wait_timeout=10)
        return self

    def close(self) -> None:
        self.sio.disconnect()

    def call(self, event: str, data=None, timeout: float = 5.0):
        return self.sio.call(event, data, namespace="/ws", timeout=timeout)

    def of(self, name: str, since: float = 0.0) -> list:
        with self._cond:
            return [d for n, d, t in self.events if n == name and t >= since]

    def wait_for(self, pred, timeout: float = 15.0, what: str = "condition"):
        """Block until pred(events) is truthy; return its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = pred(self.events)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    names = sorted({n for n, _, _ in self.events})
                    raise AssertionError(f"timed out waiting for {what}; got {names}")
                self._cond.wait(min(left, 0.2))

    def wait_event(self, name: str, match=None, timeout: float = 15.0, since: float = 0.0):
        def found(events):
            for n, d, t in events:
                if n == name and t >= since and (match is None or match(d)):
                    return d
            return None
        return self.wait_for(found, timeout, name)


@pytest.fixture(scope="module", params=MODES)
def server(request, live_server_factory):
    """A live server per async mode (180 satellites, short health window for fault tests)."""
    srv = live_server_factory({"SCENARIO_N_SATELLITES": "180", "SCENARIO_PLANES": "9",
                               "HEALTH_RESTART_WINDOW_S": "3", "HEALTH_MAX_RESTARTS": "3"},
                              async_mode=request.param)
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    """A connected Recorder; disconnected after the test."""
    rec = Recorder(server.url).connect()
    yield rec
    rec.close()


class Http:
    def __init__(self, url):
        self.url = url

    def get(self, path):
        resp = requests.get(self.url + path, timeout=10)
        return resp

    def post(self, path, body=None):
        resp = requests.post(self.url + path, json=body, timeout=10)
        assert resp.status_code < 300, resp.text
        return resp.json()


@pytest.fixture
def http(server):
    return Http(server.url)
