"""One-entity routes: satellites (read, set_satellite), drones (read, launch, recall)."""

from __future__ import annotations

import pytest

from .conftest import assert_error

SAT_KEYS = {"satellite_id", "position", "energy_amount", "max_energy", "energy_pct", "sunlit",
            "blackout", "current_tasks", "giving_energy", "predicted_energy"}
DRONE_KEYS = {"battery_id", "station_id", "position", "reserve_battery", "battery", "status", "target"}


def test_get_satellite(api):
    sat = api.get("/api/satellites/sat-008").json()
    assert SAT_KEYS <= set(sat) and sat["satellite_id"] == "sat-008"


def test_get_drone(api):
    drone = api.get("/api/drones/bat-001").json()
    assert DRONE_KEYS <= set(drone) and drone["battery_id"] == "bat-001"


@pytest.mark.parametrize("path", [
    "/api/satellites/sat-121", "/api/satellites/sat-x", "/api/satellites/bat-002",
    "/api/satellites/sat-8", "/api/satellites/sat-0008", "/api/satellites/sat-000", "/api/drones/bat-017",
    "/api/drones/bat-1", "/api/drones/drone-0", "/api/drones/drone-", "/api/drones/sat-002",
    "/api/nowhere", "/api/satellites",
])
def test_unknown_entity_is_404(api, path):
    assert_error(api.get(path), 404, "not_found", None)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("body,key,value", [
    ({"energy_pct": 12.5}, "energy_pct", 12.5),
    ({"consumption_rate": 1.5}, "consumption_rate", 1.5),
    ({"solar_scale": 0.0}, "solar_rate", 0.0),
    ({"in_service": False}, "in_service", False),
])
def test_set_satellite(api, method, body, key, value):
    resp = api.s.request(method, api.url + "/api/satellites/sat-004", json=body, timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.json()[key] == pytest.approx(value, abs=1e-6)
    assert api.get("/api/satellites/sat-004").json()[key] == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("raw,status,field", [
    ('{"energy_pct": 101}', 400, "energy_pct"),
    ('{"energy_pct": -1}', 400, "energy_pct"),
    ('{"energy_pct": true}', 400, "energy_pct"),
    ('{"energy_pct": NaN}', 400, "energy_pct"),
    ('{"consumption_rate": -0.1}', 400, "consumption_rate"),
    ('{"solar_scale": "1"}', 400, "solar_scale"),
    ('{"in_service": 0}', 400, "in_service"),
    ('{"energy": 50}', 400, "energy"),
    ('{"energy_pct": 5, "energy_pct": 6}', 400, "energy_pct"),
])
def test_set_satellite_rejected_changes_nothing(api, raw, status, field):
    before = api.fingerprint()
    assert_error(api.raw("POST", "/api/satellites/sat-004", raw), status, None, field)
    assert api.fingerprint() == before


def test_set_unknown_satellite_is_404(api):
    before = api.fingerprint()
    assert_error(api.post("/api/satellites/sat-10000", {"energy_pct": 5}), 404, "not_found")
    assert api.fingerprint() == before


def test_launch_and_recall_drone(api):
    resp = api.post("/api/drones/bat-003/launch", {"satellite_id": "sat-006"})
    assert resp.status_code == 200, resp.text
    drone = resp.json()
    assert drone["target"] == {"satellite_id": "sat-006"}
    assert drone["status"] in ("enroute", "docking")
    resp = api.post("/api/drones/bat-003/recall")
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] in ("returning", "charging", "standby")


@pytest.mark.parametrize("path,raw,status,field", [
    ("/api/drones/bat-002/launch", '{"satellite_id": "sat-1000"}', 409, "satellite_id"),  # beyond the fleet
    ("/api/drones/bat-002/launch", '{"satellite_id": 5}', 400, "satellite_id"),
    ("/api/drones/bat-002/launch", "{}", 400, "satellite_id"),
    ("/api/drones/bat-002/launch", '{"satellite_id": "sat-002", "fast": true}', 400, "fast"),
    ("/api/drones/bat-100/launch", '{"satellite_id": "sat-002"}', 404, None),
    ("/api/drones/bat-100/recall", "", 404, None),
    ("/api/drones/bat-002/recall", '{"why": 1}', 400, "why"),
])
def test_drone_commands_rejected_change_nothing(api, path, raw, status, field):
    before = api.fingerprint()
    assert_error(api.raw("POST", path, raw), status, None, field)
    assert api.fingerprint() == before
