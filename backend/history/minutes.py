"""Rollups summed per simulated minute (table `rollups_minute`): written, read and trimmed.

The writer adds each flush's rollups rows into their minute's row (an upsert, in the flush's
transaction, so the two tables always agree). A rollups query whose `from` and `step` are whole
minutes reads the minutes that lie inside its range and the last, partial minute from the
per-tick table: the answer equals aggregating the per-tick rows (sums and minima are exact,
means are sums over row counts), with ~1/6 of the rows to read at dt 10 s (1/600 at 0.1 s); the
last minute's per-tick rows are found from its `first_tick` (a range of the rollups key).
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from . import schema

MINUTE_S = float(schema.MINUTE_S)
F = sa.Float
_SUMMED = (("count_sum", "count"), ("mean_soc_sum", "mean_soc_pct"), ("blackouts_sum", "blackouts"),
           ("tasks_running_sum", "tasks_running"), ("energy_in_eu", "energy_in_eu"),
           ("energy_out_eu", "energy_out_eu"))
_ROLLUP = {name: k for k, name in enumerate(("run_id", "grp", "tick", "key", "sim_s", "count", "mean_soc_pct",
                                             "min_soc_pct", "blackouts", "tasks_running", "energy_in_eu",
                                             "energy_out_eu"))}


def minute_of(sim_s: float) -> int:
    """The minute a time falls in: floor(sim_s / 60), computed as the queries do."""
    return math.floor(sim_s / MINUTE_S)


def minute_rows(rollup_rows) -> list[dict]:
    """The minute rows that rollups rows (tuples in rows.COLUMNS["rollups"] order) add up to."""
    out: dict[tuple, dict] = {}
    c = _ROLLUP
    for r in rollup_rows:
        ident = (r[c["run_id"]], r[c["grp"]], minute_of(r[c["sim_s"]]), r[c["key"]])
        m = out.get(ident)
        if m is None:
            out[ident] = {"run_id": ident[0], "grp": ident[1], "minute": ident[2], "key": ident[3],
                          "sim_s": r[c["sim_s"]], "first_tick": r[c["tick"]], "n_rows": 1,
                          "min_soc_pct": r[c["min_soc_pct"]],
                          **{name: r[c[col]] for name, col in _SUMMED}}
            continue
        m["sim_s"] = max(m["sim_s"], r[c["sim_s"]])
        m["first_tick"] = min(m["first_tick"], r[c["tick"]])
        m["n_rows"] += 1
        m["min_soc_pct"] = min(m["min_soc_pct"], r[c["min_soc_pct"]])
        for name, col in _SUMMED:
            m[name] += r[c[col]]
    return list(out.values())


def add(conn: sa.Connection, rollup_rows) -> None:
    """Add rollups rows into their minutes (insert, or sum into the row already there)."""
    rows = minute_rows(rollup_rows)
    if not rows:
        return
    t = schema.rollups_minute
    pg = conn.dialect.name == "postgresql"
    ins = (postgresql.insert if pg else sqlite.insert)(t)
    new = ins.excluded
    greatest, least = (sa.func.greatest, sa.func.least) if pg else (sa.func.max, sa.func.min)
    stmt = ins.on_conflict_do_update(
        index_elements=[t.c.run_id, t.c.grp, t.c.minute, t.c.key],
        set_={"sim_s": greatest(t.c.sim_s, new.sim_s), "first_tick": least(t.c.first_tick, new.first_tick),
              "n_rows": t.c.n_rows + new.n_rows,
              "min_soc_pct": least(t.c.min_soc_pct, new.min_soc_pct),
              **{name: t.c[name] + new[name] for name, _ in _SUMMED}})
    conn.execute(stmt, rows)


def trim_before(conn: sa.Connection, run_id: int, cutoff_s: float) -> float:
    """Delete the run's minutes wholly before cutoff_s; returns the whole-minute cutoff that the
    per-tick rollups must be trimmed at so both tables keep the same rows."""
    cutoff_minute = minute_of(cutoff_s)
    t = schema.rollups_minute
    conn.execute(sa.delete(t).where(t.c.run_id == run_id, t.c.minute < cutoff_minute))
    return cutoff_minute * MINUTE_S


def answers(from_s: float, step_s: float) -> bool:
    """The minute table can answer buckets starting at from_s of step_s seconds."""
    return step_s >= MINUTE_S and from_s >= 0 and _whole(from_s) and _whole(step_s)


def _whole(seconds: float) -> bool:
    return float(seconds / MINUTE_S).is_integer()


def rollups_stmt(run_id: int, group: str, w, bucket):
    """The rollups query over whole minutes inside [from, to] plus the per-tick rows of the
    minute `to` falls in; `bucket(column, from_s, step_s)` is the SQL of floor((column - from_s)
    / step_s), the per-tick table's bucket (so a row's minute is the one the writer gave it).
    Its columns: the bucket's first minute (the order), then queries.ROLLUP_NAMES."""
    first, last = int(w.from_s // MINUTE_S), minute_of(w.to_s)  # minutes [first, last) lie inside
    per_bucket = int(w.step_s // MINUTE_S)
    m, t = schema.rollups_minute.c, schema.rollups.c
    inside = (m.run_id == run_id, m.grp == group, m.minute >= first, m.minute < last)
    tail_b = bucket(t.sim_s, w.from_s, w.step_s)
    starts = sa.select(sa.func.min(m.first_tick)).where(m.run_id == run_id, m.grp == group, m.minute == last)
    tail_where = (t.run_id == run_id, t.grp == group, t.tick >= starts.scalar_subquery(),  # a key range
                  t.sim_s >= w.from_s, t.sim_s <= w.to_s, bucket(t.sim_s, 0.0, MINUTE_S) >= last)
    if per_bucket == 1:
        return _one_minute_buckets(m, t, inside, tail_b, tail_where, first)
    minutes = sa.select(
        ((m.minute - first) // per_bucket).label("b"), m.key, m.sim_s.label("sim_s"), m.n_rows.label("n"),
        *(m[name].label(name) for name, _ in _SUMMED), m.min_soc_pct.label("min_soc_pct")
    ).where(*inside)
    tail = sa.select(
        tail_b.label("b"), t.key, t.sim_s, sa.literal(1).label("n"),
        *(t[col].label(name) for name, col in _SUMMED), t.min_soc_pct
    ).where(*tail_where)
    u = sa.union_all(minutes, tail).subquery()
    n = sa.cast(sa.func.sum(u.c.n), F)
    cols = [u.c.b * per_bucket + first, u.c.key, sa.func.max(u.c.sim_s),
            sa.cast(sa.func.sum(u.c.count_sum), F) / n,
            sa.cast(sa.func.sum(u.c.mean_soc_sum), F) / n, sa.cast(sa.func.min(u.c.min_soc_pct), F),
            sa.cast(sa.func.sum(u.c.blackouts_sum), F) / n, sa.cast(sa.func.sum(u.c.tasks_running_sum), F) / n,
            sa.cast(sa.func.sum(u.c.energy_in_eu), F), sa.cast(sa.func.sum(u.c.energy_out_eu), F)]
    return sa.select(*cols).group_by(u.c.b, u.c.key).order_by(u.c.b, u.c.key)


def _one_minute_buckets(m, t, inside, tail_b, tail_where, first: int):
    """Buckets of one minute: each minute row inside is a bucket as it stands (read in key order,
    no grouping), and the per-tick rows of the last minute are grouped into theirs."""
    n = sa.cast(m.n_rows, F)
    minutes = sa.select(
        m.minute.label("minute"), m.key.label("key"), m.sim_s, sa.cast(m.count_sum, F) / n, m.mean_soc_sum / n,
        sa.cast(m.min_soc_pct, F), sa.cast(m.blackouts_sum, F) / n, sa.cast(m.tasks_running_sum, F) / n,
        sa.cast(m.energy_in_eu, F), sa.cast(m.energy_out_eu, F)
    ).where(*inside)
    k = sa.cast(sa.func.count(), F)
    tail = sa.select(
        (tail_b + first).label("minute"), t.key, sa.func.max(t.sim_s), sa.cast(sa.func.sum(t["count"]), F) / k,
        sa.cast(sa.func.sum(t.mean_soc_pct), F) / k, sa.cast(sa.func.min(t.min_soc_pct), F),
        sa.cast(sa.func.sum(t.blackouts), F) / k, sa.cast(sa.func.sum(t.tasks_running), F) / k,
        sa.cast(sa.func.sum(t.energy_in_eu), F), sa.cast(sa.func.sum(t.energy_out_eu), F)
    ).where(*tail_where).group_by(tail_b, t.key)
    return sa.union_all(minutes, tail).order_by(sa.column("minute"), sa.column("key"))
