"""The delegator's walk over given candidate pairs, for batches that meet few open satellites.

Same definition, same bits as `delegator.delegate` (its module docstring). The candidate
(task, satellite) pairs are scored once on the state at the start (`_score_pairs`'s
operations); each task keeps its eligible ones as a heap, best first (score desc, index asc).
Walking the tasks in order, a task takes the top of its heap once that entry is current: an
assignment only lowers its satellite's score (and eligibility), so an entry of a satellite
assigned since it was scored is an upper bound; a stale top is re-scored on the current state
(Python floats, the definition's operations: the same bits) and pushed back, or dropped when
no longer eligible, until a current entry is on top. That entry then beats every other one:
the others are at most their stored value, and on a tie the heap puts the lower index first
(a stale entry equal to the top and before it would have been re-scored first). A task whose
heap empties has no eligible satellite and gets -1.

Cost: the pairs once (vectorised), then per task a few heap steps, so it suits saturated
rounds (many tasks, a few open satellites), where the prefixes of the general walk run out at
almost every task.
"""

from __future__ import annotations

import math

import numpy as np

from .delegator import SatLoad, TaskBatch, _check, _Context, _w4dc

DENSE_MAX_PAIRS = 1 << 20  # callers use this walk up to this many candidate pairs


def delegate_dense(tasks: TaskBatch, sats: SatLoad, cfg, pairs=None) -> tuple[np.ndarray, np.ndarray]:
    """`delegate`'s result (same arrays, same mutations) through candidate pairs.

    `pairs` (task index array, satellite index array), if given, must contain every (task,
    satellite) pair that can be eligible during the walk (e.g. satellite caps joined with task
    regions); only those are scored. Without it every pair with an open satellite is.
    """
    _check(tasks, sats)
    n_t = len(tasks.energy_need)
    out_i, out_s = np.full(n_t, -1, dtype=np.int64), np.full(n_t, np.nan)
    if n_t == 0:
        return out_i, out_s
    c = _Context(tasks, sats, cfg, index=False)
    if pairs is None:
        g = np.flatnonzero(c.room)  # open: only they can take any task of the batch
        k, g = np.repeat(np.arange(n_t), len(g)), np.tile(g, n_t)
    else:
        k, g = (np.asarray(a, dtype=np.int64) for a in pairs)
        keep = np.flatnonzero(c.room[g])
        k, g = k[keep], g[keep]
    if len(k):
        _walk(c, k, g, out_i, out_s)
    return out_i, out_s


def _pair_scores(c: _Context, k: np.ndarray, g: np.ndarray):
    """(score, w4 * dcost) of the pairs on the current state, -inf where ineligible."""
    vis = np.ones(len(g), dtype=bool)
    w4dc = np.zeros(len(g))
    sel = np.flatnonzero(c.has_origin[k])
    if len(sel) == len(k):
        w4dc = _w4dc(c, g, k, vis)  # clears vis below min elevation
    elif len(sel):
        ok = np.ones(len(sel), dtype=bool)
        w4dc[sel] = _w4dc(c, g[sel], k[sel], ok)
        vis[sel] = ok
    head = c.avail[g] - c.need[k]
    ok = vis & c.room[g]
    ok &= head >= c.marg[g]
    t = c.work[k] / c.cap[g]
    t += c.bs[g]  # bs + work / cap (+ commutes exactly)
    ok &= t <= c.maxb
    t = np.divide(head, c.maxe[g], out=t)
    np.clip(t, 0.0, 1.0, out=t)
    t *= c.pf[k]
    t *= c.w[4]  # w5 * (pf * clip(head / maxe))
    score = c.base[g] - w4dc
    score += t
    score[~ok] = -np.inf
    return score, w4dc


def _entries(n_t: int, k: np.ndarray, g: np.ndarray, score: np.ndarray, w4dc: np.ndarray):
    """The eligible pairs grouped by task, each task's best first (score desc, index asc):
    (ends per task, satellite, score, w4dc) as Python lists."""
    fin = np.flatnonzero(score > -np.inf)
    k, g, v, w = k[fin], g[fin], score[fin], w4dc[fin]
    order = np.lexsort((g, -v, k))
    k = k[order]
    ends = np.searchsorted(k, np.arange(1, n_t + 1))
    return ends.tolist(), g[order].tolist(), v[order].tolist(), w[order].tolist()


