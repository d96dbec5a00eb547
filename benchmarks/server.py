"""Server benchmark (not a test): `python -m benchmarks.server [--reps 3] [--seconds 8] [--mode gevent]`.

1. Tick fan-out: tick delivery rate and end-to-end tick latency (tick published by the loop ->
   last binary attachment received) to 1, 10 and 50 WebSocket clients at 1,000 and 10,000
   satellites. Clients are raw engine.io/WebSocket readers in threads of this process (lighter
   than python-socketio), subscribed to `tick` only.
2. REST under load: GET /api/state (1,000 satellites, whole) and POST /api/tasks latency while
   the smoke generator runs at 5,000 tasks/s.
Each figure is the median over --reps runs. Results are appended to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import websocket

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


class TickReader(threading.Thread):
    """A raw Socket.IO client: records (seq, latency_s) when a tick's last attachment lands."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.ws = websocket.create_connection(
            url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=30)
        self.ws.recv()  # engine.io open
        self.ws.send('40/ws,{"events":["tick"],"sat_limit":0}')
        # (seq, received wall time, latency s, server share s: tick published -> handed to sockets)
        self.got: list[tuple[int, float, float, float]] = []
        self.running = True

    def run(self) -> None:
        pending, header = 0, None
        while self.running:
            try:
                msg = self.ws.recv()
            except Exception:
                return
            if isinstance(msg, bytes):
                pending -= 1
                if pending == 0 and header is not None:
                    now = time.time()
                    self.got.append((header["seq"], now, now - header["tick_wall_time"],
                                     header["sent_at"] - header["tick_wall_time"]))
                continue
            if msg == "2":
                self.ws.send("3")
            elif msg.startswith("45"):  # binary event: 45<n>-/ws,["tick",{...}]
                n, rest = msg[2:].split("-", 1)
                header = json.loads(rest[rest.index(","):][1:])[1]
                pending = int(n)

    def close(self) -> None:
        self.running = False
        try:
            self.ws.shutdown()  # no close handshake: close() waits up to 3 s per client
        except Exception:
            pass


def pct(values: list, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def fanout_run(url: str, n_clients: int, seconds: float) -> dict:
    """One run: connect, warm up, measure a window, disconnect."""
    readers = [TickReader(url) for _ in range(n_clients)]
    for r in readers:
        r.start()
    time.sleep(2.0)
    t0 = time.time()
    time.sleep(seconds)
    t1 = time.time()
    for r in readers:
        r.close()
    window = [[g for g in r.got if t0 <= g[1] < t1] for r in readers]
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
                health = requests.get(url + "/api/health", timeout=10).json()
                row = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                row.update(n_sats=n_sats, clients=n, tick_ms=health["last_tick_ms"],
                           overruns=health["overruns"])
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
    s = requests.Session()
    task = {"energy_need": 5, "processing_power_needed": 40, "priority": "high"}
    try:
        s.post(url + "/api/smoke/start", json={"qps": 5000, "burst": 50}, timeout=10)
        time.sleep(3.0)
        runs = []
        for _ in range(reps):
            g = timed(lambda: s.get(url + "/api/state", timeout=10), 100)
            p = timed(lambda: s.post(url + "/api/tasks", json=task, timeout=10), 300)
            runs.append({"state_p50": pct(g, .5), "state_p99": pct(g, .99),
                         "tasks_p50": pct(p, .5), "tasks_p99": pct(p, .99)})
        health = s.get(url + "/api/health", timeout=10).json()
        created = s.get(url + "/api/state?sat_limit=0", timeout=10).json()["counters"]["tasks"]["created"]
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


def write_results(cmd: str, mode: str, fan: list, rest: dict, reps: int, seconds: float) -> None:
    lines = ["", f"### Server benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"Command: `{cmd}`  ", f"Machine: {machine()}  ",
             f"Async mode {mode}; medians of {reps} runs of {seconds:g} s; clients are raw WebSocket "
             "readers in one process on the same machine, subscribed to `tick` only.", "",
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
