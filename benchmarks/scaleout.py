"""Scale-out benchmark (not a test): `python -m benchmarks.scaleout [--reps 3] [--seconds 8] [--webs 4]`.

10,000 satellites at 10 ticks/s, in the same run:
1. tick delivery rate and latency p50/p99 (tick published by the engine's loop -> last binary
   attachment read by the client) to 50 clients of one single process (the baseline), and to
   50 clients on each of `--webs` web processes (200 by default) behind one engine and Redis;
2. command round trip (POST /api/tasks: the engine's answer, no tick wait) and a read
   (GET /api/state?sat_limit=0) p50/p99, single process against through a web process;
3. CPU use of every process over the measuring windows (% of one core), the clients included.
Clients are the raw WebSocket readers of benchmarks/server.py (one selector thread per web
process, all in this process). Figures are medians over --reps runs; appended to RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from benchmarks.server import RESULTS, Conn, TickReaders, _load, machine, pct, start_server, stop

SCENARIO = {"SCENARIO_N_SATELLITES": "10000", "SCENARIO_PLANES": "50", "HISTORY_URL": "off"}
TASK = {"energy_need": 5, "processing_power_needed": 40, "priority": "high"}
CLK = os.sysconf("SC_CLK_TCK")
LOAD_BEFORE = _load()


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def self_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


@dataclass
class CpuMeter:
    """CPU % of one core of named processes (and this one) between start() and stop()."""

    pids: dict

    def start(self) -> None:
        self.t0, self.c0 = time.monotonic(), {n: cpu_s(p) for n, p in self.pids.items()}
        self.s0 = self_cpu_s()

    def stop(self) -> dict:
        dt = time.monotonic() - self.t0
        out = {n: 100 * (cpu_s(p) - self.c0[n]) / dt for n, p in self.pids.items()}
        out["clients"] = 100 * (self_cpu_s() - self.s0) / dt
        return out


class TickConn(Conn):
    """benchmarks.server's raw connection, recording `tick` events only: the connect-time
    `state` is a binary event too (it carries the latest frame), without a `seq`."""

    def on_frame(self, opcode: int, payload: bytes) -> None:
        super().on_frame(opcode, payload)
        if opcode == 1 and payload.startswith(b"45") and b'["tick",' not in payload[:40]:
            self.header = None  # its attachments are counted down, nothing is recorded


class Readers(TickReaders):
    """TickReaders over TickConn connections."""

    def __init__(self, url: str, n: int):
        conns = [TickConn(url) for _ in range(n)]
        super().__init__(url, 0)
        self.conns = conns
        for c in conns:
            for opcode, payload in c.frames():
                c.on_frame(opcode, payload)
            self.sel.register(c.sock, selectors.EVENT_READ, c)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                             "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def fanout_window(urls: list, per_url: int, seconds: float, meter: CpuMeter) -> dict:
    """Connect `per_url` clients to each url, warm up 2 s, measure `seconds`."""
    readers = [Readers(u, per_url) for u in urls]
    for r in readers:
        r.start()
    time.sleep(2.0)
    meter.start()
    t0 = time.time()
    time.sleep(seconds)
    t1 = time.time()
    cpu = meter.stop()
    for r in readers:
        r.close()
    conns = [c for r in readers for c in r.conns]
    window = [[g for g in c.got if t0 <= g[1] < t1] for c in conns]
    seqs = sorted({g[0] for w in window for g in w})
    expected = (seqs[-1] - seqs[0] + 1) if seqs else 0
    lat = [g[2] * 1000 for w in window for g in w]
    received = sum(len(w) for w in window)
    return {"rate": received / len(conns) / (t1 - t0),
            "delivery": received / (expected * len(conns)) if expected else 0.0,
            "p50": pct(lat, 0.50), "p99": pct(lat, 0.99), "cpu": cpu}


def round_trips(url: str, n: int) -> dict:
    """POST /api/tasks and GET /api/state?sat_limit=0, `n` each, one after the other."""
    s = requests.Session()
    post, get = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        resp = s.post(url + "/api/tasks", json=TASK, timeout=10)
        post.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 201, resp.text
        t0 = time.perf_counter()
        resp = s.get(url + "/api/state?sat_limit=0", timeout=10)
        get.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.text
    return {"post_p50": pct(post, .5), "post_p99": pct(post, .99), "get_p50": pct(get, .5), "get_p99": pct(get, .99)}


def median_rows(runs: list) -> dict:
    row = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "cpu"}
    row["cpu"] = {k: statistics.median(r["cpu"][k] for r in runs) for k in runs[0]["cpu"]}
    return row


def _sim(url: str, action: str) -> None:
    resp = requests.post(url + f"/api/sim/{action}", json={}, timeout=30)
    assert resp.status_code == 200, resp.text


def start_scaled(webs: int) -> tuple[list, str, list]:
    """Redis, an engine and `webs` web processes: (processes, engine url, web urls)."""
    redis_proc, redis_url = start_redis()
    engine, engine_url = start_server({**SCENARIO, "ROLE": "engine", "REDIS_URL": redis_url}, "gevent")
    web = [start_server({**SCENARIO, "ROLE": "web", "REDIS_URL": redis_url}, "gevent") for _ in range(webs)]
    urls = [u for _, u in web]
    for u in urls:
        for _ in range(300):
            if requests.get(u + "/api/health", timeout=10).json()["link"]["engine_up"]:
                break
            time.sleep(0.1)
    return [redis_proc, engine, *(p for p, _ in web)], engine_url, urls


def bench(reps: int, seconds: float, clients: int, webs: int) -> tuple[list, list]:
    """Both layouts up at once; each run measures them one after the other (the other one
    paused), so the machine's load drifts alike for all: (rows, round trips)."""
    single, single_url = start_server(SCENARIO, "gevent")
    procs, engine_url, urls = start_scaled(webs)
    redis_proc, engine, web = procs[0], procs[1], procs[2:]
    single_meter = CpuMeter({"single": single.pid})
    scaled_meter = CpuMeter({"engine": engine.pid, "redis": redis_proc.pid,
                             **{f"web{i + 1}": p.pid for i, p in enumerate(web)}})
    runs: dict = {"single": [], "one": [], "scaled": [], "s_rtt": [], "x_rtt": []}
    try:
        for _ in range(reps):
            _sim(engine_url, "pause")
            _sim(single_url, "resume")
            runs["single"].append(fanout_window([single_url], clients, seconds, single_meter))
            runs["s_rtt"].append(round_trips(single_url, 200))
            _sim(single_url, "pause")
            _sim(engine_url, "resume")
            runs["one"].append(fanout_window(urls[:1], clients, seconds, scaled_meter))
            runs["scaled"].append(fanout_window(urls, clients, seconds, scaled_meter))
            runs["x_rtt"].append(round_trips(urls[0], 200))
        ticks = {name: requests.get(u + "/api/health", timeout=10).json()["tick_ms_mean"]
                 for name, u in (("single", single_url), ("scaled", engine_url))}
    finally:
        for proc in (single, *procs[1:]):
            stop(proc)
        redis_proc.terminate()
        redis_proc.wait(10)
    rows = [median_rows(runs[k]) for k in ("single", "one", "scaled")]
    for row, name in zip(rows, ("single", "scaled", "scaled")):
        row["tick_ms"] = ticks[name]
    rtts = [{k: statistics.median(r[k] for r in runs[name]) for k in runs[name][0]} for name in ("s_rtt", "x_rtt")]
    return rows, rtts


