"""Reads of the recorded history (what GET /api/runs/... answers), one function per route.

Every read is bounded: series are time-bucketed (`step_s`, at most MAX_BUCKETS buckets) and
lists are pages of at most MAX_PAGE rows with a cursor (the last key returned). Times come
back as simulated seconds and ISO 8601 dates of the run's simulated clock, side by side.
In a bucket: flows (tasks created, energy in/out) are summed, levels (energy, counts on board)
averaged, minima kept, cumulative counters taken at the bucket's last tick; its `sim_s` is the
time of its last tick. Flags become fractions of the bucket's samples (sunlit 0.5: half of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import orjson
import sqlalchemy as sa

from . import ids, minutes, schema

MAX_BUCKETS = 5000
DEFAULT_BUCKETS = 1000
MAX_PAGE = 5000

F = sa.Float


@dataclass(frozen=True)
class Run:
    """The run a query is about, with its clock."""

    run_id: int
    epoch_unix_s: float
    last_sim_s: float
    n_satellites: int

    def dates(self, sim_s: list) -> list[str]:
        """ISO 8601 dates of many times at once (whole seconds unless a time has a fraction); each
        distinct time is formatted once (a rollups answer repeats each bucket's time per key)."""
        if not sim_s:
            return []
        times, index = np.unique(np.asarray(sim_s, dtype=np.float64), return_inverse=True)
        ms = np.round((self.epoch_unix_s + times) * 1000.0).astype(np.int64)
        unit = "s" if not np.any(ms % 1000) else "ms"
        text = np.char.add(np.datetime_as_string(ms.astype("datetime64[ms]"), unit=unit), "Z")
        return text[index].tolist()

    def date(self, sim_s: float | None) -> str | None:
        if sim_s is None:
            return None
        unix = self.epoch_unix_s + sim_s
        return datetime.fromtimestamp(unix, tz=timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Window:
    """A time range [from_s, to_s] of simulated seconds and a bucket width."""

    from_s: float
    to_s: float
    step_s: float


class QueryError(ValueError):
    """A query the history cannot answer as asked (400, naming the parameter)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def find_run(conn, run_id: int) -> Run | None:
    r = schema.runs.c
    row = conn.execute(sa.select(r.run_id, r.epoch_unix_s, r.last_sim_s, r.n_satellites)
                       .where(r.run_id == run_id)).first()
    return None if row is None else Run(*row)


def window(run: Run, from_s: float | None, to_s: float | None, step_s: float | None) -> Window:
    """The range asked for (default: the whole run) and its bucket width (default: 1,000 buckets)."""
    lo = 0.0 if from_s is None else from_s
    hi = max(run.last_sim_s, lo) if to_s is None else to_s
    if hi < lo:
        raise QueryError("to", f"to (={hi:g} s) is before from (={lo:g} s)")
    span = hi - lo
    if step_s is None:
        step_s = max(span / DEFAULT_BUCKETS, 1e-3)
    elif span / step_s > MAX_BUCKETS:
        raise QueryError("step", f"{span:g} s at step {step_s:g} s is {span / step_s:.0f} buckets; "
                         f"at most {MAX_BUCKETS}: use a step of at least {span / MAX_BUCKETS:.6g} s")
    return Window(lo, hi, float(step_s))


def _bucket(conn, col, w: Window):
    """Bucket number of a time column: floor((t - from) / step), t >= from."""
    return _floor_bucket(conn, col, w.from_s, w.step_s)


def _floor_bucket(conn, col, from_s: float, step_s: float):
    scaled = (col - from_s) / step_s
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(scaled), sa.BigInteger)
    return sa.cast(scaled, sa.Integer)  # SQLite truncates toward zero: floor for t >= from


CHUNK_ROWS = 500
"""Rows fetched at a time by a series read: fewer tracked objects alive at once than the cyclic
GC's first threshold (700), so a long answer triggers no collections (18,000 rows fetched at once
set off 44 young collections and, every third query, a full one of ~35 ms)."""


def _columns(conn, stmt, n_columns: int) -> list[list]:
    """The statement's rows as n_columns lists, from the driver's tuples in chunks: a series reads
    numbers only, which need no conversion, and transposing tuples costs a third of transposing
    Row objects (18,000 rows: 4 ms against 12 ms)."""
    result = conn.execute(stmt)
    cols: list[list] = [[] for _ in range(n_columns)]
    try:
        while rows := result.cursor.fetchmany(CHUNK_ROWS):
            for col, values in zip(cols, zip(*rows)):
                col.extend(values)
    finally:
        result.close()
    return cols


def _series(conn, run: Run, stmt, names: list[str | None], w: Window) -> dict:
    """The statement's rows as columns named `names` (a None name: a column only read to order by)."""
    values = _columns(conn, stmt, len(names))
    cols = {name: col for name, col in zip(names, values) if name is not None}
    cols["sim_date"] = run.dates(cols["sim_s"])
    return {"run_id": run.run_id, "from_s": w.from_s, "to_s": w.to_s, "step_s": w.step_s,
            "from_date": run.date(w.from_s), "to_date": run.date(w.to_s), "points": len(values[0]), "columns": cols}


KPI_SUMMED = ("tasks_created", "tasks_completed", "tasks_dropped")
KPI_LAST = ("blackouts_total", "solar_in_eu", "consumed_eu", "task_draw_eu", "beamed_out_eu", "beam_losses_eu",
            "drone_delivered_eu")


def kpis(conn, run: Run, w: Window) -> dict:
    t = schema.kpis.c
    b = _bucket(conn, t.sim_s, w).label("b")
    names, cols = ["sim_s", "ticks"], [sa.func.max(t.sim_s), sa.func.count()]
    for name, _ in schema.KPI_COLUMNS:
        agg = sa.func.sum if name in KPI_SUMMED else sa.func.max if name in KPI_LAST else sa.func.avg
        names.append(name)
        cols.append(sa.cast(agg(t[name]), F))
    stmt = (sa.select(*cols).where(t.run_id == run.run_id, t.sim_s >= w.from_s, t.sim_s <= w.to_s)
            .group_by(b).order_by(b))
    return _series(conn, run, stmt, names, w)


def rollups(conn, run: Run, group: str, w: Window, per_minute: bool = True) -> dict:
    """Rollups bucketed by w; from the per-minute sums when w's from and step are whole minutes
    (per_minute=False reads every tick's row: the same answer, slower)."""
    if per_minute and minutes.answers(w.from_s, w.step_s):
        stmt = minutes.rollups_stmt(run.run_id, group, w, lambda col, lo, step: _floor_bucket(conn, col, lo, step))
    else:
        stmt = _rollups_per_tick(conn, run, group, w)
    out = _series(conn, run, stmt, [None, *ROLLUP_NAMES], w)
    out["group"] = group
    return out


ROLLUP_NAMES = ["key", "sim_s", "count", "mean_soc_pct", "min_soc_pct", "blackouts", "tasks_running",
                "energy_in_eu", "energy_out_eu"]


def _rollups_per_tick(conn, run: Run, group: str, w: Window):
    t = schema.rollups.c
    b = _bucket(conn, t.sim_s, w).label("b")
    cols = [b, t.key, sa.func.max(t.sim_s), sa.cast(sa.func.avg(t["count"]), F), sa.cast(sa.func.avg(t.mean_soc_pct), F),
            sa.cast(sa.func.min(t.min_soc_pct), F), sa.cast(sa.func.avg(t.blackouts), F),
            sa.cast(sa.func.avg(t.tasks_running), F), sa.cast(sa.func.sum(t.energy_in_eu), F),
            sa.cast(sa.func.sum(t.energy_out_eu), F)]
    # Bucket first: the index yields rows by tick, so SQLite's grouping sorter gets them nearly in order.
    return (sa.select(*cols).where(t.run_id == run.run_id, t.grp == group, t.sim_s >= w.from_s, t.sim_s <= w.to_s)
            .group_by(b, t.key).order_by(b, t.key))


def satellite(conn, run: Run, sat: int, w: Window) -> dict:
    t = schema.samples.c

    def frac(bit: int):
        return sa.cast(sa.func.avg(sa.cast(t.flags.op("&")(bit), F) / bit), F)

    b = _bucket(conn, t.sim_s, w).label("b")
    names = ["sim_s", "samples", "energy_eu", "soc_pct", "min_soc_pct", "max_soc_pct", "sunlit", "blackout",
             "giving", "receiving", "tasks"]
    cols = [sa.func.max(t.sim_s), sa.func.count(), sa.cast(sa.func.avg(t.energy_eu), F),
            sa.cast(sa.func.avg(t.soc_pct), F), sa.cast(sa.func.min(t.soc_pct), F), sa.cast(sa.func.max(t.soc_pct), F),
            frac(1), frac(2), frac(4), frac(8), sa.cast(sa.func.avg(t.tasks), F)]
    k = schema.kpis.c
    # The window's ticks from the KPI rows (one per tick): samples are keyed (run_id, tick, sat),
    # so each tick is one key lookup rather than a scan of every satellite's samples.
    ticks = sa.select(k.tick).where(k.run_id == run.run_id, k.sim_s >= w.from_s, k.sim_s <= w.to_s)
    stmt = (sa.select(*cols).where(t.run_id == run.run_id, t.tick.in_(ticks), t.sat == sat,
                                   t.sim_s >= w.from_s, t.sim_s <= w.to_s)
            .group_by(b).order_by(b))
    out = _series(conn, run, stmt, names, w)
    out["satellite_id"] = ids.sat_name(sat)
    return out


def _page(rows: list, limit: int, key) -> tuple[list, str | None]:
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(key(rows[-1])) if more and rows else None)


