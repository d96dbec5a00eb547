"""Placement policies on hand-built cases: the exact satellite each one picks."""

from __future__ import annotations

import numpy as np
import pytest

from backend.core.constants import EARTH_RADIUS_KM
from backend.core.delegator import SatLoad, TaskBatch, delegate
from backend.core.params import SimConfig
from backend.core.policies import placement

R = EARTH_RADIUS_KM + 550.0
CFG = SimConfig()


def sats(n=3, energy=None, n_tasks=None, blackout=None, pos=None) -> SatLoad:
    """n satellites straight above (R, 0, 0) unless `pos`; 1000 EU of 1000, empty."""
    p = np.array(pos, dtype=float) if pos is not None else np.tile([R, 0.0, 0.0], (n, 1))
    n = len(p)
    return SatLoad(p, np.array(energy if energy is not None else [1000.0] * n, dtype=float),
                   np.full(n, 1000.0), np.zeros(n), np.zeros(n), np.full(n, 10.0),
                   np.array(n_tasks if n_tasks is not None else [0] * n, dtype=np.int32),
                   np.array(blackout if blackout is not None else [False] * n))


def tasks(t=1, need=10.0, work=10.0, origin=None) -> TaskBatch:
    o = np.tile(origin if origin is not None else [0.0, 0.0, 0.0], (t, 1))
    return TaskBatch(o, np.full(t, origin is not None), np.full(t, need), np.full(t, work), np.zeros(t, np.int8))


def place(name, tb, load, **look):
    return placement.place(name, tb, load, CFG, placement.Lookahead(**look))[0].tolist()


def test_least_loaded_takes_fewest_tasks_then_least_backlog():
    # satellite 1 has no task; then 1 and 2 both have one, 2 has no backlog (its task is counted, not worked)
    load = sats(energy=[1000, 1000, 1000], n_tasks=[2, 0, 1])
    assert place("least_loaded", tasks(3), load) == [1, 2, 1]
    assert load.n_tasks.tolist() == [2, 2, 2]


def test_round_robin_cycles_through_eligible_satellites_across_calls():
    memory: dict = {}
    load = sats(4, blackout=[False, True, False, False])
    assert place("round_robin", tasks(4), load, memory=memory) == [0, 2, 3, 0]
    assert place("round_robin", tasks(2), load, memory=memory) == [2, 3]


def test_nearest_takes_the_shortest_slant_range_to_the_origin():
    pos = [[R, 900.0, 0.0], [R, -400.0, 0.0], [R, 100.0, 0.0]]
    origin = [EARTH_RADIUS_KM, 0.0, 0.0]
    assert place("nearest", tasks(1, origin=origin), sats(pos=pos)) == [2]


def test_lookahead_avoids_the_satellite_predicted_to_run_down():
    # identical now (v1 takes the lowest index); satellite 0 is predicted at 100 EU after the horizon
    assert delegate(tasks(1), sats(2), CFG)[0].tolist() == [0]
    assert place("lookahead", tasks(1), sats(2), predicted_eu=np.array([100.0, 900.0])) == [1]


def test_trough_guard_keeps_v1_unless_the_eclipse_would_take_the_margin():
    # identical now: v1 takes 0. Margin 5 % of 1000 = 50 EU; the task needs 10 EU.
    assert place("trough_guard", tasks(1), sats(2), trough_eu=np.array([60.0, 900.0])) == [0]  # 60 - 10 = 50: safe
    assert place("trough_guard", tasks(1), sats(2), trough_eu=np.array([59.0, 900.0])) == [1]
    # satellite 1 stays safe for two tasks (70 - 10 - 10 = 50), then nobody is: v1's choice again
    assert place("trough_guard", tasks(3), sats(2), trough_eu=np.array([0.0, 70.0])) == [1, 1, 0]
    assert place("trough_guard", tasks(1), sats(2)) == [0]  # no trough known: v1


def test_trough_spread_takes_the_least_loaded_of_the_safe_satellites():
    load = sats(energy=[1000, 1000, 1000], n_tasks=[0, 2, 1])
    assert place("trough_spread", tasks(1), load, trough_eu=np.array([10.0, 900.0, 900.0])) == [2]
    # nobody safe: v1's choice (the fuller satellite with more energy), not the least loaded one
    assert place("trough_spread", tasks(1), sats(2, energy=[1000, 300], n_tasks=[1, 0]), trough_eu=np.zeros(2)) == [0]
    assert place("least_loaded", tasks(1), sats(2, energy=[1000, 300], n_tasks=[1, 0])) == [1]


def test_random_is_reproducible_for_a_seed_and_tick_and_covers_the_eligible():
    load_a, load_b = sats(4, blackout=[False, False, True, False]), sats(4, blackout=[False, False, True, False])
    a = place("random", tasks(24), load_a, seed=5, tick=9)
    assert a == place("random", tasks(24), load_b, seed=5, tick=9)
    assert sorted(a) == [0] * 8 + [1] * 8 + [3] * 8  # 8 slots each fill up; never the blackout one
    assert a != place("random", tasks(24), sats(4, blackout=[False, False, True, False]), seed=5, tick=10)


