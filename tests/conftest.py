"""Shared fixtures: a real server process on a free port (`live_server_factory`, `live_server`).

The server is started as `python -m backend` with PORT=0; its first line names the URL. The
fixture waits until GET /api/health answers, and stops the process at the end. Reused by the
API, integration and browser end-to-end tests.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
_URL_RE = re.compile(r"listening on (http://\S+)")

# Small and quiet by default; tests widen what they need.
BASE_ENV = {
    "HOST": "127.0.0.1",
    "PORT": "0",
    "DOTENV_PATH": "",
    "SMOKE_AUTOSTART": "0",
    "TEST_HOOKS": "1",
    "LOG_LEVEL": "WARNING",
    "SCENARIO_N_SATELLITES": "120",
    "SCENARIO_PLANES": "6",
    "PYTHONWARNINGS": "default",
    "HISTORY_URL": "off",  # tests that record pass their own file or database
}


@dataclass
class LiveServer:
    """A running server process: base `url`, `proc`, and its log file."""

    url: str
    proc: subprocess.Popen
    log_path: Path
    async_mode: str

    def rss_kb(self) -> int:
        """Resident memory of the server process, KiB (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_server(env: dict | None = None, async_mode: str = "gevent", timeout_s: float = 60.0) -> LiveServer:
    """Start `python -m backend` with BASE_ENV + `env` and wait for /api/health to answer."""
    full_env = {**os.environ, **BASE_ENV, "ASYNC_MODE": async_mode, **(env or {})}
    log_file = tempfile.NamedTemporaryFile(prefix="vpp-server-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "-m", "backend"], cwd=ROOT, env=full_env,
                            stdout=log_file, stderr=subprocess.STDOUT)
    server = LiveServer("", proc, Path(log_file.name), async_mode)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log()}")
        m = _URL_RE.search(server.log())
        if m:
            server.url = m.group(1).replace("localhost", "127.0.0.1")
            try:
                requests.get(server.url + "/api/health", timeout=2)
                return server
            except requests.RequestException:
                pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not answer within {timeout_s} s:\n{server.log()}")


@pytest.fixture(scope="session")
def live_server_factory():
    """Call it with (env=None, async_mode="gevent") to get a started LiveServer; all are
    stopped at the end of the session."""
    started: list[LiveServer] = []

    def factory(env: dict | None = None, async_mode: str = "gevent") -> LiveServer:
        server = start_server(env, async_mode)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def live_server(live_server_factory):
    """Base URL of a default server (gevent, 120 satellites, smoke off, test hooks on)."""
    server = live_server_factory()
    yield server.url
    server.stop()
