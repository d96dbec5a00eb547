"""GET /api/stations and the pass predictions of a station or a satellite."""

from __future__ import annotations

import pytest

from .conftest import assert_error

PASS_KEYS = {"satellite_id", "station_id", "station", "aos", "los", "max_elevation_at", "aos_s", "los_s",
             "max_elevation_s", "max_elevation_deg", "duration_s", "quality", "aos_clipped", "los_clipped"}


def test_stations_list_the_scenario_stations(api):
    st = api.get("/api/stations").json()["stations"]
    assert [s["station_id"] for s in st] == [f"gs-{k:03d}" for k in range(1, len(st) + 1)]
    assert st[0]["name"] == "Svalbard" and st[0]["lat"] == pytest.approx(78.23)


def test_station_and_satellite_passes_agree(api):
    by_station = api.get("/api/stations/gs-002/passes?hours=4&min_elevation=5").json()
    assert by_station["min_elevation_deg"] == 5.0
    assert by_station["to_s"] - by_station["from_s"] == pytest.approx(4 * 3600.0)
    passes = by_station["passes"]
    assert passes and all(set(p) == PASS_KEYS and p["station_id"] == "gs-002" for p in passes)
    assert [p["aos_s"] for p in passes] == sorted(p["aos_s"] for p in passes)
    for p in passes:
        assert p["aos_s"] <= p["max_elevation_s"] <= p["los_s"]
        assert 5.0 <= p["max_elevation_deg"] <= 90.0 and 0.0 <= p["quality"] <= 1.0
        assert p["duration_s"] == pytest.approx(p["los_s"] - p["aos_s"])
    sat = passes[0]["satellite_id"]
    of_sat = api.get(f"/api/satellites/{sat}/passes?hours=4&min_elevation=5").json()["passes"]
    assert {p["station_id"] for p in of_sat} > {"gs-002"}
    mine = [p for p in of_sat if p["station_id"] == "gs-002"]
    assert mine == [p for p in passes if p["satellite_id"] == sat]


def test_default_min_elevation_is_the_delegators(api):
    assert api.post("/api/config", {"delegator": {"min_elevation_deg": 7.5}}).status_code == 200
    got = api.get("/api/satellites/sat-001/passes").json()
    assert got["min_elevation_deg"] == 7.5
    assert all(p["max_elevation_deg"] >= 7.5 for p in got["passes"])
    assert got["to_s"] - got["from_s"] == pytest.approx(6 * 3600.0)
    assert api.post("/api/config", {"delegator": {"min_elevation_deg": 0.0}}).status_code == 200


@pytest.mark.parametrize("query,field", [
    ("hours=0", "hours"), ("hours=48.5", "hours"), ("hours=abc", "hours"), ("hours=nan", "hours"),
    ("hours=inf", "hours"), ("min_elevation=90", "min_elevation"), ("min_elevation=-91", "min_elevation"),
    ("hours=1&hours=2", "hours"), ("elevation=3", "elevation"),
])
def test_bad_query_is_400(api, query, field):
    for path in ("/api/stations/gs-001/passes", "/api/satellites/sat-001/passes"):
        assert_error(api.get(f"{path}?{query}"), 400, None, field)


@pytest.mark.parametrize("path", ["/api/stations/gs-009/passes", "/api/stations/gs-1/passes",
                                  "/api/stations/sat-001/passes", "/api/satellites/sat-121/passes",
                                  "/api/satellites/gs-001/passes"])
def test_unknown_entity_is_404(api, path):
    assert_error(api.get(path), 404, "not_found", None)


def test_orbit_path_passes_through_the_satellite_now(api):
    sat = api.get("/api/satellites/sat-010").json()
    orbit = api.get("/api/satellites/sat-010/orbit").json()
    n = len(orbit["t_s"])
    assert n % 2 == 1 and len(orbit["lat"]) == len(orbit["lon"]) == len(orbit["alt_km"]) == n
    assert orbit["t_s"][-1] - orbit["t_s"][0] == pytest.approx(2 * orbit["period_s"])
    assert 5600.0 < orbit["period_s"] < 5800.0  # 550 km: 2 pi sqrt(a^3 / mu) = 5739 s
    mid = n // 2  # now
    assert orbit["lat"][mid] == pytest.approx(sat["position"]["lat"], abs=1e-3)
    assert orbit["lon"][mid] == pytest.approx(sat["position"]["lon"], abs=1e-3)
    assert orbit["alt_km"][mid] == pytest.approx(sat["position"]["alt"], abs=1e-3)
    assert max(abs(x) for x in orbit["lat"]) == pytest.approx(53.0, abs=0.5)  # the inclination
    assert_error(api.get("/api/satellites/sat-121/orbit"), 404, "not_found", None)
    assert_error(api.get("/api/satellites/sat-010/orbit?x=1"), 400, None, "x")