_TASK_FIELD = {"task.created": "energy_need", "task.assigned": "latency_s", "task.completed": "duration_s"}


def event_payload(row) -> dict:
    """The event's payload: stored JSON, or rebuilt from the task-event columns."""
    if row.payload is not None:
        return orjson.loads(row.payload)
    out = {"task_id": ids.task_name(row.task)}
    if row.kind != "task.created":
        out["satellite_id"] = ids.sat_name(row.sat)
    if row.kind in _TASK_FIELD:
        out[_TASK_FIELD[row.kind]] = row.value
    if row.reason is not None:
        out["reason"] = row.reason
    return out


def events(conn, run: Run, kinds: list | None, sat: int | None, from_s, to_s, limit: int,
           cursor: int | None) -> dict:
    t = schema.events.c
    cond = [t.run_id == run.run_id, t.seq > (cursor or 0)]
    if kinds:
        cond.append(t.kind.in_(kinds))
    if sat is not None:
        cond.append(t.sat == sat)
    if from_s is not None:
        cond.append(t.sim_s >= from_s)
    if to_s is not None:
        cond.append(t.sim_s <= to_s)
    rows = conn.execute(sa.select(schema.events).where(*cond).order_by(t.seq).limit(limit + 1)).all()
    rows, nxt = _page(rows, limit, lambda r: r.seq)
    return {"run_id": run.run_id, "next_cursor": nxt, "events": [
        {"seq": r.seq, "tick": r.tick, "sim_s": r.sim_s, "sim_date": run.date(r.sim_s), "kind": r.kind,
         "satellite_id": ids.sat_name(r.sat), "payload": event_payload(r)} for r in rows]}


