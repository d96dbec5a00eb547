"""Fixtures of the browser end-to-end tests: a fresh frontend build and the servers they drive."""

from __future__ import annotations

import shutil
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest

from .runner import CHROMIUM, ROOT, SEED_FLEET

FRONTEND = ROOT / "frontend"
DIST_INDEX = FRONTEND / "dist" / "index.html"


def _newest_source_mtime() -> float:
    paths = [FRONTEND / "index.html", FRONTEND / "vite.config.js", FRONTEND / "package.json"]
    paths += [p for p in (FRONTEND / "src").rglob("*") if p.is_file() and ".test." not in p.name]
    return max(p.stat().st_mtime for p in paths)


@pytest.fixture(scope="module")
def built_frontend() -> Path:
    """frontend/dist, built now if missing or stale."""
    assert shutil.which("node"), "node is not installed (the browser e2e tests need Node 20)"
    assert (FRONTEND / "node_modules").is_dir(), "run `npm install` in frontend/ first"
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
    if not DIST_INDEX.exists() or DIST_INDEX.stat().st_mtime < _newest_source_mtime():
        subprocess.run(["npm", "run", "build"], cwd=FRONTEND, check=True, capture_output=True, timeout=300)
    return DIST_INDEX.parent


@pytest.fixture(scope="module")
def e2e_server(live_server_factory, built_frontend):
    """Call it with an env to start a server for this module's browser script; each is stopped
    when the module ends (live_server_factory's own stop is at the end of the session)."""
    with ExitStack() as stops:
        def start(env: dict[str, str]):
            server = live_server_factory(env)
            stops.callback(server.stop)
            return server

        yield start


@pytest.fixture(scope="module")
def globe_server(e2e_server):
    """The seed scenario's size (300 satellites, 15 planes), generator off until the UI starts it."""
    return e2e_server({**SEED_FLEET, "SMOKE_AUTOSTART": "0"})
