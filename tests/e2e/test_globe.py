"""The globe in real headless Chromium against a real server (tests/e2e/globe.e2e.mjs).

Needs Node with `frontend/node_modules` (`npm install`) and Debian's Chromium at /usr/bin/chromium
(or CHROMIUM_PATH). The production build in frontend/dist is rebuilt first if it is missing or
older than the sources. Screenshots and result.json go to test-artifacts/e2e/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST_INDEX = FRONTEND / "dist" / "index.html"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
SCRIPT = ROOT / "tests" / "e2e" / "globe.e2e.mjs"
USABILITY = ROOT / "tests" / "e2e" / "usability.e2e.mjs"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = pytest.mark.e2e


def _newest_source_mtime() -> float:
    paths = [FRONTEND / "index.html", FRONTEND / "vite.config.js", FRONTEND / "package.json"]
    paths += [p for p in (FRONTEND / "src").rglob("*") if p.is_file() and ".test." not in p.name]
    return max(p.stat().st_mtime for p in paths)


@pytest.fixture(scope="module")
def built_frontend() -> Path:
    """frontend/dist, built now if missing or stale."""
    assert shutil.which("node"), "node is not installed (the globe e2e test needs Node 20)"
    assert (FRONTEND / "node_modules").is_dir(), "run `npm install` in frontend/ first"
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
    if not DIST_INDEX.exists() or DIST_INDEX.stat().st_mtime < _newest_source_mtime():
        subprocess.run(["npm", "run", "build"], cwd=FRONTEND, check=True, capture_output=True, timeout=300)
    return DIST_INDEX.parent


@pytest.fixture(scope="module")
def globe_server(live_server_factory, built_frontend):
    """The seed scenario's size (300 satellites, 15 planes), generator off until the UI starts it."""
    server = live_server_factory({"SCENARIO_N_SATELLITES": "300", "SCENARIO_PLANES": "15",
                                  "SMOKE_AUTOSTART": "0", "TEST_HOOKS": "0"})
    yield server
    server.stop()


def _run_script(script: Path, server) -> dict:
    """Run one e2e script against `server`; its JSON result, after asserting every check passed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["node", str(script), server.url + "/", str(ARTIFACTS)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no JSON result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(lines[-1])
    failed = [f"{c['name']}: {c['detail']}" for c in result["checks"] if not c["ok"]]
    assert proc.returncode == 0 and result["ok"], "failed checks:\n" + "\n".join(failed) + "\n" + proc.stderr
    for shot in result["screenshots"]:
        assert Path(shot).stat().st_size > 10_000, f"screenshot {shot} looks empty"
    return result


def test_globe_in_headless_chromium(globe_server):
    result = _run_script(SCRIPT, globe_server)
    names = {c["name"] for c in result["checks"]}
    for required in ("page loads", "WebGL canvas shows a picture", "generator start makes HUD counters rise",
                     "clicking a satellite opens its inspector", "bad config value shows the server error",
                     "no console errors"):
        assert required in names, f"check {required!r} did not run"


def test_globe_usability_in_headless_chromium(globe_server):
    """Search, late click, keyboard, URL state, feed, config schema, and 1024/800/390 px layouts."""
    result = _run_script(USABILITY, globe_server)
    names = {c["name"] for c in result["checks"]}
    for required in ("a click 300 ms late selects the satellite that was there",
                     "selection, camera, filters and panels are restored from the URL",
                     "Space pauses and resumes, . steps one tick", "reset clears the feed and marks it",
                     "config fields show description, range and default",
                     "390 px: panels are in a bottom sheet and the legend is reachable",
                     "800 px: no panel covers the globe", "no console errors"):
        assert required in names, f"check {required!r} did not run"
