"""The Arena page in headless Chromium against a real server (tests/e2e/arena.e2e.mjs): the form,
its validation errors, a small job's progress, the KPI table and the report's plots."""

from __future__ import annotations

import pytest

from .runner import run_script

pytestmark = pytest.mark.e2e


def test_arena_page_in_headless_chromium(e2e_server, tmp_path):
    server = e2e_server({"SCENARIO_N_SATELLITES": "120", "SCENARIO_PLANES": "6", "SMOKE_AUTOSTART": "0",
                         "HISTORY_URL": "off", "TEST_HOOKS": "0", "ARENA_DIR": str(tmp_path / "arena")})
    run_script("arena.e2e.mjs", server, required=(
        "the form lists every policy set of the API", "the server's 400 is shown with its field",
        "the job runs to the end", "the table shows the mean, the 95 % interval and the paired difference of the report",
        "the report's KPI plot is shown", "no console errors"))
