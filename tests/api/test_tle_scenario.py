"""POST /api/reset with a TLE catalogue as the scenario, against the real server."""

from __future__ import annotations

from pathlib import Path

from .conftest import assert_error

SAMPLE = (Path(__file__).resolve().parents[2] / "catalogues" / "sample.tle").read_text()


def test_reset_to_a_tle_catalogue_and_back(api):
    resp = api.post("/api/reset", {"scenario": {"tle": SAMPLE}})
    assert resp.status_code == 200, resp.text
    state = api.get("/api/state").json()
    assert state["n_satellites"] == 31
    sat = api.get("/api/satellites/sat-031").json()
    assert sat["in_service"] is True and abs(sat["position"]["alt"] - 160.0) < 60.0
    _passes_and_track_follow_sgp4(api)
    resp = api.post("/api/reset", {"scenario": {"tle": None, "n_satellites": 120}})
    assert resp.status_code == 200, resp.text
    assert api.get("/api/state?sat_limit=0").json()["n_satellites"] == 120


def _passes_and_track_follow_sgp4(api):
    """A TLE run's passes and orbit track (SGP4, tests/core/test_contacts_tle.py checks the numbers):
    answered, and the track's middle point is the satellite now (clock paused: one tick for both)."""
    assert api.post("/api/sim/pause").status_code == 200
    sat = api.get("/api/satellites/sat-001").json()
    track = api.get("/api/satellites/sat-001/orbit").json()
    mid = len(track["t_s"]) // 2
    assert abs(track["lat"][mid] - sat["position"]["lat"]) < 1e-6
    assert abs(track["lon"][mid] - sat["position"]["lon"]) < 1e-6
    assert 5000.0 < track["period_s"] < 6000.0
    over_station = api.get("/api/stations/gs-001/passes?hours=12").json()["passes"]
    of_sat = api.get("/api/satellites/sat-001/passes?hours=12").json()["passes"]
    assert over_station and of_sat
    assert {p["satellite_id"] for p in over_station} <= {f"sat-{i:03d}" for i in range(1, 32)}
    assert [p for p in over_station if p["satellite_id"] == "sat-001"] == \
        [p for p in of_sat if p["station_id"] == "gs-001"]
    assert api.post("/api/sim/resume").status_code == 200


def test_a_bad_catalogue_is_a_400_naming_the_line_and_changes_nothing(api):
    assert api.post("/api/sim/pause").status_code == 200  # a reset runs the clock again
    before = api.fingerprint()
    bad = SAMPLE.replace("2 90003", "2 90004", 1)
    resp = api.post("/api/reset", {"scenario": {"tle": bad}})
    assert_error(resp, 400, None, "scenario.tle")
    assert "line " in resp.json()["error"]["message"] and "catalogue number" in resp.json()["error"]["message"]
    assert api.fingerprint() == before


def test_a_catalogue_over_the_body_limit_is_a_413(api):
    assert_error(api.post("/api/reset", {"scenario": {"tle": SAMPLE * 20}}), 413)
