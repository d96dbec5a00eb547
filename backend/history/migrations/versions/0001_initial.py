"""The recorder's first schema: runs, config changes, KPIs, rollups, samples, events, tasks.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

F, I, B, S, T = sa.Float, sa.Integer, sa.BigInteger, sa.String, sa.Text


def _run_fk():
    return sa.Column("run_id", I, sa.ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", I, primary_key=True, autoincrement=True),
        sa.Column("started_wall", F, nullable=False, comment="wall s since 1970"),
        sa.Column("ended_wall", F, comment="wall s since 1970; null while running or after a crash"),
        sa.Column("seed", B, nullable=False), sa.Column("scenario", T, nullable=False, comment="JSON"),
        sa.Column("config", T, nullable=False, comment="JSON, the config at the start"),
        sa.Column("code_version", S(64), nullable=False),
        sa.Column("origin", S(16), nullable=False, comment="server or headless"),
        sa.Column("n_satellites", I, nullable=False),
        sa.Column("epoch_unix_s", F, nullable=False, comment="the simulated date of sim_s = 0"),
        sa.Column("last_tick", I, nullable=False), sa.Column("last_sim_s", F, nullable=False))
    op.create_table(
        "config_changes", _run_fk(),
        sa.Column("seq", I, primary_key=True, comment="1, 2, ... within the run"),
        sa.Column("tick", I, nullable=False, comment="first tick run with it"),
        sa.Column("sim_s", F, nullable=False), sa.Column("changed_wall", F, nullable=False),
        sa.Column("config", T, nullable=False, comment="JSON, the whole config after the change"))
    kpi = [("tasks_created", I), ("tasks_completed", I), ("tasks_dropped", I), ("pending", I), ("running", I),
           ("mean_energy_pct", F), ("sunlit", I), ("blackout", I), ("blackouts_total", I), ("low_energy", I),
           ("active_beams", I), ("drones_flying", I), ("latency_p50_s", F), ("latency_p99_s", F),
           ("tick_ms", F), ("solar_in_eu", F), ("consumed_eu", F), ("task_draw_eu", F), ("beamed_out_eu", F),
           ("beam_losses_eu", F), ("drone_delivered_eu", F)]
    op.create_table(
        "kpis", _run_fk(), sa.Column("tick", I, primary_key=True), sa.Column("sim_s", F, nullable=False),
        sa.Column("wall", F, nullable=False), *(sa.Column(n, k) for n, k in kpi),
        sa.Column("counts", T, nullable=False, comment="JSON: events of each kind this tick"))
    op.create_table(
        "rollups", _run_fk(), sa.Column("grp", S(8), primary_key=True, comment="plane or band"),
        sa.Column("tick", I, primary_key=True),
        sa.Column("key", I, primary_key=True, comment="plane index, or band's lower latitude (deg)"),
        sa.Column("sim_s", F, nullable=False), sa.Column("count", I, nullable=False),
        sa.Column("mean_soc_pct", F, nullable=False), sa.Column("min_soc_pct", F, nullable=False),
        sa.Column("blackouts", I, nullable=False), sa.Column("tasks_running", I, nullable=False),
        sa.Column("energy_in_eu", F, nullable=False, comment="solar harvested this tick"),
        sa.Column("energy_out_eu", F, nullable=False, comment="energy_in minus the change in stored energy"))
    op.create_table(
        "samples", _run_fk(), sa.Column("sat", I, primary_key=True), sa.Column("tick", I, primary_key=True),
        sa.Column("sim_s", F, nullable=False), sa.Column("energy_eu", F, nullable=False),
        sa.Column("soc_pct", F, nullable=False),
        sa.Column("flags", sa.SmallInteger, nullable=False, comment="1 sunlit, 2 blackout, 4 giving, 8 receiving"),
        sa.Column("tasks", I, nullable=False, comment="tasks on board"))
    op.create_table(
        "events", _run_fk(),
        sa.Column("seq", B, primary_key=True, comment="1, 2, ... within the run, in emission order"),
        sa.Column("tick", I, nullable=False), sa.Column("sim_s", F, nullable=False),
        sa.Column("kind", S(40), nullable=False),
        sa.Column("sat", I, comment="the satellite it concerns (a beam's receiver)"),
        sa.Column("task", B, comment="task number, task events"),
        sa.Column("value", F, comment="task.created: energy_need EU; assigned: latency s; completed: duration s"),
        sa.Column("reason", S(40), comment="task.dropped: drop reason"),
        sa.Column("payload", T, comment="JSON payload of other events"))
    op.create_index("ix_events_kind", "events", ["run_id", "kind", "seq"])
    op.create_index("ix_events_sat", "events", ["run_id", "sat", "seq"])
    op.create_table(
        "tasks", _run_fk(), sa.Column("task", B, primary_key=True, comment="task number (task-42 is 42)"),
        sa.Column("priority", S(8), nullable=False), sa.Column("origin_lat", F), sa.Column("origin_lon", F),
        sa.Column("energy_need", F, nullable=False), sa.Column("work", F, nullable=False),
        sa.Column("created_s", F, nullable=False), sa.Column("assigned_s", F),
        sa.Column("finished_s", F, nullable=False), sa.Column("sat", I),
        sa.Column("outcome", S(10), nullable=False, comment="completed or dropped"),
        sa.Column("drop_reason", S(40)))
    op.create_index("ix_tasks_finished", "tasks", ["run_id", "finished_s"])


def downgrade() -> None:
    for name in ("tasks", "events", "samples", "rollups", "kpis", "config_changes", "runs"):
        op.drop_table(name)
