"""Delegated tasks per second against constellation size: `python -m benchmarks.delegator`.

Two kinds of input, batches of 500 tasks a call:

- `engine` (the default, what `benchmarks.engine` reports): the satellites and tasks an
  `Engine` hands to `delegate` after 20 loaded ticks, set up as `benchmarks.engine` does
  (Walker layout with up to 72 planes, 100 drones, smoke load at 5,000 tasks/s): satellites
  with varied energy, mostly empty queues and backlogs, origins area-uniform within the
  smoke consumer's latitudes, min_elevation 0. The queued tasks of the last ticks are pooled
  (in the caller's order: high priority first) up to the batch size.
- `synthetic` (`--synthetic`): a Walker-like shell at 550 km with sqrt(n) planes, origins
  uniform on the globe (or, with `--clustered`, also all from around one city: 300 km
  spread), random energy, queues and backlog. Its scores are more spread out than the
  engine's, so it is the easier case.

Compares `delegate` with the per-task full numpy pass (score every satellite, argmax)
measured in the same run. The machine may be shared: the load average is printed before and
after, and the CPU-time rate is the steadier figure.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from backend.allocator import keep_heap
from backend.core.constants import EARTH_RADIUS_KM
from backend.core.delegator import PRIORITY_FACTOR, SatLoad, TaskBatch, delegate
from backend.core.params import SimConfig

R = EARTH_RADIUS_KM


def walker(n: int, alt_km: float = 550.0, inc_deg: float = 53.0) -> np.ndarray:
    """(n, 3) km positions of a Walker-delta-like shell: sqrt(n) planes, phased slots."""
    planes = max(1, round(math.sqrt(n)))
    per = math.ceil(n / planes)
    i = np.arange(n)
    p, s = i // per, i % per
    raan = 2 * np.pi * p / planes
    u = 2 * np.pi * (s / per + p / (planes * per))
    inc, r = math.radians(inc_deg), R + alt_km
    x = np.cos(raan) * np.cos(u) - np.sin(raan) * np.sin(u) * math.cos(inc)
    y = np.sin(raan) * np.cos(u) + np.cos(raan) * np.sin(u) * math.cos(inc)
    return r * np.stack([x, y, np.sin(u) * math.sin(inc)], axis=1)


def make_sats(rng, n: int) -> SatLoad:
    maxe = np.full(n, 1000.0)
    cap = np.full(n, 10.0)
    return SatLoad(walker(n), maxe * rng.uniform(0.2, 1.0, n), maxe, np.zeros(n),
                   rng.uniform(0, 1500, n), cap, rng.integers(0, 5, n).astype(np.int32),
                   rng.uniform(size=n) < 0.02)


def make_tasks(rng, t: int, clustered: bool = False) -> TaskBatch:
    """Tasks in the caller's order; origins uniform, or around one city (lat ~34 deg)."""
    v = rng.normal(size=(t, 3))
    if clustered:
        v = np.array([R * math.cos(0.6), 0.0, R * math.sin(0.6)]) + rng.normal(scale=300.0, size=(t, 3))
    origin = R * v / np.linalg.norm(v, axis=1)[:, None]
    prio = rng.choice(3, size=t, p=[0.5, 0.35, 0.15]).astype(np.int8)
    order = np.argsort(-prio, kind="stable")  # the caller's order: high first
    return TaskBatch(origin[order], np.ones(t, bool), rng.uniform(2, 20, t), rng.uniform(20, 200, t),
                     prio[order])


