"""Server overload benchmark (not a test): `python -m benchmarks.overload_server [--mode gevent] [--seconds 20]`.

Issue 8's server figures, each against a baseline measured in the same run:
1. 100,000 satellites asked for time_scale 10,000: what the work budget answers, then the
   largest time_scale it accepts (1,000 at 0.1 s ticks) against time_scale 30, with the
   generator at 2,000 qps: /api/health latency p50/p99/max (polled every 50 ms), pause latency
   (POST /api/sim/pause -> answer, and the tick length then), real-time factor, tick time.
2. 10 simultaneous Socket.IO connects at 100,000 satellites (default subscriptions, as the globe
   connects: every tick, 2.4 MB each, then reaches each client): server RSS before, peak during
   and after, the longest gap between ticks while they connect (sampled from /api/health every
   20 ms) against the same gap measured with no connects, and time to each client's `state`.
Results are appended to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

from backend.client import LiveFeed, VppClient
from benchmarks.server import RESULTS, start_server, stop

BIG = {"SCENARIO_N_SATELLITES": "100000", "SCENARIO_PLANES": "100", "LOG_LEVEL": "WARNING"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def poll_health(url: str, seconds: float, every_s: float = 0.05) -> tuple[list, list]:
    """(latencies s, bodies) of GET /api/health polled for `seconds`."""
    lat, bodies = [], []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        resp = VppClient(url, timeout_s=60).request("GET", "/api/health", ok=(200, 503))
        lat.append(time.perf_counter() - t0)
        bodies.append(resp.json())
        time.sleep(every_s)
    return lat, bodies


def pause_latency(url: str, times: int = 5) -> list:
    """Seconds from POST /api/sim/pause to its 200 (202 counted as its wait), resuming between."""
    vpp, out = VppClient(url, timeout_s=120), []
    for _ in range(times):
        t0 = time.perf_counter()
        resp = vpp.request("POST", "/api/sim/pause", ok=(200, 202))
        out.append((time.perf_counter() - t0, resp.status_code))
        vpp.request("POST", "/api/sim/resume", ok=(200, 202))
        time.sleep(1.0)
    return out


def run_speed(url: str, time_scale: float, seconds: float) -> dict:
    VppClient(url, timeout_s=60).set_config(time_scale=time_scale)
    time.sleep(3.0)
    lat, bodies = poll_health(url, seconds)
    pauses = pause_latency(url)
    last = bodies[-1]
    return {"time_scale": time_scale, "health_p50_ms": 1000 * pct(lat, 50), "health_p99_ms": 1000 * pct(lat, 99),
            "health_max_ms": 1000 * max(lat), "n": len(lat),
            "pause_med_ms": 1000 * statistics.median(p for p, _ in pauses),
            "pause_max_ms": 1000 * max(p for p, _ in pauses), "pause_codes": sorted({c for _, c in pauses}),
            "tick_ms_mean": last["tick_ms_mean"], "tick_ms_max": last["tick_ms_max"],
            "rtf": last["real_time_factor"], "status": last["status"]}


def max_tick_gap(url: str, seconds: float) -> float:
    """Longest last_tick_age_s seen while sampling /api/health every 20 ms."""
    worst, end = 0.0, time.monotonic() + seconds
    while time.monotonic() < end:
        worst = max(worst, VppClient(url, timeout_s=60).health().last_tick_age_s)
        time.sleep(0.02)
    return worst


def connect_storm(url: str, pid: int, n: int = 10) -> dict:
    base = rss_mb(pid)
    idle_gap = max_tick_gap(url, 5.0)
    clients, ready = [], []
    peak = [base]
    stop_sampling = threading.Event()

    def sample():
        while not stop_sampling.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.05)

    def one():
        got = threading.Event()
        c = LiveFeed(url, keep=8, on_event=lambda name, data: name == "state" and got.set())
        t0 = time.perf_counter()
        c.connect(timeout_s=60)
        got.wait(120)
        ready.append(time.perf_counter() - t0)
        clients.append(c)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    gap_box = []
    gapper = threading.Thread(target=lambda: gap_box.append(max_tick_gap(url, 12.0)))
    gapper.start()
    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    gapper.join()
    time.sleep(2.0)
    stop_sampling.set()
    after = rss_mb(pid)
    for c in clients:
        c.close()
    return {"rss_base_mb": base, "rss_peak_mb": peak[0], "rss_after_mb": after, "idle_gap_s": idle_gap,
            "storm_gap_s": gap_box[0], "state_med_s": statistics.median(ready), "state_max_s": max(ready),
            "clients": len(ready)}


def run(mode: str, seconds: float, env: dict | None = None) -> str:
    """Both measurements against one fresh 100,000-satellite server (extra settings `env`);
    the Markdown block."""
    env = env or {}
    proc, url = start_server({**BIG, **env}, mode)
    vpp = VppClient(url, timeout_s=60)
    try:
        vpp.smoke_start(2000, burst=10)
        refused = vpp.request("POST", "/api/config", {"time_scale": 10000}, ok=(200, 400, 409))
        base = run_speed(url, 30, seconds)
        fast = run_speed(url, 1000, seconds)
        vpp.set_config(time_scale=30)
        vpp.smoke_stop()
        storm = connect_storm(url, proc.pid)
    finally:
        stop(proc)
    lines = [
        "", f"### Server overload ({mode}, 100,000 satellites, generator 2,000 qps; "
        f"`{' '.join(f'{k}={v}' for k, v in env.items())}{' ' if env else ''}"
        f"python -m benchmarks.overload_server --mode {mode} --seconds {seconds:g}`; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, shared 2-core machine)", "",
        f"time_scale 10,000 asked: HTTP {refused.status_code} "
        f"`{refused.json().get('error', {}).get('message', '')[:160]}`", "",
        "| time_scale | health p50 / p99 / max ms (n) | pause median / max ms (codes) | tick mean / max ms "
        "| real-time factor | status |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in (base, fast):
        lines.append(f"| {r['time_scale']:g} | {r['health_p50_ms']:.1f} / {r['health_p99_ms']:.1f} / "
                     f"{r['health_max_ms']:.1f} ({r['n']}) | {r['pause_med_ms']:.0f} / {r['pause_max_ms']:.0f} "
                     f"({r['pause_codes']}) | {r['tick_ms_mean']:.1f} / {r['tick_ms_max']:.1f} | {r['rtf']} "
                     f"| {r['status']} |")
    s = storm
    lines += ["", f"10 simultaneous connects: RSS {s['rss_base_mb']:.0f} MB -> peak {s['rss_peak_mb']:.0f} MB "
              f"(+{s['rss_peak_mb'] - s['rss_base_mb']:.0f} MB), {s['rss_after_mb']:.0f} MB after; longest tick "
              f"gap {1000 * s['storm_gap_s']:.0f} ms during the connects vs {1000 * s['idle_gap_s']:.0f} ms without; "
              f"`state` after {s['state_med_s']:.2f} s median, {s['state_max_s']:.2f} s max ({s['clients']} clients)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="gevent")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--env", nargs="*", default=[], metavar="KEY=VALUE", help="server settings, e.g. HISTORY_URL=off")
    args = ap.parse_args()
    text = run(args.mode, args.seconds, dict(a.split("=", 1) for a in args.env))
    print(text)
    with RESULTS.open("a") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
