"""The built front end is served at / from STATIC_DIR, with a client-side-route fallback."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture(scope="module")
def site(live_server_factory, tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text("<!doctype html><title>globe</title>")
    (dist / "assets").mkdir()
    (dist / "assets" / "app.js").write_text("console.log('globe')")
    server = live_server_factory({"STATIC_DIR": str(dist)})
    yield server.url
    server.stop()


@pytest.mark.parametrize("path,status,needle", [
    ("/", 200, "<title>globe</title>"),
    ("/assets/app.js", 200, "console.log"),
    ("/inspect/sat-004", 200, "<title>globe</title>"),  # client-side route -> index.html
    ("/assets/missing.js", 404, '"not_found"'),
    ("/api/missing", 404, '"not_found"'),
    ("/api", 404, '"not_found"'),
])
def test_static_files(site, path, status, needle):
    resp = requests.get(site + path, timeout=10)
    assert resp.status_code == status
    assert needle in resp.text


def test_api_405_is_not_shadowed_by_the_static_route(site):
    resp = requests.post(site + "/api/state", timeout=10)
    assert resp.status_code == 405 and resp.json()["error"]["code"] == "method_not_allowed"
