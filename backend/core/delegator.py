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

Eligible: in service (`Satellites.in_service`, the rule beams and drones use too), not
blackout; head >= energy_margin_pct/100 * max_energy_eu; n_tasks < max_queue;
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
   w4 * dcost, and for a task with priority factor pf at most U_pf = base + w5 * (pf * a)
   minus w4 * dcost (head <= avail; the same operations as the score, so the rounded score
   too). Tasks with an origin (`_search_cells`): open satellites sit on an equal-area
   lat/lon cell grid, each cell ordered once per priority class of the batch by bins of
   U_pf (`_ubin`; as many bins as fit beside the cell index in 16 bits, else 65,536;
   every member at or above a threshold sits at or before the threshold's bin, so they
   are a prefix of the cell); a (task, cell) pair meeting the task's visibility
   cap gets the bound cell max U_pf - w4 * (a lower bound of dcost from the angle between
   the origin and the cell's centre, less the cell's angular radius). A pilot scores the top
   _PILOT_MEMBERS members of the best-bounded cells; theta is the task's _PILOT_K-th best
   pilot score (one deeper for every _PILOT_K_EVERY tasks since the prefix's state: later
   tasks find more entries taken), but no lower than pilot best - _THETA_MARGIN (and below
   the pilot best); then every member whose own bin bound beats theta is scored (the
   pilot's members are not scored twice), so everything unscored scores <= theta. Any
   theta is exact; _PILOT_K only trades scored pairs (the engine's scores sit close
   together: a fixed margin of 0.1 scored most of each visibility cap) against prefixes
   running out. Measured and not used: deepening theta after each run-out (same number of
   run-outs, more pairs); one U_1 order for every class (cheaper grid, ~9 % slower overall).
   Tasks without an origin descend tiers of satellites by U (`_search`) until their best
   exact score beats, by _STOP_MARGIN, the U of everything left unscored.
   Exact pre-filters: a satellite that cannot take the batch's smallest need and work is
   closed (never scored, and closed when an assignment leaves it so); a task whose need or
   work exceeds every open satellite's room (`_dead`) gets -1 unscored; no open satellite
   left stops the walk. A prefix keeps every scored candidate above the bound, up to
   _PREFIX_MAX (the first one left out then becomes the bound), sorted by `_radix_order`
   (stable 16-bit radix passes; exact for any float64 score, ties to the lowest index).
3. The walk, in task order: by (1) a satellite untaken since S0 still has its S0 score and
   taken ones only lost score, so a task takes its first prefix entry if untaken, else the
   best of the taken entries before the first untaken one (re-scored on the current state)
   and that entry (`_decide`). If all entries were taken and the best of them does not beat
   the bound, the prefix ran out: the task is scored against every member of the cells
   meeting its cap on the current state (`_visible`, after a write-back: recorded
   assignments are applied in vectorised rounds, so that is cheap); after _SINGLES such
   run-outs since the last prefix (or for a task without an origin), prefixes are
   recomputed on the current state for that task and the next _WINDOW tasks instead (same
   argument, new origin state). Prefixes are computed _CHUNK tasks at a time as the walk
   reaches them. An assignment is recorded, not applied (`_Local`): a satellite the walk
   reads again gets its updates in Python floats, all others in vectorised rounds at the
   next write-back (before each new prefix and at the end); both use the definition's
   operations in its order, so the same bits.
4. Per call: the cell grid is built with 16-bit radix passes (cell and U_pf bin in one key
   when they fit, per priority class); the tiers (tasks without an origin only) are built
   when first needed. The (task, cell, dcost bound) pairs depend only on the grid and the
   tasks: computed for a chunk's tasks once, grouped by task (per-task maxima are
   `reduceat` over runs), and selected from for the windows and single searches after a
   run-out (`_cell_pairs`).

Measured and not used: a vectorised acceptance pass (accept at once every task whose first
entry no earlier task can take; exact, with each deferred task's possible choices taken as
its entries up to the first one no earlier task can take) accepted about a quarter of a
500-task batch at 10,000 satellites (uniform origins; ~0 with clustered origins) and cost
about as much as walking those tasks, so the walk stays sequential.
Tests compare every choice, score and final load with a plain sequential loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .capgrid import cap_cells, expand, visibility_radius
from .constants import EARTH_RADIUS_KM

