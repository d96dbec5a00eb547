"""Delegation over the pending queue (sweep.py, pending.py) against the plain sequential brute
force of test_delegator.reference, on saturated states: backlogs far larger than the free
task slots, several ticks in a row with slots freed, satellites moved and tasks departed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backend.core.delegator import SatLoad
from backend.core.params import SimConfig
from backend.core.smoke import NewTasks
from backend.core.state import QUEUED, RUNNING
from backend.core.sweep import delegate_queue, queue_batch
from backend.core.taskbook import TaskBook
from backend.core.ticklog import TickEvents

from .test_delegator import R, copy_sats, reference


def walker(rng, n, planes=15, alt_km=550.0):
    """A Walker shell at 53 deg (as the engine builds), random loads: most satellites full
    (max_queue 8), some with one or two free slots, some with little energy or backlog room,
    a few in blackout."""
    per = math.ceil(n / planes)
    i = np.arange(n)
    raan, u = 2 * np.pi * (i // per) / planes, 2 * np.pi * ((i % per) / per + (i // per) / (planes * per))
    inc = math.radians(53.0)
    pos = (R + alt_km) * np.stack([np.cos(raan) * np.cos(u) - np.sin(raan) * np.sin(u) * math.cos(inc),
                                   np.sin(raan) * np.cos(u) + np.cos(raan) * np.sin(u) * math.cos(inc),
                                   np.sin(u) * math.sin(inc)], axis=1)
    maxe = np.full(n, 1000.0)
    energy = maxe * rng.uniform(0.2, 1.0, n)
    cap = np.full(n, 10.0)
    n_tasks = np.where(rng.uniform(size=n) < 0.75, 8, rng.integers(5, 8, n)).astype(np.int32)
    committed = energy * rng.uniform(0.0, 0.5, n)
    tight = rng.uniform(size=n) < 0.2  # energy room of a few EU left
    committed[tight] = energy[tight] - 0.05 * maxe[tight] - rng.uniform(0, 25, tight.sum())
    backlog = rng.uniform(0.5, 1.0, n) * 300.0 * cap
    return SatLoad(pos, energy, maxe, committed, backlog, cap, n_tasks, rng.uniform(size=n) < 0.03)


def add_tasks(book: TaskBook, rng, n, p_origin=0.9, created_at=0.0):
    """n generated-like tasks queued in the book (ids continue; created at created_at, sim s)."""
    z = rng.uniform(-math.sin(math.pi / 3), math.sin(math.pi / 3), n)
    new = NewTasks(rng.uniform(2, 20, n), rng.uniform(20, 200, n), rng.choice(3, n, p=[0.5, 0.35, 0.15]).astype(np.int8),
                   np.degrees(np.arcsin(z)), rng.uniform(-180, 180, n))
    book.add(new, book.reserve_ids(n), np.full(n, float(created_at)), rng.uniform(size=n) < p_origin, 10**7,
             TickEvents(0, 0.0))


def check_tick(book: TaskBook, sats: SatLoad, cfg) -> int:
    """delegate_queue on the book equals the reference over the whole queue in order (choices,
    scores, final loads); applies the assignments to the book. Returns how many were assigned."""
    slots, batch = queue_batch(book.pending, book.tasks)
    ref_sats = copy_sats(sats)
    ref_i, ref_s = reference(batch, ref_sats, cfg)
    got_slot, got_sat, got_score = delegate_queue(book.pending, book.tasks, sats, cfg)
    took = ref_i >= 0
    np.testing.assert_array_equal(got_slot, slots[took])
    np.testing.assert_array_equal(got_sat, ref_i[took])
    np.testing.assert_array_equal(got_score, ref_s[took])
    for f in ("n_tasks", "committed_eu", "backlog_work"):
        np.testing.assert_array_equal(getattr(sats, f), getattr(ref_sats, f))
    book.assign(got_slot, got_sat, got_score, 0.0, TickEvents(0, 0.0))
    return len(got_slot)


@pytest.mark.parametrize("n_sats, n_tasks, conf", [
    (300, 50_000, {}),
    (300, 20_000, {"min_elevation_deg": 20.0}),
    (300, 20_000, {"min_elevation_deg": -20.0, "max_queue": 9}),
    (1000, 20_000, {}),
])
def test_saturated_queue_matches_brute_force(n_sats, n_tasks, conf):
    """A backlog far over the free slots, pushed in several batches (main and recent segments)."""
    rng = np.random.default_rng(n_sats + n_tasks)
    cfg = SimConfig(conf)
    book = TaskBook(n_tasks + 10)
    for part in (n_tasks // 2, n_tasks // 4, n_tasks - n_tasks // 2 - n_tasks // 4):
        add_tasks(book, rng, part)
        book.pending.segments(book.tasks)  # merge as ticks would
    sats = walker(rng, n_sats)
    free = int(np.sum(np.maximum(cfg.max_queue - sats.n_tasks, 0)))
    assigned = check_tick(book, sats, cfg)
    assert 0 < assigned <= free < n_tasks // 10


def test_ticks_in_a_row_with_slots_freed_and_satellites_moved():
    """Each tick: new tasks, some queued tasks expire, finished work frees slots, the shell
    turns; every tick's choices equal the brute force over the whole queue."""
    rng = np.random.default_rng(5)
    cfg = SimConfig()
    book = TaskBook(60_000)
    add_tasks(book, rng, 30_000, p_origin=0.95)
    sats = walker(rng, 300)
    total = 0
    for tick in range(6):
        add_tasks(book, rng, 2_000, p_origin=0.95)
        queued = book.tasks.with_status(QUEUED)
        book.finish(rng.choice(queued, 1_500, replace=False), 4, 1, 0.0, TickEvents(0, 0.0))
        done = rng.uniform(size=300) < 0.3
        sats.n_tasks[done] = np.maximum(sats.n_tasks[done] - 1, 0)
        sats.committed_eu[done] *= 0.7
        sats.backlog_work[done] *= 0.7
        a = 0.002 * (tick + 1)  # rad about z: the shell under the origins
        c, s = math.cos(a), math.sin(a)
        x, y = sats.pos_ecef_km[:, 0].copy(), sats.pos_ecef_km[:, 1].copy()
        sats.pos_ecef_km[:, 0], sats.pos_ecef_km[:, 1] = c * x - s * y, s * x + c * y
        total += check_tick(book, sats, cfg)
    assert total > 0
    assert np.count_nonzero(book.tasks.status == RUNNING) == total


