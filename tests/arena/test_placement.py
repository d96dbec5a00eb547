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
