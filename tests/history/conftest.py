"""History fixtures: a database URL per engine (a SQLite file, a database in a throwaway
PostgreSQL cluster started once per session), and recorded headless runs."""

from __future__ import annotations

import itertools

import pytest

from .pgcluster import PgCluster

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster():
    with PgCluster() as pg:
        yield pg


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """HISTORY_URL of an empty database of each engine."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    pg = request.getfixturevalue("pg_cluster")
    return pg.fresh_database(f"t{next(_names)}")
