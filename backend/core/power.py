"""Satellite worker tick: run tasks, draw energy, harvest sunlight, black out and recover.

Per satellite and simulated second: + solar (scaled by the visible fraction of the solar disk)
- base consumption - task draw. A task's
energy is drawn in proportion to its progress; a satellite shares its processing capacity
(work units/s) equally among the tasks on board (as they stand at the tick's start). A task
works from the moment it is assigned (none in the tick that assigns it at the tick's end) and
completes at the moment its last work unit is done, so `duration_s` = work / share whatever
the tick length. A satellite that cannot cover this tick's
base load plus task draw runs down to 0 within the tick: it blacks out, its running tasks are
dropped (reason `blackout`), and it accepts nothing until its charge exceeds `restart_pct`.
"""

from __future__ import annotations

import numpy as np

from .state import BLACKOUT, COMPLETED, DROPPED, RUNNING, Satellites
from .taskbook import TaskBook
from .ticklog import TickEvents


def progress_tasks(sats: Satellites, book: TaskBook):
    """Running slots (R,), their satellite index (R,), tasks on board per satellite (N,)."""
    t = book.tasks
    run = t.with_status(RUNNING)
    sat = t.sat[run]
    n_on = np.bincount(sat, minlength=sats.n)
    return run, sat, n_on


def power_step(sats: Satellites, book: TaskBook, cfg, dt: float, now: float,
               ev: TickEvents, ledger: dict) -> int:
    """Advance task work and satellite energy by dt simulated seconds; returns new blackouts."""
    t = book.tasks
    run, sat, n_on = progress_tasks(sats, book)
    share = sats.processing_capacity[sat] / np.maximum(n_on[sat], 1)
    began = np.maximum(t.assigned_at[run], now - dt)  # work counts from the assignment on
    left = t.work[run] - t.work_done[run]
    dwork = np.minimum(share * (now - began), left)
    draw = t.energy_need[run] * dwork / t.work[run]
    draw_sat = np.bincount(sat, weights=draw, minlength=sats.n)

    solar = sats.solar_eu_s * dt * sats.sun_fraction
    base = sats.consumption_eu_s * dt
    avail = sats.energy_eu + solar
    after = avail - base
    after -= draw_sat
    dies = after < 0.0
    any_dies = bool(dies.any())

    base_used, draw_used = base, draw_sat
    if any_dies:  # those run down to 0: base load first, then what is left for their tasks
        base_used = np.where(dies, np.minimum(base, avail), base)
        draw_used = np.where(dies, avail - base_used, draw_sat)
        after[dies] = 0.0
    spill = np.maximum(after - sats.max_energy_eu, 0.0)
    np.subtract(after, spill, out=sats.energy_eu)

    ledger["solar_in"] += float(solar.sum() - spill.sum())
    ledger["consumed"] += float(base_used.sum())
    ledger["task_draw"] += float(draw_used.sum())

    ok = ~dies[sat]
    t.work_done[run[ok]] += dwork[ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        done_at = np.minimum(began + left / share, now)  # when the last work unit was done
    _finish(book, run, ok, now, done_at, ev)
    if not any_dies and not sats.blackout.any() and sats.in_service.all():
        return 0  # nobody dark, nobody dying, nobody lost: the blackout flags stay all clear
    restart_eu = cfg.restart_pct / 100.0 * sats.max_energy_eu
    new_blackouts = int(np.count_nonzero(dies & ~sats.blackout))
    sats.blackout[:] = ((sats.blackout | dies) & (sats.energy_eu <= restart_eu)) | ~sats.in_service
    return new_blackouts


def _finish(book, run, ok, now, done_at, ev) -> None:
    """Drop the tasks of satellites that died (at `now`), complete the finished ones at the
    moment their work was done (`done_at`, sim s, per running slot)."""
    t = book.tasks
    book.finish(run[~ok], DROPPED, BLACKOUT, now, ev)
    finished = ok & (t.work_done[run] >= t.work[run])
    book.finish(run[finished], COMPLETED, -1, done_at[finished], ev)


def refresh_load(sats: Satellites, book: TaskBook) -> None:
    """Recompute tasks on board, committed energy and backlog from the live table (no drift)."""
    t = book.tasks
    run = t.with_status(RUNNING)
    sat = t.sat[run]
    frac_left = 1.0 - t.work_done[run] / t.work[run]
    sats.n_tasks[:] = np.bincount(sat, minlength=sats.n)
    sats.committed_eu[:] = np.bincount(sat, weights=t.energy_need[run] * frac_left, minlength=sats.n)
    sats.backlog_work[:] = np.bincount(sat, weights=t.work[run] - t.work_done[run], minlength=sats.n)
