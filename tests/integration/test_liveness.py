"""Liveness under load, against the real server process in each async mode (issue 8).

Slow ticks come from the test hook POST /api/_test/slow (each advancing tick burns extra CPU in
pure Python inside the step, holding the GIL as a heavy tick does) or from a big scenario.
"""

from __future__ import annotations

import re
import time

import pytest
import requests

from .conftest import MODES


@pytest.fixture(scope="module", params=MODES)
def srv(request, live_server_factory):
    server = live_server_factory({"SCENARIO_N_SATELLITES": "180", "SCENARIO_PLANES": "9",
                                  "QUERY_TIMEOUT_S": "1.5", "LOOP_BACKOFF_BASE_S": "0.2",
                                  "LOOP_BACKOFF_MAX_S": "1.0", "HEALTH_RESTART_WINDOW_S": "2",
                                  "HEALTH_MAX_RESTARTS": "50", "LOG_LEVEL": "WARNING",
                                  "CONNECT_SAT_LIMIT": "50"},
                                 async_mode=request.param)
    yield server
    server.stop()


def post(srv, path, body=None, timeout=30):
    return requests.post(srv.url + path, json=body, timeout=timeout)


def health(srv) -> dict:
    return requests.get(srv.url + "/api/health", timeout=10).json()


def slow(srv, ticks: int, seconds: float) -> None:
    assert post(srv, "/api/_test/slow", {"ticks": ticks, "seconds": seconds}).status_code == 200


def timed_get(srv, path: str) -> float:
    t0 = time.perf_counter()
    resp = requests.get(srv.url + path, timeout=10)
    assert resp.status_code == 200, resp.text
    return time.perf_counter() - t0


def resume(srv) -> None:
    slow(srv, 0, 0.0)
    deadline = time.monotonic() + 20
    while health(srv)["paused"]:
        resp = post(srv, "/api/sim/resume")
        assert resp.status_code in (200, 202), resp.text
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_reads_answer_while_ticks_are_slow(srv):
    slow(srv, 1000, 0.8)  # ticks of ~0.8 s instead of ~5 ms
    try:
        time.sleep(1.0)
        times = {path: [timed_get(srv, path) for _ in range(12)]
                 for path in ("/api/health", "/metrics", "/api/config", "/api/state?sat_limit=10",
                              "/api/satellites/sat-004")}
        body = health(srv)
    finally:
        slow(srv, 0, 0.0)
    worst = {p: max(t) for p, t in times.items()}
    print(f"\n[{srv.async_mode}] worst read latency during 0.8 s ticks: "
          + ", ".join(f"{p} {1000 * t:.0f} ms" for p, t in worst.items()))
    assert all(t < 0.5 for t in worst.values()), worst  # a tick is 0.8 s: none waited for one
    assert body["last_tick_ms"] > 500 and body["status"] in ("ok", "degraded")


def test_pause_takes_effect_at_the_next_tick_and_answers_then(srv):
    slow(srv, 1000, 0.6)
    try:
        time.sleep(0.7)
        t0 = time.perf_counter()
        resp = post(srv, "/api/sim/pause")
        took = time.perf_counter() - t0
        assert resp.status_code == 200, resp.text
        clock = resp.json()
        assert clock["paused"] is True
        tick = clock["tick"]
        time.sleep(1.5)
        assert health(srv)["tick"] == tick  # nothing advanced after the answer
    finally:
        resume(srv)
    print(f"\n[{srv.async_mode}] pause answered after {1000 * took:.0f} ms with 0.6 s ticks")
    assert took < 0.6 + 0.1 + 0.4  # the rest of the running tick, then one fast (paused) step


def test_a_wait_that_times_out_answers_202_and_applies_exactly_once(srv):
    slow(srv, 1000, 2.5)  # longer than QUERY_TIMEOUT_S (1.5 s)
    try:
        time.sleep(0.3)  # inside a slow tick
        before = requests.get(srv.url + "/api/state?sat_limit=0", timeout=10).json()
        resp = post(srv, "/api/reset", {"seed": 4242})
        assert resp.status_code == 202, resp.text
        body = resp.json()
        assert body["status"] == "pending" and body["command_id"].startswith("cmd-")
        assert body["poll"] == f"/api/commands/{body['command_id']}"
        deadline = time.monotonic() + 15
        while True:
            entry = requests.get(srv.url + body["poll"], timeout=10).json()
            if entry["status"] != "pending":
                break
            assert time.monotonic() < deadline, entry
            time.sleep(0.2)
        assert entry["status"] == "applied" and entry["error"] is None
        state = requests.get(srv.url + "/api/state?sat_limit=0", timeout=10).json()
        assert state["seed"] == 4242 and state["seed"] != before["seed"]
        applied_tick = entry["applied_at_tick"]
        time.sleep(6.0)  # two more slow ticks: a second (late) application would reset again
        again = requests.get(srv.url + "/api/state?sat_limit=0", timeout=10).json()
        assert again["tick"] > applied_tick and again["tick"] >= state["tick"]
    finally:
        slow(srv, 0, 0.0)
    assert requests.get(srv.url + "/api/commands/cmd-999999999", timeout=10).status_code == 404