PRIORITY_FACTOR = (0.0, 0.5, 1.0)  # pf[priority], low / medium / high
_PREFIX_MAX = 8  # candidates kept per task for conflict resolution
_STOP_MARGIN = 0.05  # search on until the best beats the unscored U by this much
_TIER0_PER_CAP = 200  # satellites the first tier puts in a typical visibility cap
_TIER_GROWTH = 4
_WINDOW = 64  # tasks re-prefixed together when one task's prefix runs out
_CHUNK = 1024  # tasks prefixed together when the walk reaches tasks without prefixes
_SINGLES = 8  # run-outs answered one task at a time (`_visible`) before a window re-prefix
_KEEP_MARGIN = 0.1  # prefix entries kept: score > (task's best - this), and > the tier bound
_SLACK = 1e-9  # relative slack of the exact "ineligible everywhere" task filter
_MAX_PAIRS = 1 << 21  # pairs scored per vectorised chunk (memory bound)
_CELL_SATS = 24  # open satellites per cell of the cell grid (tasks with an origin)
_PILOT_DELTA = 0.03  # pilot: score the top members of cells whose bound is this near the best
_PILOT_MEMBERS = 4  # ... this many top members of each such cell
_THETA_MARGIN = 0.1  # then score every member whose bound beats (pilot best - this), or ...
_PILOT_K = 5  # ... the task's _PILOT_K-th best pilot score if higher (adapts to the density),
_PILOT_K_EVERY = 1000  # ... plus one for every this many tasks since the prefix's state
_UBINS = 65535  # U_pf bins of the cell order (16-bit radix keys) when cells are many
_MIN_BINS = 63  # fewer bins than this with the cell in one 16-bit key: sort in two passes
_BOUND_EPS = 1e-9  # added to a bound so float rounding can only make it safer
_DROP_SLACK = 1e-9  # rounding slack of the least score drop of an assignment (w3 / max_queue)


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
    committed_eu: np.ndarray  # EU, float64, mutated
    backlog_work: np.ndarray  # work units, float64, mutated
    processing_capacity: np.ndarray  # work units / s, > 0
    n_tasks: np.ndarray  # int32, mutated
    blackout: np.ndarray  # bool
    in_service: np.ndarray | None = None  # bool, `Satellites.in_service`; None: every satellite

    def serving(self) -> np.ndarray:
        """(N,) bool: the satellites in service (the one eligibility mask, state.Satellites.in_service)."""
        n = len(self.energy_eu)
        return np.ones(n, dtype=bool) if self.in_service is None else np.asarray(self.in_service, dtype=bool)

    def copy(self) -> "SatLoad":
        """A copy with every array copied (None stays None)."""
        return SatLoad(*(None if v is None else np.array(v) for v in (getattr(self, f) for f in self.__dataclass_fields__)))


def delegate(tasks: TaskBatch, sats: SatLoad, cfg) -> tuple[np.ndarray, np.ndarray]:
    """Assign each task in order (see the module docstring).

    Returns (sat_index int64 (T,), -1 = no eligible satellite; score float64 (T,), nan when -1).
    Mutates sats.n_tasks, sats.committed_eu and sats.backlog_work for each assignment.
    """
    _check(tasks, sats)
    n_t = len(tasks.energy_need)
    if n_t == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return _walk(_Context(tasks, sats, cfg))


def _check(tasks: TaskBatch, sats: SatLoad) -> None:
    """The exactness argument needs non-negative task needs; the walk adds in float64."""
    for name in ("energy_need", "work"):
        v = np.asarray(getattr(tasks, name))
        if v.size and not np.all(v >= 0):
            raise ValueError(f"{name}(={v[~(v >= 0)][0]!r}) must be >= 0 and finite")
    for name in ("committed_eu", "backlog_work"):
        if getattr(sats, name).dtype != np.float64:
            raise ValueError(f"sats.{name} must be a float64 array")


# ---- per-satellite terms ------------------------------------------------------------------


