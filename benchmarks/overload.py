"""Overload benchmark (issue 8), one command: `python -m benchmarks.overload`.

    python -m benchmarks.overload [--runs 3] [--ticks 20] [--warmup 60] [--modes gevent threading]
                                  [--seconds 15] [--server-env KEY=VALUE ...] [--no-server]
                                  [--no-engine] [--no-write]

Engine part, in one run: each saturated workload against the same constellation unsaturated
(the generator at 20 qps), all five loops, default config (0.1 s ticks at time_scale 30, so
dt = 3 s; tasks wait at most 120 s, so the backlog is at its working level after 40 ticks):

- 300 satellites at 2,000 and at 20,000 qps (200 and 2,000 tasks a tick for 2,400 task slots);
- 1,000 satellites at 2 tasks offered per satellite per tick (20,000 qps);
- 10,000 satellites at 50,000 qps.

Each row: --runs fresh engines, each warmed up --warmup ticks, then --ticks ticks timed; the
figure is the median of the runs' median tick (wall clock, and CPU time of this process, the
steadier figure on a shared machine), the ratio saturated / unsaturated (target <= 2x) and the
tasks queued. The 1,000-satellite workload is also run with the previous engine's delegation
step (the whole queue sorted and delegated every tick, as on main before the pending queue),
as a same-machine baseline; the seed's hackathon code is not in this repository, so the issue's
figure for it (192 ms a tick, target >= 10x faster: <= 19 ms) is quoted, not re-measured.

Server part (unless --no-server): `benchmarks.overload_server` for each --modes async mode
(100,000 satellites: the work budget's answer to time_scale 10,000, /api/health p99 and pause
latency at time_scale 30 and 1,000; 10 simultaneous connects: RSS growth and tick gap).

Results go between markers in benchmarks/RESULTS.md with the command and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

from backend.allocator import keep_heap
from backend.core.delegator import TaskBatch, delegate
from backend.core.engine import Engine
from backend.core.scenario import Scenario
from backend.core.state import QUEUED
from benchmarks.engine import machine
from benchmarks.server import RESULTS

START, END = "<!-- overload:start -->", "<!-- overload:end -->"
UNSATURATED_QPS = 20.0
WORKLOADS = [  # (satellites, qps, what)
    (300, 2_000.0, "300 satellites at 2,000 qps"),
    (300, 20_000.0, "300 satellites at 20,000 qps"),
    (1_000, 20_000.0, "1,000 satellites at 2 tasks a satellite a tick"),
    (10_000, 50_000.0, "10,000 satellites at 50,000 qps"),
]
SEED_1000_MS = 192.0  # the issue: the seed's hackathon code, 1,000 satellites, 2 tasks / sat / tick
TARGET_RATIO = 2.0


class WholeQueueEngine(Engine):
    """The previous delegation step: every queued task sorted and delegated every tick."""

    def _delegate(self, now, ev) -> None:
        t, s = self.book.tasks, self.sats
        pending = t.with_status(QUEUED)
        if len(pending) == 0 or not np.any((s.n_tasks < self.config.max_queue) & ~s.blackout):
            return
        pending = pending[np.lexsort((t.task_id[pending], -t.priority[pending]))]
        batch = TaskBatch(t.origin_ecef_km[pending], t.has_origin[pending], t.energy_need[pending],
                          t.work[pending], t.priority[pending])
        from backend.core.delegator import SatLoad

        load = SatLoad(s.pos_ecef_km, s.energy_eu, s.max_energy_eu, s.committed_eu, s.backlog_work,
                       s.processing_capacity, s.n_tasks, s.blackout)
        sat_idx, score = delegate(batch, load, self.config)
        ok = sat_idx >= 0
        self.book.assign(pending[ok], sat_idx[ok], score[ok], now, ev)


def one_run(n_sats: int, qps: float, warmup: int, ticks: int, cls=Engine) -> tuple[float, float, int]:
    """(median wall ms, median CPU ms, tasks queued at the end) of one fresh engine."""
    planes = 15 if n_sats == 300 else max(1, min(72, n_sats // 20))
    eng = cls({"qps_max": max(20_000.0, qps)}, Scenario().updated({"n_satellites": n_sats, "planes": planes}), 1)
    eng.submit({"type": "smoke_start", "qps": qps, "burst": 10})
    for _ in range(warmup):
        eng.step()
    wall, cpu = [], []
    for _ in range(ticks):
        w0, c0 = time.perf_counter(), time.process_time()
        eng.step()
        wall.append(1e3 * (time.perf_counter() - w0))
        cpu.append(1e3 * (time.process_time() - c0))
    return statistics.median(wall), statistics.median(cpu), eng.book.n_queued


def measure(n_sats: int, qps: float, warmup: int, ticks: int, runs: int, cls=Engine) -> dict:
    got = [one_run(n_sats, qps, warmup, ticks, cls) for _ in range(runs)]
    out = {"wall": statistics.median(g[0] for g in got), "cpu": statistics.median(g[1] for g in got),
           "queued": int(statistics.median(g[2] for g in got))}
    print(f"  {n_sats:,} sats at {qps:,.0f} qps ({cls.__name__}): {out}", flush=True)
    return out


def engine_rows(runs: int, ticks: int, warmup: int) -> list[str]:
    unsat = {n: measure(n, UNSATURATED_QPS, warmup, ticks, runs) for n in sorted({w[0] for w in WORKLOADS})}
    rows = [f"| workload | queued | median tick wall / CPU (ms) | unsaturated ({UNSATURATED_QPS:g} qps) wall / CPU (ms) "
            "| ratio wall / CPU | target <= 2x |", "| --- | ---: | ---: | ---: | ---: | --- |"]
    verdicts, sat_1000 = [], None
    for n, qps, what in WORKLOADS:
        m, u = measure(n, qps, warmup, ticks, runs), unsat[n]
        rw, rc = m["wall"] / u["wall"], m["cpu"] / u["cpu"]
        rows.append(f"| {what} | {m['queued']:,} | {m['wall']:.2f} / {m['cpu']:.2f} | {u['wall']:.2f} / {u['cpu']:.2f} "
                    f"| {rw:.1f}x / {rc:.1f}x | {'met' if rc <= TARGET_RATIO else 'not met'} |")
        if n == 1_000:
            sat_1000 = m
    old = measure(1_000, 20_000.0, warmup, ticks, runs, WholeQueueEngine)
    rows += ["", "1,000 satellites at 2 tasks a satellite a tick against earlier code:", "",
             "| code | median tick wall / CPU (ms) | this code is faster by |", "| --- | ---: | ---: |",
             f"| this commit | {sat_1000['wall']:.2f} / {sat_1000['cpu']:.2f} | |",
             f"| previous delegation step (whole queue every tick), same run | {old['wall']:.2f} / {old['cpu']:.2f} "
             f"| {old['wall'] / sat_1000['wall']:.1f}x / {old['cpu'] / sat_1000['cpu']:.1f}x |",
             f"| the seed's hackathon code (issue 8's figure, not re-measured: not in this repository) "
             f"| {SEED_1000_MS:.0f} | {SEED_1000_MS / sat_1000['wall']:.1f}x (target >= 10x: "
             f"{'met' if SEED_1000_MS / sat_1000['wall'] >= 10 else 'not met'}) |"]
    return rows + verdicts


def write(block_lines: list[str], argv: list[str]) -> None:
    block = "\n".join([START, "## Overload (issue 8)", "",
                       "Command: `" + " ".join(["python -m benchmarks.overload", *argv]) + "`",
                       f"Machine: {machine()}; measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
                       "", *block_lines, END])
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.overload")
    p.add_argument("--runs", type=int, default=3, help="fresh engines per row (median of their medians)")
    p.add_argument("--ticks", type=int, default=20, help="ticks timed per run")
    p.add_argument("--warmup", type=int, default=60, help="ticks before timing (the backlog fills in 40)")
    p.add_argument("--modes", nargs="+", default=["gevent", "threading"], help="server async modes")
    p.add_argument("--seconds", type=float, default=15.0, help="health polling per server speed")
    p.add_argument("--server-env", nargs="*", default=[], metavar="KEY=VALUE",
                   help="server settings for the server part, e.g. HISTORY_URL=off")
    p.add_argument("--no-server", action="store_true")
    p.add_argument("--no-engine", action="store_true")
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    if args.runs < 1 or args.ticks < 1 or args.warmup < 0:
        p.error("--runs and --ticks must be >= 1, --warmup >= 0")
    keep_heap()
    before = load()
    print(f"machine: {machine()}; load average {before}", flush=True)
    lines = []
    if not args.no_engine:
        lines += ["Engine: all five loops, default config; median over "
                  f"{args.runs} fresh engines of the median of {args.ticks} ticks after {args.warmup} warm-up ticks.",
                  f"Load average before the engine part: {before}.", "", *engine_rows(args.runs, args.ticks, args.warmup),
                  "", f"Load average after the engine part: {load()}."]
    if not args.no_server:
        from benchmarks.overload_server import run

        env = dict(a.split("=", 1) for a in args.server_env)
        for mode in args.modes:
            lines += run(mode, args.seconds, env).splitlines()
            lines.append(f"Load average after the {mode} server run: {load()}.")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write(lines, argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
