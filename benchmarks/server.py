"""Server benchmark (not a test): `python -m benchmarks.server [--reps 3] [--seconds 8] [--mode gevent]`.

1. Tick fan-out: tick delivery rate and end-to-end tick latency (tick published by the loop ->
   last binary attachment received) to 1, 10 and 50 WebSocket clients at 1,000 and 10,000
   satellites. Clients are raw WebSocket connections read by one selector thread of this process
   (far lighter than python-socketio or websocket-client), subscribed to `tick` only.
2. REST under load: GET /api/state (1,000 satellites, whole) and POST /api/tasks latency while
   the smoke generator runs at 5,000 tasks/s.
Each figure is the median over --reps runs. Results are appended to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from backend.client import VppClient

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def start_server(env: dict, mode: str):
    """`python -m backend` on a free port; returns (process, base url)."""
    full = {**os.environ, "HOST": "127.0.0.1", "PORT": "0", "DOTENV_PATH": "", "ASYNC_MODE": mode,
            "SMOKE_AUTOSTART": "0", "LOG_LEVEL": "WARNING", **env}
    log = tempfile.NamedTemporaryFile(prefix="vpp-bench-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "-m", "backend"], cwd=ROOT, env=full, stdout=log,
                            stderr=subprocess.STDOUT)
    for _ in range(600):
        m = re.search(r"listening on (http://\S+)", Path(log.name).read_text())
        if m:
            url = m.group(1).replace("localhost", "127.0.0.1")
            try:
                requests.get(url + "/api/health", timeout=2)
                return proc, url
            except requests.RequestException:
                pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(Path(log.name).read_text())


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


class Conn:
    """One raw WebSocket connection speaking just enough engine.io/Socket.IO to read ticks."""

    def __init__(self, url: str):
        host, port = url.split("//", 1)[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 101"), head[:80]
        self.buf = bytearray(head.split(b"\r\n\r\n", 1)[1])
        self.sock.setblocking(False)
        self.pending, self.header, self.joined = 0, None, False
        self.got: list[tuple[int, float, float, float]] = []  # seq, recv time, latency, server share

    def send_text(self, text: str) -> None:
        """A client frame must be masked; a zero mask key leaves the payload as it is."""
        data = text.encode()
        n = len(data)
        head = bytes([0x81, 0x80 | n]) if n < 126 else bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big")
        self.sock.setblocking(True)
        self.sock.sendall(head + b"\0\0\0\0" + data)
        self.sock.setblocking(False)

    def frames(self):
        """Complete (opcode, payload) frames in the buffer (server frames are unmasked)."""
        buf = self.buf
        while len(buf) >= 2:
            n, off = buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, off = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, off = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < off + n:
                return
            opcode, payload = buf[0] & 0x0F, bytes(buf[off:off + n])
            del buf[:off + n]
            yield opcode, payload

    def on_frame(self, opcode: int, payload: bytes) -> None:
        if opcode == 2:  # binary attachment
            self.pending -= 1
            if self.pending == 0 and self.header is not None:
                now = time.time()
                h = self.header
                self.got.append((h["seq"], now, now - h["tick_wall_time"], h["sent_at"] - h["tick_wall_time"]))
            return
        text = payload.decode()
        if text.startswith("0") and not self.joined:
            self.joined = True
            self.send_text('40/ws,{"events":["tick"],"sat_limit":0}')
        elif text == "2":
            self.send_text("3")
        elif text.startswith("45"):  # binary event: 45<n>-/ws,["tick",{...}]
            n, rest = text[2:].split("-", 1)
            self.header = json.loads(rest[rest.index(",") + 1:])[1]
            self.pending = int(n)


class TickReaders(threading.Thread):
    """N raw connections read by one thread with a selector: the client side stays cheap."""

    def __init__(self, url: str, n: int):
        super().__init__(daemon=True)
        self.conns = [Conn(url) for _ in range(n)]
        for c in self.conns:  # the engine.io open packet may have come with the HTTP answer
            for opcode, payload in c.frames():
                c.on_frame(opcode, payload)
        self.sel = selectors.DefaultSelector()
        for c in self.conns:
            self.sel.register(c.sock, selectors.EVENT_READ, c)
        self.running = True

    def run(self) -> None:
        while self.running:
            for key, _ in self.sel.select(timeout=0.2):
                conn = key.data
                try:
                    data = conn.sock.recv(1 << 20)
                except BlockingIOError:
                    continue
                if not data:
                    self.sel.unregister(conn.sock)
                    continue
                conn.buf += data
                for opcode, payload in conn.frames():
                    conn.on_frame(opcode, payload)

    def close(self) -> None:
        self.running = False
        self.join(2)
        for c in self.conns:
            c.sock.close()


def pct(values: list, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def fanout_run(url: str, n_clients: int, seconds: float) -> dict:
    """One run: connect, warm up, measure a window, disconnect."""
    hub = TickReaders(url, n_clients)
    hub.start()
    time.sleep(2.0)
    t0 = time.time()
    time.sleep(seconds)
    t1 = time.time()
    hub.close()
    window = [[g for g in c.got if t0 <= g[1] < t1] for c in hub.conns]
    all_seqs = sorted({g[0] for w in window for g in w})
    expected = (all_seqs[-1] - all_seqs[0] + 1) if all_seqs else 0
    lat = [g[2] * 1000 for w in window for g in w]
    fan = [g[3] * 1000 for w in window for g in w]
    received = sum(len(w) for w in window)
    return {"rate": received / n_clients / (t1 - t0),
            "delivery": received / (expected * n_clients) if expected else 0.0,
            "p50": pct(lat, 0.50), "p99": pct(lat, 0.99), "fan_p99": pct(fan, 0.99)}


def bench_fanout(sizes, clients, reps, seconds, mode) -> list:
    rows = []
    for n_sats in sizes:
        proc, url = start_server({"SCENARIO_N_SATELLITES": str(n_sats), "SCENARIO_PLANES": "50"}, mode)
        try:
            for n in clients:
                runs = [fanout_run(url, n, seconds) for _ in range(reps)]
                health = VppClient(url).health()
                row = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                row.update(n_sats=n_sats, clients=n, tick_ms=health.last_tick_ms, overruns=health.overruns)
                rows.append(row)
                print(f"fan-out {n_sats:>6} sats {n:>3} clients: {row['rate']:.2f} ticks/s/client, "
                      f"delivered {100 * row['delivery']:.1f}%, latency p50 {row['p50']:.1f} ms "
                      f"p99 {row['p99']:.1f} ms (server share p99 {row['fan_p99']:.1f} ms)", flush=True)
        finally:
            stop(proc)
    return rows


def timed(fn, n: int) -> list:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        resp = fn()
        out.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code < 300, resp.text
    return out


def bench_rest(reps: int, mode: str) -> dict:
    proc, url = start_server({"SCENARIO_N_SATELLITES": "1000", "SCENARIO_PLANES": "50"}, mode)
    vpp = VppClient(url, timeout_s=10)
    task = {"energy_need": 5, "processing_power_needed": 40, "priority": "high"}
    try:
        vpp.smoke_start(5000, burst=50)
        time.sleep(3.0)
        runs = []
        for _ in range(reps):  # raw answers: the figures are the server's, not the client's parsing
            g = timed(lambda: vpp.request("GET", "/api/state"), 100)
            p = timed(lambda: vpp.request("POST", "/api/tasks", task), 300)
            runs.append({"state_p50": pct(g, .5), "state_p99": pct(g, .99),
                         "tasks_p50": pct(p, .5), "tasks_p99": pct(p, .99)})
        health = vpp.health().model_dump()
        created = vpp.state(sat_limit=0).model_dump()["counters"]["tasks"]["created"]
    finally:
        stop(proc)
    row = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    row.update(tick_ms=health["last_tick_ms"], overruns=health["overruns"], seq=health["seq"],
               created=created)
    print(f"REST under 5,000 tasks/s: GET /api/state p50 {row['state_p50']:.1f} ms p99 "
          f"{row['state_p99']:.1f} ms; POST /api/tasks p50 {row['tasks_p50']:.2f} ms p99 "
          f"{row['tasks_p99']:.2f} ms", flush=True)
    return row


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


LOAD_BEFORE = _load()


def write_results(cmd: str, mode: str, fan: list, rest: dict, reps: int, seconds: float) -> None:
    lines = ["", f"### Server benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"Command: `{cmd}`  ", f"Machine: {machine()}  ",
             f"Load average before / after: {LOAD_BEFORE} / {_load()} (the machine may be shared "
             "with other work; the client readers share its 2 cores with the server)  ",
             f"Async mode {mode}; medians of {reps} runs of {seconds:g} s; clients are raw WebSocket "
             "connections read by one selector thread of one process on the same machine, subscribed to `tick` only.", "",
             "Latency: tick published by the loop -> last attachment read by the client; "
             "\"server share\": published -> payload handed to the sockets.", "",
             "| satellites | clients | ticks/s per client | delivered | latency p50 (ms) | p99 (ms) "
             "| server share p99 (ms) | tick step (ms) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in fan:
        lines.append(f"| {r['n_sats']:,} | {r['clients']} | {r['rate']:.2f} | {100 * r['delivery']:.1f}% "
                     f"| {r['p50']:.1f} | {r['p99']:.1f} | {r['fan_p99']:.1f} | {r['tick_ms']:.1f} |")
    lines += ["", "REST at 1,000 satellites while the smoke generator runs at 5,000 tasks/s "
              f"({rest['created']:,} tasks created in the run, {rest['overruns']} tick overruns in "
              f"{rest['seq']} ticks):", "",
              "| request | p50 (ms) | p99 (ms) |", "| --- | ---: | ---: |",
              f"| GET /api/state (all 1,000 satellites) | {rest['state_p50']:.1f} | {rest['state_p99']:.1f} |",
              f"| POST /api/tasks | {rest['tasks_p50']:.2f} | {rest['tasks_p99']:.2f} |", ""]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if "## Server" not in text:
        text = text.rstrip("\n") + "\n\n## Server\n"
        RESULTS.write_text(text + "\n".join(lines) + "\n")
        return
    head, tail = text.split("## Server", 1)
    nxt = tail.find("\n## ")
    section, rest_text = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
    RESULTS.write_text(head + "## Server" + section.rstrip("\n") + "\n" + "\n".join(lines) + rest_text)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--mode", default="gevent", choices=("gevent", "threading", "eventlet"))
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--clients", default="1,10,50")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    clients = [int(x) for x in args.clients.split(",")]
    fan = bench_fanout(sizes, clients, args.reps, args.seconds, args.mode)
    rest = bench_rest(args.reps, args.mode)
    if not args.no_write:
        cmd = "python -m benchmarks.server" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:]))
        write_results(cmd, args.mode, fan, rest, args.reps, args.seconds)
        print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
