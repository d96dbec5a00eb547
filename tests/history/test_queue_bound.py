"""The recorder queue's byte bound against the real server: while the writer is held up (the
SQLite database locked by another writer) a small HISTORY_QUEUE_MB drops ticks and counts them,
the simulation runs on, health says `degraded` with a `recorder:` reason, /metrics counts the
drops, and recording goes on once the lock is released."""

from __future__ import annotations

import sqlite3
import time

import requests

from .test_durability import ENV, _get, _health, _load, _wait

QUEUE_BYTES = 20_000  # HISTORY_QUEUE_MB=0.02: ~3 captures of 180 satellites (~30 bytes each)


def _metric(url: str, name: str) -> float:
    lines = [ln for ln in _get(url, "/metrics").text.splitlines() if ln.startswith(name + " ")]
    assert len(lines) == 1, name
    return float(lines[0].split()[1])


def test_a_small_byte_bound_drops_and_counts_ticks_while_the_simulation_runs(live_server_factory, tmp_path):
    path = tmp_path / "history.sqlite"
    server = live_server_factory({**ENV, "HISTORY_URL": str(path), "HISTORY_QUEUE_MB": str(QUEUE_BYTES / 1e6),
                                  "SCENARIO_N_SATELLITES": "180", "SCENARIO_PLANES": "9"})
    url = server.url
    _load(url, qps=50)
    before = _wait(lambda: (h := _health(url))["recorder"]["written"]["kpis"] > 5 and h, "first writes")
    assert before["recorder"]["queue_capacity_bytes"] == QUEUE_BYTES
    assert before["recorder"]["queue_capacity"] == 600  # the tick bound is far away: bytes bind first
    lock = sqlite3.connect(path, timeout=10, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # the writer's next flush waits (busy timeout 5 s)
    held = []
    for _ in range(15):  # ~1.5 s: ~30 ticks at 0.05 s
        time.sleep(0.1)
        held.append(_health(url)["recorder"])
    lock.execute("ROLLBACK")
    lock.close()
    assert max(r["queued_bytes"] for r in held) <= QUEUE_BYTES
    assert max(r["queued"] for r in held) < 10
    h = _wait(lambda: (h := _health(url))["recorder"]["written"]["kpis"] > before["recorder"]["written"]["kpis"]
              and h["recorder"]["dropped_ticks"] > 0 and h, "drops counted and writing again")
    rec = h["recorder"]
    assert h["tick"] >= before["tick"] + 20 and h["loops"]["tick"]["alive"]  # the simulation ran on
    assert rec["state"] == "ok" and rec["error"] is None and rec["dropped_records"] > rec["dropped_ticks"]
    assert h["status"] == "degraded"
    reasons = [r for r in h["reasons"] if r.startswith("recorder:")]
    assert reasons and "ticks dropped" in reasons[0], h["reasons"]
    assert _metric(url, "vpp_history_dropped_ticks_total") >= rec["dropped_ticks"]
    assert _metric(url, "vpp_history_queue_bytes") <= QUEUE_BYTES
    run = _get(url, "/api/runs/current").json()
    # up to the run's last tick as read (the writer goes on flushing between the two requests)
    kpis = _get(url, f"/api/runs/{run['run_id']}/kpis?step=1&to={run['last_sim_s']}").json()
    assert sum(kpis["columns"]["ticks"]) < run["last_tick"]  # the dropped ticks are missing from the run, not invented
    assert requests.get(url + "/api/state?sat_limit=0", timeout=10).status_code == 200
    server.stop()
