"""TaskDelegator: assign queued tasks to satellites, exactly as a sequential argmax would.

The definition (this is the documentation of the score)
-------------------------------------------------------
Tasks are taken one at a time in the given order (the caller orders them: high priority first,
then oldest). For task t and satellite s, with the state as left by the earlier tasks:

    avail        = energy_eu - committed_eu                                   EU
    a            = clip(avail / max_energy_eu, 0, 1)                          available_energy_norm
    backlog_s    = backlog_work / processing_capacity                         s
    spare        = clip(1 - backlog_s / max_backlog_s, 0, 1)                  spare_processing_norm
    q            = n_tasks / max_queue                                        task_queue_norm
    d            = pos_ecef_km[s] - origin_ecef_km[t];  rng = |d|             slant range, km
    dcost        = rng / sqrt(|pos|^2 - R^2)   (0 without origin)             distance_cost_norm
    head         = avail - energy_need                                        EU left after the task
    boost        = pf[priority] * clip(head / max_energy_eu, 0, 1),  pf = (0, 0.5, 1)
    score        = w1*a + w2*spare + w3*(1 - q) - w4*dcost + w5*boost

`sqrt(|pos|^2 - R^2)` is the slant range to the horizon (0 deg elevation) from the satellite's
altitude, so dcost is about 1 for a satellite on the origin's horizon. `boost` is the priority
term: a high-priority task prefers the satellite with the most energy left after running it;
since `head` differs between satellites it changes the choice (a low task ignores it).

Eligible: not blackout; head >= energy_margin_pct/100 * max_energy_eu; n_tasks < max_queue;
backlog_s + work / processing_capacity <= max_backlog_s; and, for a task with an origin, the
satellite's elevation seen from the origin is at least min_elevation_deg, evaluated as
dot(up, d) >= sin(min_elevation) * rng with up = origin / |origin| (spherical Earth). A
satellite below that elevation (by default: below the horizon) is ineligible, not penalised.

The task goes to the eligible satellite with the highest score, ties to the lowest index;
none eligible gives -1. Then n_tasks += 1, committed_eu += energy_need, backlog_work += work.
Expressions are evaluated left to right in float64 exactly as written, so any implementation
of this definition (the tests hold a plain loop) gets the same bits.

How it is fast and still exact
------------------------------
1. Monotonicity: an assignment lowers its satellite's score and eligibility (weights, need
   and work are >= 0; float rounding is monotone too) and leaves every other satellite alone.
2. Prefixes: for each task, vectorised over the batch, the first candidates in the order
   (score desc, index asc) on the state at the start (S0), plus a bound on the score of every
   candidate left out. A satellite's score is at most U = base + w5 * a (`ubound`) minus
   w4 * dcost. Tasks with an origin (`_search_cells`): open satellites sit on an equal-area
   lat/lon cell grid, sorted by U within each cell; a (task, cell) pair meeting the task's
   visibility cap gets the bound cell max U - w4 * (a lower bound of dcost from the angle
   between the origin and the cell's centre, less the cell's angular radius). A pilot scores
   the top member of the best-bounded cells; then every member whose own bound beats
   theta = pilot best - _THETA_MARGIN is scored, so everything unscored scores <= theta.
   Tasks without an origin descend tiers of satellites by U (`_search`) until their best
   exact score beats, by _STOP_MARGIN, the U of everything left unscored.
   Exact pre-filters: a satellite that cannot take the batch's smallest need and work is
   closed (never scored, and closed when an assignment leaves it so); a task whose need or
   work exceeds every open satellite's room (`_dead`) gets -1 unscored; no open satellite
   left stops the walk.
3. The walk, in task order: by (1) a satellite untaken since S0 still has its S0 score and
   taken ones only lost score, so a task takes its first prefix entry if untaken, else the
   best of the taken entries before the first untaken one (re-scored on the current state)
   and that entry (`_decide`). If all entries were taken and the best of them does not beat
   the bound, prefixes are recomputed on the current state for that task and the next
   _WINDOW tasks, and the walk goes on with them (same argument, new origin state). Prefixes
   are computed _CHUNK tasks at a time as the walk reaches them.
Tests compare every choice, score and final load with a plain sequential loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .constants import EARTH_RADIUS_KM

PRIORITY_FACTOR = (0.0, 0.5, 1.0)  # pf[priority], low / medium / high
_PREFIX_MAX = 16  # candidates kept per task for conflict resolution
_STOP_MARGIN = 0.05  # search on until the best beats the unscored U by this much
_TIER0_PER_CAP = 200  # satellites the first tier puts in a typical visibility cap
_TIER_GROWTH = 4
_PAD_RAD = 1e-7  # angular slack of the cap pruning (~0.6 m); the exact test decides
_WINDOW = 64  # tasks re-prefixed together when one task's prefix runs out
_CHUNK = 1024  # tasks prefixed together when the walk reaches tasks without prefixes
_KEEP_MARGIN = 0.1  # prefix entries kept: score > (task's best - this), and > the tier bound
_SLACK = 1e-9  # relative slack of the exact "ineligible everywhere" task filter
_MAX_PAIRS = 1 << 21  # pairs scored per vectorised chunk (memory bound)
_CELL_SATS = 12  # open satellites per cell of the cell grid (tasks with an origin)
_PILOT_DELTA = 0.03  # pilot: score the top member of cells whose bound is this near the best
_THETA_MARGIN = 0.1  # then score every member whose bound beats (pilot best - this)
_BOUND_EPS = 1e-9  # added to a bound so float rounding can only make it safer


@dataclass
class TaskBatch:
    """Tasks to assign, in processing order. Shapes (T,) unless noted."""

    origin_ecef_km: np.ndarray  # (T, 3) km, ignored where has_origin is False
    has_origin: np.ndarray  # bool
    energy_need: np.ndarray  # EU, >= 0
    work: np.ndarray  # work units, >= 0
    priority: np.ndarray  # int8: 0 low, 1 medium, 2 high


@dataclass
class SatLoad:
    """Satellite arrays (views of the engine state); shapes (N,) unless noted."""

    pos_ecef_km: np.ndarray  # (N, 3) km
    energy_eu: np.ndarray
    max_energy_eu: np.ndarray  # EU, > 0
    committed_eu: np.ndarray  # EU, mutated
    backlog_work: np.ndarray  # work units, mutated
    processing_capacity: np.ndarray  # work units / s, > 0
    n_tasks: np.ndarray  # int32, mutated
    blackout: np.ndarray  # bool


def delegate(tasks: TaskBatch, sats: SatLoad, cfg) -> tuple[np.ndarray, np.ndarray]:
    """Assign each task in order (see the module docstring).

    Returns (sat_index int64 (T,), -1 = no eligible satellite; score float64 (T,), nan when -1).
    Mutates sats.n_tasks, sats.committed_eu and sats.backlog_work for each assignment.
    """
    _check(tasks)
    n_t = len(tasks.energy_need)
    if n_t == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return _walk(_Context(tasks, sats, cfg))


def _check(tasks: TaskBatch) -> None:
    """The exactness argument needs non-negative task needs."""
    for name in ("energy_need", "work"):
        v = np.asarray(getattr(tasks, name))
        if v.size and not np.all(v >= 0):
            raise ValueError(f"{name}(={v[~(v >= 0)][0]!r}) must be >= 0 and finite")


# ---- per-satellite terms ------------------------------------------------------------------


class _Context:
    """Task arrays, satellite terms (updated in place during the walk), tiers and config."""

    def __init__(self, tb: TaskBatch, sats: SatLoad, cfg):
        self.sats, self.cfg = sats, cfg
        self.w = (float(cfg.w1), float(cfg.w2), float(cfg.w3), float(cfg.w4), float(cfg.w5))
        self.maxq, self.maxb = int(cfg.max_queue), float(cfg.max_backlog_s)
        self.margin_frac = cfg.energy_margin_pct / 100.0
        self.sin_el = math.sin(math.radians(cfg.min_elevation_deg))
        self._tasks(tb)
        self._sat_terms(sats)
        self.tiers = _make_tiers(self)

    def _tasks(self, tb: TaskBatch) -> None:
        o = np.asarray(tb.origin_ecef_km, dtype=np.float64).reshape(-1, 3)
        self.has_origin = np.asarray(tb.has_origin, dtype=bool)
        self.ox, self.oy, self.oz = o[:, 0].copy(), o[:, 1].copy(), o[:, 2].copy()
        with np.errstate(invalid="ignore", divide="ignore"):  # rows without origin
            on = np.sqrt(self.ox * self.ox + self.oy * self.oy + self.oz * self.oz)
            self.ux, self.uy, self.uz = self.ox / on, self.oy / on, self.oz / on
        self.o_norm = on
        self.need = np.asarray(tb.energy_need, dtype=np.float64)
        self.work = np.asarray(tb.work, dtype=np.float64)
        self.pf = np.asarray(PRIORITY_FACTOR)[np.asarray(tb.priority, dtype=np.int64)]

    def _sat_terms(self, s: SatLoad) -> None:
        p = np.asarray(s.pos_ecef_km, dtype=np.float64)
        self.x, self.y, self.z = p[:, 0].copy(), p[:, 1].copy(), p[:, 2].copy()
        r2 = self.x * self.x + self.y * self.y + self.z * self.z
        self.r = np.sqrt(r2)
        self.hor = np.sqrt(np.maximum(r2 - EARTH_RADIUS_KM * EARTH_RADIUS_KM, 0.0))
        self.maxe = np.asarray(s.max_energy_eu, dtype=np.float64)
        self.cap = np.asarray(s.processing_capacity, dtype=np.float64)
        self.marg = self.margin_frac * self.maxe
        self.avail = s.energy_eu - s.committed_eu
        self.bs = s.backlog_work / self.cap
        # Smallest need and work of the batch: a satellite that cannot take them cannot take
        # any task of the batch, now or later (assignments only lower avail and raise bs).
        self.need_min = float(np.min(self.need)) if len(self.need) else 0.0
        self.work_min = float(np.min(self.work)) if len(self.work) else 0.0
        self.live = (~np.asarray(s.blackout, dtype=bool) & (s.n_tasks < self.maxq)
                     & (self.avail - self.need_min >= self.marg)
                     & (self.bs + self.work_min / self.cap <= self.maxb))
        self.room = self.live.copy()  # "open": may still take some task of the batch
        self.n_open = int(np.count_nonzero(self.room))
        self.n_closed_since_tiers = 0
        w1, w2, w3, _, w5 = self.w
        self.base = (w1 * np.clip(self.avail / self.maxe, 0.0, 1.0)
                     + w2 * np.clip(1.0 - self.bs / self.maxb, 0.0, 1.0)
                     + w3 * (1.0 - s.n_tasks / self.maxq))
        # Upper bound of any task's score (dcost >= 0, pf <= 1, head <= avail); same rounding.
        self.ubound = self.base + w5 * np.clip(self.avail / self.maxe, 0.0, 1.0)

    def update(self, s: int, k: int) -> None:
        """Assign task k to satellite s: state arrays and this context's terms, in place."""
        st = self.sats
        st.n_tasks[s] += 1
        st.committed_eu[s] += self.need[k]
        st.backlog_work[s] += self.work[k]
        n = int(st.n_tasks[s])
        avail = float(st.energy_eu[s]) - float(st.committed_eu[s])
        bs = float(st.backlog_work[s]) / float(self.cap[s])
        self.avail[s], self.bs[s] = avail, bs
        if self.room[s] and not (n < self.maxq and avail - self.need_min >= float(self.marg[s])
                                 and bs + self.work_min / float(self.cap[s]) <= self.maxb):
            self.room[s] = False  # closed: ineligible for every task of the batch from now on
            self.n_open -= 1
            self.n_closed_since_tiers += 1
        w1, w2, w3 = self.w[:3]
        self.base[s] = (w1 * _clip01(avail / float(self.maxe[s])) + w2 * _clip01(1.0 - bs / self.maxb)
                        + w3 * (1.0 - n / self.maxq))


