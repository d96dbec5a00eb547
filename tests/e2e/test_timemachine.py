"""The time machine in headless Chromium against a recording server (tests/e2e/timemachine.e2e.mjs):
scrub to the past (positions equal the snapshot route's, differ from live), play, back to live."""

from __future__ import annotations

import pytest

from .runner import recording_env, run_script

pytestmark = pytest.mark.e2e


def test_time_machine_in_headless_chromium(e2e_server, tmp_path):
    """Samples every 60 simulated s (the default), which the UI names."""
    server = e2e_server(recording_env(tmp_path, sample_every_s=60))
    run_script("timemachine.e2e.mjs", server, required=(
        "the globe's past positions are the snapshot route's answer", "past positions differ from live",
        "live ticks keep arriving but are held, not mixed into the past view",
        "playing forward at 1000x shows the achieved speed",
        "back to live: live ticks drawn again, positions near the live state", "no console errors"))
