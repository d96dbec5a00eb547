"""Delegation over the pending queue: the same choices as `delegate` on the whole queue in order,
at a cost that follows the tasks that can be placed, not the backlog.

Why it is exact. `delegate` is the sequential argmax of the documented score over tasks in
order, and an assignment only lowers its satellite's room (energy, backlog, queue). So:
1. A task that no satellite could take on the state at some point of the walk cannot take one
   later in the walk either: skipping it changes nothing (it gets -1 in either case).
2. The walk may be cut into consecutive runs of tasks, each delegated on the state the runs
   before it left.
3. A satellite that cannot take the queue's smallest need and work (exact float tests, as
   `delegate`'s own) is ineligible for every task: the runs see only the others (`can_take`, in
   ascending index, so ties still go to the lowest index), gathered into small arrays.

The sweep, per tick: rounds over the order. Before each round, every open satellite puts its
energy room (avail - margin) and work room ((max_backlog_s - backlog_s) * capacity), with a
relative slack of 1e-9 for rounding, on the task cells its visibility cap meets (`capgrid`;
the cap of its radius seen from the lowest origin of the queue, so every origin that can see it
at min elevation lies in those cells); cells without an origin get the maxima over all open
satellites. A cell whose least need or work is above its rooms is skipped whole; in the others
an entry whose need or work is above them is skipped (point 1). A round reads the next `per`
entries of each live cell and covers the order up to the first entry some live cell could not
give, or less so that it picks at most 2 tasks per free task slot, 64 at least (a round is a prefix of the
remaining order: point 2). The picked tasks go to `dense.delegate_dense` with, for each, the
satellites whose cap meets its cell (or to `delegate` when those are many). `per` grows 4x after
a round that was not cut short. The sweep ends when no open satellite or no live cell is left.
With many open satellites for the queue (4 per entry), there is one round without bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .capgrid import cap_cells, expand, visibility_radius
from .delegator import SatLoad, TaskBatch, delegate
from .dense import DENSE_MAX_PAIRS, delegate_dense
from .pending import CELL_SHIFT, N_BANDS, N_CELLS, N_LON, NO_ORIGIN, PendingQueue, Segment

_ROOM_SLACK = 1e-9  # relative: rounding of the exact tests is ~1e-16
_GROWTH = 4  # entries read per live cell grow this much a round that was not capped
_NO_CUT = np.iinfo(np.int64).max
_FIRST_PER = 4  # entries read per live cell in the first round
_MIN_ROUND = 64  # a round picks at most this many tasks, or _ROUND_PER_SLOT per free task slot
_ROUND_PER_SLOT = 2
_DENSE_PER_TASK = 32  # candidate pairs a task, at most, for the dense walk
_OPEN_PER_ENTRY = 4  # open satellites x this above the queued entries: no region bounds, one round


class _Sats:
    """The open satellites' terms for bounds and the runs (gathered once a round)."""

    def __init__(self, s: SatLoad, cfg):
        self.s, self.cfg = s, cfg
        self.maxq, self.maxb = int(cfg.max_queue), float(cfg.max_backlog_s)
        self.margin_frac = cfg.energy_margin_pct / 100.0

    def can_take(self, idx: np.ndarray, need_min: float, work_min: float) -> np.ndarray:
        """The satellites of idx that can take a task of need need_min and work work_min
        (the same float tests as `delegate`: monotone, so exact for every larger task)."""
        s = self.s
        every = len(idx) == len(s.energy_eu)  # idx is arange(N): no gathers
        cap, energy, committed, blackout, serving, n_tasks, maxe, backlog = (
            v if every else v[idx] for v in (s.processing_capacity, s.energy_eu, s.committed_eu, s.blackout,
                                              s.serving(), s.n_tasks, s.max_energy_eu, s.backlog_work))
        avail = energy - committed
        ok = ~blackout & serving & (n_tasks < self.maxq)
        ok &= avail - need_min >= self.margin_frac * maxe
        ok &= backlog / cap + work_min / cap <= self.maxb
        return idx[ok]

    def rooms(self, idx: np.ndarray):
        """(energy room EU, work room work units), each padded up by the rounding slack."""
        s = self.s
        avail = s.energy_eu[idx] - s.committed_eu[idx]
        marg = self.margin_frac * s.max_energy_eu[idx]
        e = avail - marg
        e += _ROOM_SLACK * (np.abs(avail) + np.abs(marg))
        cap = s.processing_capacity[idx]
        bs = s.backlog_work[idx] / cap
        w = (self.maxb - bs) * cap
        w += _ROOM_SLACK * (self.maxb + np.abs(bs)) * cap
        return e, w

    def load(self, idx: np.ndarray) -> SatLoad:
        """The load of satellites idx (ascending): gathered copies, or the load itself for all."""
        s = self.s
        if len(idx) == len(s.energy_eu):
            return s
        return SatLoad(s.pos_ecef_km[idx], s.energy_eu[idx], s.max_energy_eu[idx], s.committed_eu[idx],
                       s.backlog_work[idx], s.processing_capacity[idx], s.n_tasks[idx], s.blackout[idx],
                       s.serving()[idx])

    def store(self, idx: np.ndarray, sub: SatLoad) -> None:
        s = self.s
        if sub is s:
            return
        s.committed_eu[idx], s.backlog_work[idx], s.n_tasks[idx] = sub.committed_eu, sub.backlog_work, sub.n_tasks


