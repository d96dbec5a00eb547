"""One engine, two web processes joined by a real Redis: the same ticks, events and answers on
both, and the same answers as the engine's own (single-process) routes."""

from __future__ import annotations

import concurrent.futures
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from deploy.nginx_conf import render
from tests.integration.conftest import Recorder

from .conftest import free_port, wait_until

JSON = {"Content-Type": "application/json"}
TASK = {"energy_need": 5.0, "processing_power_needed": 20.0, "priority": "high"}


def post(url: str, path: str, body=None) -> requests.Response:
    return requests.post(url + path, json={} if body is None else body, headers=JSON, timeout=15)


def comparable(tick: dict) -> dict:
    """A tick payload without the one field each web process stamps itself (sent_at)."""
    return {k: v for k, v in tick.items() if k != "sent_at"}


def test_clients_on_both_web_processes_get_identical_ticks(cluster):
    a, b = (Recorder(cluster.webs[n].url).connect() for n in ("a", "b"))
    try:
        for rec in (a, b):
            rec.wait_event("state")
        wait_until(lambda: len(a.of("tick")) >= 20 and len(b.of("tick")) >= 20, what="20 ticks on each")
        ticks_a = {t["seq"]: t for t in a.of("tick")}
        ticks_b = {t["seq"]: t for t in b.of("tick")}
        common = sorted(set(ticks_a) & set(ticks_b))
        assert len(common) >= 15
        for seq in common:
            assert comparable(ticks_a[seq]) == comparable(ticks_b[seq]), f"tick seq {seq} differs"
        for ticks in (ticks_a, ticks_b):  # a client that keeps up loses no tick
            seqs = sorted(ticks)
            assert seqs == list(range(seqs[0], seqs[-1] + 1))
        assert ticks_a[common[0]]["frame"].sats.shape[0] > 0  # the binary frame came whole and decoded
    finally:
        a.close()
        b.close()


def test_a_task_posted_on_web_b_produces_events_on_a_client_of_web_a(cluster):
    a = Recorder(cluster.webs["a"].url).connect()
    try:
        a.wait_event("state")
        resp = post(cluster.webs["b"].url, "/api/tasks", TASK)
        assert resp.status_code == 201, resp.text
        task_id = resp.json()["task_id"]
        a.wait_event("task.created", lambda d: d["task_id"] == task_id)
        a.wait_event("task.assigned", lambda d: d["task_id"] == task_id)
        got = requests.get(cluster.webs["a"].url + f"/api/tasks/{task_id}", timeout=10)
        assert got.status_code == 200 and got.json()["task_id"] == task_id
    finally:
        a.close()


def _answers(url: str, paths: list) -> list:
    return [(p, r.status_code, r.json()) for p in paths for r in [requests.get(url + p, timeout=10)]]


def test_routes_answer_the_same_on_both_web_processes_and_as_the_engine(cluster):
    a, b, engine = cluster.webs["a"].url, cluster.webs["b"].url, cluster.engine.url
    created = post(a, "/api/tasks", TASK).json()
    paused = post(b, "/api/sim/pause")
    assert paused.status_code == 200 and paused.json()["paused"] is True
    try:
        seq = requests.get(engine + "/api/health", timeout=5).json()["seq"]
        # per-tick figures (kpis of the last tick) settle one tick after the pause
        wait_until(lambda: all(requests.get(u + "/api/health", timeout=5).json()["seq"] >= seq + 3 for u in (a, b)),
                   what="both web processes three ticks into the pause")
        state = requests.get(a + "/api/state?sat_limit=3", timeout=10).json()
        sat_id = state["satellites"][0]["satellite_id"]
        drone = state["drones"][0]
        drone_id = drone.get("drone_id") or drone.get("battery_id")
        paths = ["/api/state?sat_limit=5", "/api/config", f"/api/satellites/{sat_id}", f"/api/drones/{drone_id}",
                 f"/api/tasks/{created['task_id']}", "/api/satellites/sat-99999", "/api/state?fields=nope",
                 "/api/openapi.json"]
        on_a, on_b, on_engine = _answers(a, paths), _answers(b, paths), _answers(engine, paths)
        assert on_a == on_b, _first_difference(on_a, on_b)
        assert on_a == on_engine, _first_difference(on_a, on_engine)  # as the single process answers
        bad = [post(u, "/api/config", {"w1": "heavy"}) for u in (a, b, engine)]
        assert {r.status_code for r in bad} == {400}
        assert bad[0].json() == bad[1].json() == bad[2].json()
        assert bad[0].json()["error"]["field"] == "w1"
        not_paused = post(a, "/api/sim/resume")
        assert not_paused.status_code == 200 and not_paused.json()["paused"] is False
        refused = [post(u, "/api/sim/step") for u in (a, b)]
        assert [r.status_code for r in refused] == [409, 409] and refused[0].json() == refused[1].json()
    finally:
        post(a, "/api/sim/resume")


