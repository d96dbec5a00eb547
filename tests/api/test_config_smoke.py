"""GET/POST /api/config and POST /api/smoke/start|stop: good and bad inputs."""

from __future__ import annotations

import pytest

from backend.core.params import SCHEMA

from .conftest import assert_error


def test_get_config_has_every_schema_key(api):
    cfg = api.get("/api/config").json()
    assert {g: set(v) for g, v in cfg.items()} == {g: set(v) for g, v in SCHEMA.items()}


GOOD_CONFIG = [
    ({"w1": 0.4}, ("delegator", "w1", 0.4)),
    ({"delegator": {"w2": 0.3}}, ("delegator", "w2", 0.3)),
    ({"time": {"time_scale": 60}}, ("time", "time_scale", 60.0)),
    ({"beam": {"max_distance_km": 4000.0}, "rate_eu_per_s": 6}, ("beam", "rate_eu_per_s", 6.0)),
    ({"max_queue": 10}, ("delegator", "max_queue", 10)),
    ({"tick_interval": 0.2}, ("time", "tick_interval", 0.2)),
    ({"beam_rate": 5.5}, ("beam", "rate_eu_per_s", 5.5)),  # the seed's flat names (params.SEED_ALIASES)
    ({"dmax": 2500}, ("beam", "max_distance_km", 2500.0)),
    ({"low_threshold": 20, "high_threshold": 75, "stop_threshold": 65}, ("beam", "stop_pct", 65.0)),
]


@pytest.mark.parametrize("body,expect", GOOD_CONFIG)
def test_post_config_returns_whole_config(api, body, expect):
    resp = api.post("/api/config", body)
    assert resp.status_code == 200, resp.text
    group, key, value = expect
    cfg = resp.json()
    assert cfg[group][key] == value
    assert set(cfg) == set(SCHEMA)
    assert api.get("/api/config").json() == cfg


BAD_CONFIG = [
    ('{"w1": "0.4"}', "w1"),
    ('{"w1": true}', "w1"),
    ('{"w1": 2}', "w1"),
    ('{"w1": -0.1}', "w1"),
    ('{"w1": NaN}', "w1"),
    ('{"w1": Infinity}', "w1"),
    ('{"w1": null}', "w1"),
    ('{"nope": 1}', "nope"),
    ('{"delegator": {"nope": 1}}', "delegator.nope"),
    ('{"delegator": 3}', "delegator"),
    ('{"w1": 0.4, "w1": 0.5}', "w1"),
    ('{"w1": 0.45, "w2": 5}', "w2"),  # the good half is not applied either
    ('{"max_queue": 2.5}', "max_queue"),
    ('{"beam_rate": -1}', "beam_rate"),
    ('{"tick_interval": 0}', "tick_interval"),
    ("[1]", None),
    ("{", None),
]


@pytest.mark.parametrize("raw,field", BAD_CONFIG)
def test_post_config_rejected_changes_nothing(api, raw, field):
    before = api.fingerprint()
    err = assert_error(api.raw("POST", "/api/config", raw), 400)
    if field is not None:
        assert err["field"] == field, err
    assert api.fingerprint() == before


# Each value in range, but not together or not with the current config: 409, naming the field.
CONFLICTING_CONFIG = [
    ('{"task_energy_min": 50, "task_energy_max": 10}', "task_energy_min"),
    ('{"stop_pct": 100}', "stop_pct"),  # above the current high_pct (below 100)
    ('{"beam": {"low_pct": 100}}', "low_pct"),  # above the current stop_pct
    ('{"p_high": 0.9, "p_medium": 0.5}', "p_high"),
    ('{"beam_rate": 5, "rate_eu_per_s": 6}', "rate_eu_per_s"),  # one key under two names
    ('{"low_threshold": 100}', "low_threshold"),  # the seed's name for low_pct, above stop_pct
]


@pytest.mark.parametrize("raw,field", CONFLICTING_CONFIG)
def test_post_config_conflicting_is_409_and_changes_nothing(api, raw, field):
    before = api.fingerprint()
    assert_error(api.raw("POST", "/api/config", raw), 409, None, field)
    assert api.fingerprint() == before


def test_an_integral_number_is_an_integer(api):
    """JSON has one number type: 8.0 is the integer 8, as JSON Schema counts it."""
    before = api.get("/api/config").json()["delegator"]["max_queue"]
    resp = api.raw("POST", "/api/config", '{"max_queue": 9.0}')
    assert resp.status_code == 200, resp.text
    assert resp.json()["delegator"]["max_queue"] == 9
    api.post("/api/config", {"max_queue": before})


def test_smoke_start_and_stop(api):
    resp = api.post("/api/smoke/start", {"qps": 50, "burst": 10})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"running": True, "qps": 50.0, "burst": 10}
    assert api.get("/api/state?sat_limit=0").json()["smoke"]["running"] is True
    resp = api.post("/api/smoke/stop")
    assert resp.status_code == 200, resp.text
    assert resp.json()["running"] is False


BAD_SMOKE = [
    ('{"qps": 0}', 400, "qps"),
    ('{"qps": -5}', 400, "qps"),
    ('{"qps": 1e9}', 400, "qps"),  # above the schema's 1e6
    ('{"qps": 999999}', 409, "qps"),  # in the schema, above the current config qps_max
    ('{"qps": true}', 400, "qps"),
    ('{"qps": "50"}', 400, "qps"),
    ('{"qps": 50, "burst": 0}', 400, "burst"),
    ('{"qps": 50, "burst": 1.5}', 400, "burst"),
    ('{"qps": 50, "burst": 2, "rate": 1}', 400, "rate"),
    ('{"burst": 2}', 400, "qps"),
    ("", 400, None),
]


@pytest.mark.parametrize("raw,status,field", BAD_SMOKE)
def test_smoke_start_rejected_changes_nothing(api, raw, status, field):
    before = api.fingerprint()
    assert_error(api.raw("POST", "/api/smoke/start", raw), status, None, field)
    assert api.fingerprint() == before


def test_smoke_stop_rejects_a_body_with_fields(api):
    assert_error(api.raw("POST", "/api/smoke/stop", '{"now": true}'), 400, "unknown_field", "now")
