"""Retention by simulated age and by size, on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from backend.history import retention

from .recorded import column, reader, run_recorded, small_engine


def test_age_keeps_the_last_retain_sim_s_of_each_run(db_url):
    eng = small_engine(qps=100)  # dt 3 s: 100 ticks = 300 simulated s
    run_recorded(eng, db_url, 100, sample_every_s=0.0, retain_sim_s=60.0)
    with reader(db_url).connect() as c:
        last = c.execute(sa.text("SELECT last_sim_s FROM runs")).scalar()
        assert last == 300.0
        for table, col in retention.TIME_COLUMN.items():
            times = column(c, f"SELECT {col} FROM {table}")
            assert len(times) > 0 and times.min() >= last - 60.0, table
        assert column(c, "SELECT tick FROM kpis ORDER BY tick").tolist() == list(range(80, 101))


def test_size_drops_the_oldest_runs_first(db_url):
    def resets(eng, k):
        if k in (30, 60):
            eng.submit({"type": "reset", "seed": k})

    run_recorded(small_engine(qps=100), db_url, 90, sample_every_s=0.0)
    db = reader(db_url)
    with db.begin() as c:
        runs_before = column(c, "SELECT run_id FROM runs ORDER BY run_id").tolist()
        from backend.history import store

        full = store.used_bytes(c)
    run_recorded(small_engine(qps=100), db_url, 90, sample_every_s=0.0, before_tick=resets, max_bytes=int(full * 1.1))
    with db.connect() as c:
        runs = column(c, "SELECT run_id FROM runs ORDER BY run_id").tolist()
        orphans = c.execute(sa.text("SELECT count(*) FROM samples WHERE run_id NOT IN (SELECT run_id FROM runs)")).scalar()
        size = store.used_bytes(c)
    assert runs_before[0] not in runs and runs[-1] == max(runs)  # the first run went, the newest stayed
    assert orphans == 0
    assert size <= full * 1.1 or runs == [max(runs)]