@pytest.mark.parametrize("name", [n for n in placement.NAMES if n != "v1"])
def test_every_policy_keeps_v1_eligibility(name):
    # 0 blacked out, 1 full queue, 2 without the energy margin, 3 the only one that can take the task
    load = sats(4, energy=[1000, 1000, 40, 1000], n_tasks=[0, CFG.max_queue, 0, 0], blackout=[True, False, False, False])
    got = place(name, tasks(2, need=10.0), load, predicted_eu=np.full(4, 500.0), trough_eu=np.full(4, 500.0))
    assert got[0] == 3
    too_big = place(name, tasks(1, need=2000.0), sats(2), predicted_eu=np.full(2, 500.0), trough_eu=np.full(2, 500.0))
    assert too_big == [-1]


class _Sats:
    max_energy_eu = np.full(3, 1000.0)
    predicted_eu = np.array([150.0, 50.0, 190.0])


def test_drone_orders():
    from backend.core.policies import drones

    cand = np.array([4, 7, 9])  # v1's order (need)
    dist = np.array([[900.0, 300.0, 300.0], [800.0, 500.0, 100.0]])  # 2 stations x 3 candidates
    assert drones.order("nearest", None, cand, dist, CFG).tolist() == [2, 1, 0]
    sats = _Sats()
    sats.predicted_eu = np.zeros(10)
    sats.max_energy_eu = np.full(10, 1000.0)
    sats.predicted_eu[[4, 7, 9]] = [150.0, 50.0, 190.0]  # deficits at route_pct 20 %: 50, 150, 10
    assert drones.order("predictive", sats, cand, dist, CFG).tolist() == [1, 0, 2]
    assert drones.order("v1", sats, cand, dist, CFG).tolist() == [0, 1, 2]


def _random_world(rng, n_sats=3000, n_tasks=400):
    """A fleet between 500 and 1,200 km over the whole sphere, tasks from the ground (1 in 8 without origin)."""
    d = rng.normal(size=(n_sats, 3))
    pos = d / np.linalg.norm(d, axis=1)[:, None] * (EARTH_RADIUS_KM + rng.uniform(500, 1200, n_sats))[:, None]
    load = SatLoad(pos, rng.uniform(0, 1000, n_sats), np.full(n_sats, 1000.0), np.zeros(n_sats),
                   rng.uniform(0, 20, n_sats), np.full(n_sats, 10.0), rng.integers(0, CFG.max_queue + 1, n_sats).astype(np.int32),
                   rng.random(n_sats) < 0.05)
    o = rng.normal(size=(n_tasks, 3))
    o = o / np.linalg.norm(o, axis=1)[:, None] * EARTH_RADIUS_KM
    tb = TaskBatch(o, rng.random(n_tasks) >= 0.125, rng.uniform(1, 60, n_tasks), rng.uniform(1, 60, n_tasks),
                   rng.integers(0, 3, n_tasks).astype(np.int8))
    look = dict(seed=3, tick=7, predicted_eu=rng.uniform(0, 1000, n_sats), trough_eu=rng.uniform(0, 1000, n_sats))
    return load, tb, look


@pytest.mark.parametrize("name", [n for n in placement.NAMES if n != "v1"])
def test_scoring_only_the_satellites_in_view_chooses_as_scoring_all(name, monkeypatch):
    rng = np.random.default_rng(11)
    load, tb, look = _random_world(rng)
    pruned = placement._in_view(placement._Context(tb, load, CFG, index=False))
    assert max(len(v) for v in pruned if v is not None) < len(load.energy_eu) // 4  # it does prune
    load_all = load.copy()
    got = placement.place(name, tb, load, CFG, placement.Lookahead(**look))
    monkeypatch.setattr(placement, "_in_view", lambda c: [None] * len(c.need))  # every open satellite
    want = placement.place(name, tb, load_all, CFG, placement.Lookahead(**look))
    assert (got[0] >= 0).sum() > 100
    assert got[0].tolist() == want[0].tolist()
    np.testing.assert_array_equal(got[1], want[1])


def test_satellites_at_the_edge_of_the_elevation_limit_are_judged_as_by_scoring_all(monkeypatch):
    from backend.core.capgrid import visibility_radius

    lam = float(visibility_radius(R, EARTH_RADIUS_KM, np.radians(CFG.min_elevation_deg)))
    origin = [EARTH_RADIUS_KM, 0.0, 0.0]
    edge = [[R * np.cos(lam + d), R * np.sin(lam + d), 0.0] for d in np.linspace(-1e-6, 1e-6, 81)]
    got = [place("nearest", tasks(1, origin=origin), sats(pos=[p]))[0] for p in edge]
    monkeypatch.setattr(placement, "_in_view", lambda c: [None] * len(c.need))
    want = [place("nearest", tasks(1, origin=origin), sats(pos=[p]))[0] for p in edge]
    assert got == want and 0 in got and -1 in got
