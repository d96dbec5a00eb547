"""backend/client.py against a real server: every REST route answers a typed result, errors
raise ApiError with the server's code and field, the token is sent on REST and Socket.IO, and
ticks arrive with the binary frame decoded into numpy arrays that match the REST state."""

from __future__ import annotations

import time

import numpy as np
import pytest
import socketio

from backend.client import ApiError, Frame, LiveFeed, VppClient
from backend.core.params import ConfigView
from backend.routes.models import Clock, CommandEntry, Drone, Health, Satellite, Smoke, Snapshot, Task
from backend.routes.runs import EventPage, RunDetail, RunList, Series, TaskPage

TOKEN = "client-test-token-0123456789"


@pytest.fixture(scope="module")
def srv(live_server_factory):
    server = live_server_factory({"SCENARIO_N_SATELLITES": "60", "SCENARIO_PLANES": "6",
                                  "SIM_TICK_INTERVAL": "0.05"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def locked(live_server_factory):
    server = live_server_factory({"API_TOKEN": TOKEN, "SIM_TICK_INTERVAL": "0.05"})
    yield server
    server.stop()


def test_every_route_answers_a_typed_result(srv):
    vpp = VppClient(srv.url)
    clock = vpp.pause()
    assert isinstance(clock, Clock) and clock.paused is True
    stepped = vpp.step(3)
    assert stepped.tick == clock.tick + 3
    state = vpp.state(sat_limit=5, fields=["satellite_id", "energy_pct"])
    assert isinstance(state, Snapshot) and [s.satellite_id for s in state.satellites][:2] == ["sat-001", "sat-002"]
    assert isinstance(vpp.config(), ConfigView)
    assert vpp.set_config(w1=0.4).delegator.w1 == 0.4
    task = vpp.create_task(5.0, 40.0, priority="high")
    assert isinstance(task, Task) and vpp.task(task.task_id).task_id == task.task_id
    sat = vpp.set_satellite("sat-004", energy_pct=42.0)
    assert isinstance(sat, Satellite) and sat.energy_pct == pytest.approx(42.0)
    assert vpp.satellite("sat-004").energy_pct == pytest.approx(42.0)
    assert isinstance(vpp.drone("bat-001"), Drone)
    with pytest.raises(ApiError) as caught:
        vpp.recall("bat-001")  # standby at its station: nothing to recall
    assert (caught.value.status, caught.value.code) == (409, "command_rejected")
    smoke = vpp.smoke_start(10.0, burst=2)
    assert isinstance(smoke, Smoke) and (smoke.running, smoke.burst) == (True, 2)
    assert vpp.smoke_stop().running is False
    health = vpp.health()
    assert isinstance(health, Health) and health.status in ("ok", "degraded")
    assert "vpp_" in vpp.metrics()
    assert "/api/state" in vpp.openapi()["paths"]
    reset = vpp.reset(seed=5)
    assert (reset.tick, reset.seed) == (0, 5)
    vpp.pause()


def test_launch_and_command_ledger(srv):
    vpp = VppClient(srv.url)
    try:
        vpp.launch("bat-001", "sat-9999")
    except ApiError as err:
        assert (err.status, err.field) == (409, "satellite_id"), err
    else:
        raise AssertionError("a launch to a satellite beyond the fleet was accepted")
    entry = vpp.command("cmd-1")
    assert isinstance(entry, CommandEntry) and entry.status in ("applied", "rejected")


def test_errors_carry_the_servers_code_and_field(srv):
    vpp = VppClient(srv.url)
    with pytest.raises(ApiError) as caught:
        vpp.create_task(-1.0, 40.0)
    assert (caught.value.status, caught.value.code, caught.value.field) == (400, "out_of_range", "energy_need")
    with pytest.raises(ApiError) as caught:
        vpp.satellite("sat-04")
    assert caught.value.status == 404


def test_the_frame_is_decoded_and_matches_the_rest_state(srv):
    vpp = VppClient(srv.url)
    vpp.pause()
    with vpp.live(sat_limit=0) as feed:
        state = feed.wait_event("state")
        rest = vpp.state(fields=["energy_pct"])
    frame = state["frame"]
    assert isinstance(frame, Frame) and frame.sats.dtype == np.float32
    assert frame.sats.shape == (60, len(frame.sat_fields)) and state["tick"] == rest.tick
    rest_pct = np.array([s.energy_pct for s in rest.satellites])
    np.testing.assert_allclose(frame.sat("energy_pct"), rest_pct, atol=1e-3)  # float32 of the same numbers
    vpp.resume()
    with vpp.live(events=["tick"]) as feed:
        tick = feed.wait_event("tick", timeout=10)
    assert isinstance(tick["frame"], Frame) and tick["frame"].n_satellites == 60
    assert tick["frame"].drones.shape == (tick["frame"].n_drones, 6)
    assert not any(isinstance(v, bytes) for v in tick.values())
    vpp.pause()


def test_the_token_is_sent_on_rest_and_socket(locked):
    with pytest.raises(ApiError) as caught:
        VppClient(locked.url).pause()
    assert caught.value.status == 401
    vpp = VppClient(locked.url, token=TOKEN)
    assert vpp.pause().paused is True
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveFeed(locked.url, events=["tick"]).connect()
    with vpp.live(events=["tick"]) as feed:
        assert feed.wait_event("state")["n_satellites"] == 120
    vpp.resume()


def _recorded(vpp: VppClient) -> bool:
    """Some ticks of the current run are in the history (its tables may not exist yet)."""
    try:
        return bool(vpp.runs().runs) and vpp.run_kpis().points > 0
    except ApiError as err:
        if err.status in (404, 503):
            return False
        raise


def test_recorder_routes_answer_typed_results(live_server_factory, tmp_path):
    server = live_server_factory({"HISTORY_URL": str(tmp_path / "history.sqlite"), "SIM_TICK_INTERVAL": "0.05",
                                  "HISTORY_FLUSH_S": "0.2"})
    try:
        vpp = VppClient(server.url)
        deadline = time.monotonic() + 30
        while not _recorded(vpp):  # the clock runs: ticks get recorded
            assert time.monotonic() < deadline, "nothing recorded"
            time.sleep(0.2)
        listing = vpp.runs()
        assert isinstance(listing, RunList) and listing.current is not None
        detail = vpp.run("current")
        assert isinstance(detail, RunDetail) and detail.run_id == listing.current
        kpis = vpp.run_kpis(step=1.0)
        assert isinstance(kpis, Series) and kpis.run_id == detail.run_id and kpis.points > 0
        assert vpp.run_rollups(group="plane").run_id == detail.run_id
        assert vpp.satellite_history("sat-002").run_id == detail.run_id
        assert isinstance(vpp.run_events(limit=10), EventPage)
        assert isinstance(vpp.run_tasks(limit=10), TaskPage)
        header = vpp.export("kpis").split(b"\n", 1)[0].split(b",")
        assert b"tick" in header and b"sim_s" in header
    finally:
        server.stop()
