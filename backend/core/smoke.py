"""SmokeConsumer: the load generator. Poisson arrivals of bursts of tasks with ground origins.

`qps` counts tasks per wall-clock second (a load test of the system), so a tick of nominal
`tick_interval` wall seconds receives on average `qps * tick_interval` tasks, whatever the
time scale. Arrivals come in bursts of 1..burst tasks (uniform), the number of bursts a tick
is Poisson with mean qps * tick_interval / mean_burst.

Backpressure: while the pending queue is at or above its high-water mark
(`HIGH_WATER_FRACTION` of `queue_capacity`) the generator throttles itself: a tick adds at most
the room left below the mark (what it drew beyond that is not generated), so the requested qps
and the achieved qps (reported by /api/health) part ways instead of the queue overflowing.
POST /api/tasks answers 429 at the same mark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class SmokeState:
    """Generator settings: running flag, tasks per wall second, largest burst."""

    running: bool = False
    qps: float = 0.0
    burst: int = 1

    def to_dict(self) -> dict:
        return {"running": self.running, "qps": self.qps, "burst": self.burst}


@dataclass
class NewTasks:
    """Columns of freshly drawn tasks (T,): EU, work units, priority code, origin degrees."""

    energy_need: np.ndarray
    work: np.ndarray
    priority: np.ndarray
    origin_lat: np.ndarray
    origin_lon: np.ndarray

    def __len__(self) -> int:
        return len(self.energy_need)


HIGH_WATER_FRACTION = 0.9


def high_water(queue_capacity: int) -> int:
    """Pending tasks at which admission stops: 429 for POST /api/tasks, the generator throttles."""
    return max(1, math.floor(HIGH_WATER_FRACTION * queue_capacity))


def throttled(n: int, pending: int, queue_capacity: int) -> int:
    """Tasks the generator may add this tick: n, capped at the room left below the high-water mark."""
    return max(0, min(n, high_water(queue_capacity) - pending))


def draw_count(rng: np.random.Generator, smoke: SmokeState, tick_interval_s: float) -> int:
    """Number of tasks arriving this tick (before throttling)."""
    if not smoke.running or smoke.qps <= 0:
        return 0
    mean_burst = (1 + smoke.burst) / 2.0
    bursts = rng.poisson(smoke.qps * tick_interval_s / mean_burst)
    if bursts == 0:
        return 0
    return int(rng.integers(1, smoke.burst + 1, size=bursts).sum())


def draw_tasks(rng: np.random.Generator, n: int, cfg) -> NewTasks:
    """Draw n tasks: uniform energy and work ranges, priority mix, origins area-uniform in a band."""
    u = rng.random((n, 5))
    energy = cfg.task_energy_min + u[:, 0] * (cfg.task_energy_max - cfg.task_energy_min)
    work = cfg.task_work_min + u[:, 1] * (cfg.task_work_max - cfg.task_work_min)
    priority = np.where(u[:, 2] < cfg.p_high, 2, np.where(u[:, 2] < cfg.p_high + cfg.p_medium, 1, 0))
    band = np.sin(np.radians(cfg.origin_max_lat_deg))
    lat = np.degrees(np.arcsin(band * (2.0 * u[:, 3] - 1.0)))  # area-uniform within the band
    lon = -180.0 + 360.0 * u[:, 4]
    return NewTasks(energy, work, priority.astype(np.int8), lat, lon)
