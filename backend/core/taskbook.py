"""Task lifecycle bookkeeping: live table, exact counters per priority, recent finished records.

Live tasks (queued, running) sit in `state.Tasks`. Finished tasks leave the table and go into a
fixed-size ring of recent records; counters stay exact forever, so memory is bounded.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .dates import sim_iso
from .frames import geodetic_to_ecef
from .ids import optional_id, sat_id, task_id as format_task_id
from .pending import PendingQueue
from .state import COMPLETED, DROP_REASONS, DROPPED, PRIORITIES, QUEUED, RUNNING, STATUS_NAMES, Tasks
from .ticklog import TickEvents

RECENT_CAPACITY = 20_000


def _origin(has, lat, lon):
    return {"lat": float(lat), "lon": float(lon)} if has else None


def _created_payload(i, c, epoch_unix_s: float):
    return {
        "task_id": format_task_id(c["id"][i]), "priority": PRIORITIES[c["priority"][i]],
        "energy_need": float(c["energy"][i]), "processing_power_needed": float(c["work"][i]),
        "origin": _origin(c["has"][i], c["lat"][i], c["lon"][i]),
        "created_at": sim_iso(epoch_unix_s, c["t"][i]), "created_at_s": float(c["t"][i]),
    }


def _assigned_payload(i, c):
    return {
        "task_id": format_task_id(c["id"][i]), "satellite_id": sat_id(c["sat"][i]),
        "latency_s": float(c["latency"][i]), "score": float(c["score"][i]),
    }


def _completed_payload(i, c):
    return {
        "task_id": format_task_id(c["id"][i]), "satellite_id": sat_id(c["sat"][i]),
        "energy_used": float(c["energy"][i]), "duration_s": float(c["duration"][i]),
    }


def _dropped_payload(i, c):
    sat = int(c["sat"][i])
    return {
        "task_id": format_task_id(c["id"][i]), "reason": DROP_REASONS[c["reason"][i]],
        "satellite_id": optional_id("sat", sat),
    }


class Recent:
    """Ring buffer of finished task records (columnar)."""

    FIELDS = ("task_id", "created_at", "assigned_at", "finished_at", "energy_need", "work",
              "priority", "origin_lat", "origin_lon", "has_origin", "sat", "status", "reason")

    def __init__(self, capacity: int = RECENT_CAPACITY):
        self.capacity = capacity
        self.cols = {
            "task_id": np.full(capacity, -1, np.int64), "created_at": np.zeros(capacity),
            "assigned_at": np.full(capacity, np.nan), "finished_at": np.zeros(capacity),
            "energy_need": np.zeros(capacity), "work": np.zeros(capacity),
            "priority": np.zeros(capacity, np.int8), "origin_lat": np.zeros(capacity),
            "origin_lon": np.zeros(capacity), "has_origin": np.zeros(capacity, bool),
            "sat": np.full(capacity, -1, np.int64), "status": np.zeros(capacity, np.int8),
            "reason": np.full(capacity, -1, np.int8),
        }
        self.head = 0

    def push(self, rows: dict) -> None:
        """Append rows (dict of equal-length arrays); the oldest are overwritten."""
        n = len(rows["task_id"])
        if n == 0:
            return
        if n > self.capacity:
            rows = {k: v[-self.capacity:] for k, v in rows.items()}
            n = self.capacity
        idx = _ring_index(self.head, n, self.capacity)
        for k, v in rows.items():
            self.cols[k][idx] = v
        self.head = int((self.head + n) % self.capacity)

    def find(self, task_id: int) -> int | None:
        hit = np.flatnonzero(self.cols["task_id"] == task_id)
        return int(hit[0]) if len(hit) else None


def _ring_index(start: int, n: int, size: int):
    """Positions of n slots from start in a ring of size (n <= size): a slice when they do not
    wrap (no index array), else the wrapped indices."""
    end = start + n
    return slice(start, end) if end <= size else np.arange(start, end) % size


class TaskBook:
    """Owns the live table, the id sequence, the counters and the recent ring."""

    def __init__(self, capacity: int, epoch_unix_s: float = 0.0):
        self.epoch_unix_s = epoch_unix_s  # the simulated date of sim time 0 (unix s), for ISO dates
        self.tasks = Tasks(capacity)
        self.pending = PendingQueue()  # the queued tasks, indexed for the delegator
        self.n_queued = 0
        self.next_id = 0
        self.created = np.zeros(3, np.int64)
        self.completed = np.zeros(3, np.int64)
        self.dropped = np.zeros((3, len(DROP_REASONS)), np.int64)
        self.recent = Recent()
        self.latency_sum_s = 0.0
        self.latency_samples = np.zeros(4096)  # ring of recent delegation latencies, sim s
        self.latency_n = 0

    def ensure_capacity(self, capacity: int) -> None:
        """Grow the live table (config raised queue sizes); live rows keep their slots."""
        old = self.tasks
        if capacity <= old.capacity:
            return
        new = Tasks(capacity)
        for name, arr in vars(old).items():
            if isinstance(arr, np.ndarray) and name != "_free" and arr.shape[:1] == (old.capacity,):
                getattr(new, name)[: old.capacity] = arr
        free_new = np.arange(capacity - 1, old.capacity - 1, -1, dtype=np.int64)
        new._free[: len(free_new)] = free_new
        new._free[len(free_new): len(free_new) + old.n_free] = old._free[: old.n_free]
        new._n_free = len(free_new) + old.n_free
        new.used = old.used
        self.tasks = new

    def reserve_ids(self, n: int) -> np.ndarray:
        """Take the next n task ids (the caller serialises access)."""
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        self.next_id += n
        return ids

    def add(self, new, ids: np.ndarray, created_at: np.ndarray, has_origin: np.ndarray,
            queue_capacity: int, ev: TickEvents) -> np.ndarray:
        """Create tasks from NewTasks columns; overflow is dropped as queue_full. Returns slots."""
        t = self.tasks
        n = len(new)
        np.add.at(self.created, new.priority, 1)
        cols = {"id": ids, "priority": new.priority, "energy": new.energy_need, "work": new.work,
                "has": has_origin, "lat": new.origin_lat, "lon": new.origin_lon, "t": created_at}
        ev.emit_columns("task.created", n, partial(_created_payload, epoch_unix_s=self.epoch_unix_s), cols)
        room = max(0, min(queue_capacity - self.n_queued, t.n_free))
        keep = min(n, room)
        if keep < n:
            self._drop_new(ids[keep:], new, slice(keep, n), created_at, has_origin, ev)
        slots = t.allocate(keep)
        t.task_id[slots] = ids[:keep]
        t.created_at[slots] = created_at[:keep]
        t.energy_need[slots] = new.energy_need[:keep]
        t.work[slots] = new.work[:keep]
        t.work_done[slots] = 0.0
        t.priority[slots] = new.priority[:keep]
        t.origin_lat[slots] = new.origin_lat[:keep]
        t.origin_lon[slots] = new.origin_lon[:keep]
        t.has_origin[slots] = has_origin[:keep]
        t.origin_ecef_km[slots] = geodetic_to_ecef(new.origin_lat[:keep], new.origin_lon[:keep], np.zeros(keep))
        t.status[slots] = QUEUED
        t.sat[slots] = -1
        t.assigned_at[slots] = np.nan
        self.pending.push(slots, ids[:keep], new.priority[:keep], new.energy_need[:keep], new.work[:keep],
                          t.origin_ecef_km[slots], has_origin[:keep], t.created_at[slots])
        self.n_queued += keep
        return slots

    def _drop_new(self, ids, new, sel, created_at, has_origin, ev):
        """Record never-stored tasks as dropped queue_full."""
        k = len(ids)
        pr = new.priority[sel]
        np.add.at(self.dropped[:, 0], pr, 1)
        rows = {"task_id": ids, "created_at": created_at[sel], "assigned_at": np.full(k, np.nan),
                "finished_at": created_at[sel], "energy_need": new.energy_need[sel], "work": new.work[sel],
                "priority": pr, "origin_lat": new.origin_lat[sel], "origin_lon": new.origin_lon[sel],
                "has_origin": has_origin[sel], "sat": np.full(k, -1), "status": np.full(k, DROPPED),
                "reason": np.zeros(k, np.int8)}
        self.recent.push(rows)
        ev.emit_columns("task.dropped", k, _dropped_payload,
                        {"id": ids, "reason": np.zeros(k, np.int8), "sat": np.full(k, -1)})

    def assign(self, slots, sat_idx, scores, now: float, ev: TickEvents) -> None:
        """Mark slots running on sat_idx (all >= 0)."""
        t = self.tasks
        self.pending.left(len(slots))
        self.n_queued -= len(slots)
        t.status[slots] = RUNNING
        t.sat[slots] = sat_idx
        t.assigned_at[slots] = now
        latency = now - t.created_at[slots]
        self._record_latency(latency)
        ev.emit_columns("task.assigned", len(slots), _assigned_payload,
                        {"id": t.task_id[slots], "sat": sat_idx, "latency": latency, "score": scores})

    def _record_latency(self, latency: np.ndarray) -> None:
        n = len(latency)
        if n == 0:
            return
        self.latency_sum_s += float(latency.sum())
        size = len(self.latency_samples)
        idx = _ring_index(self.latency_n % size, min(n, size), size)
        self.latency_samples[idx] = latency[-size:]
        self.latency_n += n

    def finish(self, slots, status: int, reason: int, now: float, ev: TickEvents) -> None:
        """Move slots out of the live table as completed or dropped(reason)."""
        if len(slots) == 0:
            return
        t = self.tasks
        n_q = int(np.count_nonzero(t.status[slots] == QUEUED))
        self.pending.left(n_q)
        self.n_queued -= n_q
        pr = t.priority[slots]
        k = len(slots)
        rows = {"task_id": t.task_id[slots], "created_at": t.created_at[slots],
                "assigned_at": t.assigned_at[slots], "finished_at": np.full(k, now),
                "energy_need": t.energy_need[slots], "work": t.work[slots], "priority": pr,
                "origin_lat": t.origin_lat[slots], "origin_lon": t.origin_lon[slots],
                "has_origin": t.has_origin[slots], "sat": t.sat[slots],
                "status": np.full(k, status, np.int8), "reason": np.full(k, reason, np.int8)}
        self.recent.push(rows)
        if status == COMPLETED:
            np.add.at(self.completed, pr, 1)
            ev.emit_columns("task.completed", k, _completed_payload,
                            {"id": rows["task_id"], "sat": rows["sat"], "energy": rows["energy_need"],
                             "duration": now - rows["assigned_at"]})
        else:
            np.add.at(self.dropped[:, reason], pr, 1)
            ev.emit_columns("task.dropped", k, _dropped_payload,
                            {"id": rows["task_id"], "reason": rows["reason"], "sat": rows["sat"]})
        t.release(np.asarray(slots, dtype=np.int64))

    def live_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(queued per priority, running per priority)."""
        t = self.tasks
        st, pr = t.status[: t.used], t.priority[: t.used]
        queued = np.bincount(pr[st == QUEUED], minlength=3)
        running = np.bincount(pr[st == RUNNING], minlength=3)
        return queued, running

    def counters(self) -> dict:
        """Exact task counters, overall and per priority; created = queued+running+completed+dropped."""
        queued, running = self.live_counts()

        def block(p):
            sel = slice(None) if p is None else p
            drops = self.dropped[sel].reshape(-1, len(DROP_REASONS)).sum(axis=0)
            return {
                "created": int(np.sum(self.created[sel])), "queued": int(np.sum(queued[sel])),
                "running": int(np.sum(running[sel])), "completed": int(np.sum(self.completed[sel])),
                "dropped": int(drops.sum()),
                "dropped_by_reason": {r: int(drops[k]) for k, r in enumerate(DROP_REASONS)},
            }

        out = block(None)
        out["by_priority"] = {name: block(p) for p, name in enumerate(PRIORITIES)}
        return out

    def latency_percentiles(self) -> dict:
        """p50/p99 delegation latency (sim s) over the recent sample window."""
        n = min(self.latency_n, len(self.latency_samples))
        if n == 0:
            return {"p50": None, "p99": None, "mean": None}
        s = self.latency_samples[:n]
        return {"p50": float(np.percentile(s, 50)), "p99": float(np.percentile(s, 99)),
                "mean": self.latency_sum_s / self.latency_n}

    def record(self, task_id: int) -> dict | None:
        """One task as JSON (live or recent), or None if unknown or forgotten."""
        t = self.tasks
        hit = np.flatnonzero(t.task_id == task_id)
        if len(hit):
            s = int(hit[0])
            sat = int(t.sat[s])
            return _task_dict(task_id, self.epoch_unix_s, t.created_at[s], t.energy_need[s], t.work[s], t.priority[s],
                              t.has_origin[s], t.origin_lat[s], t.origin_lon[s], int(t.status[s]),
                              sat, t.assigned_at[s], t.work_done[s] / t.work[s], None, None)
        r = self.recent.find(task_id)
        if r is None:
            return None
        c = {k: v[r] for k, v in self.recent.cols.items()}
        status = int(c["status"])
        return _task_dict(task_id, self.epoch_unix_s, c["created_at"], c["energy_need"], c["work"], c["priority"],
                          c["has_origin"], c["origin_lat"], c["origin_lon"], status, int(c["sat"]),
                          c["assigned_at"], 1.0 if status == COMPLETED else None, c["finished_at"],
                          DROP_REASONS[c["reason"]] if status == DROPPED else None)


def _task_dict(task_id, epoch_unix_s, created, energy, work, prio, has, lat, lon, status, sat, assigned,
               progress, finished, reason) -> dict:
    """One task as JSON: created_at is the ISO 8601 simulated date, created_at_s its sim seconds."""
    return {
        "task_id": format_task_id(task_id), "created_at": sim_iso(epoch_unix_s, created),
        "created_at_s": float(created), "energy_need": float(energy),
        "processing_power_needed": float(work), "priority": PRIORITIES[int(prio)],
        "origin": _origin(has, lat, lon), "status": STATUS_NAMES[status],
        "satellite_id": optional_id("sat", sat),
        "assigned_at": None if np.isnan(assigned) else float(assigned),
        "progress": None if progress is None else float(progress),
        "finished_at": None if finished is None else float(finished), "drop_reason": reason,
    }