def test_commands_from_both_web_processes_are_each_applied_once(cluster):
    a, b = cluster.webs["a"].url, cluster.webs["b"].url

    def created() -> int:
        return requests.get(cluster.engine.url + "/api/state?sat_limit=0", timeout=10).json()["counters"]["tasks"]["created"]

    post(a, "/api/sim/pause")
    try:
        before = created()
        urls = [a, b] * 15
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda u: post(u, "/api/tasks", TASK), urls))
        assert [r.status_code for r in answers] == [201] * len(urls)
        ids = [r.json()["task_id"] for r in answers]
        assert len(set(ids)) == len(ids)
        step = post(b, "/api/sim/step")  # applies the queued add_task commands
        assert step.status_code == 200, step.text
        assert created() == before + len(urls)  # none lost, none applied twice
        for task_id in ids[:3] + ids[-3:]:
            on_a, on_b = (requests.get(u + f"/api/tasks/{task_id}", timeout=10).json() for u in (a, b))
            assert on_a == on_b and on_a["task_id"] == task_id
        ledger = [requests.get(u + "/api/commands/cmd-1", timeout=5) for u in (a, b)]
        assert ledger[0].status_code == 200 and ledger[0].json() == ledger[1].json()
    finally:
        post(a, "/api/sim/resume")


def test_the_recorders_routes_answer_the_same_on_every_web_process(cluster):
    a, b, engine = cluster.webs["a"].url, cluster.webs["b"].url, cluster.engine.url
    run = wait_until(lambda: (r := requests.get(a + "/api/runs/current", timeout=10)).status_code == 200
                     and r.json()["last_sim_s"] > 60 and r.json(), what="a current run past 60 sim s on web a")
    rid = run["run_id"]
    paths = [f"/api/runs/{rid}/kpis?to=30", f"/api/runs/{rid}/rollups?group=plane&to=30", "/api/runs/99999",
             f"/api/runs/{rid}/kpis?step=nope"]
    on_a, on_b, on_engine = _answers(a, paths), _answers(b, paths), _answers(engine, paths)
    assert on_a == on_b == on_engine, _first_difference(on_a, on_engine)
    assert [status for _, status, _ in on_a] == [200, 200, 404, 400]
    assert on_a[0][2]["points"] >= 10  # ticks 1..10 of the run, read from the engine's database
    listed = [[r["run_id"] for r in requests.get(u + "/api/runs", timeout=10).json()["runs"]] for u in (a, b, engine)]
    assert listed[0] == listed[1] == listed[2] and rid in listed[0]
    recorder = requests.get(b + "/api/health", timeout=5).json()["recorder"]
    assert recorder["enabled"] and recorder["current_run"] == rid


def test_health_on_a_web_process_reports_the_engine_and_redis(cluster):
    body = requests.get(cluster.webs["a"].url + "/api/health", timeout=5).json()
    assert body["status"] == "ok" and body["role"] == "web"
    assert body["link"]["redis_up"] and body["link"]["engine_up"]
    assert body["link"]["engine_id"] == requests.get(cluster.engine.url + "/api/health", timeout=5).json()["link"]["engine_id"]
    assert body["tick_rate_hz"] > 0  # the engine's pace, mirrored


def _first_difference(x, y, where=""):
    if isinstance(x, dict) and isinstance(y, dict):
        for k in sorted(set(x) | set(y), key=str):
            if x.get(k) != y.get(k):
                return _first_difference(x.get(k), y.get(k), f"{where}.{k}")
        return None
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)) and len(x) == len(y):
        for i, (u, v) in enumerate(zip(x, y)):
            if u != v:
                return _first_difference(u, v, f"{where}[{i}]")
        return None
    return None if x == y else f"{where}: {str(x)[:200]} != {str(y)[:200]}"


def test_through_nginx_with_sticky_sessions(cluster, tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs it)")
    port = free_port()
    upstreams = [cluster.webs[n].url.removeprefix("http://") for n in ("a", "b")]
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(f"127.0.0.1:{port}", upstreams))
    with (tmp_path / "nginx.log").open("wb") as log:
        proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
                                stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers_ok(url), what=f"nginx on {url}: {(tmp_path / 'nginx.log').read_text()}")
        polling = Recorder(url).connect(transports=("polling",))  # several requests, one web process
        try:
            wait_until(lambda: len(polling.of("tick")) >= 5, what="5 ticks over long-polling through nginx")
        finally:
            polling.close()
        rec = Recorder(url).connect()  # WebSocket through nginx
        try:
            rec.wait_event("state")
            task = post(url, "/api/tasks", TASK)
            assert task.status_code == 201, task.text
            rec.wait_event("task.created", lambda d: d["task_id"] == task.json()["task_id"])
        finally:
            rec.close()
    finally:
        proc.terminate()
        proc.wait(10)