def _cpu_text(cpu: dict) -> str:
    return ", ".join(f"{k} {v:.0f}%" for k, v in cpu.items())


def write_results(cmd: str, reps: int, seconds: float, rows: list, rtts: list) -> None:
    single, one, scaled = rows
    s_rtt, x_rtt = rtts
    lines = ["", f"### Scale-out benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"Command: `{cmd}`  ", f"Machine: {machine()}  ",
             f"Load average before / after: {LOAD_BEFORE} / {_load()} (2 cores shared with other work: "
             "engine, web processes, Redis and the client readers all run on them)  ",
             f"10,000 satellites, 10 ticks/s, gevent; medians of {reps} runs of {seconds:g} s, the layouts measured in "
             "turn within each run (the other one paused); clients are raw "
             "WebSocket readers (one selector thread per server in the benchmark process) subscribed to `tick` "
             "(240 KB of float32 frame a tick). Latency: tick published by the engine's loop -> last attachment "
             "read by the client (through Redis for the web processes).", "",
             "| layout | clients | ticks/s per client | delivered | latency p50 (ms) | p99 (ms) | engine tick (ms) "
             "| CPU, % of one core |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in (single, one, scaled):
        lines.append(f"| {r['layout']} | {r['clients']} | {r['rate']:.2f} | {100 * r['delivery']:.1f}% | "
                     f"{r['p50']:.1f} | {r['p99']:.1f} | {r['tick_ms']:.1f} | {_cpu_text(r['cpu'])} |")
    lines += ["", f"p99 ratio against the single process: {one['p99'] / single['p99']:.2f} (same clients through "
              f"Redis and one web process), {scaled['p99'] / single['p99']:.2f} ({scaled['clients']} clients); "
              f"delivered ratio {scaled['delivery'] / single['delivery']:.2f}.", "",
              "Command round trip and a read, 200 sequential requests per run, no client connected:", "",
              "| request | single p50 (ms) | p99 | through a web process p50 (ms) | p99 | ratio p50 |",
              "| --- | ---: | ---: | ---: | ---: | ---: |",
              f"| POST /api/tasks (engine's answer) | {s_rtt['post_p50']:.2f} | {s_rtt['post_p99']:.2f} | "
              f"{x_rtt['post_p50']:.2f} | {x_rtt['post_p99']:.2f} | {x_rtt['post_p50'] / s_rtt['post_p50']:.1f} |",
              f"| GET /api/state?sat_limit=0 | {s_rtt['get_p50']:.2f} | {s_rtt['get_p99']:.2f} | "
              f"{x_rtt['get_p50']:.2f} | {x_rtt['get_p99']:.2f} | {x_rtt['get_p50'] / s_rtt['get_p50']:.1f} |", ""]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if "## Scale-out" not in text:
        RESULTS.write_text(text.rstrip("\n") + "\n\n## Scale-out\n" + "\n".join(lines) + "\n")
        return
    head, tail = text.split("## Scale-out", 1)
    nxt = tail.find("\n## ")
    section, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
    RESULTS.write_text(head + "## Scale-out" + section.rstrip("\n") + "\n" + "\n".join(lines) + rest)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--webs", type=int, default=4)
    ap.add_argument("--clients", type=int, default=50, help="clients per process")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args(argv)
    (single, one, scaled), (s_rtt, x_rtt) = bench(args.reps, args.seconds, args.clients, args.webs)
    single.update(layout="single process", clients=args.clients)
    one.update(layout=f"engine + {args.webs} web processes + Redis, clients on web 1 only", clients=args.clients)
    scaled.update(layout=f"engine + {args.webs} web processes + Redis", clients=args.clients * args.webs)
    print(f"single: {single}\none web: {one}\nscaled: {scaled}\n  {s_rtt}\n  {x_rtt}", flush=True)
    if not args.no_write:
        cmd = "python -m benchmarks.scaleout " + " ".join(argv if argv is not None else sys.argv[1:])
        write_results(cmd.strip(), args.reps, args.seconds, [single, one, scaled], [s_rtt, x_rtt])


if __name__ == "__main__":
    main()
