"""What the recorder keeps of one tick, copied from the engine right after its step.

`Capturer.take(engine, events, kpis)` runs where the step ran (the tick loop's worker, or the
headless loop), before the next step can change anything. It copies a few satellite columns
(float64 energy, lat, flags, tasks on board: ~30 bytes a satellite), the finished tasks' rows
from the task book's ring and references to immutable things (the events of the tick, the
config, the KPI dict). Everything else (rollups, rows, SQL) happens in the writer thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from backend.core.state import ACTIVE

FLAG_SUNLIT, FLAG_BLACKOUT, FLAG_GIVING, FLAG_RECEIVING = 1, 2, 4, 8


@dataclass(frozen=True)
class RunStart:
    """A new run: the engine was built or reset (a new generation)."""

    generation: int
    seed: int
    scenario: dict
    config: dict
    n_satellites: int
    epoch_unix_s: float
    plane: np.ndarray  # (N,) int, orbital plane of each satellite
    max_energy_eu: np.ndarray  # (N,) EU


@dataclass(frozen=True)
class SatColumns:
    """Per-satellite state after the tick, (N,) each."""

    energy_eu: np.ndarray
    solar_eu_s: np.ndarray  # EU per sim s while sunlit
    lat_deg: np.ndarray
    flags: np.ndarray  # int16: FLAG_* bits
    tasks: np.ndarray  # int32: tasks on board


@dataclass(frozen=True)
class TickCapture:
    """One tick as the recorder sees it."""

    generation: int
    tick: int
    sim_s: float
    wall: float
    dt_s: float  # simulated seconds the tick advanced (0 when paused)
    run: RunStart | None  # set on the first capture of a generation
    config: dict | None  # the whole config, when it changed in this tick
    kpis: dict
    counts: dict
    events: object  # the tick's TickEvents (never mutated after the step)
    sats: SatColumns | None  # None for a tick that did not advance
    sample: bool  # per-satellite samples are due at this tick
    finished: dict | None  # columns of the tasks finished this tick (Recent ring rows)

    def records(self) -> int:
        """Rows this capture stands for (what is lost if it is dropped)."""
        n_sats = 0 if self.sats is None else len(self.sats.energy_eu)
        finished = 0 if self.finished is None else len(self.finished["task_id"])
        return sum(self.counts.values()) + finished + (n_sats if self.sample else 0) + 1

    def nbytes(self) -> int:
        """Bytes of the numpy arrays this capture holds (what it costs in the queue) [bytes]."""
        arrays = [] if self.sats is None else list(vars(self.sats).values())
        arrays += [] if self.finished is None else list(self.finished.values())
        arrays += [] if self.run is None else [self.run.plane, self.run.max_energy_eu]
        return sum(a.nbytes for a in arrays)


def _flags(s) -> np.ndarray:
    out = s.sunlit * np.int16(FLAG_SUNLIT)
    out |= s.blackout * np.int16(FLAG_BLACKOUT)
    out |= (s.giving == ACTIVE) * np.int16(FLAG_GIVING)
    out |= (s.beam_from >= 0) * np.int16(FLAG_RECEIVING)
    return out.astype(np.int16)


def _finished_rows(book, counts: dict) -> dict | None:
    """The ring rows pushed by this tick's task.completed and task.dropped, oldest first."""
    n = counts.get("task.completed", 0) + counts.get("task.dropped", 0)
    ring = book.recent
    n = min(n, ring.capacity)
    if n == 0:
        return None
    idx = np.arange(ring.head - n, ring.head) % ring.capacity
    idx = idx[ring.cols["task_id"][idx] >= 0]  # a reset in this step started a new ring
    return {k: v[idx] for k, v in ring.cols.items()} if len(idx) else None


class Capturer:
    """Turns engine steps into TickCaptures; notices new runs, config changes, sample times."""

    def __init__(self, sample_every_s: float):
        self.sample_every_s = float(sample_every_s)
        self._generation = None
        self._config = None
        self._next_sample_s = 0.0
        self._last_tick = None

    def _run_start(self, eng) -> RunStart:
        return RunStart(eng.generation, int(eng.seed), eng.scenario.to_dict(), eng.config.to_dict(),
                        int(eng.sats.n), float(eng.sky.epoch_unix_s), eng.sats.plane.copy(),
                        eng.sats.max_energy_eu.copy())

    def take(self, eng, ev, kpis: dict, wall: float | None = None) -> TickCapture | None:
        """The capture of the step just taken; None for a paused step with no events."""
        run = None
        if eng.generation != self._generation:
            run, self._generation, self._config = self._run_start(eng), eng.generation, eng.config
            self._next_sample_s, self._last_tick = 0.0, None
        config = None
        if eng.config is not self._config:
            self._config, config = eng.config, eng.config.to_dict()
        advanced = eng.tick != self._last_tick
        if not advanced and run is None and config is None and not any(ev.counts.values()):
            return None
        dt = eng.dt if advanced else 0.0
        self._last_tick = eng.tick
        sample = advanced and eng.sim_time >= self._next_sample_s - 1e-9
        if sample:
            every = self.sample_every_s
            self._next_sample_s = eng.sim_time + every if every <= 0 else (eng.sim_time // every + 1) * every
        s = eng.sats
        sats = SatColumns(s.energy_eu.copy(), s.solar_eu_s.copy(), s.lat_deg.copy(), _flags(s),
                          s.n_tasks.astype(np.int32)) if advanced else None
        return TickCapture(eng.generation, int(eng.tick), float(eng.sim_time), time.time() if wall is None else wall,
                           float(dt), run, config, kpis, dict(ev.counts), ev, sats, sample,
                           _finished_rows(eng.book, ev.counts))
