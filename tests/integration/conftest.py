"""Integration fixtures: a real server per async mode, the project's Python client
(backend/client.py) for REST, and its live Socket.IO feed as the recording client."""

from __future__ import annotations

import pytest

from backend.client import LiveFeed, VppClient

MODES = ("gevent", "threading")


Recorder = LiveFeed  # records every /ws event (frames decoded) with its arrival time


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
    """A connected LiveFeed; disconnected after the test."""
    rec = Recorder(server.url).connect()
    yield rec
    rec.close()


@pytest.fixture
def http(server):
    """The REST client on the module's server."""
    return VppClient(server.url)
