"""Run one browser script (tests/e2e/<name>.e2e.mjs, see browser.mjs runE2E) against a live server.

Needs Node with `frontend/node_modules` (`npm install`) and Debian's Chromium at /usr/bin/chromium
(or CHROMIUM_PATH); conftest.py's `built_frontend` rebuilds frontend/dist first if it is stale.
Screenshots and <name>.json results go to test-artifacts/e2e/.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
MIN_SCREENSHOT_BYTES = 10_000
"""A screenshot smaller than this is taken for an empty page."""

SEED_FLEET = {"SCENARIO_N_SATELLITES": "300", "SCENARIO_PLANES": "15", "TEST_HOOKS": "0"}
"""The seed scenario's size: 300 satellites in 15 planes (test hooks off, as in production)."""


def recording_env(db_dir: Path, sample_every_s: float) -> dict[str, str]:
    """The seed fleet at 200x (dt 20 s: an orbit in ~29 s of wall time), generator on, recorded to
    SQLite in db_dir, flushed every 0.3 s, samples every `sample_every_s` simulated s (0: every tick)."""
    return {**SEED_FLEET, "SMOKE_AUTOSTART": "1", "SIM_TIME_SCALE": "200", "HISTORY_URL": str(db_dir / "history.sqlite"),
            "HISTORY_FLUSH_S": "0.3", "HISTORY_SAMPLE_EVERY_S": f"{sample_every_s:g}"}


def run_script(script: str, server, *args: str, required: Iterable[str] = (), timeout_s: float = 300) -> dict:
    """Run tests/e2e/`script` against `server`; its JSON result, after asserting that every check
    passed, that each `required` check ran and that no screenshot is empty."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["node", str(HERE / script), server.url + "/", str(ARTIFACTS), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no JSON result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(lines[-1])
    failed = [f"{c['name']}: {c['detail']}" for c in result["checks"] if not c["ok"]]
    assert proc.returncode == 0 and result["ok"], "failed checks:\n" + "\n".join(failed) + "\n" + proc.stderr
    names = {c["name"] for c in result["checks"]}
    missing = [name for name in required if name not in names]
    assert not missing, f"checks that did not run: {missing}"
    for shot in result["screenshots"]:
        assert Path(shot).stat().st_size > MIN_SCREENSHOT_BYTES, f"screenshot {shot} looks empty"
    return result