def _answers_ok(url: str) -> bool:
    try:
        return requests.get(url + "/api/health", timeout=3).status_code == 200
    except requests.RequestException:
        return False


def _created(url: str) -> int:
    return requests.get(url + "/api/state?sat_limit=0", timeout=10).json()["counters"]["tasks"]["created"]


def test_a_command_delivered_twice_or_abandoned_or_late_is_not_applied_again(cluster):
    """The engine's side of exactly once, driven through the real stream: the same idempotency key
    twice is applied once; a key its web process claimed 'abandoned', or a command past its
    deadline, is never applied."""
    import time as clock

    import redis

    from backend.scaleout import link as keys
    from backend.scaleout.codec import CommandMessage

    r = redis.Redis.from_url(cluster.redis.url)
    engine = cluster.engine.url
    post(engine, "/api/sim/pause")
    try:
        before = _created(engine)
        cmd = {"type": "add_task", **TASK}
        twice = CommandMessage("test-twice", cmd, clock.time() + 30).encode()
        r.xadd(keys.COMMANDS, {"m": twice})
        r.xadd(keys.COMMANDS, {"m": twice})
        r.set(keys.CLAIM + "test-abandoned", b"abandoned")
        r.xadd(keys.COMMANDS, {"m": CommandMessage("test-abandoned", cmd, clock.time() + 30).encode()})
        r.xadd(keys.COMMANDS, {"m": CommandMessage("test-late", cmd, clock.time() - 1).encode()})
        r.xadd(keys.COMMANDS, {"m": CommandMessage("test-after", cmd, clock.time() + 30).encode()})
        wait_until(lambda: r.get(keys.CLAIM + "test-after") not in (None, b"taken"), what="the engine's reply")
        assert post(engine, "/api/sim/step").status_code == 200
        assert _created(engine) == before + 2  # test-twice once, test-after
        assert r.get(keys.CLAIM + "test-late") is None  # never taken
    finally:
        post(engine, "/api/sim/resume")


PER_PROCESS = ("/api/health", "/metrics")  # each process's own loops, clients and counters


def test_every_get_route_answers_the_same_on_both_web_processes_and_the_engine(cluster):
    a, b, engine = cluster.webs["a"].url, cluster.webs["b"].url, cluster.engine.url
    task = post(a, "/api/tasks", TASK).json()["task_id"]
    post(b, "/api/sim/pause")
    try:
        seq = requests.get(engine + "/api/health", timeout=5).json()["seq"]
        wait_until(lambda: all(requests.get(u + "/api/health", timeout=5).json()["seq"] >= seq + 3 for u in (a, b)),
                   what="both web processes three ticks into the pause")
        state = requests.get(a + "/api/state?sat_limit=1", timeout=10).json()
        drone = state["drones"][0]
        values = {"sat_id": state["satellites"][0]["satellite_id"], "drone_id": drone.get("drone_id") or
                  drone.get("battery_id"), "battery_id": drone.get("battery_id") or drone.get("drone_id"), "task_id": task,
                  "run_id": "current", "command_id": "cmd-1", "station_id": "gs-001",
                  "asset": "init.js", "path": "index.html",
                  "job_id": "arena-1", "name": "results.json"}
        spec = requests.get(a + "/api/openapi.json", timeout=10).json()
        paths = []
        for template, ops in spec["paths"].items():
            if "get" not in ops or template in PER_PROCESS:
                continue
            path = template
            for name, value in values.items():
                path = path.replace("{" + name + "}", value)
            assert "{" not in path, f"no value for a parameter of {template}"
            paths.append(path)
        assert len(paths) >= 15
        for path in paths:
            answers = [requests.get(u + path, timeout=10) for u in (a, b, engine)]
            assert len({r.status_code for r in answers}) == 1, (path, [r.status_code for r in answers])
            if "json" in answers[0].headers.get("Content-Type", ""):
                bodies = [r.json() for r in answers]
                assert bodies[0] == bodies[1] == bodies[2], (path, _first_difference(bodies[0], bodies[2]))
            else:
                assert answers[0].content == answers[1].content == answers[2].content, path
    finally:
        post(a, "/api/sim/resume")
