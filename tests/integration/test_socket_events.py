"""Socket.IO /ws against a real server process, under gevent and threading."""

from __future__ import annotations

import time

import numpy as np
import pytest

from backend.client import ApiError
from backend.core.ids import battery_id, sat_id
from backend.core.ticklog import EVENT_NAMES

from .conftest import Recorder


def _ticks(rec, since=0.0):
    return rec.of("tick", since)


def test_state_first_then_ticks(client):
    first = client.wait_for(lambda ev: ev and ev[0], what="first event")
    assert first[0] == "state"
    state = first[1]
    assert {"tick", "sim_time", "satellites", "drones", "queues", "counters"} <= set(state)
    assert len(state["satellites"]) == state["n_satellites"] == 180
    client.wait_for(lambda ev: len([1 for n, *_ in ev if n == "tick"]) >= 3, what="3 ticks")
    ticks = _ticks(client)
    seqs = [t["seq"] for t in ticks]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    t = ticks[-1]
    assert set(t["counters"]) == set(EVENT_NAMES) | {"alert.loop_failed"}
    assert set(t["totals"]) == set(t["counters"])
    assert {"pending", "running", "mean_energy_pct", "tick_ms"} <= set(t["kpis"])
    assert set(t["smoke"]) == {"running", "qps", "burst"}
    frame = t["frame"]  # the binary attachments, decoded by backend.client
    assert frame.sat_fields == ("lat", "lon", "alt_km", "energy_pct", "flags", "queue")
    assert frame.sats.dtype == np.float32 and frame.sats.shape == (frame.n_satellites, 6) == (180, 6)
    assert np.all(np.abs(frame.sat("lat")) <= 90)
    assert np.all((frame.sat("energy_pct") >= 0) & (frame.sat("energy_pct") <= 100))
    assert frame.drones.shape == (frame.n_drones, 6) and frame.beams.shape == (frame.n_beams, 3)


def test_smoke_events_and_exact_counters(client, http):
    http.resume()
    http.smoke_start(200, burst=5)
    try:
        for name in ("task.created", "task.assigned", "task.completed"):
            client.wait_event(name, timeout=20)
    finally:
        http.smoke_stop()
    created = client.of("task.created")[0]
    assert created["task_id"].startswith("task-") and created["priority"] in ("low", "medium", "high")
    assert client.of("task.assigned")[0]["satellite_id"].startswith("sat-")
    http.pause()
    time.sleep(0.5)
    state = http.state(sat_limit=0).model_dump()
    last = _ticks(client)[-1]
    assert last["tick"] == state["tick"]
    assert {k: last["totals"][k] for k in EVENT_NAMES} == state["counters"]["events"]
    assert last["totals"]["task.created"] == state["counters"]["tasks"]["created"]
    # per-tick counters add up exactly to the cumulative totals between consecutive ticks
    ticks = _ticks(client)
    for a, b in zip(ticks, ticks[1:]):
        if b["seq"] == a["seq"] + 1 and b["tick"] >= a["tick"]:
            assert {k: b["totals"][k] - a["totals"][k] for k in EVENT_NAMES} == \
                {k: b["counters"][k] for k in EVENT_NAMES}
    http.resume()


def _neighbours(http):
    sats = http.state(fields=["satellite_id", "plane", "slot"]).model_dump()["satellites"]
    plane0 = sorted((s["slot"], s["satellite_id"]) for s in sats if s["plane"] == 0)
    return plane0[0][1], plane0[1][1]


def test_beam_started_then_ended(client, http):
    receiver, giver = _neighbours(http)
    http.set_config({"beam": {"rate_eu_per_s": 50.0, "max_distance_km": 4000.0}})
    try:
        since = time.monotonic()
        http.set_satellite(receiver, energy_pct=10.0, solar_scale=0.0)
        http.set_satellite(giver, energy_pct=95.0)
        started = client.wait_event("sat.energy_transfer_started", lambda d: d["to"] == receiver,
                                    timeout=20, since=since)
        ended = client.wait_event("sat.energy_transfer_ended",
                                  lambda d: d["to"] == receiver and d["from"] == started["from"],
                                  timeout=30, since=since)
    finally:
        http.set_config({"beam": {"rate_eu_per_s": 4.0, "max_distance_km": 3000.0}})
    assert started["distance_km"] <= 4000.0 and started["rate_eu_per_s"] > 0
    assert ended["delivered_eu"] > 0 and ended["lost_eu"] >= 0 and ended["reason"]


def _launch_any(http) -> tuple[str, str]:
    """Make a satellite need charge and launch the first drone the engine accepts for it."""
    refusals = []
    for i in range(40, 60):
        target = sat_id(i)
        http.set_satellite(target, energy_pct=20.0)
        for j in range(16):
            try:
                http.launch(battery_id(j), target)
                return battery_id(j), target
            except ApiError as err:
                assert err.status == 409, err
                refusals.append(err.message)
            if "already targeted" in refusals[-1]:
                break
    raise AssertionError(f"no drone could launch: {refusals[-5:]}")


