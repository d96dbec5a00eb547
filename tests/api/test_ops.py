"""Health, metrics, OpenAPI document, docs page, front-end fallback, test fault hook validation."""

from __future__ import annotations

import re

import pytest

from .conftest import assert_error


def test_health_ok(api):
    resp = api.get("/api/health")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["loops"]["tick"]["alive"] and body["loops"]["fanout"]["alive"]
    assert 0 <= body["last_tick_age_s"] < 1.0
    assert body["overruns"] >= 0 and body["async_mode"] == "gevent"


def test_metrics_text(api):
    resp = api.get("/metrics")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    text = resp.text
    for name in ("vpp_ticks_total", "vpp_tick_duration_seconds_bucket", "vpp_tasks_total",
                 "vpp_queue_depth", "vpp_connected_clients", "vpp_tick_overruns_total"):
        assert name in text, name
    ticks = float(re.search(r"^vpp_ticks_total (\S+)$", text, re.M).group(1))
    assert ticks > 0


def test_docs_page_is_self_contained(api):
    resp = api.get("/api/docs")
    assert resp.status_code == 200 and "text/html" in resp.headers["Content-Type"]
    assert "/api/openapi.json" in resp.text
    assert not re.search(r"""(src|href)=["']https?://""", resp.text)


def test_root_serves_html(api):
    resp = api.get("/")
    assert resp.status_code == 200 and "text/html" in resp.headers["Content-Type"]


def test_missing_static_file_is_json_404(api):
    assert_error(api.get("/no-such-file.js"), 404, "not_found")


@pytest.mark.parametrize("raw,field", [
    ('{"loop": "nope"}', "loop"), ('{"loop": "tick", "times": 0}', "times"), ("{}", "loop"),
])
def test_fault_hook_validates(api, raw, field):
    assert_error(api.raw("POST", "/api/_test/fault", raw), 400, None, field)
