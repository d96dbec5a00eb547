"""Record a headless engine run into a database (shared by the history tests)."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from backend.core.engine import Engine
from backend.core.params import SimConfig
from backend.core.scenario import Scenario
from backend.history import open_recorder
from backend.history.store import database_url, open_engine


def small_engine(n_satellites: int = 120, planes: int = 6, qps: float = 300.0, seed: int = 3,
                 time_scale: float = 30.0) -> Engine:
    eng = Engine(SimConfig({"time_scale": time_scale}),
                 Scenario().updated({"n_satellites": n_satellites, "planes": planes, "n_drones": 4}), seed)
    if qps:
        eng.submit({"type": "smoke_start", "qps": qps, "burst": 20})
    return eng


def run_recorded(eng: Engine, url: str, ticks: int, sample_every_s: float = 0.0, before_tick=None, **options):
    """Step `ticks` times feeding a blocking recorder; before_tick(eng, k) may submit commands.
    Returns the closed recorder."""
    rec = open_recorder(url, sample_every_s=sample_every_s, blocking=True, flush_s=0.05, **options)
    for k in range(ticks):
        if before_tick is not None:
            before_tick(eng, k)
        ev = eng.step()
        rec.record(eng, ev, eng.kpis())
    rec.close()
    return rec


def reader(url: str) -> sa.Engine:
    return open_engine(database_url(url))


def column(conn, sql: str, **params) -> np.ndarray:
    return np.array([r[0] for r in conn.execute(sa.text(sql), params)])