def _clip01(v: float) -> float:
    return min(max(v, 0.0), 1.0)


# ---- scoring ------------------------------------------------------------------------------


def _score_pairs(c: _Context, g: np.ndarray, k: np.ndarray, origin: bool):
    """Scores of (task k[i], satellite g[i]) pairs on the current terms, -inf if ineligible.

    Returns (score (P,), w4*dcost (P,)); `origin` says whether these tasks have origins.
    """
    avail, maxe = c.avail[g], c.maxe[g]
    head = avail - c.need[k]
    ok = c.room[g] & (head >= c.marg[g])
    ok &= c.bs[g] + c.work[k] / c.cap[g] <= c.maxb
    if origin:
        dx, dy, dz = c.x[g] - c.ox[k], c.y[g] - c.oy[k], c.z[g] - c.oz[k]
        rng = np.sqrt(dx * dx + dy * dy + dz * dz)
        ok &= c.ux[k] * dx + c.uy[k] * dy + c.uz[k] * dz >= c.sin_el * rng
        w4dc = c.w[3] * (rng / c.hor[g])
    else:
        w4dc = np.zeros(len(g))
    score = c.base[g] - w4dc + c.w[4] * (c.pf[k] * np.clip(head / maxe, 0.0, 1.0))
    return np.where(ok, score, -np.inf), w4dc


