"""The locked door: JSON-only bodies, hostile origins and hosts, the API token, security
headers, strict ids and huge numbers (issue 9)."""

from __future__ import annotations

import pytest
import requests
import socketio

from .conftest import Api, assert_error

HOSTILE = "http://evil.example"


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/merge-patch+json"])
def test_a_body_that_is_not_declared_json_is_415_and_changes_nothing(api, ctype):
    before = api.fingerprint()
    assert_error(api.raw("POST", "/api/sim/resume", "{}", ctype), 415, "unsupported_media_type")
    assert_error(api.raw("POST", "/api/reset", '{"seed": 4}', ctype), 415, "unsupported_media_type")
    assert api.fingerprint() == before


def test_an_empty_form_post_is_415(api):
    assert_error(api.raw("POST", "/api/sim/resume", "", "application/x-www-form-urlencoded"), 415)


@pytest.mark.parametrize("path", ["/api/sim/resume", "/api/reset", "/api/state", "/api/health"])
def test_a_hostile_origin_is_403_and_changes_nothing(api, path):
    before = api.fingerprint()
    method = "GET" if path in ("/api/state", "/api/health") else "POST"
    resp = api.s.request(method, api.url + path, headers={"Origin": HOSTILE, "Content-Type": "application/json"},
                         data="{}", timeout=10)
    assert_error(resp, 403, "origin_not_allowed")
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert api.fingerprint() == before


def test_the_served_origin_is_allowed(api):
    resp = api.s.post(api.url + "/api/sim/pause", json={}, headers={"Origin": api.url}, timeout=10)
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "127.0.0.1.evil.example", "10.0.0.1"])
def test_a_hostile_host_is_403(api, host):
    before = api.fingerprint()
    for method, path in (("GET", "/api/state"), ("POST", "/api/sim/resume"), ("GET", "/socket.io/?EIO=4&transport=polling")):
        resp = api.s.request(method, api.url + path, headers={"Host": host, "Content-Type": "application/json"},
                             data="{}" if method == "POST" else None, timeout=10)
        assert_error(resp, 403, "host_not_allowed")
    assert api.fingerprint() == before


@pytest.mark.parametrize("path", ["/api/state?sat_limit=1", "/api/health", "/api/docs", "/", "/api/nope"])
def test_security_headers_on_every_response(api, path):
    resp = api.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("ident", ["sat-003%0A", "sat-%D9%A3%D9%A3%D9%A3", "sat-0003", "sat-03", "sat-3", "sat-000",
                                   "sat-+03", "sat-003%20", "SAT-003", "sat-%EF%BC%90%EF%BC%90%EF%BC%93",
                                   "sat-1" + "0" * 20])
def test_ids_have_one_ascii_grammar(api, ident):
    assert_error(api.get(f"/api/satellites/{ident}"), 404, "not_found")


@pytest.mark.parametrize("raw,field", [
    ('{"energy_need": 1' + "0" * 400 + ', "processing_power_needed": 4}', "energy_need"),
    ('{"energy_need": 5, "processing_power_needed": 1' + "0" * 400 + "}", "processing_power_needed"),
    ('{"energy_need": 5, "processing_power_needed": 4, "origin": {"lat": 1' + "0" * 400 + ', "lon": 0}}',
     "origin.lat"),
    ('{"energy_need": 1' + "0" * 5000 + ', "processing_power_needed": 4}', None),
])
def test_huge_integers_are_400(api, raw, field):
    before = api.fingerprint()
    resp = api.raw("POST", "/api/tasks", raw)
    assert resp.status_code == 400, resp.text
    if field:
        assert resp.json()["error"]["field"] == field
    assert api.fingerprint() == before


@pytest.mark.parametrize("query", ["sat_limit=" + "9" * 5000, "sat_offset=" + "1" * 400, "sat_limit=%D9%A3",
                                   "sat_limit=+5", "sat_limit=5_0", "sat_limit= 5", "sat_limit=1&sat_limit=2",
                                   "fields=" + "x" * 5000])
def test_huge_or_odd_query_params_are_400(api, query):
    assert_error(api.get(f"/api/state?{query}"), 400)


def test_routes_without_query_refuse_one(api):
    assert_error(api.get("/api/health?x=1"), 400, "unknown_field", "x")


@pytest.fixture(scope="module")
def locked(live_server_factory):
    server = live_server_factory({"API_TOKEN": "s3cret-token", "SIM_TICK_INTERVAL": "0.05"})
    yield server
    server.stop()


def test_with_a_token_state_changing_routes_need_it(locked):
    api = Api(locked.url)
    good = {"Authorization": "Bearer s3cret-token"}
    assert api.s.post(api.url + "/api/sim/pause", json={}, headers=good, timeout=10).status_code == 200
    before = api.fingerprint()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"},
                    {"Authorization": "Basic s3cret-token"}):
        resp = api.s.post(api.url + "/api/sim/resume", json={}, headers=headers, timeout=10)
        assert_error(resp, 401, "unauthorized")
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert_error(api.s.post(api.url + "/api/tasks", json={"energy_need": 1, "processing_power_needed": 1},
                                headers=headers, timeout=10), 401)
    assert api.fingerprint() == before
    assert api.get("/api/state?sat_limit=1").status_code == 200  # reads stay open
    doc = api.get("/api/openapi.json").json()
    assert doc["paths"]["/api/reset"]["post"]["security"] == [{"bearer": []}]
    assert "401" in doc["paths"]["/api/reset"]["post"]["responses"]


def _connect(url, **kw):
    sio = socketio.Client(reconnection=False)
    try:
        sio.connect(url, namespaces=["/ws"], transports=["websocket"], wait_timeout=10, **kw)
    except socketio.exceptions.ConnectionError as exc:
        return None, exc
    return sio, None


def test_socket_needs_the_token(locked):
    sio, err = _connect(locked.url)
    assert sio is None and err is not None
    sio, err = _connect(locked.url, auth={"token": "wrong"})
    assert sio is None
    sio, err = _connect(locked.url, auth={"token": "s3cret-token"})
    assert err is None, err
    sio.disconnect()


def test_socket_handshake_from_a_hostile_origin_is_refused(live_server):
    resp = requests.get(live_server + "/socket.io/?EIO=4&transport=polling", headers={"Origin": HOSTILE},
                        timeout=10)
    assert resp.status_code >= 400
    assert resp.headers.get("Access-Control-Allow-Origin") != HOSTILE
    sio, err = _connect(live_server, headers={"Origin": HOSTILE})
    assert sio is None
    sio, err = _connect(live_server)  # the client sends the served origin
    assert err is None, err
    sio.disconnect()


def test_configured_cors_origin_gets_cors_headers(live_server_factory):
    server = live_server_factory({"CORS_ORIGINS": "http://localhost:5173"})
    try:
        resp = requests.options(server.url + "/api/sim/pause", headers={
            "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization"}, timeout=10)
        assert resp.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
        assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]
        resp = requests.get(server.url + "/api/health", headers={"Origin": HOSTILE}, timeout=10)
        assert resp.status_code == 403
    finally:
        server.stop()
