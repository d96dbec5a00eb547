"""Durability against the real server process: kill -9 mid-run, the database going away
(PostgreSQL stopped) and the disk filling up (SQLite on a small tmpfs), then coming back.
The simulation never stops, health says `degraded` with a `recorder:` reason, lost records are
counted, and recording resumes by itself."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import threading
import time

import pytest
import requests

from .pgcluster import PgCluster

FLUSH_S = 0.5
TICK_S = 0.05
ENV = {"HISTORY_FLUSH_S": str(FLUSH_S), "HISTORY_SAMPLE_EVERY_S": "0", "SIM_TICK_INTERVAL": str(TICK_S),
       "SIM_TIME_SCALE": "20"}


def _get(url: str, path: str):
    return requests.get(url + path, timeout=30)


def _health(url: str) -> dict:
    return _get(url, "/api/health").json()


def _wait(pred, what: str, timeout_s: float = 30.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def _busy(url: str, clients: int = 6):
    """Keep `clients` threads asking /api/health until the block ends (errors ignored: the
    server is going away)."""
    done = threading.Event()

    def ask():
        while not done.is_set():
            try:
                requests.get(url + "/api/health", timeout=2)
            except requests.RequestException:
                time.sleep(0.05)

    threads = [threading.Thread(target=ask, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        done.set()
        for thread in threads:
            thread.join(5)


def _load(url: str, qps: float = 300) -> None:
    assert requests.post(url + "/api/smoke/start", json={"qps": qps, "burst": 20}, timeout=10).status_code == 200


def test_kill_9_mid_run_loses_at_most_the_last_flush_and_never_corrupts(live_server_factory, tmp_path):
    path = tmp_path / "history.sqlite"
    env = {**ENV, "HISTORY_URL": str(path)}
    first = live_server_factory(env)
    _load(first.url)
    time.sleep(1.0)
    assert requests.post(first.url + "/api/reset", json={"seed": 4}, timeout=10).status_code == 200
    _load(first.url)
    time.sleep(2.0)
    tick_at_kill = _health(first.url)["tick"]
    first.proc.kill()  # SIGKILL: no shutdown code runs
    first.proc.wait(10)

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    second = live_server_factory(env)
    listed = _wait(lambda: (r := _get(second.url, "/api/runs").json())["current"] and r, "the new run")
    runs = {r["run_id"]: r for r in listed["runs"]}
    assert sorted(runs) == [1, 2, 3] and runs[3]["current"], (runs, first.log())
    assert runs[1]["ended_wall"] is not None and runs[1]["seed"] == 0  # ended by the reset
    assert runs[2]["ended_wall"] is None and runs[2]["seed"] == 4  # interrupted
    ticks = _get(second.url, "/api/runs/2/kpis?step=1").json()["columns"]["ticks"]
    # every tick up to the last one written, none torn: 0 (the reset's seed state) .. last_tick
    assert sum(ticks) == runs[2]["last_tick"] + 1
    assert runs[2]["last_tick"] >= tick_at_kill - 2 * FLUSH_S / TICK_S  # at most ~one flush lost
    events = _get(second.url, "/api/runs/2/events?limit=5000").json()["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    second.stop()


def _degraded(url: str):
    h = _health(url)
    reasons = [r for r in h["reasons"] if r.startswith("recorder:")]
    return h if h["status"] == "degraded" and reasons and h["recorder"]["state"] == "degraded" else None


def _recording(url: str, after: dict):
    h = _health(url)
    rec = h["recorder"]
    return h if rec["state"] == "ok" and rec["written"]["kpis"] > after["recorder"]["written"]["kpis"] else None


def _outage_and_recovery(url: str, cut, restore) -> None:
    _load(url)
    before = _wait(lambda: (h := _health(url))["recorder"]["written"]["kpis"] > 5 and h, "first writes")
    cut()
    down = _wait(lambda: _degraded(url), "health degraded: recorder")
    time.sleep(1.0)
    still = _health(url)
    assert still["tick"] > down["tick"] and still["loops"]["tick"]["alive"]  # the simulation runs on
    assert sum(still["recorder"]["lost"].values()) > 0 and still["recorder"]["error"]
    assert _get(url, "/api/state?sat_limit=0").status_code == 200
    restore()
    back = _wait(lambda: _recording(url, still), "recording again")
    assert not [r for r in back["reasons"] if r.startswith("recorder:")]
    assert back["recorder"]["written"]["kpis"] > before["recorder"]["written"]["kpis"]
    def later_ticks():  # the flush under way at the recovery may hold only older ticks
        r = _get(url, "/api/runs/current")
        return r.status_code == 200 and r.json()["last_tick"] > still["tick"] and r.json()

    run = _wait(later_ticks, "ticks after the outage written")
    assert run["run_id"] == before["recorder"]["current_run"]  # the same run
    assert len(_get(url, "/api/runs").json()["runs"]) == 1


def test_postgres_down_then_back(live_server_factory):
    with PgCluster(durable=True) as pg:  # stopped with -m immediate: a crash, so no fsync shortcuts
        url = pg.fresh_database("outage")
        server = live_server_factory({**ENV, "HISTORY_URL": url})
        _outage_and_recovery(server.url, pg.stop, pg.start)
        server.stop()


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_then_space_again(live_server_factory, small_disk):
    server = live_server_factory({**ENV, "HISTORY_URL": str(small_disk / "history.sqlite"),
                                  "SCENARIO_N_SATELLITES": "600", "SCENARIO_PLANES": "12"})

    def grow():
        subprocess.run(["mount", "-o", "remount,size=256m", str(small_disk)], check=True)

    _outage_and_recovery(server.url, lambda: None, grow)  # 600 samples a tick fill 4 MB in seconds
    server.stop()


@pytest.mark.parametrize("async_mode", ["gevent", "threading"])
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_sigterm_and_sigint_write_the_queue_and_end_the_run(live_server_factory, tmp_path, async_mode, how):
    path = tmp_path / "history.sqlite"
    slow = {"HISTORY_FLUSH_S": "60", "HISTORY_QUEUE_TICKS": "100000"}  # nothing written before the signal
    server = live_server_factory({**ENV, **slow, "HISTORY_URL": str(path)}, async_mode=async_mode)
    _load(server.url)
    tick_at_signal = _wait(lambda: (t := _health(server.url)["tick"]) >= 20 and t, "20 ticks")
    assert _health(server.url)["recorder"]["written"]["kpis"] == 0
    with _busy(server.url):  # the handler may then run in a request's greenlet, not the hub's
        server.proc.send_signal(getattr(signal, how))
        assert server.proc.wait(15) == 0, server.log()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        started, ended, last_tick = conn.execute("SELECT started_wall, ended_wall, last_tick FROM runs").fetchone()
        first, last, n = conn.execute("SELECT min(tick), max(tick), count(*) FROM kpis").fetchone()
    assert ended is not None and started <= ended <= time.time()
    # every tick up to the signal (and the few after it) written by the shutdown, none missing
    assert last == last_tick >= tick_at_signal and n == last - first + 1
