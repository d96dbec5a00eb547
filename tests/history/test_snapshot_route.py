"""GET /api/runs/<id>/snapshot?at=...: the constellation at a past moment, against a real
recording server. Positions are checked against the engine's own propagation at that time
(Engine.sky.update, the code that moves the live satellites), and at the newest tick against the
live state itself; energies against the recorder's sample rows read with SQL."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
import requests
import sqlalchemy as sa

from backend.core.engine import Engine
from backend.core.params import SimConfig
from backend.core.scenario import Scenario
from tests.api.conftest import assert_error

from .recorded import reader

N_SATS, PLANES, SAMPLE_EVERY_S = 300, 15, 60.0
F32_DEG = 1e-4  # float32 keeps ~7 digits: 1e-4 deg is ~11 m at LEO


def _get(url, path, **params):
    return requests.get(url + path, params=params, timeout=30)


def _sats(body) -> np.ndarray:
    frame = body["frame"]
    raw = np.frombuffer(base64.b64decode(frame["sats"]), dtype="<f4")
    return raw.reshape(frame["n_satellites"], len(frame["sat_fields"]))


def _engine_positions(t_s: float) -> np.ndarray:
    """(N, 3) lat, lon, alt of the server's scenario moved by the engine itself to t_s."""
    eng = Engine(SimConfig({}), Scenario().updated({"n_satellites": N_SATS, "planes": PLANES}), 0)
    eng.sky.update(eng.sats, t_s)
    return np.stack([eng.sats.lat_deg, eng.sats.lon_deg, eng.sats.alt_km], axis=1)


def _lon_diff(a, b):
    return np.abs((a - b + 180.0) % 360.0 - 180.0)


