"""Beaming policies on hand-built cases: exact choices, and the same eligibility rules as v1."""

from __future__ import annotations

import numpy as np
import pytest

from backend.core.beams import BeamLog, beams_step
from backend.core.constants import EARTH_RADIUS_KM
from backend.core.ids import sat_id
from backend.core.params import SimConfig
from backend.core.policies import beaming, sets
from backend.core.state import ACTIVE, Satellites
from backend.core.ticklog import TickEvents

R_KM = EARTH_RADIUS_KM + 550.0


def ring(angles_deg, pct):
    """Satellites on a 550 km equatorial shell at `angles_deg`, charged to `pct` of 1,000 EU."""
    s = Satellites(len(angles_deg))
    ang = np.radians(angles_deg)
    s.pos_eci_km[:] = np.stack([R_KM * np.cos(ang), R_KM * np.sin(ang), np.zeros(len(ang))], axis=1)
    s.max_energy_eu[:] = 1000.0
    s.energy_eu[:] = 10.0 * np.asarray(pct, dtype=float)
    return s


def step_once(s, policy, trough_pct=None) -> TickEvents:
    cfg = SimConfig({"policy": {"beam_policy": policy}})
    ev = TickEvents(0, 1.0)
    trough = None if trough_pct is None else np.asarray(trough_pct, dtype=float)
    beams_step(s, BeamLog(s.n), cfg, 1.0, 1.0, ev, {"beamed_out": 0.0, "beam_losses": 0.0}, np.zeros(s.n), trough)
    return ev


def pair_once(s, policy, trough_pct=None):
    """Giver -> receiver of the beams running after one tick."""
    step_once(s, policy, trough_pct)
    return {int(g): int(s.beam_peer[g]) for g in np.flatnonzero(s.giving == ACTIVE)}


def started(s, policy, trough_pct=None):
    """(from, to) of every beam started in one tick, ended within it or not."""
    ev = step_once(s, policy, trough_pct)
    return [(p["from"], p["to"]) for name, p in ev.records() if name == "sat.energy_transfer_started"]


# Receivers A (0 deg, 10 %) and B (12 deg, 20 %); giver G1 (5 deg, 90 %) is nearest to both,
# giver G2 (-20 deg, 90 %) reaches only A (B is 32 deg, ~3,800 km > Dmax 3,000 km away).
SHARED = dict(angles_deg=[0.0, 12.0, 5.0, -20.0], pct=[10.0, 20.0, 90.0, 90.0])


def test_v1_serves_the_most_urgent_from_its_nearest_and_leaves_the_other():
    assert pair_once(ring(**SHARED), "v1") == {2: 0}


def test_assignment_routes_around_the_shared_giver_and_serves_both():
    assert pair_once(ring(**SHARED), "assignment") == {2: 1, 3: 0}


def test_assignment_breaks_an_equal_energy_tie_toward_the_shorter_link():
    # One giver at 5 deg and 70.1 % (101 EU above stop_pct, 85.85 EU delivered) in reach of
    # A (0 deg, 24.9 %) and B (11 deg, 1 %): both rooms exceed what it can deliver.
    s = ring([0.0, 11.0, 5.0], [24.9, 1.0, 70.1])
    assert pair_once(s, "assignment") == {2: 0}  # the nearer receiver (5 vs 6 deg), not v1's most urgent
    assert pair_once(ring([0.0, 11.0, 5.0], [24.9, 1.0, 70.1]), "v1") == {2: 1}


def test_assignment_keeps_v1_thresholds_range_and_line_of_sight():
    assert pair_once(ring([0.0, 5.0], [25.0, 90.0]), "assignment") == {}  # not below low_pct
    assert pair_once(ring([0.0, 5.0], [10.0, 70.0]), "assignment") == {}  # not above high_pct
    assert pair_once(ring([0.0, 30.0], [10.0, 90.0]), "assignment") == {}  # beyond Dmax
    assert pair_once(ring([0.0, 5.0], [10.0, 90.0]), "assignment") == {1: 0}
    s = ring([0.0, 5.0], [10.0, 90.0])
    s.in_service[0] = False  # out of service: not a receiver
    assert pair_once(s, "assignment") == {}