@dataclass
class Caps:
    """The task cells each satellite of idx0 (the tick's first open set) may be seen from:
    (position in idx0, cell) pairs sorted by cell, `start` each cell's run. Positions do not
    change within a tick, so this is computed once; rounds only re-read the rooms."""

    idx0: np.ndarray
    pos: np.ndarray
    start: np.ndarray
    cells: np.ndarray  # the cells with pairs
    firsts: np.ndarray  # their runs' starts


def satellite_caps(sats: _Sats, idx0: np.ndarray, o_norm_min: float) -> Caps:
    """`Caps` of the satellites idx0: each one's visibility cap (of its radius, seen from the
    lowest origin radius o_norm_min km) on the task grid, and every one on NO_ORIGIN."""
    row, cell = np.zeros(0, np.int64), np.zeros(0, np.int64)
    if math.isfinite(o_norm_min) and len(idx0):
        p = sats.s.pos_ecef_km[idx0]
        r = np.sqrt(np.einsum("ij,ij->i", p, p))
        lam = visibility_radius(r, o_norm_min, math.radians(sats.cfg.min_elevation_deg))
        lat = np.arcsin(np.clip(p[:, 2] / r, -1.0, 1.0))
        row, cell = cap_cells(lat, np.arctan2(p[:, 1], p[:, 0]), lam, N_BANDS, N_LON)
    row = np.concatenate([row, np.arange(len(idx0))])
    cell = np.concatenate([cell, np.full(len(idx0), NO_ORIGIN)])
    order = np.argsort(cell, kind="stable")
    row, cell = row[order], cell[order]
    start = np.searchsorted(cell, np.arange(N_CELLS + 1))
    cells = np.flatnonzero(start[1:] > start[:-1])
    return Caps(idx0, row, start, cells, start[cells])


@dataclass
class Rooms:
    """Per task cell (N_CELLS,): the largest energy and work room of the open satellites an
    origin in the cell may see (-inf: none); `sub` maps positions in idx0 to positions in the
    current open set (-1: closed). caps None: every satellite counts everywhere."""

    energy: np.ndarray
    work: np.ndarray
    caps: Caps | None = None
    sub: np.ndarray | None = None


