"""POST /api/tasks and GET /api/tasks/<id>: good and bad inputs."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from .conftest import assert_error


def _iso_s(text: str) -> float:
    """Unix seconds of an ISO 8601 UTC date as the API spells it (ms, Z)."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _iso(unix_s: float) -> str:
    whole = datetime.fromtimestamp(round(unix_s * 1000) / 1000, tz=timezone.utc)
    return whole.isoformat(timespec="milliseconds").replace("+00:00", "Z")

GOOD = [
    ({"energy_need": 5, "processing_power_needed": 40}, "medium"),
    ({"energy_need": 0, "processing_power_needed": 0.5, "priority": "low"}, "low"),
    ({"energy_need": 5.5, "processing_power_needed": 40, "priority": "high",
      "origin": {"lat": 10.0, "lon": 20.0}}, "high"),
    ({"energy_need": 1, "processing_power_needed": 1, "priority": "medium", "origin": None}, "medium"),
]


@pytest.mark.parametrize("body,priority", GOOD)
def test_create_task(api, body, priority):
    resp = api.post("/api/tasks", body)
    assert resp.status_code == 201, resp.text
    task = resp.json()
    assert task["task_id"].startswith("task-")
    assert isinstance(task["created_at_s"], float)
    state = api.get("/api/state?sat_limit=0").json()
    epoch = _iso_s(state["sim_date"]) - state["sim_time"]  # the simulated date of sim time 0
    assert task["created_at"] == _iso(epoch + task["created_at_s"])
    assert task["priority"] == priority
    assert task["energy_need"] == body["energy_need"]
    assert task["origin"] == body.get("origin")
    got = api.get(f"/api/tasks/{task['task_id']}")
    assert got.status_code == 200, got.text
    assert got.json()["task_id"] == task["task_id"]


BAD = [
    # (raw body, content type, status, code, field)
    ('{"processing_power_needed": 40}', None, 400, "missing_field", "energy_need"),
    ('{"energy_need": -1, "processing_power_needed": 40}', None, 400, "out_of_range", "energy_need"),
    ('{"energy_need": "5", "processing_power_needed": 40}', None, 400, "invalid_type", "energy_need"),
    ('{"energy_need": true, "processing_power_needed": 40}', None, 400, "invalid_type", "energy_need"),
    ('{"energy_need": NaN, "processing_power_needed": 40}', None, 400, "invalid_number", "energy_need"),
    ('{"energy_need": 5, "processing_power_needed": Infinity}', None, 400, "invalid_number",
     "processing_power_needed"),
    ('{"energy_need": 5, "processing_power_needed": 0}', None, 400, "out_of_range",
     "processing_power_needed"),
    ('{"energy_need": 5, "energy_need": 6, "processing_power_needed": 4}', None, 400, "duplicate_key",
     "energy_need"),
    ('{"energy_need": 5, "processing_power_needed": 4, "colour": "red"}', None, 400, "unknown_field",
     "colour"),
    ('{"energy_need": 5, "processing_power_needed": 4, "task_id": "task-1"}', None, 400,
     "unknown_field", "task_id"),
    ('{"energy_need": 5, "processing_power_needed": 4, "priority": "urgent"}', None, 400,
     "invalid_value", "priority"),
    ('{"energy_need": 5, "processing_power_needed": 4, "origin": {"lat": 91, "lon": 0}}', None, 400,
     "out_of_range", "origin.lat"),
    ('{"energy_need": 5, "processing_power_needed": 4, "origin": {"lat": 1}}', None, 400,
     "missing_field", "origin.lon"),
    ('{"energy_need": 5, "processing_power_needed": 4, "origin": [1, 2]}', None, 400, "invalid_type",
     "origin"),
    ('[{"energy_need": 5}]', None, 400, "invalid_type", None),
    ('{"energy_need": 5,', None, 400, "malformed_json", None),
    ("", None, 400, "missing_body", None),
    ('{"energy_need": 5, "processing_power_needed": 4}', "text/plain", 415, "unsupported_media_type",
     None),
    ('{"energy_need": 5, "processing_power_needed": 4, "pad": "' + "x" * 70000 + '"}', None, 413,
     "body_too_large", None),
]


@pytest.mark.parametrize("raw,ctype,status,code,field", BAD)
def test_create_task_rejected_changes_nothing(api, raw, ctype, status, code, field):
    before = api.fingerprint()
    resp = api.raw("POST", "/api/tasks", raw, ctype or "application/json")
    assert_error(resp, status, code, field)
    assert api.fingerprint() == before


@pytest.mark.parametrize("ident", ["task-999999999", "task-x", "sat-002", "task--1", "task-01"])
def test_unknown_task_is_404(api, ident):
    assert_error(api.get(f"/api/tasks/{ident}"), 404, "not_found")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(api, method):
    resp = api.raw(method, "/api/tasks", json.dumps({}))
    err = assert_error(resp, 405, "method_not_allowed")
    assert err["field"] is None
    assert "POST" in resp.headers["Allow"]
