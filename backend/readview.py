"""An immutable copy of what the JSON views read, taken right after each step.

The web side reads only these (REST reads, the connect-time `state`), so a read never waits for
a tick and never sees a half-stepped engine. `ReadView(engine)` copies the satellite columns the
views use (about 130 bytes a satellite: ~13 MB and a few ms at 100,000 satellites), the drones,
the live task rows below the table's high-water mark, the recent-task ring and the counters.
It duck-types the engine for `backend.core.views` (same attribute names) and offers the same
read methods (`snapshot`, `satellite`, `drone`, `task`, `kpis`, `frame`-free).
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np

from backend.core import views

SAT_COLUMNS = ("plane", "slot", "energy_eu", "max_energy_eu", "consumption_eu_s", "solar_eu_s",
               "sunlit", "sun_fraction", "in_service", "blackout", "processing_capacity", "n_tasks", "committed_eu",
               "backlog_work", "giving", "beam_peer", "beam_from", "predicted_eu")


def _copy_arrays(obj, rows: int | None = None, skip: tuple = ()):
    """A shallow copy of `obj` whose numpy attributes are copies (the first `rows` rows of
    those as long as the table, when given); attributes in `skip` are dropped."""
    out = copy.copy(obj)
    for name, value in vars(obj).items():
        if name in skip:
            setattr(out, name, None)
        elif isinstance(value, np.ndarray):
            cut = rows is not None and value.ndim and value.shape[0] == obj.capacity
            setattr(out, name, value[:rows].copy() if cut else value.copy())
    return out


def _sats(sats) -> SimpleNamespace:
    lat, lon, alt = sats.geodetic()
    cols = {name: getattr(sats, name).copy() for name in SAT_COLUMNS}
    return SimpleNamespace(n=sats.n, lat_deg=lat.copy(), lon_deg=lon.copy(), alt_km=alt.copy(), **cols)


def _book(book):
    out = copy.copy(book)
    t = book.tasks
    out.tasks = _copy_arrays(t, rows=t.used, skip=("_free",))
    out.tasks.capacity = t.used
    out.recent = copy.copy(book.recent)
    out.recent.cols = {k: v.copy() for k, v in book.recent.cols.items()}
    out.pending = None  # the delegator's index of the queue: views never read it (and it keeps changing)
    for name in ("created", "completed", "dropped", "latency_samples"):
        setattr(out, name, getattr(book, name).copy())
    return out


class ReadView:
    """What `backend.core.views` needs from an engine, frozen at one tick."""

    def __init__(self, eng):
        self.tick, self.sim_time, self.paused, self.seed = eng.tick, eng.sim_time, bool(eng.paused), eng.seed
        self.steps_left = eng.steps_left
        self.dt, self.generation = eng.dt, eng.generation
        self.config, self.scenario, self.smoke = eng.config, eng.scenario, eng.smoke  # replaced, never mutated
        self.sky = SimpleNamespace(epoch_unix_s=eng.sky.epoch_unix_s)
        self.sats = _sats(eng.sats)
        self.drones = _copy_arrays(eng.drones)
        self.stations = eng.stations  # fixed for a generation
        self.book = _book(eng.book)
        self.totals, self.last_counts = dict(eng.totals), dict(eng.last_counts)
        self.ledger = dict(eng.ledger)
        self.blackouts_total = eng.blackouts_total
        self.rejected = list(eng.rejected)

    def snapshot(self, sat_offset: int = 0, sat_limit: int | None = None, include_tasks: bool = True) -> dict:
        return views.snapshot(self, sat_offset, sat_limit, include_tasks)

    def kpis(self) -> dict:
        return views.kpis(self)

    def satellite(self, i: int) -> dict | None:
        return views.satellite(self, i) if 0 <= i < self.sats.n else None

    def drone(self, j: int) -> dict | None:
        return views.drone(self, j) if 0 <= j < self.drones.n else None

    def task(self, n: int) -> dict | None:
        return self.book.record(n)