def cell_rooms(sats: _Sats, caps: Caps, idx: np.ndarray) -> Rooms:
    """The rooms of the open satellites idx (a subset of caps.idx0) on their caps' cells."""
    e_cell, w_cell = np.full(N_CELLS, -np.inf), np.full(N_CELLS, -np.inf)
    sub = np.full(len(caps.idx0), -1, dtype=np.int64)
    sub[np.searchsorted(caps.idx0, idx)] = np.arange(len(idx))
    if len(caps.cells):
        e, w = sats.rooms(caps.idx0)
        closed = sub < 0
        e[closed], w[closed] = -np.inf, -np.inf
        e_cell[caps.cells] = np.maximum.reduceat(e[caps.pos], caps.firsts)
        w_cell[caps.cells] = np.maximum.reduceat(w[caps.pos], caps.firsts)
    return Rooms(e_cell, w_cell, caps, sub)


def _candidate_pairs(rooms: Rooms, cells: np.ndarray):
    """(task, satellite position in the open set) pairs: each task with the open satellites
    whose cap meets its cell."""
    start = rooms.caps.start
    lo = start[cells]
    task, pos = expand(lo, start[cells + 1] - lo)
    sat = rooms.sub[rooms.caps.pos[pos]]
    keep = np.flatnonzero(sat >= 0)
    return task[keep], sat[keep]


def _fits(v, room):
    """v may fit in room (room padded already; a relative slack on v too)."""
    return v * (1.0 - _ROOM_SLACK) <= room


def _round(segs: list[Segment], cursors: list[np.ndarray], rooms: Rooms, per: int, most: int, table):
    """One round: (picked entries per segment, in cell order; whether the round stopped at
    `most` picks; whether any live cell has entries left).

    Reads the next `per` entries of each live cell; the round covers the order up to `cut`: the
    first entry some live cell could not give, or sooner so that at most `most` entries are
    picked. Advances the cursors past the entries it covered (picked or skipped)."""
    e_cell, w_cell = rooms.energy, rooms.work
    cut, reads = _NO_CUT, []
    for seg, cur in zip(segs, cursors):
        end = seg.start[1:]
        cells = np.flatnonzero((cur < end) & _fits(seg.min_need, e_cell) & _fits(seg.min_work, w_cell))
        rest = end[cells] - cur[cells]
        more = rest > per
        if more.any():
            cut = min(cut, int(np.min(seg.okey(cur[cells[more]] + per))))
        run, pos = expand(cur[cells], np.minimum(rest, per))
        cell = cells[run]
        okey = seg.okey(pos)
        valid = seg.valid(pos, table)
        _skip_departed(seg, cur, cells, run, pos, valid)
        ok = _fits(seg.need[pos], e_cell[cell]) & _fits(seg.work[pos], w_cell[cell]) & (okey < cut)
        ok &= valid
        reads.append((cells, run, pos, okey, ok))
    picked = np.concatenate([r[3][r[4]] for r in reads])
    capped = len(picked) > most
    if capped:
        cut = int(np.partition(picked, most)[most])  # the (most+1)-th pick starts the next round
    picks, remaining = [], False
    for seg, cur, (cells, run, pos, okey, ok) in zip(segs, cursors, reads):
        before = okey < cut
        cur[cells] += np.bincount(run, weights=before, minlength=len(cells)).astype(np.int64)
        remaining |= bool(np.any(cur[cells] < seg.start[1:][cells]))
        picks.append((seg, pos[ok & before]))
    return picks, capped, remaining


def _skip_departed(seg: Segment, cur, cells, run, pos, valid) -> None:
    """Move the heads of cells read from their head past the departed entries found there."""
    at_head = cur[cells] == seg.head[cells]
    if not at_head.any():
        return
    first_valid = np.bincount(run, minlength=len(cells))  # read count: none valid
    np.minimum.at(first_valid, run[valid], (pos - cur[cells][run])[valid])
    seg.head[cells[at_head]] += first_valid[at_head]


