"""rollups_minute gains first_tick (the first tick summed into the row), so a rollups query finds
the per-tick rows of its last minute by primary-key range instead of scanning the run's rows.
The table is derived from rollups: rebuilt and refilled from it (in both directions).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

F, I, B = sa.Float, sa.Integer, sa.BigInteger


def _create(first_tick: bool) -> None:
    extra = [sa.Column("first_tick", I, nullable=False, comment="the first tick summed here")] if first_tick else []
    op.create_table(
        "rollups_minute",
        sa.Column("run_id", I, sa.ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("grp", sa.String(8), primary_key=True, comment="plane or band"),
        sa.Column("minute", I, primary_key=True, comment="floor(sim_s / 60) of the rollups rows summed"),
        sa.Column("key", I, primary_key=True, comment="plane index, or band's lower latitude (deg)"),
        sa.Column("sim_s", F, nullable=False, comment="the last tick's sim_s"),
        *extra,
        sa.Column("n_rows", I, nullable=False, comment="rollups rows (ticks) summed here"),
        sa.Column("count_sum", B, nullable=False),
        sa.Column("mean_soc_sum", F, nullable=False, comment="sum of the rows' mean_soc_pct"),
        sa.Column("min_soc_pct", F, nullable=False),
        sa.Column("blackouts_sum", B, nullable=False),
        sa.Column("tasks_running_sum", B, nullable=False),
        sa.Column("energy_in_eu", F, nullable=False),
        sa.Column("energy_out_eu", F, nullable=False),
        sqlite_with_rowid=False)


def _fill(first_tick: bool) -> None:
    minute = "CAST(floor(sim_s / 60) AS INTEGER)" if op.get_bind().dialect.name == "postgresql" \
        else "CAST(sim_s / 60 AS INTEGER)"  # SQLite has no floor(); its CAST truncates (sim_s >= 0)
    col, value = (", first_tick", ", min(tick)") if first_tick else ("", "")
    op.execute(
        f"INSERT INTO rollups_minute (run_id, grp, minute, key, sim_s{col}, n_rows, count_sum, mean_soc_sum, "
        "min_soc_pct, blackouts_sum, tasks_running_sum, energy_in_eu, energy_out_eu) "
        f"SELECT run_id, grp, {minute}, key, max(sim_s){value}, count(*), sum(count), sum(mean_soc_pct), "
        "min(min_soc_pct), sum(blackouts), sum(tasks_running), sum(energy_in_eu), sum(energy_out_eu) "
        f"FROM rollups GROUP BY run_id, grp, {minute}, key")


def upgrade() -> None:
    op.drop_table("rollups_minute")
    _create(first_tick=True)
    _fill(first_tick=True)


def downgrade() -> None:
    op.drop_table("rollups_minute")
    _create(first_tick=False)
    _fill(first_tick=False)