def _score_one(c: _Context, k: int, s: int, w4dc: float) -> float:
    """Current score of task k on satellite s (-inf if ineligible), in Python floats.

    Same operations in the same order as `_score_pairs`, hence the same bits.
    """
    avail, maxe, cap = float(c.avail[s]), float(c.maxe[s]), float(c.cap[s])
    head = avail - float(c.need[k])
    if not (c.room[s] and head >= float(c.marg[s])):
        return -math.inf
    if not (float(c.bs[s]) + float(c.work[k]) / cap <= c.maxb):
        return -math.inf
    return float(c.base[s]) - w4dc + c.w[4] * (float(c.pf[k]) * _clip01(head / maxe))


# ---- tiers and the cell grid ----------------------------------------------------------------


@dataclass
class _Tier:
    """Live satellites with U in one band; `gidx` in grid cell order, `start` (cells+1,)."""

    gidx: np.ndarray
    ceil: float  # max U of all later tiers (-inf for the last): scores beating it are final
    start: np.ndarray | None = None
    nb: int = 0  # equal-area latitude bands (uniform in z)
    nl: int = 0  # longitude cells per band


def _make_tiers(c: _Context) -> list[_Tier]:
    """Split open satellites by U, highest first; sizes grow by _TIER_GROWTH."""
    c.n_closed_since_tiers = 0
    live = np.flatnonzero(c.room)
    _caps(c, live)
    if len(live) == 0:
        return []
    u = c.ubound[live]
    first = max(1, math.ceil(_TIER0_PER_CAP / c.cap_frac))
    kth = [first * _TIER_GROWTH**i for i in range(64) if first * _TIER_GROWTH**i < len(live)]
    thr = -np.partition(-u, kth)[kth] if kth else np.zeros(0)  # descending thresholds
    tier_id = len(thr) - np.searchsorted(thr[::-1], u, side="right")
    members = [live[tier_id == i] for i in range(len(thr) + 1)]
    members = [m for m in members if len(m)]
    tops = [float(np.max(c.ubound[m])) for m in members] + [-math.inf]
    tiers = [_Tier(m, tops[i + 1]) for i, m in enumerate(members)]
    if c.has_origin.any():
        _build_cells(c, live)
    return tiers


