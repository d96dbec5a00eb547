"""Failures with real processes: a web process dying, Redis restarting, the engine dying."""

from __future__ import annotations

import time

import pytest
import requests
import socketio

from tests.integration.conftest import Recorder

from .conftest import engine_up, start_cluster, wait_until
from .test_relay import TASK, post


@pytest.fixture(scope="module")
def cluster():
    c = start_cluster()
    yield c
    c.stop()


def health(url: str) -> dict:
    return requests.get(url + "/api/health", timeout=5).json()


def test_a_web_process_dying_its_clients_reconnect_elsewhere_and_get_a_fresh_state(cluster):
    extra = cluster.start_web("c")
    rec = Recorder(extra.url).connect()
    try:
        rec.wait_event("state")
        wait_until(lambda: rec.of("tick"), what="a tick on web c")
        extra.stop()
        wait_until(lambda: not rec.sio.connected, what="the client to notice web c is gone")
    finally:
        try:
            rec.close()
        except socketio.exceptions.SocketIOError:
            pass
    seen = rec.of("tick")[-1]["seq"]
    again = Recorder(cluster.webs["a"].url).connect()  # what the load balancer does
    try:
        state = again.wait_event("state")
        assert state["tick"] >= rec.of("tick")[-1]["tick"]
        tick = again.wait_event("tick")
        assert tick["seq"] > seen  # the same engine's sequence, carried on
    finally:
        again.close()


def test_redis_restarting_degrades_health_refuses_commands_and_the_stream_resumes(cluster):
    a, b = cluster.webs["a"].url, cluster.webs["b"].url
    rec = Recorder(a).connect()
    try:
        rec.wait_event("state")
        assert requests.get(b + "/api/state?sat_limit=0", timeout=10).status_code == 200  # b has a state
        cluster.redis.stop()
        body = wait_until(lambda: (h := health(b))["status"] == "degraded" and h, what="web b degraded")
        assert any(r.startswith("redis:") for r in body["reasons"]) and body["link"]["redis_up"] is False
        refused = post(a, "/api/tasks", TASK)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "redis_unavailable"
        assert refused.headers["Retry-After"] == "1"
        stale = requests.get(b + "/api/state?sat_limit=0", timeout=10)
        assert stale.status_code == 200 and stale.json()["stale"] is True
        engine = wait_until(lambda: (h := health(cluster.engine.url))["reasons"] and h, what="engine degraded")
        assert any(r.startswith("redis:") for r in engine["reasons"])
        cut = time.monotonic()
        cluster.redis.start()  # same port, empty
        wait_until(lambda: engine_up(a) and engine_up(b), timeout=30, what="both web processes reconnected")
        rec.wait_event("tick", since=cut, timeout=20)
        accepted = post(b, "/api/tasks", TASK)
        assert accepted.status_code == 201, accepted.text
        assert "stale" not in requests.get(a + "/api/state?sat_limit=0", timeout=10).json()
        assert health(a)["status"] == "ok" and health(b)["link"]["redis_reconnects"] >= 1
    finally:
        rec.close()


def test_the_engine_dying_commands_are_503_state_stale_then_fresh_when_it_is_back(cluster):
    a, b = cluster.webs["a"].url, cluster.webs["b"].url
    rec = Recorder(a).connect()
    try:
        rec.wait_event("state")
        old_engine = health(a)["link"]["engine_id"]
        cluster.engine.stop()
        wait_until(lambda: not engine_up(b), what="web b to notice the engine is gone")
        refused = post(b, "/api/sim/pause")
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "engine_unavailable"
        assert refused.headers["Retry-After"] == "1"
        stale = requests.get(a + "/api/state?sat_limit=0", timeout=10).json()
        assert stale["stale"] is True and stale["stale_reason"].startswith("engine_unavailable")
        assert health(a)["status"] == "degraded"
        cut = time.monotonic()
        cluster.start_engine()
        wait_until(lambda: engine_up(a) and engine_up(b), timeout=30, what="the new engine seen")
        fresh = rec.wait_event("state", since=cut, timeout=20)
        assert fresh["tick"] < stale["tick"]  # the new engine's state, from its seed
        assert health(a)["link"]["engine_id"] != old_engine
        ok = post(b, "/api/sim/pause")
        assert ok.status_code == 200, ok.text
        assert post(a, "/api/sim/resume").status_code == 200
    finally:
        rec.close()
