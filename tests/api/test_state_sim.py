"""GET /api/state (paging, fields), POST /api/reset and /api/sim/pause|resume|step."""

from __future__ import annotations

import pytest

from .conftest import assert_error

STATE_KEYS = {"tick", "sim_time", "satellites", "drones", "queues", "counters", "paused", "n_satellites"}


def test_state_shape(api):
    state = api.get("/api/state").json()
    assert STATE_KEYS <= set(state)
    assert len(state["satellites"]) == state["n_satellites"] == 120
    assert state["satellites"][0]["satellite_id"] == "sat-001"


@pytest.mark.parametrize("query,first,count", [
    ("sat_limit=5", "sat-001", 5),
    ("sat_offset=10&sat_limit=3", "sat-011", 3),
    ("sat_offset=118", "sat-119", 2),
    ("sat_offset=500", None, 0),
    ("sat_offset=500&sat_limit=10", None, 0),
    ("sat_offset=120", None, 0),
    ("sat_limit=0", None, 0),
])
def test_state_paging(api, query, first, count):
    state = api.get(f"/api/state?{query}").json()
    assert len(state["satellites"]) == count
    assert state["sat_limit"] == count  # past the end: 0, never negative
    if first:
        assert state["satellites"][0]["satellite_id"] == first


def test_state_fields_filter(api):
    sats = api.get("/api/state?sat_limit=4&fields=satellite_id,energy_pct").json()["satellites"]
    assert [set(s) for s in sats] == [{"satellite_id", "energy_pct"}] * 4


@pytest.mark.parametrize("query,field", [
    ("sat_limit=-1", "sat_limit"), ("sat_limit=abc", "sat_limit"), ("sat_offset=1.5", "sat_offset"),
    ("fields=bogus", "fields"), ("page=2", "page"),
])
def test_state_bad_params(api, query, field):
    assert_error(api.get(f"/api/state?{query}"), 400, None, field)


def test_step_while_running_is_409(api):
    api.post("/api/sim/resume")
    before = api.get("/api/config").json()
    assert_error(api.post("/api/sim/step", {"ticks": 2}), 409, "not_paused", None)
    assert api.post("/api/sim/pause").json()["paused"] is True
    assert api.get("/api/config").json() == before


def test_step_answers_after_the_last_tick(api):
    """POST /api/sim/step {"ticks": 5} answers the clock 5 ticks on (it used to answer after
    the first), and the clock stays there."""
    tick = api.post("/api/sim/pause").json()["tick"]
    stepped = api.post("/api/sim/step", {"ticks": 5})
    assert stepped.status_code == 200, stepped.text
    assert stepped.json()["tick"] == tick + 5
    assert api.get("/api/state?sat_limit=0").json()["tick"] == tick + 5


def test_pause_step_resume(api):
    paused = api.post("/api/sim/pause").json()
    assert paused["paused"] is True
    tick = paused["tick"]
    stepped = api.post("/api/sim/step", {"ticks": 3})
    assert stepped.status_code == 200, stepped.text
    import time
    time.sleep(0.3)  # > 2 ticks: no further step
    assert api.get("/api/state?sat_limit=0").json()["tick"] == tick + 3
    resumed = api.post("/api/sim/resume").json()
    assert resumed["paused"] is False
    time.sleep(0.4)
    assert api.get("/api/state?sat_limit=0").json()["tick"] > tick + 3
    assert api.post("/api/sim/pause").json()["paused"] is True


@pytest.mark.parametrize("path,raw,field", [
    ("/api/sim/step", '{"ticks": 0}', "ticks"),
    ("/api/sim/step", '{"ticks": 1001}', "ticks"),
    ("/api/sim/step", '{"ticks": "2"}', "ticks"),
    ("/api/sim/step", '{"ticks": true}', "ticks"),
    ("/api/sim/pause", '{"x": 1}', "x"),
    ("/api/sim/resume", '{"x": 1}', "x"),
    ("/api/reset", '{"seed": -1}', "seed"),
    ("/api/reset", '{"seed": "a"}', "seed"),
    ("/api/reset", '{"seed": 1.5}', "seed"),
    ("/api/reset", '{"scenario": {"nope": 1}}', "scenario.nope"),
    ("/api/reset", '{"scenario": {"n_satellites": 0}}', "scenario.n_satellites"),
    ("/api/reset", '{"scenario": 5}', "scenario"),
    ("/api/reset", '{"seed": 1, "seed": 2}', "seed"),
])
def test_sim_bad_bodies_change_nothing(api, path, raw, field):
    before = api.fingerprint()
    assert_error(api.raw("POST", path, raw), 400, None, field)
    assert api.fingerprint() == before


@pytest.mark.parametrize("paused", [True, False])
def test_reset_answers_the_reset_clock(api, paused):
    """POST /api/reset answers tick 0 at the epoch (it used to answer tick 1), paused before or
    not; the seed state runs."""
    api.post("/api/sim/pause" if paused else "/api/sim/resume")
    resp = api.post("/api/reset")
    assert resp.status_code == 200, resp.text
    clock = resp.json()
    assert (clock["tick"], clock["sim_time"], clock["paused"]) == (0, 0.0, False)
    assert clock["sim_date"].startswith("2026-03-20T00:00:00")  # the scenario epoch
    api.post("/api/sim/pause")


def test_reset_with_seed_and_scenario(api):
    api.post("/api/tasks", {"energy_need": 1, "processing_power_needed": 1})
    resp = api.post("/api/reset", {"seed": 3, "scenario": {"n_satellites": 60, "planes": 6}})
    assert resp.status_code == 200, resp.text
    assert resp.json()["tick"] <= 1 and resp.json()["n_satellites"] == 60
    state = api.get("/api/state").json()
    assert state["n_satellites"] == 60 and len(state["satellites"]) == 60
    assert state["counters"]["tasks"]["created"] == 0
    resp = api.post("/api/reset")
    assert resp.status_code == 200
    api.post("/api/sim/pause")
