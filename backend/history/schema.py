"""The recorder's tables (SQLAlchemy Core 2): one schema for SQLite and PostgreSQL.

Every row belongs to a run (`run_id`). Times are simulated seconds since the run's epoch
(`sim_s`; the run's `epoch_unix_s` turns them into dates) and wall seconds since 1970 (`*_wall`).
Energies in EU, states of charge in % of capacity. Satellites are stored by index (sat-001 is 0).
The Alembic migrations in backend/history/migrations create exactly these tables
(tests/history/test_schema.py compares them). The per-run tables are clustered by their
primary key in SQLite (WITHOUT ROWID: one B-tree insert per row written instead of the table's
and its key index's); PostgreSQL has the same columns and keys.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Float, ForeignKey, Index, Integer, MetaData, PrimaryKeyConstraint,
                        SmallInteger, String, Table, Text)

metadata = MetaData()


def _key(name: str, kind, comment: str | None = None) -> Column:
    """A primary-key column (after run_id in the per-run tables)."""
    return Column(name, kind, primary_key=True, comment=comment)


def _required(name: str, kind, comment: str | None = None, default=None) -> Column:
    """A NOT NULL column."""
    return Column(name, kind, nullable=False, comment=comment, default=default)


def _run_table(name: str, keys: tuple[Column, ...], *columns: Column | Index, clustered: bool = True,
               key_order: tuple[str, ...] | None = None) -> Table:
    """A table of one run's rows: primary key (run_id, *keys), or (run_id, *key_order) when the
    key's order differs from the columns'; deleting the run deletes them.
    Clustered: WITHOUT ROWID in SQLite (the rows are the primary key's B-tree)."""
    run_id = Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=key_order is None)
    if key_order is None:
        return Table(name, metadata, run_id, *keys, *columns, sqlite_with_rowid=not clustered)
    for k in keys:
        k.primary_key, k.nullable = False, False
    return Table(name, metadata, run_id, *keys, *columns, PrimaryKeyConstraint("run_id", *key_order),
                 sqlite_with_rowid=not clustered)


runs = Table(
    "runs", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    _required("started_wall", Float, "wall s since 1970"),
    Column("ended_wall", Float, comment="wall s since 1970; null while running or after a crash"),
    _required("seed", BigInteger),
    _required("scenario", Text, "JSON"),
    _required("config", Text, "JSON, the config at the start"),
    _required("code_version", String(64)),
    _required("origin", String(16), "server or headless"),
    _required("n_satellites", Integer),
    _required("epoch_unix_s", Float, "the simulated date of sim_s = 0"),
    _required("last_tick", Integer, default=0),
    _required("last_sim_s", Float, default=0.0),
)

config_changes = _run_table(
    "config_changes", (_key("seq", Integer, "1, 2, ... within the run"),),
    _required("tick", Integer, "first tick run with it"),
    _required("sim_s", Float),
    _required("changed_wall", Float),
    _required("config", Text, "JSON, the whole config after the change"),
    clustered=False,
)

KPI_COLUMNS = (
    ("tasks_created", Integer), ("tasks_completed", Integer), ("tasks_dropped", Integer),
    ("pending", Integer), ("running", Integer), ("mean_energy_pct", Float), ("sunlit", Integer),
    ("blackout", Integer), ("blackouts_total", Integer), ("low_energy", Integer),
    ("active_beams", Integer), ("drones_flying", Integer), ("latency_p50_s", Float),
    ("latency_p99_s", Float), ("tick_ms", Float),
    ("solar_in_eu", Float), ("consumed_eu", Float), ("task_draw_eu", Float), ("beamed_out_eu", Float),
    ("beam_losses_eu", Float), ("drone_delivered_eu", Float),
)
"""Per-tick KPIs: tasks_* are this tick's counts, *_eu the run's cumulative energy ledger."""

kpis = _run_table(
    "kpis", (_key("tick", Integer),),
    _required("sim_s", Float),
    _required("wall", Float),
    *(Column(name, kind) for name, kind in KPI_COLUMNS),
    _required("counts", Text, "JSON: events of each kind this tick"),
)

