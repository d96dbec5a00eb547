"""Samples keyed by (run_id, tick, sat) instead of (run_id, sat, tick): a tick's samples append
at the end of the key's B-tree instead of landing on a page per satellite (schema.samples).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = "run_id, sat, tick, sim_s, energy_eu, soc_pct, flags, tasks"


def _sqlite_rekey(conn, key: tuple) -> None:
    """Rebuild SQLite's samples WITHOUT ROWID with primary key (run_id, *key), rows copied in that order."""
    op.create_table(
        "samples__rekeyed",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
        sa.Column("sat", sa.Integer, nullable=False), sa.Column("tick", sa.Integer, nullable=False),
        sa.Column("sim_s", sa.Float, nullable=False), sa.Column("energy_eu", sa.Float, nullable=False),
        sa.Column("soc_pct", sa.Float, nullable=False),
        sa.Column("flags", sa.SmallInteger, nullable=False, comment="1 sunlit, 2 blackout, 4 giving, 8 receiving"),
        sa.Column("tasks", sa.Integer, nullable=False, comment="tasks on board"),
        sa.PrimaryKeyConstraint("run_id", *key),
        sqlite_with_rowid=False)
    order = ", ".join(("run_id", *key))
    conn.exec_driver_sql(f"INSERT INTO samples__rekeyed ({COLUMNS}) SELECT {COLUMNS} FROM samples ORDER BY {order}")
    conn.exec_driver_sql("DROP TABLE samples")
    conn.exec_driver_sql("ALTER TABLE samples__rekeyed RENAME TO samples")


def _rekey(key: tuple) -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _sqlite_rekey(conn, key)
        return
    op.drop_constraint("samples_pkey", "samples", type_="primary")
    op.create_primary_key("samples_pkey", "samples", ["run_id", *key])


def upgrade() -> None:
    _rekey(("tick", "sat"))


def downgrade() -> None:
    _rekey(("sat", "tick"))