def test_predictive_serves_a_satellite_whose_eclipse_will_take_it_below_low_pct():
    # 40 % now (v1: not a receiver), 10 % predicted at the end of its coming eclipse
    assert pair_once(ring([0.0, 5.0], [40.0, 90.0]), "v1", [10.0, 90.0]) == {}
    assert pair_once(ring([0.0, 5.0], [40.0, 90.0]), "predictive", [10.0, 90.0]) == {1: 0}
    assert pair_once(ring([0.0, 5.0], [40.0, 90.0]), "predictive", [25.0, 90.0]) == {}  # not below low_pct
    assert pair_once(ring([0.0, 5.0], [40.0, 90.0]), "predictive") == {}  # no prediction: v1's receivers


def test_predictive_serves_the_lowest_trough_first_and_keeps_stop_pct():
    # A (0 deg) at 20 % staying there, B (12 deg) at 40 % falling to 5 %; G1 (5 deg) is nearest to both
    s = dict(angles_deg=[0.0, 12.0, 5.0, -20.0], pct=[20.0, 40.0, 90.0, 90.0])
    assert pair_once(ring(**s), "v1", [20.0, 5.0, 90.0, 90.0]) == {2: 0}
    assert pair_once(ring(**s), "predictive", [20.0, 5.0, 90.0, 90.0]) == {2: 1, 3: 0}
    # at stop_pct (60 %) or above there is no room to fill, whatever the eclipse will take
    assert started(ring([0.0, 5.0], [60.0, 90.0]), "predictive", [5.0, 90.0]) == []
    assert started(ring([0.0, 5.0], [59.0, 90.0]), "predictive", [5.0, 90.0]) == [(sat_id(1), sat_id(0))]


def test_assignment_maximises_total_energy_on_random_links():
    rng = np.random.default_rng(7)
    n_r, n_g = 5, 6
    rk, gk = np.nonzero(rng.random((n_r, n_g)) < 0.6)
    weight = rng.uniform(1.0, 100.0, len(rk))
    match = beaming.assign("assignment", n_r, rk, gk, weight, np.zeros(len(rk)))
    w = dict(zip(zip(rk.tolist(), gk.tolist()), weight.tolist()))
    got = sum(w[(r, int(match[r]))] for r in range(n_r) if match[r] >= 0)
    assert len(set(match[match >= 0].tolist())) == int((match >= 0).sum())  # one receiver per giver
    best = _brute_force_best(n_r, n_g, w)
    assert got == pytest.approx(best, rel=1e-12)


def _brute_force_best(n_r, n_g, w, r=0, used=frozenset()):
    """The largest total weight of a one-to-one choice of links, by exhaustive search."""
    if r == n_r:
        return 0.0
    best = _brute_force_best(n_r, n_g, w, r + 1, used)
    for g in range(n_g):
        if g not in used and (r, g) in w:
            best = max(best, w[(r, g)] + _brute_force_best(n_r, n_g, w, r + 1, used | {g}))
    return best


def test_policy_sets_name_the_beaming_policy():
    assert sets.patch("beams_assignment") == {"placement_policy": "v1", "beam_policy": "assignment",
                                              "drone_policy": "v1"}
    assert sets.patch("eclipse_aware") == {"placement_policy": "trough_spread", "beam_policy": "predictive",
                                           "drone_policy": "v1"}
    with pytest.raises(ValueError, match="pairs as v1"):
        beaming.assign("predictive", 1, np.zeros(1, int), np.zeros(1, int), np.ones(1), np.zeros(1))
    with pytest.raises(ValueError, match="unknown beaming policy"):
        beaming.assign("nope", 1, np.zeros(1, int), np.zeros(1, int), np.ones(1), np.zeros(1))