def test_health_degraded_with_reasons_when_behind(srv):
    slow(srv, 1000, 0.3)  # 0.1 s ticks take ~0.3 s: about a third of the requested speed
    try:
        deadline = time.monotonic() + 25
        while True:
            resp = requests.get(srv.url + "/api/health", timeout=10)
            body = resp.json()
            if body["status"] == "degraded":
                break
            assert time.monotonic() < deadline, body
            time.sleep(0.5)
    finally:
        slow(srv, 0, 0.0)
    assert resp.status_code == 200
    assert body["real_time_factor"] < 0.9 and body["reasons"]
    assert "real_time_factor" in body["reasons"][0]
    assert body["overruns_in_window"] > 0 and 0 < body["tick_rate_hz"] < 8
    assert set(body["phase_ms_mean"]) == {"SmokeConsumer", "TaskDelegator", "satellites",
                                          "JobOrchestrator", "BatteryOrchestrator"}
    assert {"requested_qps", "achieved_qps"} <= set(body["generator"])
    log = srv.log()
    assert len(re.findall(r"ticks overrunning", log)) <= 3  # at most once per 10 s
    assert "ticks overrunning" in log


def test_failing_loop_backs_off_and_logs_once_per_burst(srv):
    log_before = srv.log().count("loop 'tick' failed")
    post(srv, "/api/_test/fault", {"loop": "tick", "times": 4})
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        resp = requests.get(srv.url + "/api/health", timeout=10)
        tick = resp.json()["loops"]["tick"]
        seen.append((resp.status_code, tick["alive"], tick["burst_failures"], tick["backoff_s"]))
        if tick["alive"] and tick["burst_failures"] >= 4:
            break
        time.sleep(0.05)
    down = [s for s in seen if not s[1]]
    assert down and all(code == 503 for code, *_ in down)
    backoffs = sorted({b for _, alive, _, b in seen if not alive})
    assert backoffs[-1] >= 0.8 and len(backoffs) >= 3, seen  # 0.2, 0.4, 0.8 (capped at 1.0)
    time.sleep(0.5)
    after = requests.get(srv.url + "/api/health", timeout=10)
    assert after.status_code == 200 and after.json()["loops"]["tick"]["alive"]
    assert srv.log().count("loop 'tick' failed") == log_before + 1  # one line for the burst


def test_post_tasks_429_with_retry_after_at_the_high_water_mark(srv):
    old = requests.get(srv.url + "/api/config", timeout=10).json()
    assert post(srv, "/api/config", {"queue_capacity": 20, "max_wait_s": 1.0e6}).status_code == 200
    unplaceable = {"energy_need": 1.0e9, "processing_power_needed": 1.0, "priority": "low"}
    try:
        codes = [post(srv, "/api/tasks", unplaceable).status_code for _ in range(18)]  # mark: 90 % of 20
        assert codes == [201] * 18
        resp = post(srv, "/api/tasks", unplaceable)
        assert resp.status_code == 429, resp.text
        assert int(resp.headers["Retry-After"]) >= 1
        err = resp.json()["error"]
        assert err["code"] == "over_high_water" and "18" in err["message"]
        time.sleep(0.5)
        assert health(srv)["commands_pending"] == 0
        assert requests.get(srv.url + "/api/state?sat_limit=0", timeout=10).json()["queues"]["pending"] == 18
    finally:
        post(srv, "/api/reset")
        post(srv, "/api/config", {"delegator": {k: old["delegator"][k] for k in ("queue_capacity", "max_wait_s")}})


def test_generator_throttles_itself_at_the_high_water_mark(srv):
    old = requests.get(srv.url + "/api/config", timeout=10).json()
    assert post(srv, "/api/config", {"queue_capacity": 50, "max_wait_s": 1.0e6, "task_energy_min": 1.0e6,
                                     "task_energy_max": 1.0e6}).status_code == 200
    try:
        assert post(srv, "/api/smoke/start", {"qps": 2000, "burst": 5}).status_code == 200
        time.sleep(3.0)
        body = health(srv)
        state = requests.get(srv.url + "/api/state?sat_limit=0", timeout=10).json()
    finally:
        post(srv, "/api/smoke/stop")
        post(srv, "/api/reset")
        post(srv, "/api/config", old)
    assert state["queues"]["pending"] == 45  # held at the mark, nothing dropped as queue_full
    assert state["counters"]["tasks"]["dropped_by_reason"]["queue_full"] == 0
    gen = body["generator"]
    assert gen["requested_qps"] == 2000 and gen["achieved_qps"] < 100


def test_config_over_the_work_budget_is_refused_naming_the_limit(srv):
    before = requests.get(srv.url + "/api/config", timeout=10).json()
    try:
        assert post(srv, "/api/config", {"time_scale": 10000, "tick_interval": 0.1}).status_code == 200
        resp = post(srv, "/api/reset", {"scenario": {"n_satellites": 100000, "planes": 100}})
        assert resp.status_code == 409, resp.text  # 100,000 x 1,000 s = 1e8 satellite-seconds a tick
        err = resp.json()["error"]
        assert err["field"] == "scenario.n_satellites" and "work budget" in err["message"]
        assert "limit of 1e+07" in err["message"]
        assert requests.get(srv.url + "/api/state?sat_limit=0", timeout=10).json()["n_satellites"] == 180
    finally:
        post(srv, "/api/config", before)


def test_connect_state_is_bounded_and_carries_the_whole_frame(srv):
    from .conftest import Recorder

    rec = Recorder(srv.url, auth={"sat_limit": 10_000_000}).connect()
    try:
        state = rec.wait_event("state", timeout=15)
    finally:
        rec.close()
    assert state["n_satellites"] == 180 and len(state["satellites"]) == 50  # CONNECT_SAT_LIMIT
    frame = state["frame"]
    assert frame.n_satellites == 180 and frame.sats.shape == (180, 6)
