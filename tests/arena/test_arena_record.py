"""python -m backend.arena --record: every policy x seed run is a run of its own in the flight
recorder, with its seed and its policy set's config, and the recorded per-tick counts add up to the
arena's own KPIs of that run."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from backend.arena.__main__ import main
from backend.core.policies import sets
from backend.history import schema, store

POLICIES = ["v1", "drones_nearest"]
SEEDS = [3, 4]
HOURS = 0.03
DT_S = 3.0  # the default tick: 0.1 wall s x time scale 30 [sim s]


def test_every_run_is_recorded_with_its_policy_set_and_seed(tmp_path):
    db = tmp_path / "arena.sqlite"
    out = tmp_path / "report"
    assert main(["--policies", ",".join(POLICIES), "--seeds", "3,4", "--hours", str(HOURS), "--load", "50",
                 "--out", str(out), "--workers", "2", "--record", str(db), "--no-plots"]) == 0
    results = json.loads((out / "results.json").read_text())
    engine = store.open_engine(store.database_url(str(db)))
    with engine.connect() as conn:
        runs = conn.execute(sa.select(schema.runs).order_by(schema.runs.c.run_id)).mappings().all()
        completed = dict(conn.execute(sa.select(schema.kpis.c.run_id, sa.func.sum(schema.kpis.c.tasks_completed))
                                      .group_by(schema.kpis.c.run_id)).all())
    engine.dispose()
    assert len(runs) == len(POLICIES) * len(SEEDS)
    assert {r["origin"] for r in runs} == {"arena"}
    assert all(r["ended_wall"] is not None for r in runs)
    recorded = {}
    for r in runs:
        config = json.loads(r["config"])
        flat = {k: v for group in config.values() if isinstance(group, dict) for k, v in group.items()}
        policy = next(name for name, patch in sets.SETS.items()
                      if all(flat.get(k) == v for k, v in patch.items()))
        assert r["n_satellites"] == 300
        assert r["last_sim_s"] == pytest.approx(HOURS * 3600.0, abs=DT_S)  # the whole run, to a tick
        recorded[policy, r["seed"]] = completed[r["run_id"]]
    assert set(recorded) == {(p, s) for p in POLICIES for s in SEEDS}
    assert min(run["kpis"]["tasks_completed"] for run in results["runs"]) > 0
    for run in results["runs"]:
        spec = run["spec"]
        assert recorded[spec["policy"], spec["seed"]] == run["kpis"]["tasks_completed"], spec
