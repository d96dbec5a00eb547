"""The flight recorder's charts on the globe, in headless Chromium against a recording server
(tests/e2e/history.e2e.mjs): inspector energy history, full KPI charts, per-plane rollups, runs."""

from __future__ import annotations

import pytest

from .test_globe import _run_script, built_frontend  # noqa: F401  (fixture)

from pathlib import Path

SCRIPT = Path(__file__).with_name("history.e2e.mjs")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def recording_server(live_server_factory, built_frontend, tmp_path_factory):  # noqa: F811
    """300 satellites in 15 planes, dt 20 s (an orbit in ~29 s of wall time), generator on."""
    db = tmp_path_factory.mktemp("e2e-history") / "history.sqlite"
    server = live_server_factory({"SCENARIO_N_SATELLITES": "300", "SCENARIO_PLANES": "15", "SMOKE_AUTOSTART": "1",
                                  "SIM_TIME_SCALE": "200", "HISTORY_URL": str(db), "HISTORY_FLUSH_S": "0.3",
                                  "HISTORY_SAMPLE_EVERY_S": "0", "TEST_HOOKS": "0"})
    yield server
    server.stop()


def test_recorder_charts_in_headless_chromium(recording_server):
    result = _run_script(SCRIPT, recording_server)
    names = {c["name"] for c in result["checks"]}
    for required in ("eclipse spans are shaded", "deliveries are marked", "per-plane rollups are charted, one series a plane",
                     "the runs list shows the new run with its seed", "no console errors"):
        assert required in names, f"check {required!r} did not run"
