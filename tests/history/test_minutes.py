"""The per-minute rollup sums: a rollups query read from them answers exactly what aggregating
every tick's rollups rows answers, on both engines, also on a database upgraded from 0001."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command

from backend.history import queries, schema, store
from backend.history.block import ColumnBlock
from backend.history.capture import Capturer
from backend.history.rows import RunTrack, tick_rows

from .recorded import column, reader, run_recorded, small_engine

TICKS = 130  # dt 3 s: 390 simulated s, so the run ends inside its seventh minute
WINDOWS = [  # (group, from, to, step): to None is the run's end
    ("plane", None, None, 60.0), ("band", None, None, 60.0), ("plane", 60.0, 333.0, 120.0),
    ("band", 120.0, 240.0, 60.0), ("plane", 0.0, 390.0, 180.0), ("band", 300.0, None, 60.0),
    ("plane", 0.0, 30.0, 60.0),
]


def _both_ways(conn, group, from_s, to_s, step_s):
    run = queries.find_run(conn, 1)
    w = queries.window(run, from_s, to_s, step_s)
    return queries.rollups(conn, run, group, w), queries.rollups(conn, run, group, w, per_minute=False)


def _assert_same(fast: dict, slow: dict, what) -> None:
    assert fast["points"] == slow["points"], what
    a, b = fast["columns"], slow["columns"]
    assert a["key"] == b["key"] and a["sim_s"] == b["sim_s"] and a["sim_date"] == b["sim_date"], what
    for name in queries.ROLLUP_NAMES[2:]:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-9, err_msg=f"{what}: {name}")


def _check_every_window(url: str) -> list[int]:
    """Points of each window (the same both ways)."""
    points = []
    with reader(url).connect() as conn:
        for window in WINDOWS:
            fast, slow = _both_ways(conn, *window)
            _assert_same(fast, slow, window)
            points.append(fast["points"])
        n_rows = column(conn, "SELECT sum(n_rows) FROM rollups_minute")[0]
        assert n_rows == column(conn, "SELECT count(*) FROM rollups")[0]
        first_ticks = conn.exec_driver_sql(
            "SELECT m.first_tick, (SELECT min(r.tick) FROM rollups r WHERE r.run_id = m.run_id AND r.grp = m.grp "
            "AND r.key = m.key AND r.sim_s >= m.minute * 60 AND r.sim_s < m.minute * 60 + 60) FROM rollups_minute m").all()
        assert first_ticks and all(written == first for written, first in first_ticks)
    return points


def test_minute_sums_answer_as_every_tick_does(db_url):
    run_recorded(small_engine(), db_url, TICKS)
    assert min(_check_every_window(db_url)) > 0
    with reader(db_url).connect() as conn:
        minutes = column(conn, "SELECT DISTINCT minute FROM rollups_minute ORDER BY minute").tolist()
        per_minute = column(conn, "SELECT max(n_rows) FROM rollups_minute WHERE grp = 'plane'")[0]
    assert minutes == list(range(7)) and per_minute == 20  # dt 3 s: 20 ticks a minute


def test_a_step_of_no_whole_minutes_reads_every_tick(db_url):
    run_recorded(small_engine(), db_url, 40)
    with reader(db_url).connect() as conn:
        run = queries.find_run(conn, 1)
        for from_s, step_s in ((0.0, 45.0), (30.0, 60.0), (0.0, 6.0)):
            w = queries.window(run, from_s, None, step_s)
            _assert_same(queries.rollups(conn, run, "plane", w),
                         queries.rollups(conn, run, "plane", w, per_minute=False), (from_s, step_s))


def _to_revision(url: str, revision: str, up: bool) -> None:
    with reader(url).begin() as conn:
        cfg = store.alembic_config()
        cfg.attributes["connection"] = conn
        (command.upgrade if up else command.downgrade)(cfg, revision)


def _record_at_0001(url: str, ticks: int) -> dict:
    """A run written into a database at revision 0001 (as the recorder of 0001 wrote it: the
    same row builders and writes, no minute sums); returns the row count of each table."""
    _to_revision(url, "0001", up=True)
    eng, capturer, track = small_engine(), Capturer(0.0), None
    db = reader(url)
    with db.begin() as conn:
        for _ in range(ticks):
            cap = capturer.take(eng, eng.step(), eng.kpis())
            if track is None:
                track = RunTrack(cap.run)
                track.run_id = conn.execute(schema.runs.insert().values(
                    started_wall=0.0, seed=3, scenario="{}", config="{}", code_version="0001", origin="test",
                    n_satellites=120, epoch_unix_s=0.0, last_tick=0, last_sim_s=0.0)).inserted_primary_key[0]
            for table, got in tick_rows(track, cap).items():
                store.write(conn, table, [got] if isinstance(got, ColumnBlock) else got)
        conn.execute(sa.update(schema.runs).values(last_tick=track.last_tick, last_sim_s=track.last_sim_s))
    with db.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in schema.RECORD_TABLES}


def test_upgrading_a_0001_database_keeps_its_rows_and_sums_its_minutes(db_url):
    counts = _record_at_0001(db_url, TICKS)
    assert counts["samples"] == 120 * TICKS and counts["events"] > 1000
    store.migrate(reader(db_url))
    assert min(_check_every_window(db_url)) > 0
    with reader(db_url).connect() as conn:
        assert {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in counts} == counts
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0004"
        assert sa.inspect(conn).get_pk_constraint("samples")["constrained_columns"] == ["run_id", "tick", "sat"]
        if conn.dialect.name == "sqlite":  # clustered by the primary key, indexes kept
            sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").all())
            assert all(sql[t].rstrip().endswith("WITHOUT ROWID") for t in (*counts, "rollups_minute"))
            assert {"ix_events_kind", "ix_events_sat", "ix_tasks_finished"} <= set(sql)
            assert conn.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]


def test_a_downgrade_to_0001_and_back_refills_the_minutes(db_url):
    run_recorded(small_engine(), db_url, TICKS)
    _to_revision(db_url, "0001", up=False)
    with reader(db_url).connect() as conn:
        assert "rollups_minute" not in sa.inspect(conn).get_table_names()
    store.migrate(reader(db_url))
    _check_every_window(db_url)


@pytest.mark.parametrize("retain_sim_s", [100.0, 61.0])
def test_retention_keeps_the_minute_sums_and_the_rows_together(db_url, retain_sim_s):
    run_recorded(small_engine(qps=100), db_url, TICKS, retain_sim_s=retain_sim_s)
    with reader(db_url).connect() as conn:
        first = column(conn, "SELECT min(sim_s) FROM rollups")[0]
        assert first == 60.0 * (int(390.0 - retain_sim_s) // 60)  # from the minute the cutoff is in
    _check_every_window(db_url)