def _caps(c: _Context, live: np.ndarray) -> None:
    """Visibility cap of each task's origin: centre lat/lon and angular radius (rad), padded.

    Elevation falls with the central angle and rises with the satellite radius, so the cap
    for the highest live satellite contains every satellite that can be eligible.
    """
    r_max = float(np.max(c.r[live])) if len(live) else EARTH_RADIUS_KM
    e = math.radians(c.cfg.min_elevation_deg)
    ho = c.has_origin
    ratio = np.where(ho, c.o_norm, 0.0) * math.cos(e) / r_max
    lam = np.clip(np.arccos(np.clip(ratio, -1.0, 1.0)) - e, 0.0, math.pi) + _PAD_RAD
    c.cap_lam = np.where(ho, lam, math.pi)
    c.cap_lat = np.arcsin(np.clip(np.where(ho, c.uz, 0.0), -1.0, 1.0))
    c.cap_lon = np.arctan2(np.where(ho, c.uy, 0.0), np.where(ho, c.ux, 1.0))
    lam_max = float(np.max(c.cap_lam[ho])) if ho.any() else math.pi
    c.cap_frac = min(1.0, (1.0 - math.cos(min(lam_max, math.pi))) / 2.0)


@dataclass
class _Cells:
    """Open satellites on an equal-area lat/lon grid, in (cell, U desc, index) order.

    Per cell: unit centre, angular radius `rho` (every member is within it of the centre) and
    `ukey` positions, so the members above a U threshold are a prefix of the cell.
    """

    gidx: np.ndarray
    start: np.ndarray  # (cells + 1,)
    nb: int
    nl: int
    cx: np.ndarray
    cy: np.ndarray
    cz: np.ndarray
    rho: np.ndarray  # rad, padded
    cmax: np.ndarray  # U of the first member, -inf when empty
    ukey: np.ndarray  # cell + (umax - U) * uscale, non-decreasing along gidx
    umax: float
    uscale: float
    rad_lo: float  # min satellite radius minus max origin radius (>= 0), km
    rr: float  # 4 * min satellite radius * min origin radius, km^2
    hor_max: float  # max horizon range of the open satellites, km


