"""The pending queue: queued tasks indexed for delegation by region, then by delegation order.

Delegation order is high priority first, then task id ascending: `order_key` = (2 - priority)
<< 42 | id. Each task's region, its origin's cell on a fixed equal-area grid (`capgrid`; tasks
without an origin share one extra cell), is computed once, when the task is queued, and kept
with its needs and origin. Entries sit in segments sorted by (cell, order key), so the tasks of
one cell from a given point of the order on are one run, and every cell carries the least
energy need and work of its entries (a bound for skipping the whole cell):

- `main`, and `recent` (tasks queued since main was last rebuilt). The tasks queued in a tick
  merge into recent when the delegator next asks (`segments`); recent merges into main once it
  holds a quarter as many entries. Merges concatenate sorted runs, which numpy's stable sort
  (timsort for int64) merges in linear time, so an entry is re-sorted about log(backlog) times.
- A task that leaves the queue (assigned, dropped) keeps its entry until the segments are
  compacted (at a merge, or once the entries of departed tasks outnumber half of all
  entries); readers test `valid` against the task table, and each cell's `head` moves past
  the departed entries at its front as readers find them (high priority and old tasks leave
  first, so that is where they gather). Compaction keeps the order, so it needs no sort.

The queue also keeps the tasks in creation-time order (`expired`), so the tick finds the tasks
that waited too long without scanning the backlog.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .capgrid import cell_of
from .state import QUEUED

N_BANDS, N_LON = 16, 32  # task grid: 512 cells of about 2.5e-2 sr (~9 deg across)
N_GRID = N_BANDS * N_LON
NO_ORIGIN = N_GRID  # the cell of tasks without an origin
N_CELLS = N_GRID + 1
ID_BITS = 42
CELL_SHIFT = ID_BITS + 2  # ckey = cell << CELL_SHIFT | order key
OKEY_MASK = (1 << CELL_SHIFT) - 1
_ID_MASK = (1 << ID_BITS) - 1
_COMPACT_MIN = 4096  # entries of the creation-time index beyond twice the queue before compacting
_COLUMNS = ("ckey", "slot", "need", "work", "origin", "has", "priority")


def order_key(priority: np.ndarray, task_id: np.ndarray) -> np.ndarray:
    """Delegation order as one int64: ascending key = high priority first, then lowest id."""
    return ((2 - np.asarray(priority, dtype=np.int64)) << ID_BITS) | np.asarray(task_id, dtype=np.int64)


@dataclass
class Segment:
    """Entries sorted by ckey = cell << 44 | order key; per cell its run and its least needs."""

    ckey: np.ndarray  # int64, ascending
    slot: np.ndarray  # int64 slot in the task table
    need: np.ndarray  # EU
    work: np.ndarray  # work units
    origin: np.ndarray  # (n, 3) ECEF km
    has: np.ndarray  # bool: has an origin
    priority: np.ndarray  # int8
    start: np.ndarray  # (N_CELLS + 1,) run starts
    min_need: np.ndarray  # (N_CELLS,) least need of the cell's entries (a lower bound), inf when empty
    min_work: np.ndarray
    min_o_norm: float  # least origin radius of the entries with an origin, km (inf: none)
    head: np.ndarray = None  # (N_CELLS,) first entry of each cell that may still be queued

    def __post_init__(self):
        if self.head is None:
            self.head = self.start[:-1].copy()

    def __len__(self) -> int:
        return len(self.ckey)

    def okey(self, idx) -> np.ndarray:
        return self.ckey[idx] & OKEY_MASK

    def valid(self, idx, table) -> np.ndarray:
        """Mask of entries idx whose task is still queued (slots are reused: the id decides)."""
        return _queued(table, self.slot[idx], self.ckey[idx] & _ID_MASK)

    def columns(self) -> dict:
        return {k: getattr(self, k) for k in _COLUMNS}


def _fresh(cols: dict, min_o_norm: float) -> Segment:
    """A segment of new entries (any order): sorted, with each cell's least needs."""
    order = np.argsort(cols["ckey"], kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    start = np.searchsorted(cols["ckey"] >> CELL_SHIFT, np.arange(N_CELLS + 1))
    min_need, min_work = np.full(N_CELLS, np.inf), np.full(N_CELLS, np.inf)
    full = np.flatnonzero(start[1:] > start[:-1])
    min_need[full] = np.minimum.reduceat(cols["need"], start[full])
    min_work[full] = np.minimum.reduceat(cols["work"], start[full])
    return Segment(**cols, start=start, min_need=min_need, min_work=min_work, min_o_norm=min_o_norm)


def _merge(a: Segment, b: Segment) -> Segment:
    """One segment of both: the sorted runs merge in linear time (numpy's stable sort is timsort
    for int64), the cell bounds are the smaller of the two."""
    if len(a) == 0 or len(b) == 0:
        return b if len(a) == 0 else a
    cols = {k: np.concatenate([getattr(a, k), getattr(b, k)]) for k in _COLUMNS}
    order = np.argsort(cols["ckey"], kind="stable")
    return Segment(**{k: v[order] for k, v in cols.items()}, start=a.start + b.start,
                   min_need=np.minimum(a.min_need, b.min_need), min_work=np.minimum(a.min_work, b.min_work),
                   min_o_norm=min(a.min_o_norm, b.min_o_norm))


def _kept(seg: Segment, keep: np.ndarray) -> Segment:
    """The entries keep (ascending positions): order kept, cell bounds kept (still bounds)."""
    counts = np.bincount(seg.ckey[keep] >> CELL_SHIFT, minlength=N_CELLS)
    return Segment(**{k: v[keep] for k, v in seg.columns().items()}, start=np.concatenate(([0], np.cumsum(counts))),
                   min_need=seg.min_need, min_work=seg.min_work, min_o_norm=seg.min_o_norm)


def _empty() -> Segment:
    return _fresh({"ckey": np.zeros(0, np.int64), "slot": np.zeros(0, np.int64), "need": np.zeros(0),
                   "work": np.zeros(0), "origin": np.zeros((0, 3)), "has": np.zeros(0, bool),
                   "priority": np.zeros(0, np.int8)}, np.inf)


class _ByAge:
    """Queued tasks in creation-time order (time, slot, id) in [head, n) of growable arrays:
    the ones to expire are a prefix. A push is appended, or merged into the tail it is older
    than (a command stamped before the tick that applies it: a few entries); departed entries
    go as the head passes them or at a compaction."""

    def __init__(self):
        self.t, self.slot, self.id = np.zeros(1024), np.zeros(1024, np.int64), np.zeros(1024, np.int64)
        self.head = self.n = 0

    def push(self, created_at, slots, task_id) -> None:
        t = np.array(created_at, dtype=np.float64)
        k = len(t)
        order = np.argsort(t, kind="stable")
        t, slots, task_id = t[order], np.asarray(slots, np.int64)[order], np.asarray(task_id, np.int64)[order]
        self._room(k)
        # First position whose time is above the push's oldest: the tail from there re-sorts.
        p = self.head + int(np.searchsorted(self.t[self.head : self.n], t[0], side="right"))
        cols = [np.concatenate([a[p : self.n], b]) for a, b in ((self.t, t), (self.slot, slots), (self.id, task_id))]
        order = np.argsort(cols[0], kind="stable")
        end = self.n + k
        self.t[p:end], self.slot[p:end], self.id[p:end] = (c[order] for c in cols)
        self.n = end

    def _room(self, k: int) -> None:
        """Space for k more entries: drop what is before the head, grow 2x when still short."""
        if self.n + k <= len(self.t):
            return
        live = slice(self.head, self.n)
        size = max(len(self.t), 2 * (self.n - self.head + k))
        for name in ("t", "slot", "id"):
            old = getattr(self, name)
            new = np.zeros(size, old.dtype)
            new[: self.n - self.head] = old[live]
            setattr(self, name, new)
        self.n -= self.head
        self.head = 0

    def expired(self, now: float, max_wait_s: float, table, n_queued: int) -> np.ndarray:
        """Slots (ascending) of the queued tasks with now - created_at > max_wait_s, taken out."""
        t, k, step = self.t, self.head, 256
        while k < self.n:  # now - t falls along t (float subtraction is monotone): a prefix
            old = now - t[k : min(k + step, self.n)] > max_wait_s
            if not old.all():
                k += int(np.argmin(old))
                break
            k += len(old)
            step *= 4
        slot, tid = self.slot[self.head : k], self.id[self.head : k]
        self.head = k
        out = np.sort(slot[_queued(table, slot, tid)])
        if self.n - self.head > 2 * n_queued + _COMPACT_MIN:  # mostly departed: compact
            sl = slice(self.head, self.n)
            live = np.flatnonzero(_queued(table, self.slot[sl], self.id[sl]))
            m = len(live)
            self.t[:m], self.slot[:m], self.id[:m] = self.t[sl][live], self.slot[sl][live], self.id[sl][live]
            self.head, self.n = 0, m
        return out


def _queued(table, slot, tid) -> np.ndarray:
    return (table.status[slot] == QUEUED) & (table.task_id[slot] == tid)


class PendingQueue:
    """Queued tasks for the delegator; see the module docstring."""

    def __init__(self):
        self.main, self.recent = _empty(), _empty()
        self._new: list[dict] = []
        self._new_o_norm = np.inf
        self.departed = 0  # entries whose task has left the queue (upper bound)
        self.by_age = _ByAge()

    def expired(self, now: float, max_wait_s: float, table, n_queued: int) -> np.ndarray:
        """Slots (ascending) of the queued tasks waiting longer than max_wait_s at `now` (the
        engine drops them); cost: those tasks and the departed ones older than them."""
        return self.by_age.expired(now, max_wait_s, table, n_queued)

    def push(self, slots, task_id, priority, need, work, origin_ecef_km, has_origin, created_at) -> None:
        """Queue tasks (their slots in the task table and their columns)."""
        if len(slots) == 0:
            return
        self.by_age.push(created_at, slots, task_id)
        origin = np.asarray(origin_ecef_km, dtype=np.float64).reshape(-1, 3)
        has = np.asarray(has_origin, dtype=bool)
        r = np.sqrt(np.einsum("ij,ij->i", origin, origin))
        if has.any():
            self._new_o_norm = min(self._new_o_norm, float(np.min(r[has])))
        cell = np.where(has, cell_of(origin[:, 0], origin[:, 1], origin[:, 2], np.where(r > 0, r, 1.0),
                                     N_BANDS, N_LON), NO_ORIGIN)
        self._new.append({"ckey": (cell << CELL_SHIFT) | order_key(priority, task_id),
                          "slot": np.asarray(slots, dtype=np.int64),
                          "need": np.array(need, dtype=np.float64), "work": np.array(work, dtype=np.float64),
                          "origin": origin.copy(), "has": has.copy(),
                          "priority": np.array(priority, dtype=np.int8)})

    def left(self, n: int) -> None:
        """n queued tasks left the queue (their entries go at the next compaction)."""
        self.departed += int(n)

    def segments(self, table) -> list[Segment]:
        """The non-empty segments, with the tasks pushed so far merged in."""
        if self._new:
            fresh = {k: np.concatenate([p[k] for p in self._new]) for k in _COLUMNS}
            self.recent = _merge(self.recent, _fresh(fresh, self._new_o_norm))
            self._new, self._new_o_norm = [], np.inf
        if 4 * len(self.recent) > len(self.main):  # merged without the departed entries
            self._compact(table)
            self.main, self.recent = _merge(self.main, self.recent), _empty()
        elif 2 * self.departed > len(self.main) + len(self.recent):
            self._compact(table)
        return [s for s in (self.main, self.recent) if len(s)]

    def _compact(self, table) -> None:
        """Drop the entries of tasks no longer queued (order kept, no sort)."""
        self.main, self.recent = (_kept(s, np.flatnonzero(s.valid(slice(None), table))) for s in (self.main, self.recent))
        self.departed = 0
