"""The flight recorder's charts on the globe, in headless Chromium against a recording server
(tests/e2e/history.e2e.mjs): inspector energy history, full KPI charts, per-plane rollups, runs."""

from __future__ import annotations

import pytest

from .runner import recording_env, run_script

pytestmark = pytest.mark.e2e


def test_recorder_charts_in_headless_chromium(e2e_server, tmp_path):
    """Samples every tick, so the inspector's energy chart has points from the first seconds."""
    server = e2e_server(recording_env(tmp_path, sample_every_s=0))
    run_script("history.e2e.mjs", server, required=(
        "eclipse spans are shaded", "deliveries are marked", "per-plane rollups are charted, one series a plane",
        "the runs list shows the new run with its seed", "no console errors"))
