"""The time machine in headless Chromium against a recording server (tests/e2e/timemachine.e2e.mjs):
scrub to the past (positions equal the snapshot route's, differ from live), play, back to live."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_globe import _run_script, built_frontend  # noqa: F401  (fixture)

SCRIPT = Path(__file__).with_name("timemachine.e2e.mjs")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def recording_server(live_server_factory, built_frontend, tmp_path_factory):  # noqa: F811
    """300 satellites in 15 planes, dt 20 s, generator on, samples every 60 simulated s (the default)."""
    db = tmp_path_factory.mktemp("e2e-timemachine") / "history.sqlite"
    server = live_server_factory({"SCENARIO_N_SATELLITES": "300", "SCENARIO_PLANES": "15", "SMOKE_AUTOSTART": "1",
                                  "SIM_TIME_SCALE": "200", "HISTORY_URL": str(db), "HISTORY_FLUSH_S": "0.3",
                                  "HISTORY_SAMPLE_EVERY_S": "60", "TEST_HOOKS": "0"})
    yield server
    server.stop()


def test_time_machine_in_headless_chromium(recording_server):
    result = _run_script(SCRIPT, recording_server)
    names = {c["name"] for c in result["checks"]}
    for required in ("the globe's past positions are the snapshot route's answer", "past positions differ from live",
                     "live ticks keep arriving but are held, not mixed into the past view",
                     "playing forward at 1000x shows the achieved speed",
                     "back to live: live ticks drawn again, positions near the live state", "no console errors"):
        assert required in names, f"check {required!r} did not run"