def _build_cells(c: _Context, g: np.ndarray) -> None:
    """The cell grid of open satellites g (about _CELL_SATS a cell)."""
    nb = int(np.clip(math.isqrt(len(g) // (2 * _CELL_SATS)), 1, 90))
    nl = 2 * nb
    r = c.r[g]
    band = np.clip(np.floor((c.z[g] / r + 1.0) * (0.5 * nb)), 0, nb - 1).astype(np.int64)
    lon = np.arctan2(c.y[g], c.x[g])
    cell = np.clip(np.floor((lon + math.pi) * (nl / (2 * math.pi))), 0, nl - 1).astype(np.int64)
    key = band * nl + cell
    u = c.ubound[g]
    order = np.lexsort((g, -u, key))
    g, key, u, r = g[order], key[order], u[order], r[order]
    n_cells = nb * nl
    start = np.concatenate(([0], np.cumsum(np.bincount(key, minlength=n_cells))))
    ux, uy, uz = c.x[g] / r, c.y[g] / r, c.z[g] / r
    sx = np.bincount(key, ux, n_cells)
    sy = np.bincount(key, uy, n_cells)
    sz = np.bincount(key, uz, n_cells)
    nrm = np.sqrt(sx * sx + sy * sy + sz * sz)
    nrm = np.where(nrm > 0, nrm, 1.0)
    cx, cy, cz = sx / nrm, sy / nrm, sz / nrm
    ang = np.arccos(np.clip(ux * cx[key] + uy * cy[key] + uz * cz[key], -1.0, 1.0))
    rho = np.zeros(n_cells)
    np.maximum.at(rho, key, ang)
    cmax = np.full(n_cells, -np.inf)
    nonempty = start[1:] > start[:-1]
    cmax[nonempty] = u[start[:-1][nonempty]]
    umax, umin = float(np.max(u)), float(np.min(u))
    uscale = 0.5 / (umax - umin + 1.0)
    o_norm = c.o_norm[c.has_origin]
    r_min, r_max = float(np.min(r)), float(np.max(r))
    c.cells = _Cells(g, start, nb, nl, cx, cy, cz, rho + 1e-6, cmax, key + (umax - u) * uscale,
                     umax, uscale, max(r_min - float(np.max(o_norm)), 0.0),
                     4.0 * r_min * float(np.min(o_norm)),
                     math.sqrt(max(r_max * r_max - EARTH_RADIUS_KM * EARTH_RADIUS_KM, 1e-300)))


def _grid_cells(c: _Context, ks: np.ndarray):
    """(task, cell) pairs of the non-empty cells that meet the caps of tasks ks."""
    t = c.cells
    lat, lam = c.cap_lat[ks], c.cap_lam[ks]
    blo = _band_of(np.sin(np.maximum(lat - lam, -math.pi / 2)), t.nb)
    bhi = _band_of(np.sin(np.minimum(lat + lam, math.pi / 2)), t.nb)
    rep, band = _expand(blo, bhi - blo + 1)
    za, zb = -1.0 + 2.0 * band / t.nb, -1.0 + 2.0 * (band + 1) / t.nb
    hw = _half_width(lat[rep], lam[rep], np.arcsin(np.clip(za, -1, 1)), np.arcsin(np.clip(zb, -1, 1)))
    f = t.nl / (2 * math.pi)
    lon_c = c.cap_lon[ks][rep]
    lo = np.floor((lon_c - hw + math.pi) * f).astype(np.int64)
    hi = np.floor((lon_c + hw + math.pi) * f).astype(np.int64)
    full = hi - lo + 1 >= t.nl
    lo, hi = np.where(full, 0, lo), np.where(full, t.nl - 1, hi)
    a1 = np.where(lo < 0, lo + t.nl, lo)
    b1 = np.where(lo < 0, t.nl - 1, np.minimum(hi, t.nl - 1))
    a2 = np.where(lo < 0, 0, np.where(hi >= t.nl, 0, 1))
    b2 = np.where(lo < 0, hi, np.where(hi >= t.nl, hi - t.nl, 0))
    row = band * t.nl
    miss = hw < 0
    first = np.concatenate((row + a1, row + a2))
    count = np.concatenate((np.where(miss, 0, b1 - a1 + 1), np.where(miss, 0, b2 - a2 + 1)))
    run, cell = _expand(first, count)
    task = ks[np.concatenate((rep, rep))[run]]
    keep = t.start[cell + 1] > t.start[cell]
    return task[keep], cell[keep]


def _dcost_lb(t: _Cells, cos_psi: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Lower bound of dcost for satellites at least (angle - rho) from the origin.

    rng^2 = (r - ro)^2 + 4 r ro sin^2(psi / 2) >= rad_lo^2 + rr sin^2(psi / 2); dcost = rng / hor.
    """
    psi = np.maximum(np.arccos(np.clip(cos_psi, -1.0, 1.0)) - rho, 0.0)
    sh = np.sin(0.5 * psi)
    return np.sqrt(t.rad_lo * t.rad_lo + t.rr * sh * sh) * ((1.0 - 1e-9) / t.hor_max)


def _search_cells(c: _Context, ks: np.ndarray, lo: int, best, theta, parts) -> None:
    """Tasks with an origin: per (task, cell) bound = cell's max U - w4 * dcost lower bound.

    A pilot scores the top member of each task's best-bounded cells; then every member whose
    own bound (U - w4 * the cell's dcost bound) beats theta = pilot best - _THETA_MARGIN is
    scored. Unscored members score at most theta (plus _BOUND_EPS).
    """
    t = c.cells
    w4 = c.w[3]
    task, cell = _grid_cells(c, ks)
    if len(task) == 0:
        return
    cosp = c.ux[task] * t.cx[cell] + c.uy[task] * t.cy[cell] + c.uz[task] * t.cz[cell]
    pen = w4 * _dcost_lb(t, cosp, t.rho[cell])
    b = t.cmax[cell] - pen
    rel = task - lo
    bmax = np.full(len(best), -np.inf)
    np.maximum.at(bmax, rel, b)
    pil = b >= bmax[rel] - _PILOT_DELTA
    pk, pg = task[pil], t.gidx[t.start[cell[pil]]]
    sc, _ = _score_pairs(c, pg, pk, True)
    pbest = np.full(len(best), -np.inf)
    np.maximum.at(pbest, pk - lo, sc)
    th = pbest - max(_THETA_MARGIN, 4 * _BOUND_EPS)  # -inf where the pilot found nothing: all
    tau = th[rel] + pen - _BOUND_EPS
    target = cell + np.clip((t.umax - tau) * t.uscale, 0.0, 0.75)
    end = np.searchsorted(t.ukey, target, side="left")
    first = t.start[cell]
    run, pos = _expand(first, np.minimum(end, t.start[cell + 1]) - first)
    g, k = t.gidx[pos], task[run]
    sc, w4dc = _score_pairs(c, g, k, True)
    np.maximum.at(best, k - lo, sc)
    bound = np.where(th > -np.inf, th + _BOUND_EPS, -np.inf)
    theta[ks - lo] = bound[ks - lo]
    keep = sc > bound[k - lo]
    parts.append((k[keep], g[keep], sc[keep], w4dc[keep]))


def _band_of(z: np.ndarray, nb: int) -> np.ndarray:
    return np.clip(np.floor((z + 1.0) * (0.5 * nb)), 0, nb - 1).astype(np.int64)


def _expand(first: np.ndarray, count: np.ndarray):
    """Runs first[i] .. first[i]+count[i]-1, concatenated: (run index, value) per element."""
    count = np.maximum(count, 0)
    run = np.repeat(np.arange(len(count)), count)
    offs = np.cumsum(count) - count
    return run, np.arange(len(run)) + np.repeat(first - offs, count)


def _half_width(lat_c, lam, lat_a, lat_b):
    """Largest longitude half-width (rad) of a cap within latitudes [lat_a, lat_b].

    The cap's width peaks at sin(lat) = sin(lat_c) / cos(lam) (or at the pole inside it), so
    the band's widest latitude is that one clipped to the band. -1 if the band misses the cap.
    """
    cl = np.cos(lam)
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = np.arcsin(np.clip(np.sin(lat_c) / cl, -1.0, 1.0))
        lat = np.clip(np.where(cl > 0, peak, 0.0), lat_a, lat_b)
        den = np.cos(lat) * np.cos(lat_c)
        g = (cl - np.sin(lat) * np.sin(lat_c)) / den
    hw = np.arccos(np.clip(np.where(den > 1e-12, g, -1.0), -1.0, 1.0)) + _PAD_RAD
    full = (lam >= math.pi / 2) | (den <= 1e-12) | (g <= -1.0)
    return np.where(full, 2 * math.pi, np.where(g > 1.0 + 1e-12, -1.0, hw))


# ---- candidate search -----------------------------------------------------------------------


def _tier_pairs(c: _Context, t: _Tier, ks: np.ndarray, origin: bool):
    """Candidate (satellite, task) pairs of tier t for tasks ks, in chunks of bounded size."""
    per = len(t.gidx)
    step = max(1, _MAX_PAIRS // per)
    for i in range(0, len(ks), step):
        kc = ks[i : i + step]
        yield np.tile(t.gidx, len(kc)), np.repeat(kc, len(t.gidx))


def _search(c: _Context, ks: np.ndarray, lo: int, origin: bool, best, theta, parts) -> None:
    """Score tasks ks tier by tier on the current terms until their best beats the next U.

    Fills best[k - lo] (best score, -inf none), theta[k - lo] (bound on the score of every
    unscored satellite) and appends the scored pairs (task, sat, score, w4*dcost) that beat
    the task's best so far minus _KEEP_MARGIN (the others are counted in the bound later).
    """
    active = ks
    for t in c.tiers:
        if len(active) == 0:
            return
        for g, k in _tier_pairs(c, t, active, origin):
            sc, w4dc = _score_pairs(c, g, k, origin)
            np.maximum.at(best, k - lo, sc)
            keep = sc > best[k - lo] - _KEEP_MARGIN  # -inf (ineligible) never passes
            parts.append((k[keep], g[keep], sc[keep], w4dc[keep]))
        theta[active - lo] = t.ceil
        active = active[best[active - lo] - _STOP_MARGIN <= t.ceil]


def _dead(c: _Context, ks: np.ndarray) -> np.ndarray:
    """Mask of tasks ks that no open satellite can take (energy, backlog or no open one).

    Exact with slack: a task passing one satellite's rules has need <= max(avail - marg)
    and work <= max((maxb - bs) * cap) up to rounding, far below _SLACK.
    """
    if c.n_open == 0:
        return np.ones(len(ks), dtype=bool)
    o = c.room
    avail, marg, bs, cap = c.avail[o], c.marg[o], c.bs[o], c.cap[o]
    h = float(np.max(avail - marg))
    ha = float(np.max(np.abs(avail)) + np.max(np.abs(marg)))
    b = float(np.max((c.maxb - bs) * cap))
    ba = float((c.maxb + np.max(np.abs(bs))) * np.max(cap))
    need, work = c.need[ks], c.work[ks]
    return (need > h + _SLACK * (ha + need)) | (work > b + _SLACK * (ba + work))


@dataclass
class _Prefix:
    """Tasks lo..hi-1: their first candidates in the order (score desc, index asc) on the
    state before task `lo` was walked; flat lists with ptr (relative to lo)."""

    lo: int
    hi: int
    sat: list
    score: list
    w4dc: list
    ptr: list
    bound: list  # every satellite outside the prefix scores at most this (-inf: none eligible)


def _prefixes(c: _Context, lo: int, hi: int) -> _Prefix:
    """Prefixes of tasks lo..hi-1 on the current state (vectorised over the tasks)."""
    n = hi - lo
    if c.n_closed_since_tiers * 4 > max(c.n_open, 64):  # many closed: drop them from tiers
        c.tiers = _make_tiers(c)
    best, theta = np.full(n, -np.inf), np.full(n, -np.inf)
    parts: list = []
    alive = ~_dead(c, np.arange(lo, hi))
    ho = c.has_origin[lo:hi]
    for origin in (True, False):
        ks = np.flatnonzero((ho == origin) & alive) + lo
        if len(ks) and c.tiers:
            if origin:
                _search_cells(c, ks, lo, best, theta, parts)
            else:
                _search(c, ks, lo, origin, best, theta, parts)
    k, g, sc, w4dc = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0) for i in range(4))
    k, g = k.astype(np.int64) - lo, g.astype(np.int64)
    # Bound of everything left out: the tiers not scored, and scored pairs below best - margin.
    theta = np.maximum(theta, best - max(_KEEP_MARGIN, 4 * _BOUND_EPS))  # best stays in
    keep = sc > theta[k]
    k, g, sc, w4dc = k[keep], g[keep], sc[keep], w4dc[keep]
    order = np.lexsort((g, -sc, k))
    k, g, sc, w4dc = k[order], g[order], sc[order], w4dc[order]
    count = np.bincount(k, minlength=n)
    rank = np.arange(len(k)) - (np.cumsum(count) - count)[k]
    bound = theta.copy()
    cut = rank == _PREFIX_MAX - 1
    bound[k[cut & (count[k] > _PREFIX_MAX)]] = sc[cut & (count[k] > _PREFIX_MAX)]
    top = rank < _PREFIX_MAX
    k, g, sc, w4dc = k[top], g[top], sc[top], w4dc[top]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(k, minlength=n))))
    return _Prefix(lo, hi, g.tolist(), sc.tolist(), w4dc.tolist(), ptr.tolist(), bound.tolist())


# ---- the walk in task order -----------------------------------------------------------------


def _walk(c: _Context) -> tuple[np.ndarray, np.ndarray]:
    """Sequential pass. A task whose best untaken satellite is known takes it without scoring;
    one whose prefix ran out triggers a fresh prefix for it and the next _WINDOW tasks. Tasks
    get prefixes _CHUNK at a time as the walk reaches them, on the state of that moment; the
    walk stops when no satellite is open (the rest get -1)."""
    n_t = len(c.need)
    out_i, out_s = [-1] * n_t, [math.nan] * n_t
    last: dict = {}  # satellite -> walk step of its latest assignment
    chunk = win = _Prefix(0, 0, [], [], [], [0], [])
    for k in range(n_t):
        if c.n_open == 0:
            break
        if k >= chunk.hi:
            chunk = win = _prefixes(c, k, min(n_t, k + _CHUNK))
        pre = win if k < win.hi else chunk  # a window's state is newer; both are valid
        s, v = _decide(c, pre, k, last)
        if s == -2:
            pre = win = _prefixes(c, k, min(n_t, k + _WINDOW))
            s, v = _decide(c, pre, k, last)
            if s == -2:  # cannot happen with the margins above; exact fallback all the same
                s, v = _brute(c, k)
        if s >= 0:
            out_i[k], out_s[k] = s, v
            c.update(s, k)
            last[s] = k
    return np.array(out_i, dtype=np.int64), np.array(out_s, dtype=np.float64)


def _brute(c: _Context, k: int) -> tuple[int, float]:
    """Task k scored against every open satellite on the current state."""
    g = np.flatnonzero(c.room)
    sc, _ = _score_pairs(c, g, np.full(len(g), k), bool(c.has_origin[k]))
    if len(g) == 0 or not np.max(sc) > -np.inf:
        return -1, math.nan
    j = int(np.argmax(sc))  # first maximum: lowest index
    return int(g[j]), float(sc[j])


def _better(v: float, s: int, bv: float, bs: int) -> bool:
    return v > bv or (v == bv and v > -math.inf and s < bs)


def _decide(c: _Context, pre: _Prefix, k: int, last: dict) -> tuple[int, float]:
    """Task k's choice on the current state from its prefix; (-2, nan) if it ran out.

    Satellites untaken since the prefix's state keep their scores; taken ones only lost
    score. So the first untaken prefix entry beats every satellite after it, and only the
    taken entries before it need their current score. If all entries were taken, the best
    of them wins if it still beats the prefix's bound on everything else.
    """
    bs, bv = -1, -math.inf
    j0 = k - pre.lo
    for j in range(pre.ptr[j0], pre.ptr[j0 + 1]):
        s = pre.sat[j]
        if last.get(s, -1) < pre.lo:
            v = pre.score[j]
            return (s, v) if _better(v, s, bv, bs) else (bs, bv)
        v = _score_one(c, k, s, pre.w4dc[j])
        if _better(v, s, bv, bs):
            bs, bv = s, v
    bound = pre.bound[j0]
    if bv > bound:  # all entries taken, but the best of them still beats the rest
        return bs, bv
    return (-1, math.nan) if bound == -math.inf else (-2, math.nan)
