"""Rollups summed per simulated minute (rollups_minute), filled from the rollups already recorded;
in SQLite the per-tick tables become WITHOUT ROWID (clustered by their primary key), copied over.

Revision ID: 0002
Revises: 0001
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

F, I, B = sa.Float, sa.Integer, sa.BigInteger
CLUSTERED = ("kpis", "rollups", "samples", "events", "tasks")


def _cluster_sqlite_table(conn, name: str) -> None:
    """Rebuild a SQLite table WITHOUT ROWID with the same columns, rows and indexes."""
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).scalar()
    if sql is None or re.search(r"WITHOUT\s+ROWID\s*$", sql, re.I):
        return
    indexes = [r[0] for r in conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (name,))]
    new = f"{name}__clustered"
    create = re.sub(rf"^CREATE TABLE\s+\"?{name}\"?", f"CREATE TABLE {new}", sql.strip(), count=1)
    conn.exec_driver_sql(create + " WITHOUT ROWID")
    conn.exec_driver_sql(f"INSERT INTO {new} SELECT * FROM {name}")
    conn.exec_driver_sql(f"DROP TABLE {name}")
    conn.exec_driver_sql(f"ALTER TABLE {new} RENAME TO {name}")
    for index in indexes:
        conn.exec_driver_sql(index)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for name in CLUSTERED:
            _cluster_sqlite_table(conn, name)
    op.create_table(
        "rollups_minute",
        sa.Column("run_id", I, sa.ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("grp", sa.String(8), primary_key=True, comment="plane or band"),
        sa.Column("minute", I, primary_key=True, comment="floor(sim_s / 60) of the rollups rows summed"),
        sa.Column("key", I, primary_key=True, comment="plane index, or band's lower latitude (deg)"),
        sa.Column("sim_s", F, nullable=False, comment="the last tick's sim_s"),
        sa.Column("n_rows", I, nullable=False, comment="rollups rows (ticks) summed here"),
        sa.Column("count_sum", B, nullable=False),
        sa.Column("mean_soc_sum", F, nullable=False, comment="sum of the rows' mean_soc_pct"),
        sa.Column("min_soc_pct", F, nullable=False),
        sa.Column("blackouts_sum", B, nullable=False),
        sa.Column("tasks_running_sum", B, nullable=False),
        sa.Column("energy_in_eu", F, nullable=False),
        sa.Column("energy_out_eu", F, nullable=False),
        sqlite_with_rowid=False)
    minute = "CAST(floor(sim_s / 60) AS INTEGER)" if conn.dialect.name == "postgresql" \
        else "CAST(sim_s / 60 AS INTEGER)"  # SQLite has no floor(); its CAST truncates (sim_s >= 0)
    op.execute(
        "INSERT INTO rollups_minute (run_id, grp, minute, key, sim_s, n_rows, count_sum, mean_soc_sum, min_soc_pct, "
        "blackouts_sum, tasks_running_sum, energy_in_eu, energy_out_eu) "
        f"SELECT run_id, grp, {minute}, key, max(sim_s), count(*), sum(count), sum(mean_soc_pct), "
        "min(min_soc_pct), sum(blackouts), sum(tasks_running), sum(energy_in_eu), sum(energy_out_eu) "
        f"FROM rollups GROUP BY run_id, grp, {minute}, key")


def downgrade() -> None:
    op.drop_table("rollups_minute")  # the clustered SQLite tables stay so: same columns, same rows