def test_queue_with_few_tasks_and_every_satellite_open():
    """The unsaturated case: a short queue, all satellites free (one round, no region bounds)."""
    rng = np.random.default_rng(9)
    book = TaskBook(1000)
    add_tasks(book, rng, 200, p_origin=0.7)
    sats = walker(rng, 2000, planes=40)
    sats.n_tasks[:] = 0
    sats.backlog_work[:] = 0.0
    sats.blackout[:] = False
    assert check_tick(book, sats, SimConfig()) > 150


def test_departed_entries_are_skipped_and_compacted():
    """Tasks that left the queue (assigned or dropped; slots reused by new tasks) are never
    delegated again, and compaction drops their entries."""
    rng = np.random.default_rng(11)
    book = TaskBook(12_000)
    add_tasks(book, rng, 10_000)
    book.pending.segments(book.tasks)
    queued = book.tasks.with_status(QUEUED)
    book.finish(queued[::2], 4, 1, 0.0, TickEvents(0, 0.0))  # slots freed ...
    add_tasks(book, rng, 3_000)  # ... and reused with new ids
    sats = walker(rng, 300)
    check_tick(book, sats, SimConfig())
    segs = book.pending.segments(book.tasks)
    live = sum(int(np.count_nonzero(s.valid(slice(None), book.tasks))) for s in segs)
    assert live == book.n_queued
    assert sum(len(s) for s in segs) < 2 * live + 3_000


@pytest.mark.parametrize("compact_min", [4096, 0])
def test_expiry_equals_a_scan_of_the_queue(monkeypatch, compact_min):
    """The creation-time index finds exactly the tasks a scan of every queued task finds, with
    pushes out of time order (commands stamped before the tick that applies them), departed
    tasks, reused slots, a changed max_wait_s and compactions along the way."""
    import backend.core.pending as pending

    monkeypatch.setattr(pending, "_COMPACT_MIN", compact_min)
    rng = np.random.default_rng(13)
    book = TaskBook(20_000)
    ev = TickEvents(0, 0.0)
    for tick in range(60):
        now = 3.0 * tick
        add_tasks(book, rng, int(rng.integers(0, 300)), created_at=now)
        if tick % 5 == 2:
            add_tasks(book, rng, 3, created_at=now - 3.0)  # older than the batch before it
        queued = book.tasks.with_status(QUEUED)
        took = rng.choice(queued, len(queued) // 10, replace=False)
        book.assign(np.sort(took), np.zeros(len(took), np.int64), np.zeros(len(took)), now, ev)
        wait = 60.0 if tick < 30 else 20.0
        queued = book.tasks.with_status(QUEUED)
        scan = queued[now - book.tasks.created_at[queued] > wait]
        got = book.pending.expired(now, wait, book.tasks, book.n_queued)
        np.testing.assert_array_equal(got, scan)
        book.finish(got, 4, 1, now, ev)
    assert book.pending.by_age.n - book.pending.by_age.head <= 3 * book.n_queued + compact_min + 300