class _Terms:
    """Python-float terms of the satellites, updated as the definition says (the operations of
    `delegator._Local._apply`, hence the same bits); `version` counts each one's assignments."""

    def __init__(self, c: _Context):
        st = c.sats
        self.c = c
        self.n = st.n_tasks.tolist()
        self.com, self.blog = st.committed_eu.tolist(), st.backlog_work.tolist()
        self.energy, self.cap = st.energy_eu.tolist(), c.cap.tolist()
        self.avail, self.bs, self.base = c.avail.tolist(), c.bs.tolist(), c.base.tolist()
        self.marg, self.maxe = c.marg.tolist(), c.maxe.tolist()
        self.version = [0] * len(self.n)  # assignments in this walk
        self.closed = [False] * len(self.n)  # can take no task of the batch any more
        self.changed: set = set()

    def take(self, s: int, k: int) -> None:
        """Satellite s takes task k."""
        c = self.c
        maxq, maxb = c.maxq, c.maxb
        w1, w2, w3 = c.w[:3]
        self.n[s] = n = self.n[s] + 1
        self.com[s] = com = self.com[s] + c.need_l[k]
        self.blog[s] = blog = self.blog[s] + c.work_l[k]
        self.avail[s] = avail = self.energy[s] - com
        self.bs[s] = bs = blog / self.cap[s]
        self.base[s] = (w1 * min(max(avail / self.maxe[s], 0.0), 1.0) + w2 * min(max(1.0 - bs / maxb, 0.0), 1.0)
                        + w3 * (1.0 - n / maxq))
        self.version[s] += 1
        self.changed.add(s)
        if not (n < maxq and avail - c.need_min >= self.marg[s] and bs + c.work_min / self.cap[s] <= maxb):
            self.closed[s] = True

    def score(self, s: int, k: int, w4dc: float) -> float:
        """Current score of task k on satellite s (-inf if ineligible); `_Local.score`'s operations."""
        c = self.c
        head = self.avail[s] - c.need_l[k]
        if not (self.n[s] < c.maxq and head >= self.marg[s] and self.bs[s] + c.work_l[k] / self.cap[s] <= c.maxb):
            return -math.inf
        return self.base[s] - w4dc + c.w[4] * (c.pf_l[k] * min(max(head / self.maxe[s], 0.0), 1.0))

    def store(self) -> None:
        """Write the changed satellites' load back into the arrays."""
        if self.changed:
            st = self.c.sats
            idx = np.fromiter(self.changed, dtype=np.int64, count=len(self.changed))
            il = idx.tolist()
            st.n_tasks[idx] = [self.n[s] for s in il]
            st.committed_eu[idx] = [self.com[s] for s in il]
            st.backlog_work[idx] = [self.blog[s] for s in il]


def _walk(c: _Context, k: np.ndarray, g: np.ndarray, out_i: np.ndarray, out_s: np.ndarray) -> None:
    """The tasks in order; each reads its entries best first (module docstring)."""
    score, w4dc = _pair_scores(c, k, g)
    ends, sat, val, w4 = _entries(len(c.need), k, g, score, w4dc)
    terms = _Terms(c)
    version, closed = terms.version, terms.closed
    lo = 0
    for t, hi in enumerate(ends):
        bv, bs = -math.inf, -1
        for e in range(lo, hi):
            v, s = val[e], sat[e]
            if v < bv or (v == bv and s > bs):
                break  # this entry and the rest score at most their stored value: not better
            if closed[s]:
                continue
            if version[s]:
                v = terms.score(s, t, w4[e])  # assigned since scored: re-score
                if not (v > bv or (v == bv and v > -math.inf and s < bs)):
                    continue
            bv, bs = v, s
        if bs >= 0:
            out_i[t], out_s[t] = bs, bv
            terms.take(bs, t)
        lo = hi
    terms.store()
