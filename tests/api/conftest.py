"""API test helpers: one paused server per module and a fingerprint of everything a request
could change, to check that a rejected request changed nothing."""

from __future__ import annotations

import time

import pytest
import requests


class Api:
    """Thin client for one live server; `raw` sends bytes as they are."""

    def __init__(self, url: str):
        self.url = url
        self.s = requests.Session()

    def get(self, path: str, **kw):
        return self.s.get(self.url + path, timeout=10, **kw)

    def post(self, path: str, json=None, **kw):
        return self.s.post(self.url + path, json=json, timeout=10, **kw)

    def raw(self, method: str, path: str, data: bytes | str | None,
            ctype: str | None = "application/json"):
        headers = {"Content-Type": ctype} if ctype else {}
        return self.s.request(method, self.url + path, data=data, headers=headers, timeout=10)

    def fingerprint(self) -> dict:
        """What any accepted command would change while the clock is paused."""
        time.sleep(0.12)  # > 2 ticks of 0.05 s: a queued command would have been applied by now
        state = self.get("/api/state?sat_limit=200").json()
        return {"config": self.get("/api/config").json(), "tasks": state["counters"]["tasks"],
                "smoke": state["smoke"], "paused": state["paused"], "tick": state["tick"],
                "n_satellites": state["n_satellites"], "satellites": state["satellites"],
                "drones": state["drones"]}


@pytest.fixture(scope="module")
def api(live_server_factory):
    server = live_server_factory({"SIM_TICK_INTERVAL": "0.05"})
    client = Api(server.url)
    assert client.post("/api/sim/pause").status_code == 200
    yield client
    server.stop()


def assert_error(resp, status: int, code: str | None = None, field: str | None = "?"):
    """A JSON error body {"error": {code, message, field}} with this status (and code, field)."""
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    err = resp.json()["error"]
    assert set(err) == {"code", "message", "field"}
    assert isinstance(err["message"], str) and err["message"]
    if code is not None:
        assert err["code"] == code, err
    if field != "?":
        assert err["field"] == field, err
    return err
