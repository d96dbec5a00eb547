"""Scale-out fixtures: a real redis-server on a free port and real processes (one engine, two
web processes), started as `python -m backend` with ROLE=engine / ROLE=web and REDIS_URL."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import LiveServer, start_server

SMALL = {"SCENARIO_N_SATELLITES": "120", "SCENARIO_PLANES": "6", "ENGINE_STALE_S": "2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RedisServer:
    """Debian's redis-server on 127.0.0.1:`port`, no persistence (a restart loses everything)."""

    port: int
    proc: subprocess.Popen | None = None
    log: Path = field(default_factory=lambda: Path(tempfile.NamedTemporaryFile(
        prefix="vpp-redis-", suffix=".log", delete=False).name))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (scripts/test.sh installs it)")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no"], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@dataclass
class Cluster:
    """One Redis, one engine, web processes a and b."""

    redis: RedisServer
    engine: LiveServer
    webs: dict
    env: dict

    def start_engine(self) -> LiveServer:
        self.engine = start_server({**self.env, "ROLE": "engine"}, self.env["ASYNC_MODE"])
        return self.engine

    def start_web(self, name: str) -> LiveServer:
        web = start_server({**self.env, "ROLE": "web"}, self.env["ASYNC_MODE"])
        self.webs[name] = web
        wait_until(lambda: engine_up(web.url), what=f"web process {name} sees the engine")
        return web

    def stop(self) -> None:
        for srv in (*self.webs.values(), self.engine):
            srv.stop()
        self.redis.stop()


def wait_until(pred, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def engine_up(url: str) -> bool:
    try:
        body = requests.get(url + "/api/health", timeout=3).json()
    except requests.RequestException:
        return False
    return bool(body.get("link", {}).get("engine_up")) and body["link"]["redis_up"]


def start_cluster(extra: dict | None = None, async_mode: str = "gevent") -> Cluster:
    redis_server = RedisServer(free_port()).start()
    env = {**SMALL, "REDIS_URL": redis_server.url, "ASYNC_MODE": async_mode, **(extra or {})}
    engine = start_server({**env, "ROLE": "engine"}, async_mode)
    webs = {name: start_server({**env, "ROLE": "web"}, async_mode) for name in ("a", "b")}
    cluster = Cluster(redis_server, engine, webs, env)
    for web in webs.values():
        wait_until(lambda: engine_up(web.url), what="web process sees the engine")
    return cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The engine records into a SQLite file that the web processes read for /api/runs."""
    db = tmp_path_factory.mktemp("history") / "history.sqlite"
    c = start_cluster({"HISTORY_URL": str(db), "HISTORY_FLUSH_S": "0.2"})
    yield c
    c.stop()
