"""The recorder's tables (SQLAlchemy Core 2): one schema for SQLite and PostgreSQL.

Every row belongs to a run (`run_id`). Times are simulated seconds since the run's epoch
(`sim_s`; the run's `epoch_unix_s` turns them into dates) and wall seconds since 1970 (`*_wall`).
Energies in EU, states of charge in % of capacity. Satellites are stored by index (sat-001 is 0).
The Alembic migrations in backend/history/migrations create exactly these tables
(tests/history/test_schema.py compares them).
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Float, ForeignKey, Index, Integer, MetaData, SmallInteger, String,
                        Table, Text)

metadata = MetaData()

runs = Table(
    "runs", metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("started_wall", Float, nullable=False, comment="wall s since 1970"),
    Column("ended_wall", Float, comment="wall s since 1970; null while running or after a crash"),
    Column("seed", BigInteger, nullable=False),
    Column("scenario", Text, nullable=False, comment="JSON"),
    Column("config", Text, nullable=False, comment="JSON, the config at the start"),
    Column("code_version", String(64), nullable=False),
    Column("origin", String(16), nullable=False, comment="server or headless"),
    Column("n_satellites", Integer, nullable=False),
    Column("epoch_unix_s", Float, nullable=False, comment="the simulated date of sim_s = 0"),
    Column("last_tick", Integer, nullable=False, default=0),
    Column("last_sim_s", Float, nullable=False, default=0.0),
)

config_changes = Table(
    "config_changes", metadata,
    Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True, comment="1, 2, ... within the run"),
    Column("tick", Integer, nullable=False, comment="first tick run with it"),
    Column("sim_s", Float, nullable=False),
    Column("changed_wall", Float, nullable=False),
    Column("config", Text, nullable=False, comment="JSON, the whole config after the change"),
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

kpis = Table(
    "kpis", metadata,
    Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("tick", Integer, primary_key=True),
    Column("sim_s", Float, nullable=False),
    Column("wall", Float, nullable=False),
    *(Column(name, kind) for name, kind in KPI_COLUMNS),
    Column("counts", Text, nullable=False, comment="JSON: events of each kind this tick"),
)

rollups = Table(
    "rollups", metadata,
    Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("grp", String(8), primary_key=True, comment="plane or band"),
    Column("tick", Integer, primary_key=True),
    Column("key", Integer, primary_key=True, comment="plane index, or band's lower latitude (deg)"),
    Column("sim_s", Float, nullable=False),
    Column("count", Integer, nullable=False),
    Column("mean_soc_pct", Float, nullable=False),
    Column("min_soc_pct", Float, nullable=False),
    Column("blackouts", Integer, nullable=False),
    Column("tasks_running", Integer, nullable=False),
    Column("energy_in_eu", Float, nullable=False, comment="solar harvested this tick"),
    Column("energy_out_eu", Float, nullable=False, comment="energy_in minus the change in stored energy"),
)

samples = Table(
    "samples", metadata,
    Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("sat", Integer, primary_key=True),
    Column("tick", Integer, primary_key=True),
    Column("sim_s", Float, nullable=False),
    Column("energy_eu", Float, nullable=False),
    Column("soc_pct", Float, nullable=False),
    Column("flags", SmallInteger, nullable=False, comment="1 sunlit, 2 blackout, 4 giving, 8 receiving"),
    Column("tasks", Integer, nullable=False, comment="tasks on board"),
)

events = Table(
    "events", metadata,
    Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("seq", BigInteger, primary_key=True, comment="1, 2, ... within the run, in emission order"),
    Column("tick", Integer, nullable=False),
    Column("sim_s", Float, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("sat", Integer, comment="the satellite it concerns (a beam's receiver)"),
    Column("task", BigInteger, comment="task number, task events"),
    Column("value", Float, comment="task.created: energy_need EU; assigned: latency s; completed: duration s"),
    Column("reason", String(40), comment="task.dropped: drop reason"),
    Column("payload", Text, comment="JSON payload of other events"),
    Index("ix_events_kind", "run_id", "kind", "seq"),
    Index("ix_events_sat", "run_id", "sat", "seq"),
)

tasks = Table(
    "tasks", metadata,
    Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("task", BigInteger, primary_key=True, comment="task number (task-42 is 42)"),
    Column("priority", String(8), nullable=False),
    Column("origin_lat", Float), Column("origin_lon", Float),
    Column("energy_need", Float, nullable=False), Column("work", Float, nullable=False),
    Column("created_s", Float, nullable=False), Column("assigned_s", Float),
    Column("finished_s", Float, nullable=False),
    Column("sat", Integer),
    Column("outcome", String(10), nullable=False, comment="completed or dropped"),
    Column("drop_reason", String(40)),
    Index("ix_tasks_finished", "run_id", "finished_s"),
)

RECORD_TABLES = ("kpis", "rollups", "samples", "events", "tasks")
"""The tables that grow per tick (what retention trims and the export route serves)."""
