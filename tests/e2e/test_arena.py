"""The Arena page in headless Chromium against a real server (tests/e2e/arena.e2e.mjs): the form,
its validation errors, a small job's progress, the KPI table and the report's plots."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_globe import _run_script, built_frontend  # noqa: F401  (fixture)

SCRIPT = Path(__file__).with_name("arena.e2e.mjs")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def arena_server(live_server_factory, built_frontend, tmp_path_factory):  # noqa: F811
    server = live_server_factory({"SCENARIO_N_SATELLITES": "120", "SCENARIO_PLANES": "6", "SMOKE_AUTOSTART": "0",
                                  "HISTORY_URL": "off", "TEST_HOOKS": "0",
                                  "ARENA_DIR": str(tmp_path_factory.mktemp("e2e-arena"))})
    yield server
    server.stop()


def test_arena_page_in_headless_chromium(arena_server):
    result = _run_script(SCRIPT, arena_server)
    names = {c["name"] for c in result["checks"]}
    for required in ("the form lists every policy set of the API", "the server's 400 is shown with its field",
                     "the job runs to the end",
                     "the table shows the mean, the 95 % interval and the paired difference of the report",
                     "the report's KPI plot is shown", "no console errors"):
        assert required in names, f"check {required!r} did not run"
