"""The recorder against real databases: everything a run produces is in the tables, exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import sqlalchemy as sa

from backend.history.recorder import Recorder, RecorderSettings
from backend.history.capture import Capturer
from backend.history.store import database_url

from .recorded import column, reader, run_recorded, small_engine

TICKS = 120


@pytest.fixture
def recorded(db_url):
    eng = small_engine()
    rec = run_recorded(eng, db_url, TICKS)
    return eng, rec, reader(db_url)


def test_every_event_task_and_tick_is_recorded(recorded):
    eng, rec, db = recorded
    with db.connect() as c:
        kinds = dict(c.execute(sa.text("SELECT kind, count(*) FROM events GROUP BY kind")).all())
        assert kinds == {k: v for k, v in eng.totals.items() if v}
        assert eng.totals["task.created"] > 1000  # not a trivial run: beyond the socket's per-client cap
        outcomes = dict(c.execute(sa.text("SELECT outcome, count(*) FROM tasks GROUP BY outcome")).all())
        counters = eng.book.counters()
        assert outcomes.get("completed", 0) == counters["completed"]
        assert outcomes.get("dropped", 0) == counters["dropped"]
        assert c.execute(sa.text("SELECT count(*) FROM kpis")).scalar() == TICKS
        assert column(c, "SELECT tasks_created FROM kpis").sum() == counters["created"]
        seqs = column(c, "SELECT seq FROM events ORDER BY seq")
        assert seqs.tolist() == list(range(1, len(seqs) + 1))
    assert sum(rec.status()["lost"].values()) == 0 and rec.status()["dropped_ticks"] == 0


def test_run_row_has_seed_scenario_config_and_version(recorded):
    eng, _, db = recorded
    with db.connect() as c:
        run = c.execute(sa.text("SELECT * FROM runs")).mappings().one()
    assert run["seed"] == 3 and run["n_satellites"] == 120 and run["origin"] == "server"
    assert json.loads(run["config"]) == eng.config.to_dict()
    assert json.loads(run["scenario"])["planes"] == 6
    assert run["last_tick"] == TICKS and run["ended_wall"] >= run["started_wall"]
    assert run["code_version"] and run["code_version"] != "unknown"


def test_samples_hold_the_engine_state_at_full_resolution(recorded):
    eng, _, db = recorded
    with db.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM samples")).scalar() == TICKS * 120
        last = column(c, "SELECT energy_eu FROM samples WHERE tick = :t ORDER BY sat", t=TICKS)
        tasks = column(c, "SELECT tasks FROM samples WHERE tick = :t ORDER BY sat", t=TICKS)
    np.testing.assert_array_equal(last, eng.sats.energy_eu)
    np.testing.assert_array_equal(tasks, eng.sats.n_tasks)


def test_rollups_agree_with_a_per_plane_loop(recorded):
    """Reference: plain Python over the satellites of each plane (not bincount)."""
    eng, _, db = recorded
    soc = 100.0 * eng.sats.energy_eu / eng.sats.max_energy_eu
    with db.connect() as c:
        rows = c.execute(sa.text("SELECT key, count, mean_soc_pct, min_soc_pct, tasks_running FROM rollups "
                                 "WHERE grp = 'plane' AND tick = :t ORDER BY key"), {"t": TICKS}).all()
        band_total = c.execute(sa.text("SELECT sum(count) FROM rollups WHERE grp = 'band' AND tick = :t"),
                               {"t": TICKS}).scalar()
    assert band_total == 120
    for key, count, mean, low, tasks in rows:
        members = [i for i in range(eng.sats.n) if eng.sats.plane[i] == key]
        assert count == len(members)
        assert mean == pytest.approx(sum(soc[i] for i in members) / len(members), abs=1e-9)
        assert low == pytest.approx(min(soc[i] for i in members), abs=1e-12)
        assert tasks == sum(int(eng.sats.n_tasks[i]) for i in members)


def test_rollup_energy_in_minus_out_is_the_change_in_stored_energy(recorded):
    _, _, db = recorded
    with db.connect() as c:
        net = column(c, "SELECT sum(energy_in_eu - energy_out_eu) FROM rollups WHERE grp = 'band' "
                        "AND tick > 1 GROUP BY tick ORDER BY tick")
        stored = column(c, "SELECT sum(energy_eu) FROM samples GROUP BY tick ORDER BY tick")
    np.testing.assert_allclose(net, np.diff(stored), atol=1e-6)  # EU


def test_reset_starts_a_new_run_and_config_changes_are_recorded_with_their_tick(db_url):
    def commands(eng, k):
        if k == 20:
            eng.submit({"type": "set_config", "config": {"w1": 0.4}})
        if k == 40:
            eng.submit({"type": "reset", "seed": 9})

    run_recorded(small_engine(qps=50), db_url, 60, sample_every_s=60.0, before_tick=commands)
    with reader(db_url).connect() as c:
        runs = c.execute(sa.text("SELECT run_id, seed, ended_wall, last_tick FROM runs ORDER BY run_id")).all()
        change = c.execute(sa.text("SELECT run_id, seq, tick, config FROM config_changes")).one()
        first_ticks = column(c, "SELECT min(tick) FROM kpis GROUP BY run_id ORDER BY run_id")
    # the reset's step stops at the seed state (tick 0), so the 19 steps after it are ticks 1..19
    assert [(r.seed, r.last_tick) for r in runs] == [(3, 40), (9, 19)]
    assert all(r.ended_wall is not None for r in runs)
    assert (change.run_id, change.seq, change.tick) == (runs[0].run_id, 1, 21)
    assert json.loads(change.config)["delegator"]["w1"] == 0.4
    assert first_ticks.tolist() == [1, 0]  # a reset's run starts with its seed state at tick 0


def test_samples_follow_sample_every_in_simulated_seconds(db_url):
    eng = small_engine(qps=0, time_scale=30.0)  # dt = 3 s
    run_recorded(eng, db_url, 50, sample_every_s=30.0)
    with reader(db_url).connect() as c:
        times = column(c, "SELECT DISTINCT sim_s FROM samples ORDER BY sim_s")
    assert times.tolist() == [3.0] + [30.0 * k for k in range(1, 6)]  # the run's first tick, then every 30 s


def test_a_full_queue_drops_ticks_and_counts_them(tmp_path):
    rec = Recorder(RecorderSettings(url=database_url(str(tmp_path / "h.sqlite")), queue_ticks=3))
    eng = small_engine(qps=50)  # writer not started: nothing drains the queue
    cap = Capturer(0.0)
    offered = [rec.offer(cap.take(eng, eng.step(), eng.kpis())) for _ in range(10)]
    assert offered == [True] * 3 + [False] * 7
    status = rec.status()
    assert status["dropped_ticks"] == 7 and status["dropped_records"] >= 7 * (120 + 1)
    assert status["queued"] == 3


def test_the_byte_bound_drops_ticks_before_the_tick_bound_and_frees_room_when_written(tmp_path):
    eng = small_engine(qps=50)  # 120 satellites: ~30 bytes each a capture
    cap = Capturer(0.0)
    caps = [cap.take(eng, eng.step(), eng.kpis()) for _ in range(10)]
    sizes = [c.nbytes() for c in caps]
    assert sizes[1] >= 120 * (3 * 8 + 2 + 4)  # energy, solar, lat (float64), flags (int16), tasks (int32)
    bound = sum(sizes[:3])  # exactly three captures fit
    rec = Recorder(RecorderSettings(url=database_url(str(tmp_path / "h.sqlite")), queue_ticks=600,
                                    queue_bytes=bound))
    offered = [rec.offer(c) for c in caps]
    assert offered == [True] * 3 + [False] * 7
    status = rec.status()
    assert status["dropped_ticks"] == 7 and status["dropped_records"] == sum(c.records() for c in caps[3:])
    assert (status["queued"], status["queued_bytes"], status["queue_capacity_bytes"]) == (3, bound, bound)
    rec.flush()  # the writer's pass (not started here): the written captures free their bytes
    assert rec.status()["queued_bytes"] == 0
    assert rec.offer(cap.take(eng, eng.step(), eng.kpis())) and rec.status()["queued"] == 1


def test_a_capture_larger_than_the_byte_bound_is_queued_when_the_queue_is_empty(tmp_path):
    rec = Recorder(RecorderSettings(url=database_url(str(tmp_path / "h.sqlite")), queue_bytes=1))
    eng = small_engine(qps=0)
    cap = Capturer(0.0)
    offered = [rec.offer(cap.take(eng, eng.step(), eng.kpis())) for _ in range(3)]
    assert offered == [True, False, False] and rec.status()["dropped_ticks"] == 2


def test_headless_output_is_the_same_with_record(tmp_path):
    args = [sys.executable, "-m", "backend.headless", "--satellites", "60", "--ticks", "40", "--qps", "40"]
    plain = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    path = tmp_path / "run.sqlite"
    recorded = subprocess.run(args + ["--record", str(path)], capture_output=True, text=True, check=True)
    assert recorded.stdout == plain
    with reader(str(path)).connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM kpis")).scalar() == 40
        assert c.execute(sa.text("SELECT origin FROM runs")).scalar() == "headless"


def test_the_readme_pandas_example_reads_a_recorded_run(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Flight recorder", 1)[1]
    command = section.split("```bash\n", 1)[1].split("\n```", 1)[0].replace(".venv/bin/python", sys.executable)
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(snippet.strip().splitlines()) == 5
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run(command.replace("--ticks 3600", "--ticks 100"), shell=True, cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    out = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "mean_energy_pct" in out.stdout and "0.99" in out.stdout


def test_a_capture_that_fails_is_counted_and_never_raises_into_the_tick(tmp_path):
    rec = Recorder(RecorderSettings(url=database_url(str(tmp_path / "h.sqlite"))))
    eng = small_engine(qps=0)
    ev = eng.step()
    half = SimpleNamespace(generation=eng.generation + 1, seed=1, scenario=eng.scenario)  # no arrays
    rec.record(half, ev, {})
    rec.record(object(), ev, {})  # not an engine at all
    status = rec.status()
    assert status["capture_errors"] == 2 and status["dropped_ticks"] == 2 and status["queued"] == 0


def test_a_tick_whose_rows_cannot_be_built_is_counted_and_the_writer_goes_on(tmp_path):
    path = str(tmp_path / "h.sqlite")
    rec = Recorder(RecorderSettings(url=database_url(path), flush_s=0.05)).start()
    eng = small_engine(qps=50)
    for k in range(6):
        ev = eng.step()
        rec.record(eng, ev, None if k == 2 else eng.kpis())  # tick 3's KPI row cannot be built
    rec.close()
    assert rec.status()["capture_errors"] == 1
    with reader(path).connect() as c:
        assert column(c, "SELECT tick FROM kpis ORDER BY tick").tolist() == [1, 2, 4, 5, 6]
