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
    for path in ("/api/satellites/sat-001/passes", "/api/stations/gs-001/passes", "/api/satellites/sat-001/orbit"):
        # passes and tracks come from circular Walker elements: refused, not answered wrong, for a catalogue
        assert_error(api.get(path), 409, "unsupported_for_tle", "scenario.tle")
    resp = api.post("/api/reset", {"scenario": {"tle": None, "n_satellites": 120}})
    assert resp.status_code == 200, resp.text
    assert api.get("/api/state?sat_limit=0").json()["n_satellites"] == 120


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
