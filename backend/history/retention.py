"""Retention: keep the recorded history within a simulated age and a size.

- `retain_sim_s` > 0: rows of the per-tick tables older than `retain_sim_s` simulated seconds
  before their run's newest tick are deleted (runs and config changes stay); the rollups and
  their per-minute sums from the start of that minute, so both keep the same ticks.
- `max_bytes` > 0: while the data takes more than that, the oldest finished run is deleted
  whole; when only the current run is left, its oldest tenth (by simulated time) goes. SQLite
  sees the new size at once; PostgreSQL's live-row statistics only after the commit, so there
  one deletion is made per pass (a pass every 10 s).
Freed SQLite pages are reused by later writes (the file does not shrink without VACUUM).
"""

from __future__ import annotations

import sqlalchemy as sa

from . import minutes, schema, store

TIME_COLUMN = {"kpis": "sim_s", "rollups": "sim_s", "samples": "sim_s", "events": "sim_s", "tasks": "finished_s"}


def trim_age(conn: sa.Connection, retain_sim_s: float) -> int:
    """Delete rows older than retain_sim_s before their run's last_sim_s; rows deleted."""
    deleted = 0
    runs = schema.runs
    for run_id, last in conn.execute(sa.select(runs.c.run_id, runs.c.last_sim_s)).all():
        deleted += _trim_before(conn, run_id, last - retain_sim_s)
    return deleted


def _trim_before(conn: sa.Connection, run_id: int, cutoff_s: float) -> int:
    deleted = 0
    whole_minutes_s = minutes.trim_before(conn, run_id, cutoff_s)
    for name in schema.RECORD_TABLES:
        t = schema.metadata.tables[name]
        col = t.c[TIME_COLUMN[name]]
        cutoff = whole_minutes_s if name == "rollups" else cutoff_s  # as its minute sums: whole minutes
        deleted += conn.execute(sa.delete(t).where(t.c.run_id == run_id, col < cutoff)).rowcount or 0
    return deleted


def delete_run(conn: sa.Connection, run_id: int) -> None:
    """A run and everything recorded for it."""
    for t in reversed(schema.metadata.sorted_tables):
        conn.execute(sa.delete(t).where(t.c.run_id == run_id))


def trim_size(conn: sa.Connection, max_bytes: int, current_run: int | None) -> int:
    """Delete the oldest runs (then the current run's oldest tenth) until under max_bytes;
    returns runs deleted."""
    runs = schema.runs
    deleted = 0
    passes = 1 if conn.dialect.name == "postgresql" else 1000
    for _ in range(passes):
        if store.used_bytes(conn) <= max_bytes:
            break
        oldest = conn.execute(sa.select(runs.c.run_id).where(runs.c.run_id != (current_run or -1))
                              .order_by(runs.c.run_id).limit(1)).scalar()
        if oldest is not None:
            delete_run(conn, oldest)
            deleted += 1
            continue
        span = conn.execute(sa.select(sa.func.min(schema.kpis.c.sim_s), sa.func.max(schema.kpis.c.sim_s))
                            .where(schema.kpis.c.run_id == current_run)).one()
        if span[0] is None or span[1] <= span[0]:
            break
        _trim_before(conn, current_run, span[0] + 0.1 * (span[1] - span[0]))
    return deleted