class _Context:
    """Task arrays, satellite terms (updated in place during the walk), tiers and config."""

    def __init__(self, tb: TaskBatch, sats: SatLoad, cfg, index: bool = True):
        self.sats, self.cfg = sats, cfg
        self.w = (float(cfg.w1), float(cfg.w2), float(cfg.w3), float(cfg.w4), float(cfg.w5))
        self.maxq, self.maxb = int(cfg.max_queue), float(cfg.max_backlog_s)
        self.margin_frac = cfg.energy_margin_pct / 100.0
        self.sin_el = math.sin(math.radians(cfg.min_elevation_deg))
        self._tasks(tb)
        self._sat_terms(sats)
        if index:  # the search structures of the prefix walk
            _index(self)

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
        self.need_l, self.work_l, self.pf_l = self.need.tolist(), self.work.tolist(), self.pf.tolist()

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
        self.live = (~np.asarray(s.blackout, dtype=bool) & s.serving() & (s.n_tasks < self.maxq)
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


# ---- scoring ------------------------------------------------------------------------------


def _score_pairs(c: _Context, g: np.ndarray, k: np.ndarray, origin: bool):
    """Scores of (task k[i], satellite g[i]) pairs on the current terms, -inf if ineligible.

    Returns (score (P,), w4*dcost (P,)); `origin` says whether these tasks have origins.
    """
    head = c.avail[g]
    head -= c.need[k]
    ok = c.room[g]
    ok &= head >= c.marg[g]
    t = c.work[k]
    t /= c.cap[g]
    t += c.bs[g]  # bs + work / cap (+ commutes exactly)
    ok &= t <= c.maxb
    if origin:
        w4dc = _w4dc(c, g, k, ok)
    else:
        w4dc = np.zeros(len(g))
    t = np.divide(head, c.maxe[g], out=t)
    np.clip(t, 0.0, 1.0, out=t)
    t *= c.pf[k]
    t *= c.w[4]  # w5 * (pf * clip(head / maxe))
    score = c.base[g]
    score -= w4dc
    score += t
    score[~ok] = -np.inf
    return score, w4dc


def _w4dc(c: _Context, g: np.ndarray, k: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """w4 * dcost of the pairs; clears ok where the satellite is below min elevation.

    The same operations, in the same order, as the definition (in place where possible).
    """
    dx, dy, dz = c.x[g], c.y[g], c.z[g]
    dx -= c.ox[k]
    dy -= c.oy[k]
    dz -= c.oz[k]
    rng = dx * dx
    rng += dy * dy
    rng += dz * dz
    np.sqrt(rng, out=rng)
    up = c.ux[k]
    up *= dx
    dy *= c.uy[k]
    up += dy
    dz *= c.uz[k]
    up += dz
    ok &= up >= c.sin_el * rng
    rng /= c.hor[g]
    rng *= c.w[3]
    return rng


# ---- tiers and the cell grid ----------------------------------------------------------------


@dataclass
class _Tier:
    """Live satellites with U in one band; `gidx` in grid cell order, `start` (cells+1,)."""

    gidx: np.ndarray
    ceil: float  # max U of all later tiers (-inf for the last): scores beating it are final
    start: np.ndarray | None = None
    nb: int = 0  # equal-area latitude bands (uniform in z)
    nl: int = 0  # longitude cells per band


def _index(c: _Context) -> None:
    """(Re)build the search structures on the open satellites: caps and the cell grid now,
    the tiers (tasks without an origin only) when first needed."""
    c.n_closed_since_tiers = 0
    live = np.flatnonzero(c.room)
    _caps(c, live)
    c.tiers = None
    c.cell_pairs = None  # (lo, hi, task, virtual cell, pen) of `_cell_pairs`, per grid
    c.cells = None
    if len(live) and c.has_origin.any():
        _build_cells(c, live)


def _tiers(c: _Context) -> list[_Tier]:
    if c.tiers is None:
        c.tiers = _make_tiers(c)
    return c.tiers


def _make_tiers(c: _Context) -> list[_Tier]:
    """Split open satellites by U, highest first; sizes grow by _TIER_GROWTH."""
    live = np.flatnonzero(c.room)
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
    return [_Tier(m, tops[i + 1]) for i, m in enumerate(members)]


def _caps(c: _Context, live: np.ndarray) -> None:
    """Visibility cap of each task's origin: centre lat/lon and angular radius (rad), padded.

    Elevation falls with the central angle and rises with the satellite radius, so the cap
    for the highest live satellite contains every satellite that can be eligible.
    """
    r_max = float(np.max(c.r[live])) if len(live) else EARTH_RADIUS_KM
    e = math.radians(c.cfg.min_elevation_deg)
    ho = c.has_origin
    lam = visibility_radius(r_max, np.where(ho, c.o_norm, 0.0), e)
    c.cap_lam = np.where(ho, lam, math.pi)
    c.cap_lat = np.arcsin(np.clip(np.where(ho, c.uz, 0.0), -1.0, 1.0))
    c.cap_lon = np.arctan2(np.where(ho, c.uy, 0.0), np.where(ho, c.ux, 1.0))
    lam_max = float(np.max(c.cap_lam[ho])) if ho.any() else math.pi
    c.cap_frac = min(1.0, (1.0 - math.cos(min(lam_max, math.pi))) / 2.0)


@dataclass
class _Cells:
    """Open satellites on an equal-area lat/lon grid, per priority class in (cell, U_pf bin
    asc (U_pf desc), index) order.

    Per cell: unit centre, angular radius `rho` (every member is within it of the centre);
    per virtual cell (class, cell): max U_pf and `ukey` positions, so the members at or
    above a U_pf threshold are within a prefix of the virtual cell.
    """

    gidx: np.ndarray  # members of virtual cells cls * n_cells + cell, in order
    start: np.ndarray  # (classes * cells + 1,) virtual cell starts in gidx
    gstart: np.ndarray  # (cells + 1,) starts of the geometric cells (one class)
    n_cells: int
    nb: int
    nl: int
    cx: np.ndarray
    cy: np.ndarray
    cz: np.ndarray
    rho: np.ndarray  # rad, padded
    cmax: np.ndarray  # per virtual cell: the members' max U_pf, -inf when empty
    ukey: np.ndarray  # int64 virtual cell * (top + 1) + U_pf bin, non-decreasing along gidx
    umax: float
    uscale: float
    top: int  # last U_pf bin
    rad_lo: float  # min satellite radius minus max origin radius (>= 0), km
    rr: float  # 4 * min satellite radius * min origin radius, km^2
    hor_max: float  # max horizon range of the open satellites, km


def _build_cells(c: _Context, g: np.ndarray) -> None:
    """The cell grid of open satellites g (about _CELL_SATS a cell), one member order per
    priority class of the batch's tasks with origins.

    Class pf orders each cell by U_pf = base + w5 * (pf * a) descending, the bound of every
    score of a task with that priority factor (same operations as `_score_pairs`, and head <=
    avail, so it bounds the rounded score too). Virtual cell `cls * n_cells + cell` holds
    the members of `cell` in class `cls` order; `ukey` runs over all of them.
    """
    nb = int(np.clip(math.isqrt(len(g) // (2 * _CELL_SATS)), 1, 90))
    nl = 2 * nb
    n_cells = nb * nl  # <= 90 * 180 < 2**16
    n = len(g)
    everyone = n == len(c.r)  # g is arange(N): skip the gathers
    x, y, z, r = (v if everyone else v[g] for v in (c.x, c.y, c.z, c.r))
    band = np.clip(np.floor((z / r + 1.0) * (0.5 * nb)), 0, nb - 1).astype(np.uint16)
    lon = np.arctan2(y, x)
    cell = np.clip(np.floor((lon + math.pi) * (nl / (2 * math.pi))), 0, nl - 1).astype(np.uint16)
    key16 = band * np.uint16(nl) + cell
    key = key16.astype(np.int64)
    pfs = np.unique(c.pf[c.has_origin])
    c.task_cls = np.searchsorted(pfs, c.pf)  # only read for tasks with an origin
    avail, maxe, base = (v if everyone else v[g] for v in (c.avail, c.maxe, c.base))
    a = np.clip(avail / maxe, 0.0, 1.0)
    n_cls = len(pfs)
    ulist = [base + (a * pf) * c.w[4] for pf in pfs.tolist()]
    umax = max(float(np.max(u)) for u in ulist)
    umin = min(float(np.min(u)) for u in ulist)
    # Bins: as many as fit with the cell in one 16-bit key (one radix pass), else 65,536.
    top = (1 << 16) // n_cells - 1
    one_pass = top >= _MIN_BINS
    top = top if one_pass else _UBINS
    uscale = top / max(umax - umin, 1e-12)  # no overflow in (umax - tau) * uscale
    gidx, ukey, us = np.empty(n_cls * n, np.int64), np.empty(n_cls * n, np.int64), np.empty(n_cls * n)
    for i, u in enumerate(ulist):
        b = _ubin(umax - u, uscale, top)
        sl = slice(i * n, (i + 1) * n)
        if one_pass:  # cell, then bin; g ascending within ties (stable)
            both = key16 * np.uint16(top + 1) + b  # the cell's part of ukey
            order = np.argsort(both, kind="stable")
            ukey[sl] = both[order]
            ukey[sl] += i * n_cells * (top + 1)
        else:  # LSD radix: bin, then cell
            order = np.argsort(b, kind="stable")
            order = order[np.argsort(key16[order], kind="stable")]
            ukey[sl] = ((key + i * n_cells) * (top + 1) + b)[order]
        gidx[sl], us[sl] = order if everyone else g[order], u[order]
        if i == 0:
            by_key = order
    # Geometry: centre = direction of the members' summed positions (any direction would do:
    # rho is measured from it); the smallest cosine per cell on the members sorted by cell.
    counts = np.bincount(key, minlength=n_cells)
    start = np.concatenate(([0], np.cumsum(counts)))
    sx = np.bincount(key, x, n_cells)
    sy = np.bincount(key, y, n_cells)
    sz = np.bincount(key, z, n_cells)
    nrm = np.sqrt(sx * sx + sy * sy + sz * sz)
    nrm = np.where(nrm > 0, nrm, 1.0)
    cx, cy, cz = sx / nrm, sy / nrm, sz / nrm
    cos = x * cx[key]
    cos += y * cy[key]
    cos += z * cz[key]
    cos /= r
    cos_min = np.ones(n_cells)  # farthest member from the centre: smallest cosine
    nonempty = counts > 0
    cos_min[nonempty] = np.minimum.reduceat(cos[by_key], start[:-1][nonempty])
    rho = np.arccos(np.clip(cos_min, -1.0, 1.0))
    vstart = np.concatenate([start[:-1] + i * n for i in range(n_cls)] + [[n_cls * n]])
    cmax = np.full(n_cls * n_cells, -np.inf)
    nonempty = vstart[1:] > vstart[:-1]
    cmax[nonempty] = np.maximum.reduceat(us, vstart[:-1][nonempty])
    o_norm = c.o_norm[c.has_origin]
    r_min, r_max = float(np.min(r)), float(np.max(r))
    c.cells = _Cells(gidx, vstart, start, n_cells, nb, nl, cx, cy, cz, rho + 1e-6, cmax,
                     ukey, umax, uscale, top, max(r_min - float(np.max(o_norm)), 0.0),
                     4.0 * r_min * float(np.min(o_norm)),
                     math.sqrt(max(r_max * r_max - EARTH_RADIUS_KM * EARTH_RADIUS_KM, 1e-300)))


def _ubin(x: np.ndarray, uscale: float, top: int) -> np.ndarray:
    """U bins (uint16): floor(x * uscale) capped at top, with x = umax - U >= 0 (the cast
    truncates, which is floor for x >= 0).

    Rounding is monotone, so U >= tau gives umax - U <= umax - tau and bin(U) <= bin(tau):
    every member at or above a threshold sits at or before the threshold's bin."""
    return np.minimum(x * uscale, float(top)).astype(np.uint16)


def _ubin_upto(x: np.ndarray, uscale: float, top: int) -> np.ndarray:
    """Last bin that can hold a U >= tau, x = umax - tau: -1 (none) if tau > umax, top
    (all) for tau = -inf. Without the lower clip it is `_ubin`, so U >= tau gives
    _ubin(umax - U) <= _ubin_upto(umax - tau)."""
    return np.clip(np.floor(x * uscale), -1.0, float(top)).astype(np.int64)


def _grid_cells(c: _Context, ks: np.ndarray):
    """(task, cell) pairs of the non-empty cells that meet the caps of tasks ks, grouped by
    task in the order of ks."""
    t = c.cells
    task, cell = cap_cells(c.cap_lat[ks], c.cap_lon[ks], c.cap_lam[ks], t.nb, t.nl, label=ks)
    keep = t.gstart[cell + 1] > t.gstart[cell]
    return _take(keep, task, cell)


def _dcost_lb(t: _Cells, cos_psi: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Lower bound of dcost for satellites at least (angle - rho) from the origin.

    rng^2 = (r - ro)^2 + 4 r ro sin^2(psi / 2) >= rad_lo^2 + rr sin^2(psi / 2); dcost = rng / hor.
    """
    psi = np.maximum(np.arccos(np.clip(cos_psi, -1.0, 1.0)) - rho, 0.0)
    sh = np.sin(0.5 * psi)
    return np.sqrt(t.rad_lo * t.rad_lo + t.rr * sh * sh) * ((1.0 - 1e-9) / t.hor_max)


def _cell_pairs(c: _Context, ks: np.ndarray):
    """(task, virtual cell, w4 * dcost lower bound) of the cells meeting the caps of tasks ks
    (ascending). They depend only on the grid and the tasks, so they are computed once for
    the tasks with an origin in ks[0] .. ks[0] + _CHUNK - 1 and reused by later prefixes
    (windows after a run-out) until the grid is rebuilt."""
    cache = c.cell_pairs
    if cache is None or ks[0] < cache[0] or ks[-1] >= cache[1]:
        lo, hi = int(ks[0]), min(len(c.need), int(ks[0]) + max(_CHUNK, int(ks[-1]) + 1 - int(ks[0])))
        t = c.cells
        task, cell = _grid_cells(c, lo + np.flatnonzero(c.has_origin[lo:hi]))
        cosp = c.ux[task] * t.cx[cell] + c.uy[task] * t.cy[cell] + c.uz[task] * t.cz[cell]
        pen = c.w[3] * _dcost_lb(t, cosp, t.rho[cell])
        cell = c.task_cls[task] * t.n_cells + cell  # virtual cell: the task's priority class
        cache = c.cell_pairs = (lo, hi, task, cell, pen)
    lo, hi, task, cell, pen = cache
    if len(ks) == hi - lo:  # every task of the range (ks ascending, within it)
        return task, cell, pen
    if len(ks) == 1:  # one task: its run (the pairs are grouped by task, ascending)
        a, b = np.searchsorted(task, (ks[0], ks[0] + 1)).tolist()
        return task[a:b], cell[a:b], pen[a:b]
    want = np.zeros(hi - lo, dtype=bool)
    want[ks - lo] = True
    sel = want[task - lo]
    return _take(sel, task, cell, pen)


def _search_cells(c: _Context, ks: np.ndarray, lo: int, best, theta, parts) -> None:
    """Tasks with an origin: per (task, cell) bound = cell's max U_pf - w4 * dcost lower bound.

    A pilot scores the top members of each task's best-bounded cells; then every member whose
    own bound (U_pf - w4 * the cell's dcost bound) beats theta (the task's _PILOT_K-th best
    pilot score, at least pilot best - _THETA_MARGIN) is scored. Unscored members score at
    most theta (plus _BOUND_EPS).
    """
    t = c.cells
    task, cell, pen = _cell_pairs(c, ks)
    if len(task) == 0:
        return
    b = t.cmax[cell] - pen
    rel = task - lo
    bmax = _group_max(rel, b, len(best))  # pairs come grouped by task (`_grid_cells`)
    pil = b >= bmax[rel] - _PILOT_DELTA
    first = t.start[cell]
    npil = np.where(pil, np.minimum(t.start[cell + 1] - first, _PILOT_MEMBERS), 0)
    pk, ppos = expand(first, npil, task)
    pg = t.gidx[ppos]
    psc, pw4dc = _score_pairs(c, pg, pk, True)
    depth = _PILOT_K + np.arange(len(best)) // _PILOT_K_EVERY  # later tasks: more taken
    pbest, pkth = _kth_best(pk - lo, psc, len(best), depth)
    th = np.minimum(np.maximum(pbest - _THETA_MARGIN, pkth),
                    pbest - 4 * _BOUND_EPS)  # -inf where the pilot found nothing: all
    tau = th[rel] + pen - _BOUND_EPS
    target = cell * (t.top + 1) + _ubin_upto(t.umax - tau, t.uscale, t.top) + 1  # every U_pf >= tau
    some = t.ukey[first] < target  # the cell's top member passes (searchsorted's test)
    task, cell, target, first, npil = _take(some, task, cell, target, first, npil)
    end = np.searchsorted(t.ukey, target, side="left")
    # The pilot's members of a pair are the first ones of its run: scored already, skipped.
    k, pos = expand(first + npil, np.minimum(end, t.start[cell + 1]) - first - npil, task)
    g = t.gidx[pos]
    sc, w4dc = _score_pairs(c, g, k, True)
    np.maximum(best, _group_max(k - lo, sc, len(best)), out=best)
    np.maximum(best, pbest, out=best)  # the pilot's best: scored above, beats th so in the run
    bound = np.where(th > -np.inf, th + _BOUND_EPS, -np.inf)
    theta[ks - lo] = bound[ks - lo]
    # Pilot pairs left out of the run score <= th (their bound is below tau): keep drops them.
    for k, g, sc, w4dc in ((pk, pg, psc, pw4dc), (k, g, sc, w4dc)):
        keep = sc > bound[k - lo]
        parts.append(_take(keep, k, g, sc, w4dc))


def _kth_best(k: np.ndarray, sc: np.ndarray, n: int, kth):
    """(best, kth best) score of sc per group k in 0..n-1, each (n,), -inf where a group
    has no score or fewer than kth (an int, or (n,) ints per group; sc without nan).

    Groups are laid out as rows of an (n, widest group) matrix sorted along its rows (far
    cheaper than a float argsort of all scores); k grouped (non-decreasing) skips a sort."""
    top, out = np.full(n, -np.inf), np.full(n, -np.inf)
    if len(k) == 0:
        return top, out
    if not (k[1:] >= k[:-1]).all():
        order = np.argsort(k.astype(np.uint16) if n <= 1 << 16 else k, kind="stable")
        k, sc = k[order], sc[order]
    count = np.bincount(k, minlength=n)
    width = int(count.max())
    rows = np.full((n, width), -np.inf)
    rows[k, np.arange(len(k)) - (np.cumsum(count) - count)[k]] = sc
    rows.sort(axis=1)  # ascending: the best in the last column
    top[:] = rows[:, -1]
    col = width - (np.asarray(kth) if np.ndim(kth) else np.full(n, kth))
    has = col >= 0
    out[has] = rows[np.flatnonzero(has), col[has]]
    return top, out


def _group_max(k: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Max of v per group k in 0..n-1 (-inf for an empty group); each group contiguous in k."""
    out = np.full(n, -np.inf)
    if len(k):
        starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
        out[k[starts]] = np.maximum.reduceat(v, starts)
    return out


def _radix_order(keys: list) -> np.ndarray:
    """Stable permutation sorting by keys [(non-negative int array, bound), ...], most
    significant first: LSD passes over 16-bit digits (numpy sorts 16-bit keys by radix,
    much faster here than lexsort). A digit constant over all elements is skipped."""
    idx = np.arange(len(keys[0][0]))
    for key, bound in reversed(keys):
        key = key.astype(np.uint64, copy=False)
        for shift in range(0, max(int(bound - 1).bit_length(), 1), 16):
            d = ((key[idx] >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.uint16)
            if len(d) and d.min() != d.max():
                idx = idx[np.argsort(d, kind="stable")]
    return idx


def _desc_key(v: np.ndarray) -> np.ndarray:
    """uint64 keys ascending as the float64 values v descend (no nan; -0.0 counts as 0.0)."""
    b = (np.asarray(v, dtype=np.float64) + 0.0).view(np.uint64)
    up = np.where(b >> np.uint64(63), ~b, b | np.uint64(1 << 63))  # ascending with v
    return ~up


def _take(mask: np.ndarray, *arrays: np.ndarray) -> tuple:
    """The arrays where mask is True: one flatnonzero and a gather each (boolean indexing
    repeats the mask scan per array and is slower per element)."""
    idx = np.flatnonzero(mask)
    return tuple(a[idx] for a in arrays)


# ---- candidate search -----------------------------------------------------------------------


def _tier_pairs(c: _Context, t: _Tier, ks: np.ndarray, origin: bool):
    """Candidate (satellite, task) pairs of tier t for tasks ks, in chunks of bounded size."""
    per = len(t.gidx)
    step = max(1, _MAX_PAIRS // per)
    for i in range(0, len(ks), step):
        kc = ks[i : i + step]
        yield np.tile(t.gidx, len(kc)), np.repeat(kc, len(t.gidx))


def _search(c: _Context, ks: np.ndarray, lo: int, origin: bool, best, theta, tiers, parts) -> None:
    """Score tasks ks tier by tier on the current terms until their best beats the next U.

    Fills best[k - lo] (best score, -inf none), theta[k - lo] (bound on the score of every
    unscored satellite) and appends the scored pairs (task, sat, score, w4*dcost) that beat
    the task's best so far minus _KEEP_MARGIN (the others are counted in the bound later).
    """
    active = ks
    for t in tiers:
        if len(active) == 0:
            return
        for g, k in _tier_pairs(c, t, active, origin):
            sc, w4dc = _score_pairs(c, g, k, origin)
            np.maximum.at(best, k - lo, sc)
            keep = sc > best[k - lo] - _KEEP_MARGIN  # -inf (ineligible) never passes
            parts.append(_take(keep, k, g, sc, w4dc))
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
    if c.n_open == len(o):  # every satellite open: no gathers
        avail, marg, bs, cap = c.avail, c.marg, c.bs, c.cap
    else:
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
    state at walk step `lo`; flat lists with ptr (relative to lo)."""

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
    if c.n_closed_since_tiers * 4 > max(c.n_open, 64):  # many closed: rebuild without them
        _index(c)
    best, theta = np.full(n, -np.inf), np.full(n, -np.inf)
    parts: list = []
    ks_all = np.arange(lo, hi)
    alive = ~_dead(c, ks_all)
    ho = c.has_origin[lo:hi]
    for origin in (True, False):
        ks = ks_all[(ho == origin) & alive]
        if len(ks) and c.n_open:
            if origin:
                _search_cells(c, ks, lo, best, theta, parts)
            else:
                _search(c, ks, lo, origin, best, theta, _tiers(c), parts)
    k, g, sc, w4dc = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0) for i in range(4))
    k, g = k.astype(np.int64) - lo, g.astype(np.int64)
    # Bound of everything left out: the tiers not scored, and scored pairs below best - margin.
    theta = np.maximum(theta, best - max(_KEEP_MARGIN, 4 * _BOUND_EPS))  # best stays in
    keep = sc > theta[k]
    k, g, sc, w4dc = _take(keep, k, g, sc, w4dc)
    order = _radix_order([(k, n), (_desc_key(sc), 1 << 64), (g, len(c.avail))])
    k, g, sc, w4dc = k[order], g[order], sc[order], w4dc[order]
    count = np.bincount(k, minlength=n)
    rank = np.arange(len(k)) - (np.cumsum(count) - count)[k]
    cut = rank == _PREFIX_MAX
    theta[k[cut]] = sc[cut]  # the first entry left out (above theta) bounds the rest
    top = rank < _PREFIX_MAX
    g, sc, w4dc = _take(top, g, sc, w4dc)
    ptr = np.concatenate(([0], np.cumsum(np.minimum(count, _PREFIX_MAX))))
    return _Prefix(lo, hi, g.tolist(), sc.tolist(), w4dc.tolist(), ptr.tolist(), theta.tolist())


# ---- the walk in task order -----------------------------------------------------------------


def _walk(c: _Context) -> tuple[np.ndarray, np.ndarray]:
    """Sequential pass. A task whose best untaken satellite is known takes it without scoring;
    one whose prefix ran out is scored over its cap (`_visible`), or after _SINGLES of those
    triggers a fresh prefix for it and the next _WINDOW tasks. Tasks
    get prefixes _CHUNK at a time as the walk reaches them, on the state of that moment; the
    walk stops when no satellite is open (the rest get -1; the count of open satellites is
    current after each write-back). Satellite updates go through `_Local`.
    """
    n_t = len(c.need)
    out_i, out_s = [-1] * n_t, [math.nan] * n_t
    last: dict = {}  # satellite -> walk step of its latest assignment
    loc = _Local(c)
    chunk = win = _Prefix(0, 0, [], [], [], [0], [])
    singles = 0  # run-outs answered by `_visible` since the last prefix
    for k in range(n_t):
        if c.n_open == 0:
            break
        if k >= chunk.hi:
            loc.write_back()
            chunk = win = _prefixes(c, k, min(n_t, k + _CHUNK))
            singles = 0
        pre = win if k < win.hi else chunk  # a window's state is newer; both are valid
        j = pre.ptr[k - pre.lo]
        if j < pre.ptr[k - pre.lo + 1] and last.get(pre.sat[j], -1) < pre.lo:
            s, v = pre.sat[j], pre.score[j]  # first entry untaken: `_decide`'s first answer
        else:
            s, v = _decide(loc, pre, k, last)
        if s == -2:
            loc.write_back()
            if c.has_origin[k] and c.cells is not None and singles < _SINGLES:
                s, v = _visible(c, k)
                singles += 1
            else:
                pre = win = _prefixes(c, k, min(n_t, k + _WINDOW))
                singles = 0
                s, v = _decide(loc, pre, k, last)
                if s == -2:  # cannot happen with the margins above; exact fallback all the same
                    s, v = _brute(c, k)
        if s >= 0:
            out_i[k], out_s[k] = s, v
            loc.assign(s, k)
            last[s] = k
    loc.write_back(final=True)
    return np.array(out_i, dtype=np.int64), np.array(out_s, dtype=np.float64)


class _Local:
    """Python-float state of the satellites assigned during the walk: the same operations in
    the same order as the definition's update, hence the same bits, without numpy scalar
    access. An assignment is only recorded (`todo`); it is applied when the walk next reads
    that satellite (`state`) or, for all the others at once, by `write_back`, which stores
    every change in the arrays (before each new prefix and at the end)."""

    def __init__(self, c: _Context):
        self.c = c
        self.need, self.work, self.pf = c.need_l, c.work_l, c.pf_l
        self.sat: dict = {}  # s -> [n, committed, backlog, avail, bs, base, room, energy, cap, marg, maxe]
        self.dirty: set = set()  # applied here, not yet in the arrays
        self.todo: dict = {}  # s -> tasks assigned to s, in walk order, not yet applied
        self.consts = (c.maxq, c.maxb, c.need_min, c.work_min) + c.w[:3]
        # Least score an assignment takes off its satellite, less a rounding slack (<= 0 off).
        self.drop = c.w[2] / c.maxq - _DROP_SLACK

    def assign(self, s: int, k: int) -> None:
        """Task k goes to satellite s (applied later, in order)."""
        ks = self.todo.get(s)
        if ks is None:
            self.todo[s] = [k]
        else:
            ks.append(k)

    def state(self, s: int) -> list:
        """Current terms of satellite s, its recorded assignments applied."""
        v = self.sat.get(s)
        if v is None:
            c, st = self.c, self.c.sats
            v = self.sat[s] = [st.n_tasks.item(s), st.committed_eu.item(s), st.backlog_work.item(s),
                               c.avail.item(s), c.bs.item(s), c.base.item(s), c.room.item(s),
                               st.energy_eu.item(s), c.cap.item(s), c.marg.item(s), c.maxe.item(s)]
        ks = self.todo.pop(s, None)
        if ks is not None:
            for k in ks:
                self._apply(v, k)
            self.dirty.add(s)
        return v

    def _apply(self, v: list, k: int) -> None:
        """The definition's update of one assignment, in Python floats."""
        maxq, maxb, need_min, work_min, w1, w2, w3 = self.consts
        v[0] = n = v[0] + 1
        v[1] = com = v[1] + self.need[k]
        v[2] = blog = v[2] + self.work[k]
        v[3] = avail = v[7] - com
        v[4] = bs = blog / v[8]
        if v[6] and not (n < maxq and avail - need_min >= v[9] and bs + work_min / v[8] <= maxb):
            v[6] = False  # closed: ineligible for every task of the batch from now on
            self.c.n_open -= 1
            self.c.n_closed_since_tiers += 1
        v[5] = (w1 * min(max(avail / v[10], 0.0), 1.0) + w2 * min(max(1.0 - bs / maxb, 0.0), 1.0)
                + w3 * (1.0 - n / maxq))

    def score(self, k: int, s: int, w4dc: float) -> float:
        """Current score of task k on assigned satellite s (-inf if ineligible); the same
        operations as `_score_pairs`, so the same bits."""
        _, _, _, avail, bs, base, room, _, cap, marg, maxe = self.state(s)
        head = avail - self.need[k]
        if not (room and head >= marg and bs + self.work[k] / cap <= self.c.maxb):
            return -math.inf
        return base - w4dc + self.c.w[4] * (self.pf[k] * min(max(head / maxe, 0.0), 1.0))

    def write_back(self, final: bool = False) -> None:
        """Store every change since the last write-back in the arrays (`final`: only the
        satellite load the caller reads; the walk's own terms are done with)."""
        c, st = self.c, self.c.sats
        if self.dirty:
            idx = np.fromiter(self.dirty, dtype=np.int64, count=len(self.dirty))
            cols = list(zip(*(self.sat[s][: 3 if final else 7] for s in self.dirty)))
            st.n_tasks[idx], st.committed_eu[idx], st.backlog_work[idx] = cols[0], cols[1], cols[2]
            if not final:
                c.avail[idx], c.bs[idx], c.base[idx], c.room[idx] = cols[3], cols[4], cols[5], cols[6]
            self.dirty = set()
        if self.todo:
            _apply_all(c, list(self.todo.items()), final)
            for s in self.todo:
                self.sat.pop(s, None)  # now stale: read from the arrays when next needed
            self.todo = {}


def _apply_all(c: _Context, items: list, final: bool) -> None:
    """`_Local._apply` for many satellites at once, on the arrays: the same operations in the
    same order (a satellite's tasks in rounds, first to last), so the same bits."""
    st, r = c.sats, 0
    idx = np.array([s for s, _ in items], dtype=np.int64)
    while items:
        sats = idx if r == 0 else np.array([s for s, _ in items], dtype=np.int64)
        ks = np.array([k[r] for _, k in items], dtype=np.int64)
        st.n_tasks[sats] += 1
        st.committed_eu[sats] += c.need[ks]
        st.backlog_work[sats] += c.work[ks]
        r += 1
        items = [item for item in items if len(item[1]) > r]
    if final:
        return
    w1, w2, w3, _, _ = c.w
    n, cap = st.n_tasks[idx], c.cap[idx]
    avail = c.avail[idx] = st.energy_eu[idx] - st.committed_eu[idx]
    bs = c.bs[idx] = st.backlog_work[idx] / cap
    c.base[idx] = (w1 * np.clip(avail / c.maxe[idx], 0.0, 1.0) + w2 * np.clip(1.0 - bs / c.maxb, 0.0, 1.0)
                   + w3 * (1.0 - n / c.maxq))
    was = c.room[idx]
    still = (n < c.maxq) & (avail - c.need_min >= c.marg[idx]) & (bs + c.work_min / cap <= c.maxb)
    closed = int(np.count_nonzero(was & ~still))
    c.room[idx] = was & still
    c.n_open -= closed
    c.n_closed_since_tiers += closed


def _brute(c: _Context, k: int) -> tuple[int, float]:
    """Task k scored against every open satellite on the current state (written back)."""
    g = np.flatnonzero(c.room)
    sc, _ = _score_pairs(c, g, np.full(len(g), k), bool(c.has_origin[k]))
    if len(g) == 0 or not np.max(sc) > -np.inf:
        return -1, math.nan
    j = int(np.argmax(sc))  # first maximum: lowest index
    return int(g[j]), float(sc[j])


def _visible(c: _Context, k: int) -> tuple[int, float]:
    """Task k (with an origin) scored against every member of the cells meeting its cap,
    on the current state (written back): the exact choice, as `_brute` but over the cap."""
    t = c.cells
    task, vcell, _ = _cell_pairs(c, np.array([k]))
    cell = vcell - c.task_cls[k] * t.n_cells  # geometric cell: class 0's virtual cell
    _, pos = expand(t.gstart[cell], t.gstart[cell + 1] - t.gstart[cell])
    g = t.gidx[pos]  # class 0's order holds the same members as the geometric cell
    if len(g) == 0:
        return -1, math.nan
    sc, _ = _score_pairs(c, g, np.full(len(g), k), True)
    m = sc.max()
    if not m > -np.inf:
        return -1, math.nan
    return int(g[sc == m].min()), float(m)


def _better(v: float, s: int, bv: float, bs: int) -> bool:
    return v > bv or (v == bv and v > -math.inf and s < bs)


def _decide(loc: _Local, pre: _Prefix, k: int, last: dict) -> tuple[int, float]:
    """Task k's choice on the current state from its prefix; (-2, nan) if it ran out.

    Satellites untaken since the prefix's state keep their scores; taken ones only lost
    score. So the first untaken prefix entry beats every satellite after it, and only the
    taken entries before it need their current score. If all entries were taken, the best
    of them wins if it still beats the prefix's bound on everything else. A taken entry
    lost at least w3 / max_queue (its queue term; every other term only fell too), so one
    whose prefix score minus that is clearly below the mark to beat is not re-scored.
    """
    j0 = k - pre.lo
    lo, hi = pre.ptr[j0], pre.ptr[j0 + 1]
    u = lo  # first untaken entry
    while u < hi and last.get(pre.sat[u], -1) >= pre.lo:
        u += 1
    mark = pre.score[u] if u < hi else pre.bound[j0]
    cut = mark + loc.drop  # prefix scores below this cannot reach the mark any more
    bs, bv = -1, -math.inf
    for j in range(lo, u):
        if pre.score[j] < cut:
            continue
        s = pre.sat[j]
        v = loc.score(k, s, pre.w4dc[j])
        if _better(v, s, bv, bs):
            bs, bv = s, v
    if u < hi:
        s, v = pre.sat[u], pre.score[u]
        return (s, v) if _better(v, s, bv, bs) else (bs, bv)
    if bv > mark:  # all entries taken, but the best of them still beats the rest
        return bs, bv
    return (-1, math.nan) if mark == -math.inf else (-2, math.nan)
