"""Task placement policies: the choice of the eligible satellite for each queued task.

Interface: `place(name, tasks, sats, cfg, look)` -> (sat_index int64 (T,), -1 none; score (T,),
the v1 score of the chosen pair, nan when -1), mutating the satellite load like `delegate`.
`v1` is not here: the engine keeps the seed's exact walk (backend/core/sweep.py) for it, so the
default path is unchanged. The others take the tasks in the same order (high priority first,
then oldest) and, for each, the satellites eligible under the same rule (`_score_pairs`: not
blackout, energy margin, queue and backlog room, elevation), one vectorised pass per task over
the open satellites inside its origin's visibility cap (all of them for a task without origin),
then choose among them:

- random: uniformly at random (a generator seeded by (seed, tick): common random numbers);
- least_loaded: fewest tasks on board, then least backlog seconds, then lowest index;
- nearest: shortest slant range to the task's origin (v1's score for a task without origin);
- round_robin: the first eligible satellite after the last one chosen (index order, wrapping);
- lookahead: v1's score with its energy term w1 * a replaced by w1 * clip(p / max_energy, 0, 1),
  p = the predicted energy at the end of the prediction horizon (eclipses included:
  backend/core/prediction.py, as the engine computed it last tick) less the energy committed
  since, less this task's need: a satellite about to enter eclipse scores lower;
- trough_guard: v1's score among the satellites whose trough (the lowest energy predicted before
  their next eclipse ends: prediction.trough_energy) less the energy committed since and this
  task's need stays at or above the energy margin; v1's choice when none does;
- trough_spread: least_loaded's choice among those same satellites; v1's choice when none is.
Ties go to the lowest index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..delegator import SatLoad, TaskBatch, _apply_all, _caps, _Context, _score_pairs

NAMES = ("v1", "random", "least_loaded", "nearest", "round_robin", "lookahead", "trough_guard",
         "trough_spread")


@dataclass
class Lookahead:
    """What a policy may know beyond the load: the clock, prediction and its own memory."""

    seed: int = 0
    tick: int = 0
    predicted_eu: np.ndarray | None = None  # (N,) EU at now + horizon, committed energy taken off
    memory: dict = field(default_factory=dict)  # per-engine state (round robin's cursor)
    trough_eu: np.ndarray | None = None  # (N,) lowest EU ahead until the next eclipse ends (prediction.trough_energy)


def place(name: str, tasks: TaskBatch, sats: SatLoad, cfg, look: Lookahead):
    """Assign each task in order with policy `name` (see the module docstring)."""
    choose = _CHOOSERS[name]
    n_t = len(tasks.energy_need)
    out_sat, out_score = np.full(n_t, -1, dtype=np.int64), np.full(n_t, math.nan)
    if n_t == 0:
        return out_sat, out_score
    c = _Context(tasks, sats, cfg, index=False)
    committed0 = sats.committed_eu.copy()
    rng = np.random.default_rng([look.seed, look.tick, 13])
    in_view = _in_view(c)
    for k in range(n_t):
        if c.n_open == 0:
            break
        g = np.flatnonzero(c.room) if in_view[k] is None else in_view[k][c.room[in_view[k]]]
        if len(g) == 0:
            continue
        sc, _ = _score_pairs(c, g, np.full(len(g), k), bool(c.has_origin[k]))
        ok = sc > -np.inf
        if not ok.any():
            continue
        g, sc = g[ok], sc[ok]
        j = choose(c, k, g, sc, look, rng, committed0)
        s = int(g[j])
        out_sat[k], out_score[k] = s, float(sc[j])
        _apply_all(c, [(s, [k])], False)
    return out_sat, out_score


VIEW_BLOCK = 256  # tasks per block of the (tasks x open satellites) direction products
COS_SLACK = 1e-12  # widens each cap a little more than delegator's padding, against rounding of the dot product


def _in_view(c: _Context) -> list:
    """Per task, the open satellites (ascending index) inside its origin's visibility cap, None
    for a task without origin. The caps are delegator._caps': for the highest open satellite
    and padded, so they hold every satellite the elevation rule can pass (a superset: the
    scoring still decides), which spares scoring the ~96 % of the fleet below the horizon."""
    out = [None] * len(c.need)
    live = np.flatnonzero(c.room)
    origins = np.flatnonzero(c.has_origin)
    if len(live) == 0 or len(origins) == 0:
        return out
    _caps(c, live)
    dirs = np.stack([c.x[live], c.y[live], c.z[live]]) / c.r[live]  # (3, L) unit vectors
    for lo in range(0, len(origins), VIEW_BLOCK):
        ks = origins[lo:lo + VIEW_BLOCK]
        up = np.stack([c.ux[ks], c.uy[ks], c.uz[ks]], axis=1)  # (K, 3)
        inside = up @ dirs >= (np.cos(c.cap_lam[ks]) - COS_SLACK)[:, None]
        rows, cols = np.nonzero(inside)
        for k, sats in zip(ks, np.split(live[cols], np.cumsum(np.bincount(rows, minlength=len(ks)))[:-1])):
            out[k] = sats
    return out


def _random(c, k, g, sc, look, rng, committed0) -> int:
    return int(rng.integers(len(g)))


def _least_loaded(c, k, g, sc, look, rng, committed0) -> int:
    return int(np.lexsort((g, c.bs[g], c.sats.n_tasks[g]))[0])


def _slant_km(c, k, g) -> np.ndarray:
    return np.sqrt((c.x[g] - c.ox[k]) ** 2 + (c.y[g] - c.oy[k]) ** 2 + (c.z[g] - c.oz[k]) ** 2)


def _nearest(c, k, g, sc, look, rng, committed0) -> int:
    if not c.has_origin[k]:
        return int(np.argmax(sc))
    return int(np.argmin(_slant_km(c, k, g)))


def _round_robin(c, k, g, sc, look, rng, committed0) -> int:
    last = look.memory.get("cursor", -1)
    after = np.flatnonzero(g > last)
    j = int(after[0]) if len(after) else 0
    look.memory["cursor"] = int(g[j])
    return j


def _lookahead(c, k, g, sc, look, rng, committed0) -> int:
    if look.predicted_eu is None:
        return int(np.argmax(sc))
    w1 = c.w[0]
    a_now = np.clip(c.avail[g] / c.maxe[g], 0.0, 1.0)
    pred = look.predicted_eu[g] - (c.sats.committed_eu[g] - committed0[g]) - c.need[k]
    a_pred = np.clip(pred / c.maxe[g], 0.0, 1.0)
    return int(np.argmax(sc - w1 * a_now + w1 * a_pred))


def _safe(c, k, g, look, committed0):
    """Which of the eligible satellites g keep the energy margin through the next eclipse after
    task k: trough (look.trough_eu) less the energy committed since and the task's need; None
    when no trough is known."""
    if look.trough_eu is None:
        return None
    low = look.trough_eu[g] - (c.sats.committed_eu[g] - committed0[g]) - c.need[k]
    return low >= c.marg[g]  # v1's energy margin (EU), the same rule as its eligibility


def _trough_guard(c, k, g, sc, look, rng, committed0) -> int:
    safe = _safe(c, k, g, look, committed0)
    if safe is None or not safe.any():
        return int(np.argmax(sc))
    return int(np.argmax(np.where(safe, sc, -np.inf)))


def _trough_spread(c, k, g, sc, look, rng, committed0) -> int:
    safe = _safe(c, k, g, look, committed0)
    if safe is None or not safe.any():
        return int(np.argmax(sc))
    pool = np.flatnonzero(safe)
    return int(pool[_least_loaded(c, k, g[pool], sc[pool], look, rng, committed0)])


_CHOOSERS = {"random": _random, "least_loaded": _least_loaded, "nearest": _nearest,
             "round_robin": _round_robin, "lookahead": _lookahead,
             "trough_guard": _trough_guard, "trough_spread": _trough_spread}
