"""TaskDelegator: assign queued tasks to satellites (interface first; fast path follows).

See the module docstring of the finished version for the score definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .constants import EARTH_RADIUS_KM

PRIORITY_FACTOR = (0.0, 0.5, 1.0)  # pf[priority], low / medium / high


@dataclass
class TaskBatch:
    """Tasks to assign, in processing order. Shapes (T,) unless noted."""

    origin_ecef_km: np.ndarray  # (T, 3) km, ignored where has_origin is False
    has_origin: np.ndarray  # bool
    energy_need: np.ndarray  # EU
    work: np.ndarray  # work units
    priority: np.ndarray  # int8: 0 low, 1 medium, 2 high


@dataclass
class SatLoad:
    """Satellite arrays (views of the engine state); shapes (N,) unless noted."""

    pos_ecef_km: np.ndarray  # (N, 3) km
    energy_eu: np.ndarray
    max_energy_eu: np.ndarray
    committed_eu: np.ndarray  # mutated
    backlog_work: np.ndarray  # work units, mutated
    processing_capacity: np.ndarray  # work units / s
    n_tasks: np.ndarray  # int32, mutated
    blackout: np.ndarray  # bool


def delegate(tasks: TaskBatch, sats: SatLoad, cfg) -> tuple[np.ndarray, np.ndarray]:
    """Assign each task in order; returns (sat_index int64 (T,), -1 none; score float64 (T,))."""
    t = len(tasks.energy_need)
    out_i = np.full(t, -1, dtype=np.int64)
    out_s = np.full(t, np.nan)
    for k in range(t):
        score = _full_scores(tasks, k, sats, cfg)
        best = int(np.argmax(score))
        if score[best] > -np.inf:
            out_i[k], out_s[k] = best, score[best]
            _assign(sats, best, tasks.energy_need[k], tasks.work[k])
    return out_i, out_s


def _assign(sats: SatLoad, s: int, need: float, work: float) -> None:
    sats.n_tasks[s] += 1
    sats.committed_eu[s] += need
    sats.backlog_work[s] += work


def _full_scores(tasks: TaskBatch, k: int, sats: SatLoad, cfg) -> np.ndarray:
    """Score of task k on every satellite, -inf where ineligible. (N,)"""
    p = sats.pos_ecef_km
    avail = sats.energy_eu - sats.committed_eu
    maxe = sats.max_energy_eu
    backlog_s = sats.backlog_work / sats.processing_capacity
    base = (
        cfg.w1 * np.clip(avail / maxe, 0.0, 1.0)
        + cfg.w2 * np.clip(1.0 - backlog_s / cfg.max_backlog_s, 0.0, 1.0)
        + cfg.w3 * (1.0 - sats.n_tasks / cfg.max_queue)
    )
    need, work = float(tasks.energy_need[k]), float(tasks.work[k])
    head = avail - need
    ok = ~sats.blackout & (head >= (cfg.energy_margin_pct / 100.0) * maxe)
    ok &= (sats.n_tasks < cfg.max_queue) & (backlog_s + work / sats.processing_capacity <= cfg.max_backlog_s)
    dcost = 0.0
    if tasks.has_origin[k]:
        o = tasks.origin_ecef_km[k]
        dx, dy, dz = p[:, 0] - o[0], p[:, 1] - o[1], p[:, 2] - o[2]
        rng = np.sqrt(dx * dx + dy * dy + dz * dz)
        hor = np.sqrt((p[:, 0] * p[:, 0] + p[:, 1] * p[:, 1] + p[:, 2] * p[:, 2]) - EARTH_RADIUS_KM**2)
        dcost = rng / hor
        on = math.sqrt(o[0] * o[0] + o[1] * o[1] + o[2] * o[2])
        ux, uy, uz = o[0] / on, o[1] / on, o[2] / on
        ok &= (ux * dx + uy * dy + uz * dz) / rng >= math.sin(math.radians(cfg.min_elevation_deg))
    pb = PRIORITY_FACTOR[int(tasks.priority[k])] * np.clip(head / maxe, 0.0, 1.0)
    score = base - cfg.w4 * dcost + cfg.w5 * pb
    return np.where(ok, score, -np.inf)