def engine_state(n_sats: int, n_tasks: int = 500, ticks: int = 20, qps: float = 5000.0):
    """(TaskBatch, SatLoad) as an Engine delegates after `ticks` loaded ticks.

    Set up like `benchmarks.engine`. The delegation of the last tick supplies the satellite
    state; its queue (every queued task in delegation order), and those of the ticks before it,
    fill the batch up to n_tasks (ordered as the engine orders them: high priority first, then
    oldest)."""
    from backend.core import engine as engine_mod
    from backend.core.scenario import Scenario
    from backend.core.sweep import queue_batch

    seen = []
    real = engine_mod.delegate_queue

    def capture(queue, table, sats, cfg):
        seen.append((queue_batch(queue, table)[1], _copy(sats)))
        return real(queue, table, sats, cfg)

    planes = max(1, min(72, n_sats // 20))
    eng = engine_mod.Engine(None, Scenario().updated({"n_satellites": n_sats, "planes": planes, "n_drones": 100}), 1)
    eng.submit({"type": "smoke_start", "qps": qps, "burst": 10})
    engine_mod.delegate_queue = capture
    try:
        for _ in range(ticks):
            eng.step()
    finally:
        engine_mod.delegate_queue = real
    seen = [(tb, s) for tb, s in seen if tb is not None]
    if not seen:
        raise RuntimeError("the engine delegated nothing")
    sats = seen[-1][1]
    pool = []
    for tb, _ in reversed(seen):
        pool.append(tb)
        if sum(len(b.work) for b in pool) >= n_tasks:
            break
    cat = {f: np.concatenate([getattr(b, f) for b in pool])[:n_tasks] for f in TaskBatch.__dataclass_fields__}
    order = np.argsort(-cat["priority"].astype(np.int64), kind="stable")
    return TaskBatch(*(cat[f][order] for f in TaskBatch.__dataclass_fields__)), sats


def baseline(tasks: TaskBatch, s: SatLoad, cfg) -> np.ndarray:
    """Per-task full numpy pass: score every satellite, argmax, update. Same definition."""
    p, out = s.pos_ecef_km, np.full(len(tasks.work), -1)
    horizon = np.sqrt(np.einsum("ij,ij->i", p, p) - R * R)
    sin_el = math.sin(math.radians(cfg.min_elevation_deg))
    for k in range(len(tasks.work)):
        avail = s.energy_eu - s.committed_eu
        bs = s.backlog_work / s.processing_capacity
        head = avail - tasks.energy_need[k]
        d = p - tasks.origin_ecef_km[k]
        rng = np.sqrt(np.einsum("ij,ij->i", d, d))
        ok = ~s.blackout & (head >= cfg.energy_margin_pct / 100.0 * s.max_energy_eu)
        ok &= (s.n_tasks < cfg.max_queue) & (bs + tasks.work[k] / s.processing_capacity <= cfg.max_backlog_s)
        ok &= d @ (tasks.origin_ecef_km[k] / R) >= sin_el * rng
        score = (cfg.w1 * np.clip(avail / s.max_energy_eu, 0, 1) + cfg.w2 * np.clip(1 - bs / cfg.max_backlog_s, 0, 1)
                 + cfg.w3 * (1 - s.n_tasks / cfg.max_queue) - cfg.w4 * rng / horizon
                 + cfg.w5 * PRIORITY_FACTOR[tasks.priority[k]] * np.clip(head / s.max_energy_eu, 0, 1))
        best = int(np.argmax(np.where(ok, score, -np.inf)))
        if ok[best]:
            out[k] = best
            s.n_tasks[best] += 1
            s.committed_eu[best] += tasks.energy_need[k]
            s.backlog_work[best] += tasks.work[k]
    return out


def _copy(s: SatLoad) -> SatLoad:
    return s.copy()


def _rate(fn, tasks, sats, cfg, repeats: int, cpu: list | None = None) -> float:
    """Median tasks/s (wall) over `repeats` calls, each on a fresh copy of the same state.

    `cpu`, if given, receives the median tasks/s by process CPU time (steadier on a shared box).
    """
    times, cpus = [], []
    for _ in range(repeats):
        s = _copy(sats)
        t0, c0 = time.perf_counter(), time.process_time()
        fn(tasks, s, cfg)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if cpu is not None:
        cpu.append(len(tasks.work) / max(float(np.median(cpus)), 1e-9))
    return len(tasks.work) / float(np.median(times))


def measure(n_sats: int, n_tasks: int = 500, repeats: int = 5, seed: int = 0,
            with_baseline: bool = True, clustered: bool = False, states: str = "engine") -> dict:
    """Tasks per second of `delegate` (and of the per-task baseline) for one batch size, on
    engine states (`states="engine"`, the default) or synthetic ones (`"synthetic"`)."""
    cfg = SimConfig()
    if states == "engine":
        tasks, sats = engine_state(n_sats, n_tasks)
        n_tasks = len(tasks.work)
    else:
        rng = np.random.default_rng(seed)
        sats, tasks = make_sats(rng, n_sats), make_tasks(rng, n_tasks, clustered)
    got = delegate(tasks, _copy(sats), cfg)[0]
    assigned = int((got >= 0).sum())
    cpu: list = []
    fast = _rate(delegate, tasks, sats, cfg, repeats, cpu)
    res = {"n_sats": n_sats, "n_tasks": n_tasks, "repeats": repeats, "assigned": assigned,
           "tasks_per_s": fast, "cpu_tasks_per_s": cpu[0], "baseline_tasks_per_s": None,
           "speedup": None}
    if with_baseline:
        base_tasks = TaskBatch(*(getattr(tasks, f)[: max(50, n_tasks // 5)] for f in TaskBatch.__dataclass_fields__))
        assert np.array_equal(baseline(base_tasks, _copy(sats), cfg), delegate(base_tasks, _copy(sats), cfg)[0])
        slow = _rate(baseline, base_tasks, sats, cfg, repeats)
        res.update(baseline_tasks_per_s=slow, speedup=fast / slow)
    return res


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sats", type=int, nargs="*", default=[1000, 10000, 100000])
    ap.add_argument("--tasks", type=int, default=500, help="tasks per delegate() call")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--clustered", action="store_true", help="synthetic: also origins around one city")
    ap.add_argument("--synthetic", action="store_true", help="also the synthetic states")
    args = ap.parse_args(argv)
    keep_heap()  # as the app runs (backend/allocator.py)
    if args.repeats < 5:
        ap.error("--repeats must be >= 5 (medians)")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus; medians of {args.repeats}")
    print(f"{'satellites':>10} {'states':>19} {'tasks/call':>10} {'assigned':>8} {'tasks/s':>10} "
          f"{'cpu tasks/s':>11} {'baseline/s':>11} {'ratio':>6}")
    kinds = [("engine", False)]
    if args.synthetic or args.clustered:
        kinds += [("synthetic", False)] + ([("synthetic", True)] if args.clustered else [])
    for n in args.sats:
        for states, clustered in kinds:
            r = measure(n, args.tasks, args.repeats, clustered=clustered, states=states)
            kind = states if states == "engine" else ("synthetic clustered" if clustered else "synthetic uniform")
            print(f"{n:>10} {kind:>19} {r['n_tasks']:>10} {r['assigned']:>8} {r['tasks_per_s']:>10.0f} "
                  f"{r['cpu_tasks_per_s']:>11.0f} {r['baseline_tasks_per_s']:>11.0f} {r['speedup']:>5.1f}x")
    print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
