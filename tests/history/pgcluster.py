"""A throwaway PostgreSQL cluster: initdb + pg_ctl on a free port in a temporary folder.

Uses Debian's `postgresql` binaries (/usr/lib/postgresql/<version>/bin; scripts/test.sh installs
the package when missing). As root, the server runs as the `postgres` user (initdb refuses root).
`with PgCluster() as pg: pg.url` -> postgresql://postgres@127.0.0.1:<port>/postgres; stopped and
deleted on exit. Used by the tests (tests/history/conftest.py) and benchmarks/history.py.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """Start on enter, stop and delete on exit; `stop()` / `start()` in between simulate an outage."""

    def __init__(self, durable: bool = False):
        """durable=False turns off fsync and synchronous commit (fast; a crash may lose the last
        commits); durable=True keeps PostgreSQL's defaults (for the outage test's crash stop)."""
        self.durable = durable
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL not installed (apt-get install postgresql); scripts/test.sh does it")
        self.dir = Path(tempfile.mkdtemp(prefix="vpp-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=120)

    def __enter__(self) -> "PgCluster":
        if self._as:
            shutil.chown(self.dir, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--no-sync", "-E", "UTF8")
        self.start()
        return self

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                  "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._kill_postmaster()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        """pg_ctl could not stop it: end this cluster's own postmaster (its pid file names it)."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass

    def fresh_database(self, name: str) -> str:
        """Create database `name`; its URL."""
        self._run(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
                  "-c", f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"
