"""Satellite worker tick: task progress, energy drawn with progress, blackout and recovery."""

from __future__ import annotations

import numpy as np
import pytest

from backend.core.params import SimConfig
from backend.core.power import power_step, refresh_load
from backend.core.smoke import NewTasks
from backend.core.state import Satellites
from backend.core.taskbook import TaskBook
from backend.core.ticklog import TickEvents

from .conftest import small_engine

CFG = SimConfig()


def world(energy_eu=500.0, solar=0.0, base=1.0, capacity=10.0, sunlit=False):
    s = Satellites(1)
    s.max_energy_eu[:] = 1000.0
    s.energy_eu[:] = energy_eu
    s.solar_eu_s[:] = solar
    s.consumption_eu_s[:] = base
    s.processing_capacity[:] = capacity
    s.sunlit[:], s.sun_fraction[:] = sunlit, float(sunlit)
    return s, TaskBook(100)


def give_tasks(book, energies, works, sat=0):
    n = len(energies)
    new = NewTasks(np.array(energies, float), np.array(works, float), np.zeros(n, np.int8),
                   np.zeros(n), np.zeros(n))
    ev = TickEvents(0, 0.0)
    slots = book.add(new, book.reserve_ids(n), np.zeros(n), np.zeros(n, bool), 100, ev)
    book.assign(slots, np.full(n, sat), np.zeros(n), 0.0, ev)
    return slots


def tick(s, book, dt=1.0, now=None):
    """One power step over (now - dt, now]; now defaults to dt (tasks are assigned at 0)."""
    now = dt if now is None else now
    ledger = dict.fromkeys(("solar_in", "consumed", "task_draw"), 0.0)
    ev = TickEvents(1, now)
    power_step(s, book, CFG, dt, now, ev, ledger)
    refresh_load(s, book)
    return ev, ledger


def test_capacity_is_shared_and_energy_follows_progress():
    s, book = world()
    slots = give_tasks(book, [10.0, 20.0], [100.0, 100.0])
    ev, ledger = tick(s, book, dt=2.0)
    # 10 work/s shared by 2 tasks for 2 s: 10 work each, 10 % of each task's energy.
    assert np.allclose(book.tasks.work_done[slots], [10.0, 10.0])
    assert ledger["task_draw"] == pytest.approx(1.0 + 2.0)
    assert ledger["consumed"] == pytest.approx(2.0)
    assert s.energy_eu[0] == pytest.approx(500.0 - 3.0 - 2.0)
    assert s.committed_eu[0] == pytest.approx(27.0) and s.n_tasks[0] == 2


def test_task_completes_and_frees_the_satellite():
    s, book = world()
    give_tasks(book, [5.0], [10.0])
    ev, _ = tick(s, book, dt=1.0)
    assert [n for n, _ in ev.records()] == ["task.completed"]
    assert s.n_tasks[0] == 0 and book.counters()["completed"] == 1


def test_solar_only_when_sunlit_and_clipped_at_capacity():
    s, book = world(energy_eu=999.0, solar=5.0, base=1.0, sunlit=True)
    _, ledger = tick(s, book, dt=1.0)
    assert s.energy_eu[0] == 1000.0
    assert ledger["solar_in"] == pytest.approx(2.0)  # only what fit: 999 + 2 - 1 = 1000
    s.sunlit[:], s.sun_fraction[:] = False, 0.0
    _, ledger = tick(s, book)
    assert ledger["solar_in"] == 0.0 and s.energy_eu[0] == pytest.approx(999.0)


def test_solar_input_scales_with_the_visible_solar_disk():
    s, book = world(energy_eu=500.0, solar=4.0, base=0.0, sunlit=True)
    s.sun_fraction[:] = 0.3  # in the penumbra
    _, ledger = tick(s, book, dt=10.0)
    assert ledger["solar_in"] == pytest.approx(12.0) and s.energy_eu[0] == pytest.approx(512.0)


def test_blackout_drops_running_tasks_with_reason_and_recovers_above_restart():
    s, book = world(energy_eu=3.0, base=1.0)
    give_tasks(book, [100.0, 100.0], [50.0, 50.0])  # draws 10 EU/s at 10 work/s: too much
    ev, ledger = tick(s, book)
    recs = list(ev.records())
    assert [n for n, _ in recs] == ["task.dropped", "task.dropped"]
    assert {p["reason"] for _, p in recs} == {"blackout"}
    assert s.energy_eu[0] == 0.0 and s.blackout[0]
    assert ledger["consumed"] + ledger["task_draw"] == pytest.approx(3.0)
    assert book.counters()["dropped_by_reason"]["blackout"] == 2
    # Sunlight brings it back only above restart_pct (10 % = 100 EU).
    s.solar_eu_s[:], s.sunlit[:], s.sun_fraction[:] = 60.0, True, 1.0
    tick(s, book)
    assert s.blackout[0] and s.energy_eu[0] == pytest.approx(59.0)
    tick(s, book)
    assert not s.blackout[0] and s.energy_eu[0] == pytest.approx(118.0)


@pytest.mark.parametrize("dt", [1.0, 7.0, 10.0, 30.0])
def test_task_duration_is_its_work_time_whatever_the_tick(dt):
    """Reference: work / capacity = 1000 / 10 = 100 s from the assignment. The engine assigns at
    a tick's end, so the task works from then on and completes within a later tick at the
    moment its work is done (before: 90 s at dt = 10, a full tick credited at assignment)."""
    eng = small_engine(n_drones=0, tick_interval=0.1, time_scale=dt / 0.1)
    eng.submit({"type": "add_task", "energy_need": 1.0, "processing_power_needed": 1000.0})
    done = []
    for _ in range(int(200 / dt) + 2):
        done += [p for n, p in eng.step().records() if n == "task.completed"]
    assert len(done) == 1
    assert done[0]["duration_s"] == pytest.approx(100.0, abs=1e-9)
    rec = eng.task(0)
    assert rec["finished_at"] - rec["assigned_at"] == pytest.approx(100.0, abs=1e-9)
