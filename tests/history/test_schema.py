"""The Alembic migrations build exactly the tables of backend/history/schema.py, on both engines."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.history import schema
from backend.history.store import migrate, open_engine, database_url


def test_migrations_match_the_schema_and_are_idempotent(db_url):
    engine = open_engine(database_url(db_url))
    migrate(engine)
    migrate(engine)  # a second start finds the schema current and changes nothing
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert diff == []
    assert version == "0004"
    with engine.connect() as conn:  # key order (compare_metadata does not look at it): tick before sat
        assert sa.inspect(conn).get_pk_constraint("samples")["constrained_columns"] == ["run_id", "tick", "sat"]


def test_off_disables_and_bad_urls_are_refused(tmp_path):
    assert database_url("off") is None
    assert database_url("postgresql://u@h:5/db") == "postgresql+psycopg://u@h:5/db"
    assert database_url(str(tmp_path / "a.sqlite")) == f"sqlite:///{tmp_path / 'a.sqlite'}"
    for bad in ("mysql://x/y", "sqlite:memory"):
        try:
            database_url(bad)
        except ValueError as exc:
            assert "expected off" in str(exc) and bad in str(exc)
        else:
            raise AssertionError(bad)