def test_drone_launched_arrived_charged_in_order(client, http):
    http.set_config({"drone": {"speed_km_s": 60.0}, "time": {"time_scale": 100.0}})
    try:
        since = time.monotonic()
        drone, target = _launch_any(http)
        mine = lambda d: d["battery_id"] == drone  # noqa: E731
        client.wait_event("drone.charged", mine, timeout=40, since=since)
    finally:
        http.set_config({"drone": {"speed_km_s": 12.0}, "time": {"time_scale": 30.0}})
    order = [n for n, d, t in client.events
             if t >= since and n.startswith("drone.") and d.get("battery_id") == drone]
    assert order[:3] == ["drone.launched", "drone.arrived", "drone.charged"], order
    charged = client.wait_event("drone.charged", mine, since=since)
    assert charged["satellite_id"] == target and charged["delivered_eu"] > 0


def test_subscribe_and_unsubscribe(client):
    client.wait_event("tick")
    ack = client.call("unsubscribe", {"events": ["tick"]})
    assert ack["ok"] is True and "tick" not in ack["events"]
    quiet_from = time.monotonic() + 0.3  # a tick already in flight may still land
    time.sleep(1.0)
    assert _ticks(client, quiet_from) == []
    ack = client.call("subscribe", {"events": ["tick"]})
    assert ack["ok"] is True and "tick" in ack["events"]
    client.wait_event("tick", since=time.monotonic())
    bad = client.call("subscribe", {"events": ["tick", "nope"]})
    assert bad["error"]["code"] == "unknown_event" and bad["error"]["field"] == "events[1]"
    bad = client.call("subscribe", {"events": "tick"})
    assert bad["error"]["field"] == "events"
    assert client.call("stats")["ticks_sent"] > 0


def test_connect_with_narrow_subscription(server):
    rec = Recorder(server.url, auth={"events": ["alert.loop_failed"], "sat_limit": 5}).connect()
    try:
        state = rec.wait_event("state")
        assert len(state["satellites"]) == 5 and state["n_satellites"] == 180
        time.sleep(0.8)
        assert rec.of("tick") == []
    finally:
        rec.close()


def test_reconnect_gets_fresh_state(server):
    first = Recorder(server.url).connect()
    s1 = first.wait_event("state")
    first.wait_for(lambda ev: len([1 for n, *_ in ev if n == "tick"]) >= 3, what="ticks")
    last_tick = _ticks(first)[-1]["tick"]
    first.close()
    second = Recorder(server.url).connect()
    try:
        s2 = second.wait_event("state")
        assert s2["tick"] >= last_tick > s1["tick"]
    finally:
        second.close()


def test_loop_failure_is_restarted_and_reported(server, client, http):
    client.wait_event("tick")
    http.inject_loop_fault("tick", times=3)
    alerts = client.wait_for(lambda ev: [d for n, d, _ in ev if n == "alert.loop_failed"][2:] and
                             [d for n, d, _ in ev if n == "alert.loop_failed"], what="3 alerts")
    assert [a["loop"] for a in alerts[:3]] == ["tick"] * 3
    assert "injected fault" in alerts[0]["error"] and alerts[2]["restarts"] == 3
    health = http.health()
    assert health.status == "unhealthy", health  # HTTP 503
    assert any("restarted" in p for p in health.problems)
    deadline = time.monotonic() + 10
    while http.health().status == "unhealthy":
        assert time.monotonic() < deadline, "health did not recover"
        time.sleep(0.2)
    seq = _ticks(client)[-1]["seq"]
    client.wait_event("tick", lambda t: t["seq"] > seq)
    http.inject_loop_fault("fanout")
    client.wait_event("alert.loop_failed", lambda d: d["loop"] == "fanout")
    client.wait_event("tick", lambda t: t["seq"] > seq + 5)
    log = server.log()
    assert "Traceback" in log and "injected fault in loop 'tick'" in log


def test_reset_sends_every_client_a_fresh_state(server, http):
    """Last in the module: a reset puts the shared server back at its seed state."""
    recs = [Recorder(server.url).connect(), Recorder(server.url, auth={"sat_limit": 5}).connect()]
    try:
        for rec in recs:
            rec.wait_event("state")
            rec.wait_for(lambda ev: len([1 for n, *_ in ev if n == "tick"]) >= 2, what="ticks")
        mark = time.monotonic()
        http.reset(seed=3)
        states = [rec.wait_event("state", since=mark) for rec in recs]
        assert all(s["seed"] == 3 and s["tick"] <= 2 for s in states)
        assert len(states[0]["satellites"]) == 180 and len(states[1]["satellites"]) == 5
    finally:
        for rec in recs:
            rec.close()
