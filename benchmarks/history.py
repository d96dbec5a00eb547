"""Flight-recorder benchmark: write throughput per table, tick cost of recording, query latency.

    python -m benchmarks.history [--seconds 60] [--block-ticks 50] [--repeats 3] [--queries 100]
                                 [--no-postgres] [--no-write]

1. Sustained writes into SQLite and PostgreSQL (a throwaway cluster, tests/history/pgcluster.py):
   the target load of 10,000 satellites sampled every tick at 10 ticks/s (100,000 sample rows/s)
   plus 5,000 tasks/s (5,000 task records and ~15,000 task events a second), for --seconds of
   simulated wall time. Ticks are real captures of a loaded 10,000-satellite engine, replayed with
   new tick numbers and task ids; each second of load is written as the writer's flush writes it
   (each table's rows at once, per-satellite samples in key order, the per-minute rollup sums
   added, one transaction). Rows/s per table count building the rows and writing them; "keeps
   up" when the whole load is written in less wall time than it represents. The writer's CPU
   time (its thread's) is given too: on a shared machine it is the steadier figure.
2. Tick time at 10,000 satellites (5,000 tasks/s), paced at 10 ticks/s as the server runs (step,
   globe frame and KPIs, with the server's 1 ms GIL switch interval), in one run: blocks of
   --block-ticks ticks with the recorder off, on at the default sampling (60 s) and on at full
   resolution, interleaved --repeats times; medians per mode of the tick's wall time and of the
   tick thread's CPU time, with the ratios to off, and of the recorder call itself.
3. Query latency on a recorded 6-hour run (10,000 satellites, dt 10 s, samples every 60 s):
   one hour of KPIs at 10 s steps, one satellite over 6 h at 60 s, rollups per plane over 6 h at
   60 s (from the per-minute sums, and for comparison from every tick's rows); each query (read
   plus JSON encoding, as the route does) --queries times, p50/p99.
Figures go between markers in benchmarks/RESULTS.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

from backend.allocator import keep_heap
from backend.core.engine import Engine
from backend.core.params import SimConfig
from backend.core.scenario import Scenario
from backend.history import minutes, open_recorder, queries, rows, step_aside, store
from backend.history.block import ColumnBlock
from backend.history.capture import Capturer
from backend.history.store import database_url

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- history:start -->", "<!-- history:end -->"
N_SATS, PLANES, QPS, TICK_S = 10_000, 50, 5000.0, 0.1
BUILDERS = {
    "samples": rows.sample_rows, "rollups": rows.rollup_rows, "events": rows.event_rows,
    "tasks": lambda track, cap: rows.task_rows(track, cap) if cap.finished is not None else [],
    "kpis": lambda track, cap: [rows.kpi_row(track.run_id, cap)],
}


def loaded_engine(time_scale: float = 30.0, qps: float = QPS) -> Engine:
    eng = Engine(SimConfig({"time_scale": time_scale}),
                 Scenario().updated({"n_satellites": N_SATS, "planes": PLANES, "n_drones": 100}), 1)
    eng.submit({"type": "smoke_start", "qps": qps, "burst": 50})
    return eng


def base_captures(n: int, warmup: int = 40) -> list:
    eng = loaded_engine()
    for _ in range(warmup):
        eng.step()
    cap = Capturer(0.0)
    out = [cap.take(eng, eng.step(), eng.kpis())]  # the run's first capture carries RunStart
    out += [cap.take(eng, eng.step(), eng.kpis()) for _ in range(n - 1)]
    return out


def replayed(base: list, k: int):
    """Capture k of an endless run made of the base captures (new tick, time and task ids)."""
    cap = base[k % len(base)]
    finished = cap.finished
    if finished is not None:
        finished = {**finished, "task_id": finished["task_id"] + (k // len(base)) * 10_000_000}
    return dataclasses.replace(cap, tick=k + 1, sim_s=(k + 1) * 3.0, run=None, finished=finished)


def write_throughput(url: str, base: list, seconds: float) -> dict:
    """Rows/s per table and overall for `seconds` of the target load into `url`."""
    engine = store.open_engine(database_url(url))
    store.migrate(engine)
    track = rows.RunTrack(base[0].run)
    with engine.begin() as conn:
        track.run_id = conn.execute(store.schema.runs.insert().values(
            started_wall=time.time(), seed=1, scenario="{}", config="{}", code_version="bench", origin="bench",
            n_satellites=N_SATS, epoch_unix_s=0.0, last_tick=0, last_sim_s=0.0)).inserted_primary_key[0]
    spent = dict.fromkeys(BUILDERS, 0.0)
    cpu0 = time.thread_time()
    counted = dict.fromkeys(BUILDERS, 0)
    ticks, per_flush = int(seconds / TICK_S), int(1.0 / TICK_S)
    t_all = time.perf_counter()
    for start in range(0, ticks, per_flush):
        batch = {table: [] for table in BUILDERS}
        for k in range(start, min(ticks, start + per_flush)):
            cap = replayed(base, k)
            for table, build in BUILDERS.items():
                t0 = time.perf_counter()
                got = build(track, cap)
                batch[table] += [got] if isinstance(got, ColumnBlock) else got
                spent[table] += time.perf_counter() - t0
                counted[table] += len(got)
            track.prev_energy_eu = cap.sats.energy_eu
        with engine.begin() as conn:  # as the writer's flush: each table's rows of the second at once
            for table, got in batch.items():
                t0 = time.perf_counter()
                store.write(conn, table, got)
                if table == "rollups":
                    minutes.add(conn, got)
                spent[table] += time.perf_counter() - t0
    wall = time.perf_counter() - t_all
    cpu = time.thread_time() - cpu0
    engine.dispose()
    total = sum(counted.values())
    return {"tables": {t: {"rows": counted[t], "rows_per_s": counted[t] / spent[t]} for t in BUILDERS},
            "rows": total, "wall_s": wall, "cpu_s": cpu, "load_s": ticks * TICK_S, "rows_per_s": total / wall,
            "rows_per_cpu_s": total / cpu}


def _drain(recorders) -> None:
    for rec in recorders:
        while rec.queue:
            time.sleep(0.05)


def tick_cost(block_ticks: int, repeats: int, folder: Path) -> dict:
    """Median paced tick time (step + capture) per recorder mode, in one engine run."""
    eng = loaded_engine()
    for _ in range(40):
        eng.step()
    recs = {"default (60 s)": open_recorder(str(folder / "tick-default.sqlite"), sample_every_s=60.0),
            "full resolution": open_recorder(str(folder / "tick-full.sqlite"), sample_every_s=0.0)}
    modes = ["off", *recs]
    wall, cpu, call = ({m: [] for m in modes} for _ in range(3))
    for _ in range(repeats):
        for mode in modes:
            _drain(recs.values())
            rec = recs.get(mode)
            deadline = time.perf_counter()
            for _ in range(block_ticks):
                t0, c0 = time.perf_counter(), time.thread_time()
                with step_aside(rec):  # as the server's tick loop
                    ev = eng.step()
                    eng.frame()  # what the server's tick builds besides the step (it also converts lat/lon)
                    kpis = eng.kpis()
                t1 = time.perf_counter()
                if rec is not None:
                    rec.record(eng, ev, kpis)
                wall[mode].append((time.perf_counter() - t0) * 1e3)
                cpu[mode].append((time.thread_time() - c0) * 1e3)
                call[mode].append((time.perf_counter() - t1) * 1e3)
                deadline += TICK_S
                time.sleep(max(0.0, deadline - time.perf_counter()))
    dropped = {m: r.status()["dropped_ticks"] for m, r in recs.items()}
    for rec in recs.values():
        rec.close()
    med = {m: (statistics.median(wall[m]), statistics.median(cpu[m])) for m in modes}
    return {m: {"median_ms": med[m][0], "ratio": med[m][0] / med["off"][0], "cpu_ms": med[m][1],
                "cpu_ratio": med[m][1] / med["off"][1], "record_ms": statistics.median(call[m]),
                "dropped_ticks": dropped.get(m, 0)} for m in modes}


def record_six_hours(urls: list[str]) -> None:
    """A 6-hour run (dt 10 s: 2,160 ticks) recorded into every url at once."""
    eng = loaded_engine(time_scale=100.0, qps=1000.0)
    recs = [open_recorder(u, sample_every_s=60.0, blocking=True) for u in urls]
    for _ in range(2160):
        ev = eng.step()
        kpis = eng.kpis()
        for rec in recs:
            rec.record(eng, ev, kpis)
    for rec in recs:
        rec.close(timeout_s=600)


def query_latency(url: str, n: int) -> dict:
    engine = store.open_engine(database_url(url))
    with engine.connect() as conn:
        run_id = conn.exec_driver_sql("SELECT max(run_id) FROM runs").scalar()

    def timed(fn) -> dict:
        ms = []
        for _ in range(n):
            t0 = time.perf_counter()
            with engine.connect() as conn:
                run = queries.find_run(conn, run_id)
                orjson.dumps(fn(conn, run))
            ms.append((time.perf_counter() - t0) * 1e3)
        points = None
        with engine.connect() as conn:
            points = fn(conn, queries.find_run(conn, run_id))["points"]
        return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)), "points": points}

    hour = 3600.0
    out = {
        "kpis, 1 h at 10 s": timed(lambda c, r: queries.kpis(c, r, queries.window(r, 2 * hour, 3 * hour, 10.0))),
        "one satellite, 6 h at 60 s": timed(
            lambda c, r: queries.satellite(c, r, 4242, queries.window(r, 0.0, 6 * hour, 60.0))),
        "rollups per plane, 6 h at 60 s": timed(
            lambda c, r: queries.rollups(c, r, "plane", queries.window(r, 0.0, 6 * hour, 60.0))),
        "the same from every tick's rows (no minute sums)": timed(
            lambda c, r: queries.rollups(c, r, "plane", queries.window(r, 0.0, 6 * hour, 60.0), per_minute=False)),
    }
    engine.dispose()
    return out


def _report(args, writes: dict, ticks: dict, lat: dict) -> str:
    lines = [f"### Recorder benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             "", f"`{' '.join(['python -m benchmarks.history'] + sys.argv[1:])}`; {platform.machine()}, "
             f"{os.cpu_count()} cores (shared), Python {platform.python_version()}, load "
             f"{os.getloadavg()[0]:.1f}.", "",
             f"Writes: {args.seconds:g} s of the target load (10,000 satellites sampled every tick at "
             f"10 ticks/s, {QPS:,.0f} tasks/s), one transaction per second of load.", "",
             "| database | samples rows/s | rollups rows/s | events rows/s | tasks rows/s | kpis rows/s | "
             "all rows/s | load s / wall s | writer CPU s | all rows per CPU s | keeps up |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for db, w in writes.items():
        t = w["tables"]
        lines.append(f"| {db} | " + " | ".join(f"{t[k]['rows_per_s']:,.0f}" for k in BUILDERS)
                     + f" | {w['rows_per_s']:,.0f} | {w['load_s']:.0f} / {w['wall_s']:.1f} | {w['cpu_s']:.1f} | "
                       f"{w['rows_per_cpu_s']:,.0f} | {'yes' if w['wall_s'] < w['load_s'] else 'no'} |")
    lines += ["", f"Tick time, 10,000 satellites at {QPS:,.0f} tasks/s, paced at 10 ticks/s, "
              f"{args.repeats} x {args.block_ticks} ticks per mode, interleaved (target: <= 1.10 x off):", "",
              "| recorder | median tick ms | ratio to off | tick thread CPU ms | CPU ratio to off | "
              "of which record() ms | ticks dropped |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for mode, t in ticks.items():
        lines.append(f"| {mode} | {t['median_ms']:.2f} | {t['ratio']:.3f} | {t['cpu_ms']:.2f} | {t['cpu_ratio']:.3f} | "
                     f"{t['record_ms']:.3f} | {t['dropped_ticks']} |")
    lines += ["", f"Query latency on a recorded 6-hour run (10,000 satellites, dt 10 s, samples every 60 s), "
              f"{args.queries} times each, read + JSON (target: p99 <= 100 ms on SQLite):", "",
              "| database | query | points | p50 ms | p99 ms |", "| --- | --- | ---: | ---: | ---: |"]
    for db, qs in lat.items():
        for name, q in qs.items():
            lines.append(f"| {db} | {name} | {q['points']:,} | {q['p50_ms']:.1f} | {q['p99_ms']:.1f} |")
    return "\n".join(lines) + "\n"


def _write_results(text: str) -> None:
    doc = RESULTS.read_text()
    block = f"{START}\n{text}{END}"
    if START in doc:
        head, rest = doc.split(START, 1)
        doc = head + block + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip() + "\n\n## Flight recorder\n\n" + block + "\n"
    RESULTS.write_text(doc)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.history", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0, help="seconds of target load to write")
    p.add_argument("--block-ticks", type=int, default=50, help="ticks per block in the tick-cost part")
    p.add_argument("--repeats", type=int, default=3, help="blocks per mode in the tick-cost part")
    p.add_argument("--queries", type=int, default=100, help="repetitions of each query")
    p.add_argument("--no-postgres", action="store_true", help="SQLite only")
    p.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    args = p.parse_args(argv)
    keep_heap()
    sys.setswitchinterval(0.001)  # as backend/serve.py: the tick gets the GIL back from the writer sooner
    from contextlib import ExitStack

    from tests.history.pgcluster import PgCluster

    with tempfile.TemporaryDirectory(prefix="vpp-bench-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        pg = None if args.no_postgres else stack.enter_context(PgCluster())
        base = base_captures(20)
        writes = {"SQLite": write_throughput(str(folder / "writes.sqlite"), base, args.seconds)}
        print("writes SQLite", writes["SQLite"]["rows_per_s"], flush=True)
        if pg:
            writes["PostgreSQL"] = write_throughput(pg.fresh_database("writes"), base, args.seconds)
            print("writes PostgreSQL", writes["PostgreSQL"]["rows_per_s"], flush=True)
        del base
        ticks = tick_cost(args.block_ticks, args.repeats, folder)
        print("ticks", ticks, flush=True)
        urls = {"SQLite": str(folder / "six-hours.sqlite")}
        if pg:
            urls["PostgreSQL"] = pg.fresh_database("sixhours")
        record_six_hours(list(urls.values()))
        lat = {db: query_latency(u, args.queries) for db, u in urls.items()}
    text = _report(args, writes, ticks, lat)
    print(text)
    if not args.no_write:
        _write_results(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
