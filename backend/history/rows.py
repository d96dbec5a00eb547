"""Rows for the recorder's tables from one TickCapture (run in the writer thread).

Each table's rows are tuples in the order of `COLUMNS[table]`. The rollups are computed here,
vectorised with numpy `bincount` over the satellites (never in the engine's tick).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import orjson

from backend.core.state import COMPLETED, DROP_REASONS, PRIORITIES

from . import ids
from .block import ColumnBlock
from .capture import FLAG_BLACKOUT, FLAG_SUNLIT, RunStart, TickCapture
from .schema import KPI_COLUMNS

BAND_DEG = 10.0  # latitude band width for the `band` rollup
N_BANDS = int(180 / BAND_DEG)

COLUMNS = {
    "kpis": ("run_id", "tick", "sim_s", "wall", *(name for name, _ in KPI_COLUMNS), "counts"),
    "rollups": ("run_id", "grp", "tick", "key", "sim_s", "count", "mean_soc_pct", "min_soc_pct", "blackouts",
                "tasks_running", "energy_in_eu", "energy_out_eu"),
    "samples": ("run_id", "sat", "tick", "sim_s", "energy_eu", "soc_pct", "flags", "tasks"),
    "events": ("run_id", "seq", "tick", "sim_s", "kind", "sat", "task", "value", "reason", "payload"),
    "config_changes": ("run_id", "seq", "tick", "sim_s", "changed_wall", "config"),
    "tasks": ("run_id", "task", "priority", "origin_lat", "origin_lon", "energy_need", "work", "created_s",
              "assigned_s", "finished_s", "sat", "outcome", "drop_reason"),
}

_TASK_VALUE = {"task.created": "energy", "task.assigned": "latency", "task.completed": "duration"}
_LEDGER = {"solar_in_eu": "solar_in", "consumed_eu": "consumed", "task_draw_eu": "task_draw",
           "beamed_out_eu": "beamed_out", "beam_losses_eu": "beam_losses", "drone_delivered_eu": "drone_delivered"}


@dataclass
class RunTrack:
    """The writer's running state of one run."""

    start: RunStart
    run_id: int | None = None  # database id, once its row is written
    confirmed: bool = True  # False after a failed write: check the run row is still there
    event_seq: int = 0
    config_seq: int = 0
    prev_energy_eu: np.ndarray | None = None
    last_tick: int = 0
    last_sim_s: float = 0.0
    config_changes: list = field(default_factory=list)  # (tick, sim_s, wall, config) not yet written


def _tuples(*columns) -> list[tuple]:
    """Rows from equal-length lists, with scalars repeated."""
    n = max(len(c) for c in columns if isinstance(c, list))
    return list(zip(*(c if isinstance(c, list) else itertools.repeat(c, n) for c in columns)))


def _nullable(values: np.ndarray, missing) -> list:
    return [None if v == missing else v for v in values.tolist()]


def kpi_row(run_id: int, cap: TickCapture) -> tuple:
    k = cap.kpis
    lat = k.get("delegation_latency_s") or {}
    energy = k.get("energy") or {}
    values = {name: k.get(name) for name, _ in KPI_COLUMNS}
    values.update(latency_p50_s=lat.get("p50"), latency_p99_s=lat.get("p99"),
                  **{col: energy.get(key) for col, key in _LEDGER.items()})
    return (run_id, cap.tick, cap.sim_s, cap.wall, *(values[name] for name, _ in KPI_COLUMNS),
            orjson.dumps({n: c for n, c in cap.counts.items() if c}).decode())


def _group_stats(keys: np.ndarray, n_keys: int, soc, blackout, tasks, e_in, e_out) -> dict:
    """Per-key count, mean/min SoC, blackouts, tasks, energy in/out; keys in [0, n_keys)."""
    count = np.bincount(keys, minlength=n_keys)
    min_soc = np.full(n_keys, np.inf)
    np.minimum.at(min_soc, keys, soc)
    sums = {name: np.bincount(keys, weights=w, minlength=n_keys)
            for name, w in (("soc", soc), ("blackouts", blackout), ("tasks", tasks), ("in", e_in), ("out", e_out))}
    return {"count": count, "mean_soc": sums["soc"] / np.maximum(count, 1), "min_soc": min_soc,
            "blackouts": sums["blackouts"], "tasks": sums["tasks"], "in": sums["in"], "out": sums["out"]}