@pytest.fixture(scope="module")
def srv(live_server_factory, tmp_path_factory):
    """A server that recorded a few simulated minutes (samples every 60 s), then paused."""
    db_url = str(tmp_path_factory.mktemp("snap") / "history.sqlite")
    server = live_server_factory({"HISTORY_URL": db_url, "HISTORY_FLUSH_S": "0.2",
                                  "HISTORY_SAMPLE_EVERY_S": str(SAMPLE_EVERY_S), "SIM_TICK_INTERVAL": "0.05",
                                  "SIM_TIME_SCALE": "400", "SCENARIO_N_SATELLITES": str(N_SATS),
                                  "SCENARIO_PLANES": str(PLANES)})
    url = server.url
    requests.post(url + "/api/smoke/start", json={"qps": 200, "burst": 10}, timeout=30)
    time.sleep(4.0)
    requests.post(url + "/api/sim/pause", timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        state = _get(url, "/api/state").json()
        run = _get(url, "/api/runs/current")
        if run.status_code == 200 and run.json()["last_tick"] == state["tick"] \
                and _get(url, "/api/health").json()["recorder"]["queued"] == 0:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the recorder did not catch up")
    yield url, db_url, state
    server.stop()


def test_at_the_newest_tick_the_snapshot_is_the_live_state(srv):
    url, _, state = srv
    body = _get(url, "/api/runs/current/snapshot", at=repr(state["sim_time"])).json()
    sats = _sats(body)
    live = np.array([[s["position"]["lat"], s["position"]["lon"], s["position"]["alt"]] for s in state["satellites"]])
    assert body["frame"]["n_satellites"] == N_SATS and body["frame"]["n_drones"] == 0
    assert np.max(np.abs(sats[:, 0] - live[:, 0])) < F32_DEG
    assert np.max(_lon_diff(sats[:, 1], live[:, 1])) < F32_DEG
    assert np.max(np.abs(sats[:, 2] - live[:, 2])) < 0.01  # km
    sunlit = np.array([s["sunlit"] for s in state["satellites"]])
    assert np.array_equal((sats[:, 4].astype(int) & 1) == 1, sunlit)


def test_a_past_moment_has_the_engines_positions_and_the_sample_at_or_before_it(srv):
    url, db_url, state = srv
    at = state["sim_time"] * 0.45 + 7.3  # between two samples
    body = _get(url, "/api/runs/current/snapshot", at=f"{at:.3f}").json()
    sats = _sats(body)
    ref = _engine_positions(at)
    assert body["at_s"] == pytest.approx(at, abs=1e-6)
    assert np.max(np.abs(sats[:, 0] - ref[:, 0])) < F32_DEG
    assert np.max(_lon_diff(sats[:, 1], ref[:, 1])) < F32_DEG
    live = np.array([s["position"]["lat"] for s in state["satellites"]])
    assert np.max(np.abs(sats[:, 0] - live)) > 1.0  # the past is not the present (deg)
    s = sa.table("samples", sa.column("run_id"), sa.column("sat"), sa.column("tick"), sa.column("sim_s"),
                 sa.column("soc_pct"))
    with reader(db_url).connect() as conn:
        tick, sim_s = conn.execute(sa.select(s.c.tick, s.c.sim_s).where(s.c.run_id == body["run_id"], s.c.sat == 0,
                                   s.c.sim_s <= at).order_by(s.c.tick.desc()).limit(1)).one()
        soc = dict(conn.execute(sa.select(s.c.sat, s.c.soc_pct).where(s.c.run_id == body["run_id"],
                                                                   s.c.tick == tick)).all())
    assert body["sample"]["tick"] == tick and body["sample"]["sim_s"] == pytest.approx(sim_s)
    assert 0 <= at - sim_s <= SAMPLE_EVERY_S + state["dt"] and body["sample"]["every_s"] == SAMPLE_EVERY_S
    assert np.allclose(sats[:, 3], [soc[i] for i in range(N_SATS)], atol=1e-3)


def test_an_iso_date_names_the_same_moment_as_its_seconds(srv):
    url, _, state = srv
    by_s = _get(url, "/api/runs/current/snapshot", at="120").json()
    by_date = _get(url, "/api/runs/current/snapshot", at=by_s["at_date"]).json()
    assert by_date["at_s"] == pytest.approx(120.0) and by_date["frame"]["sats"] == by_s["frame"]["sats"]


@pytest.mark.parametrize("params, status, code, field", [
    ({}, 400, None, "at"),
    ({"at": "soon"}, 400, None, "at"),
    ({"at": "-5"}, 400, None, "at"),
    ({"at": "99999999"}, 409, "out_of_range", "at"),  # valid, outside the recorded range
    ({"at": "1999-01-01T00:00:00Z"}, 409, "out_of_range", "at"),
    ({"at": "10", "extra": "1"}, 400, None, "extra"),
])
def test_bad_times_are_refused_naming_the_parameter(srv, params, status, code, field):
    url, _, _ = srv
    assert_error(_get(url, "/api/runs/current/snapshot", **params), status, code, field)


def test_unknown_runs_are_404(srv):
    url, _, _ = srv
    assert_error(_get(url, "/api/runs/999/snapshot", at="10"), 404, "not_found")
    assert_error(_get(url, "/api/runs/x1/snapshot", at="10"), 404)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the geometry of a satellite SGP4 gave up on
def test_a_tle_run_is_replayed_through_sgp4_as_the_engine_moves_it():
    from backend.core.replay import positions_at

    from pathlib import Path
    sc = Scenario().updated({"tle": (Path(__file__).parents[2] / "catalogues/sample.tle").read_text()})
    eng = Engine(SimConfig({}), sc, 0)
    for t_s in (0.0, 600.0, 3600.0):
        eng.sky.update(eng.sats, t_s)
        past, ok = positions_at(sc, t_s), eng.sats.in_service
        assert ok.sum() >= sc.n_satellites - 2
        assert np.max(np.abs(past.lat_deg[ok] - eng.sats.lat_deg[ok])) < 1e-9
        assert np.max(_lon_diff(past.lon_deg[ok], eng.sats.lon_deg[ok])) < 1e-9


def test_beams_at_a_moment_are_those_started_and_not_yet_ended(srv):
    url, _, state = srv
    events = _get(url, "/api/runs/current/events", kind="sat.energy_transfer_started,sat.energy_transfer_ended",
                  limit="5000").json()["events"]
    starts = [e for e in events if e["kind"] == "sat.energy_transfer_started"]
    if not starts:
        pytest.skip("no beam formed in this run")
    at = starts[len(starts) // 2]["sim_s"]
    expected = {}
    for e in events:  # by hand: a beam is on from its start to its end event
        if e["sim_s"] > at:
            break
        giver, receiver = e["payload"]["from"], e["payload"]["to"]
        if e["kind"] == "sat.energy_transfer_started":
            expected[giver] = receiver
        else:
            expected.pop(giver, None)
    body = _get(url, "/api/runs/current/snapshot", at=repr(at)).json()
    raw = np.frombuffer(base64.b64decode(body["frame"]["beams"]), dtype="<f4").reshape(-1, 3)
    got = {f"sat-{int(g) + 1:03d}": f"sat-{int(r) + 1:03d}" for g, r, _ in raw}
    assert body["frame"]["n_beams"] == len(raw) == len(expected) >= 1 and got == expected
