"""The globe in real headless Chromium against a real server (tests/e2e/globe.e2e.mjs,
usability.e2e.mjs; how they run: runner.py)."""

from __future__ import annotations

import pytest

from .runner import run_script

pytestmark = pytest.mark.e2e


def test_globe_in_headless_chromium(globe_server):
    run_script("globe.e2e.mjs", globe_server, required=(
        "page loads", "WebGL canvas shows a picture", "generator start makes HUD counters rise",
        "clicking a satellite opens its inspector", "bad config value shows the server error", "no console errors"))


def test_globe_usability_in_headless_chromium(globe_server):
    """Search, late click, keyboard, URL state, feed, config schema, and 1024/800/390 px layouts."""
    run_script("usability.e2e.mjs", globe_server, required=(
        "a click 300 ms late selects the satellite that was there",
        "selection, camera, filters and panels are restored from the URL",
        "Space pauses and resumes, . steps one tick", "reset clears the feed and marks it",
        "config fields show description, range and default", "a policy is chosen from the list the API allows",
        "390 px: panels are in a bottom sheet and the legend is reachable",
        "800 px: no panel covers the globe", "no console errors"))