def rollup_rows(track: RunTrack, cap: TickCapture) -> list[tuple]:
    """Rows per orbital plane and per 10-degree latitude band for one tick."""
    s, start = cap.sats, track.start
    soc = 100.0 * s.energy_eu / start.max_energy_eu
    blackout = ((s.flags & FLAG_BLACKOUT) > 0).astype(np.float64)
    e_in = s.solar_eu_s * cap.dt_s * ((s.flags & FLAG_SUNLIT) > 0)
    prev = track.prev_energy_eu
    e_out = e_in if prev is None else e_in - (s.energy_eu - prev)
    band = np.clip(((s.lat_deg + 90.0) // BAND_DEG).astype(np.int64), 0, N_BANDS - 1)
    groups = (("plane", start.plane.astype(np.int64), int(start.plane.max(initial=0)) + 1, lambda k: k),
              ("band", band, N_BANDS, lambda k: int(k * BAND_DEG - 90.0)))
    out = []
    for name, keys, n_keys, label in groups:
        g = _group_stats(keys, n_keys, soc, blackout, s.tasks, e_in, e_out)
        present = np.flatnonzero(g["count"])
        out += _tuples(track.run_id, name, cap.tick, [label(int(k)) for k in present], cap.sim_s,
                       g["count"][present].tolist(), g["mean_soc"][present].tolist(),
                       g["min_soc"][present].tolist(), g["blackouts"][present].astype(int).tolist(),
                       g["tasks"][present].astype(int).tolist(), g["in"][present].tolist(),
                       g["out"][present].tolist())
    return out


def sample_rows(track: RunTrack, cap: TickCapture) -> ColumnBlock:
    """Every satellite's sample at this tick, as columns (run_id filled in when written)."""
    s = cap.sats
    n = len(s.energy_eu)
    soc = 100.0 * s.energy_eu / track.start.max_energy_eu
    return ColumnBlock(n, {"run_id": track.run_id, "sat": np.arange(n), "tick": cap.tick, "sim_s": cap.sim_s,
                           "energy_eu": s.energy_eu, "soc_pct": soc, "flags": s.flags, "tasks": s.tasks})


def _task_batch(name: str, n: int, cols: dict) -> tuple:
    """(sat, task, value, reason) columns of a batch of n task events."""
    sat = _nullable(cols["sat"], -1) if "sat" in cols else None
    value = cols[_TASK_VALUE[name]].tolist() if name in _TASK_VALUE else None
    reason = [DROP_REASONS[r] for r in cols["reason"].tolist()] if "reason" in cols else None
    return sat, cols["id"].tolist(), value, reason


def event_rows(track: RunTrack, cap: TickCapture) -> list[tuple]:
    """Every event of the tick, in emission order, numbered from the run's last seq."""
    out = []
    for name, n, cols, payload in cap.events.batches():
        seq0 = track.event_seq + 1
        track.event_seq += n
        if cols is None:
            sat = ids.sat_index(payload.get("satellite_id") or payload.get("to"))
            out.append((track.run_id, seq0, cap.tick, cap.sim_s, name, sat, None, None, None,
                        orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY).decode()))
            continue
        sat, task, value, reason = _task_batch(name, n, cols)
        out += _tuples(track.run_id, list(range(seq0, seq0 + n)), cap.tick, cap.sim_s, name, sat, task,
                       value, reason, None)
    return out


def task_rows(track: RunTrack, cap: TickCapture) -> list[tuple]:
    """Final records of the tasks that finished in the tick."""
    f = cap.finished
    has = f["has_origin"]
    lat = np.where(has, f["origin_lat"], np.nan)
    lon = np.where(has, f["origin_lon"], np.nan)
    assigned = f["assigned_at"]
    reason = [None if r < 0 else DROP_REASONS[r] for r in f["reason"].tolist()]
    outcome = ["completed" if s == COMPLETED else "dropped" for s in f["status"].tolist()]
    return _tuples(track.run_id, f["task_id"].tolist(), [PRIORITIES[p] for p in f["priority"].tolist()],
                   _nan_none(lat), _nan_none(lon), f["energy_need"].tolist(), f["work"].tolist(),
                   f["created_at"].tolist(), _nan_none(assigned), f["finished_at"].tolist(),
                   _nullable(f["sat"], -1), outcome, reason)


def _nan_none(values: np.ndarray) -> list:
    return [None if v != v else v for v in values.tolist()]


def tick_rows(track: RunTrack, cap: TickCapture) -> dict[str, list]:
    """Rows of every table for one capture; advances the track (event seq, previous energy)."""
    out = {"events": event_rows(track, cap) if any(cap.counts.values()) else []}
    if cap.finished is not None:
        out["tasks"] = task_rows(track, cap)
    if cap.sats is not None:
        out["kpis"] = [kpi_row(track.run_id, cap)]
        out["rollups"] = rollup_rows(track, cap)
        if cap.sample:
            out["samples"] = sample_rows(track, cap)
        track.prev_energy_eu = cap.sats.energy_eu
    track.last_tick, track.last_sim_s = cap.tick, cap.sim_s
    return out