def tasks(conn, run: Run, outcome: str | None, priority: str | None, from_s, to_s, limit: int,
          cursor: int | None) -> dict:
    t = schema.tasks.c
    cond = [t.run_id == run.run_id, t.task > (-1 if cursor is None else cursor)]
    if outcome:
        cond.append(t.outcome == outcome)
    if priority:
        cond.append(t.priority == priority)
    if from_s is not None:
        cond.append(t.finished_s >= from_s)
    if to_s is not None:
        cond.append(t.finished_s <= to_s)
    rows = conn.execute(sa.select(schema.tasks).where(*cond).order_by(t.task).limit(limit + 1)).all()
    rows, nxt = _page(rows, limit, lambda r: r.task)
    return {"run_id": run.run_id, "next_cursor": nxt, "tasks": [_task(run, r) for r in rows]}


def _task(run: Run, r) -> dict:
    origin = None if r.origin_lat is None else {"lat": r.origin_lat, "lon": r.origin_lon}
    return {"task_id": ids.task_name(r.task), "priority": r.priority, "origin": origin, "energy_need": r.energy_need,
            "processing_power_needed": r.work, "created_s": r.created_s, "created_date": run.date(r.created_s),
            "assigned_s": r.assigned_s, "assigned_date": run.date(r.assigned_s), "finished_s": r.finished_s,
            "finished_date": run.date(r.finished_s), "satellite_id": ids.sat_name(r.sat), "outcome": r.outcome,
            "drop_reason": r.drop_reason,
            "latency_s": None if r.assigned_s is None else r.assigned_s - r.created_s}


def _run_summary(r, current: int | None) -> dict:
    date = datetime.fromtimestamp(r.epoch_unix_s, tz=timezone.utc).isoformat().replace("+00:00", "Z")
    return {"run_id": r.run_id, "current": r.run_id == current, "origin": r.origin, "seed": r.seed,
            "n_satellites": r.n_satellites, "code_version": r.code_version,
            "started_wall": r.started_wall, "ended_wall": r.ended_wall, "epoch": date,
            "last_tick": r.last_tick, "last_sim_s": r.last_sim_s,
            "scenario": orjson.loads(r.scenario), "config": orjson.loads(r.config)}


def list_runs(conn, limit: int, cursor: int | None, current: int | None) -> dict:
    r = schema.runs.c
    stmt = sa.select(schema.runs).order_by(r.run_id.desc()).limit(limit + 1)
    if cursor is not None:
        stmt = stmt.where(r.run_id < cursor)
    rows, nxt = _page(conn.execute(stmt).all(), limit, lambda row: row.run_id)
    return {"current": current, "next_cursor": nxt, "runs": [_run_summary(row, current) for row in rows]}


def run_detail(conn, run_id: int, current: int | None) -> dict | None:
    row = conn.execute(sa.select(schema.runs).where(schema.runs.c.run_id == run_id)).first()
    if row is None:
        return None
    c = schema.config_changes.c
    changes = conn.execute(sa.select(schema.config_changes).where(c.run_id == run_id).order_by(c.seq)
                           .limit(MAX_PAGE)).all()
    run = Run(row.run_id, row.epoch_unix_s, row.last_sim_s, row.n_satellites)
    out = _run_summary(row, current)
    out["config_changes"] = [{"seq": ch.seq, "tick": ch.tick, "sim_s": ch.sim_s, "sim_date": run.date(ch.sim_s),
                              "changed_wall": ch.changed_wall, "config": orjson.loads(ch.config)} for ch in changes]
    out["last_date"] = run.date(row.last_sim_s)
    return out
