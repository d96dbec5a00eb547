"""The globe against a server with API_TOKEN, in headless Chromium (tests/e2e/token.e2e.mjs):
asked once, kept for the session, sent on REST and the Socket.IO connection."""

from __future__ import annotations

import pytest

from .runner import run_script

pytestmark = pytest.mark.e2e
TOKEN = "e2e-token-5f2c9a"


def test_globe_asks_for_the_token_once(e2e_server):
    server = e2e_server({"API_TOKEN": TOKEN, "SCENARIO_N_SATELLITES": "120", "TEST_HOOKS": "0"})
    run_script("token.e2e.mjs", server, TOKEN, timeout_s=180, required=(
        "the globe asks for the token when the server needs one", "nothing streams before the token",
        "with the token the Socket.IO connection streams", "the token is kept in sessionStorage",
        "a REST control sends the token (the server changed)", "after a reload in the same session it streams again",
        "asked exactly once in the session", "no console errors"))
