"""One arena run (policy set x seed on a scenario) and the matrix of them, in parallel.

`run_one(spec)` is a pure function of its spec: the same spec gives the same result dict, in any
process. `run_matrix` maps it over policies x seeds on local processes (concurrent.futures) or a
Dask distributed scheduler and returns the results in matrix order (policy, then seed), whatever
order they finished in.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass

import numpy as np

from backend.core.engine import Engine
from backend.core.params import SimConfig
from backend.core.policies import sets
from backend.core.scenario import Scenario

from . import scenarios

BURST = 10  # largest burst of the smoke generator, as the headless default


@dataclass(frozen=True)
class RunSpec:
    """One cell of the matrix."""

    scenario: str
    policy: str
    seed: int
    hours: float  # simulated hours
    load_qps: float  # tasks per nominal wall second, before the scenario's load factor
    soc_every_s: float = 300.0  # sim s between fleet state-of-charge samples
    record: str | None = None  # recorder target (SQLite file or postgresql:// URL), None: off


def build(spec: RunSpec) -> Engine:
    """The engine of a spec: scenario world, policy set, seed, smoke load started."""
    sc = scenarios.get(spec.scenario)
    eng = Engine(SimConfig().updated(sets.patch(spec.policy)), Scenario().updated(sc.world), spec.seed)
    if sc.prepare is not None:
        sc.prepare(eng)
    qps = spec.load_qps * sc.load_factor
    if qps > 0:
        eng.submit({"type": "smoke_start", "qps": qps, "burst": BURST})
    return eng


def _recorder(spec: RunSpec):
    """The flight recorder of a run (None without --record): each run is a run of its own, with
    origin `arena`, its seed and the policy set's config (placement/beam/drone_policy)."""
    if spec.record is None:
        return None
    from backend.history import open_recorder

    return open_recorder(spec.record, sample_every_s=60.0, origin="arena", blocking=True)


def prepare_record(target: str | None) -> None:
    """Create the recorder's tables once, before parallel runs would race to create them."""
    if target is None:
        return
    from backend.history import store

    engine = store.open_engine(store.database_url(target))
    try:
        store.migrate(engine)
    finally:
        engine.dispose()


def run_one(spec: RunSpec) -> dict:
    """Run a spec to its end; its KPIs (see docs/arena.md) and the fleet SoC series."""
    eng = build(spec)
    dt = eng.dt
    ticks = int(math.ceil(spec.hours * 3600.0 / dt - 1e-9))
    every = max(1, int(round(spec.soc_every_s / dt)))
    recorder = _recorder(spec)
    blackout_s, soc_t, soc = 0.0, [], []
    for i in range(ticks):
        ev = eng.step()
        if recorder is not None:
            recorder.record(eng, ev, eng.kpis())
        blackout_s += float(np.count_nonzero(eng.sats.blackout)) * dt
        if (i + 1) % every == 0 or i + 1 == ticks:
            soc_t.append(round(eng.sim_time, 6))
            soc.append(round(float(np.mean(eng.sats.energy_eu / eng.sats.max_energy_eu)) * 100.0, 6))
    if recorder is not None:
        recorder.close()
    return {"spec": asdict(spec), "kpis": kpis(eng, blackout_s), "soc_t_s": soc_t, "soc_pct": soc,
            "sat_hours": eng.sats.n * ticks * dt / 3600.0}


def kpis(eng: Engine, blackout_s: float) -> dict:
    """The arena's KPIs of a finished run (floats rounded to 1e-6 so reruns print the same)."""
    c = eng.book.counters()
    lat = eng.book.latency_percentiles()
    led = eng.ledger
    per_km = eng.config.reserve_per_km
    out = {"tasks_completed": c["completed"], "tasks_dropped": c["dropped"],
           **{f"dropped_{k}": v for k, v in c["dropped_by_reason"].items()},
           "latency_p50_s": lat.get("p50"), "latency_p99_s": lat.get("p99"),
           "blackout_sat_s": blackout_s, "beam_loss_eu": led["beam_losses"],
           "drone_km": led["drone_reserve_spent"] / per_km if per_km > 0 else 0.0,
           "drone_delivered_eu": led["drone_delivered"]}
    return {k: (round(float(v), 6) if isinstance(v, float) else v) for k, v in out.items()}


def specs(scenario: str, policies: list, seeds: list, hours: float, load_qps: float, record=None) -> list:
    """The matrix in order: every policy, each over every seed (validated names)."""
    scenarios.get(scenario)
    for p in policies:
        sets.patch(p)
    return [RunSpec(scenario, p, s, hours, load_qps, record=record) for p in policies for s in seeds]


def run_matrix(cells: list, workers: int = 1, dask: str | None = None, progress=None) -> list:
    """Results of every spec in `cells`, in order. `progress(done, total)` after each run."""
    out: list = [None] * len(cells)
    prepare_record(next((c.record for c in cells if c.record is not None), None))

    def done(i, result):
        out[i] = result
        if progress is not None:
            progress(sum(r is not None for r in out), len(cells))

    if dask is not None:
        from distributed import Client, as_completed as dask_completed

        with Client(dask) as client:
            futures = client.map(run_one, cells, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            for f in dask_completed(futures):
                done(index[f.key], f.result())
    elif workers <= 1:
        for i, spec in enumerate(cells):
            done(i, run_one(spec))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_one, spec): i for i, spec in enumerate(cells)}
            for f in as_completed(futures):
                done(futures[f], f.result())
    return out
