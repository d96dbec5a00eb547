"""The globe against a server with API_TOKEN, in headless Chromium (tests/e2e/token.e2e.mjs):
asked once, kept for the session, sent on REST and the Socket.IO connection."""

from __future__ import annotations

import json
import subprocess

import pytest

from .test_globe import ARTIFACTS, ROOT, built_frontend  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e
TOKEN = "e2e-token-5f2c9a"


def test_globe_asks_for_the_token_once(live_server_factory, built_frontend):  # noqa: F811
    server = live_server_factory({"API_TOKEN": TOKEN, "SCENARIO_N_SATELLITES": "120", "TEST_HOOKS": "0"})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["node", "tests/e2e/token.e2e.mjs", server.url + "/", str(ARTIFACTS), TOKEN],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no JSON result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(lines[-1])
    failed = [f"{c['name']}: {c['detail']}" for c in result["checks"] if not c["ok"]]
    assert proc.returncode == 0 and result["ok"], "failed checks:\n" + "\n".join(failed) + "\n" + proc.stderr
    assert len(result["checks"]) >= 7