def _batch(picks):
    """(slots, cells, TaskBatch) of the picked entries, in delegation order."""
    parts = [(seg, pos) for seg, pos in picks if len(pos)]
    if not parts:
        return np.zeros(0, np.int64), None, None
    okey = np.concatenate([seg.okey(pos) for seg, pos in parts])
    order = np.argsort(okey, kind="stable")

    def col(name):
        return np.concatenate([getattr(seg, name)[pos] for seg, pos in parts])[order]

    cells = col("ckey") >> CELL_SHIFT
    return col("slot"), cells, TaskBatch(col("origin"), col("has"), col("need"), col("work"), col("priority"))


def queue_batch(queue: PendingQueue, table) -> tuple[np.ndarray, TaskBatch | None]:
    """(slots, TaskBatch) of every queued task in delegation order: what `delegate_queue`
    assigns as `delegate` would (for tests and benchmarks; O(backlog))."""
    segs = queue.segments(table)
    picks = [(seg, np.flatnonzero(seg.valid(slice(None), table))) for seg in segs]
    slots, _, batch = _batch(picks)
    return slots, batch


def delegate_queue(queue: PendingQueue, table, sats: SatLoad, cfg):
    """Assign queued tasks exactly as `delegate` over the whole queue in delegation order would.

    Returns (slots, sat_index, score) of the assignments, in delegation order; mutates the
    satellite load as `delegate` does.
    """
    out_slot, out_sat, out_score = [], [], []
    segs = queue.segments(table)
    if segs:
        _sweep(segs, _Sats(sats, cfg), table, out_slot, out_sat, out_score)
    if not out_slot:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(out_slot), np.concatenate(out_sat), np.concatenate(out_score)


def _sweep(segs, sats: _Sats, table, out_slot, out_sat, out_score) -> None:
    need_min = min(float(np.min(s.min_need)) for s in segs)
    work_min = min(float(np.min(s.min_work)) for s in segs)
    o_norm_min = min(s.min_o_norm for s in segs)
    idx = sats.can_take(np.arange(len(sats.s.energy_eu)), need_min, work_min)
    cursors = [s.head.copy() for s in segs]
    entries = sum(len(s) for s in segs)
    per, caps = _FIRST_PER, None
    while len(idx):
        if len(idx) * _OPEN_PER_ENTRY > entries:  # few tasks for the open satellites: all at once
            rooms = Rooms(np.full(N_CELLS, np.inf), np.full(N_CELLS, np.inf))
            per, most = entries, entries
        else:
            caps = caps or satellite_caps(sats, idx, o_norm_min)
            rooms = cell_rooms(sats, caps, idx)
            free = int(np.sum(sats.maxq - sats.s.n_tasks[idx]))
            most = max(_MIN_ROUND, _ROUND_PER_SLOT * free)
        picks, capped, remaining = _round(segs, cursors, rooms, per, most, table)
        slots, cells, batch = _batch(picks)
        if len(slots):
            sub = sats.load(idx)
            if rooms.caps is None:
                n_pairs = len(slots) * len(idx)
            else:  # satellites' caps meeting the tasks' cells (closed ones included: a bound)
                n_pairs = int(np.sum(rooms.caps.start[cells + 1] - rooms.caps.start[cells]))
            if n_pairs <= min(DENSE_MAX_PAIRS, _DENSE_PER_TASK * len(slots)):
                pairs = None if rooms.caps is None else _candidate_pairs(rooms, cells)
                sat_i, score = delegate_dense(batch, sub, sats.cfg, pairs)
            else:  # many candidates a task: the prefix walk's search is cheaper
                sat_i, score = delegate(batch, sub, sats.cfg)
            sats.store(idx, sub)
            ok = sat_i >= 0
            out_slot.append(slots[ok])
            out_sat.append(idx[sat_i[ok]])
            out_score.append(score[ok])
        if not remaining:
            return
        if len(slots):
            idx = sats.can_take(idx, need_min, work_min)
        if not capped:
            per *= _GROWTH