rollups = _run_table(
    "rollups",
    (_key("grp", String(8), "plane or band"), _key("tick", Integer),
     _key("key", Integer, "plane index, or band's lower latitude (deg)")),
    _required("sim_s", Float),
    _required("count", Integer),
    _required("mean_soc_pct", Float),
    _required("min_soc_pct", Float),
    _required("blackouts", Integer),
    _required("tasks_running", Integer),
    _required("energy_in_eu", Float, "solar harvested this tick"),
    _required("energy_out_eu", Float, "energy_in minus the change in stored energy"),
)

MINUTE_S = 60
"""Width of the pre-aggregated rollup buckets (simulated s)."""

rollups_minute = _run_table(
    "rollups_minute",
    (_key("grp", String(8), "plane or band"),
     _key("minute", Integer, "floor(sim_s / 60) of the rollups rows summed"),
     _key("key", Integer, "plane index, or band's lower latitude (deg)")),
    _required("sim_s", Float, "the last tick's sim_s"),
    _required("first_tick", Integer, "the first tick summed here"),
    _required("n_rows", Integer, "rollups rows (ticks) summed here"),
    _required("count_sum", BigInteger),
    _required("mean_soc_sum", Float, "sum of the rows' mean_soc_pct"),
    _required("min_soc_pct", Float),
    _required("blackouts_sum", BigInteger),
    _required("tasks_running_sum", BigInteger),
    _required("energy_in_eu", Float),
    _required("energy_out_eu", Float),
)
"""The rollups table summed per simulated minute (written with it, in the same transaction):
what a rollups query at a step of whole minutes reads instead of every tick (first_tick is where
the per-tick rows of a minute start in the rollups key, for the query's last, partial minute)."""

samples = _run_table(
    "samples", (_key("sat", Integer), _key("tick", Integer)),
    _required("sim_s", Float),
    _required("energy_eu", Float),
    _required("soc_pct", Float),
    _required("flags", SmallInteger, "1 sunlit, 2 blackout, 4 giving, 8 receiving"),
    _required("tasks", Integer, "tasks on board"),
    key_order=("tick", "sat"),
)
"""Keyed by (run_id, tick, sat): a tick's samples are appended at the end of the B-tree (keyed by
satellite first, each of 10,000 satellites' rows went to a page of its own every flush, and the
write slowed as the table grew). A satellite's history is a point lookup per sampled tick
(queries.satellite)."""

events = _run_table(
    "events", (_key("seq", BigInteger, "1, 2, ... within the run, in emission order"),),
    _required("tick", Integer),
    _required("sim_s", Float),
    _required("kind", String(40)),
    Column("sat", Integer, comment="the satellite it concerns (a beam's receiver)"),
    Column("task", BigInteger, comment="task number, task events"),
    Column("value", Float, comment="task.created: energy_need EU; assigned: latency s; completed: duration s"),
    Column("reason", String(40), comment="task.dropped: drop reason"),
    Column("payload", Text, comment="JSON payload of other events"),
    Index("ix_events_kind", "run_id", "kind", "seq"),
    Index("ix_events_sat", "run_id", "sat", "seq"),
)

tasks = _run_table(
    "tasks", (_key("task", BigInteger, "task number (task-42 is 42)"),),
    _required("priority", String(8)),
    Column("origin_lat", Float), Column("origin_lon", Float),
    _required("energy_need", Float), _required("work", Float),
    _required("created_s", Float), Column("assigned_s", Float),
    _required("finished_s", Float),
    Column("sat", Integer),
    _required("outcome", String(10), "completed or dropped"),
    Column("drop_reason", String(40)),
    Index("ix_tasks_finished", "run_id", "finished_s"),
)

RECORD_TABLES = ("kpis", "rollups", "samples", "events", "tasks")
"""The tables that grow per tick (what retention trims and the export route serves)."""
