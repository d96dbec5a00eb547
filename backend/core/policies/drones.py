"""Drone routing policies: the order in which satellites in need get a drone.

Interface: `order(name, sats, cand, dist_km, cfg)` -> permutation of `cand` (satellite indices, in
v1's order: highest routing need first) that the launch greedy walks; each candidate still gets
the nearest station with a free drone passing the launch rule, as in v1 (drones.py `_route`).
`v1` keeps the given order (the engine skips the call). Ties keep v1's order (stable sorts).

- nearest: shortest geodesic distance from a station with a free drone first;
- predictive: largest predicted deficit first: route_pct of capacity less the energy predicted
  at the end of the horizon (eclipses included; Satellites.predicted_eu, EU).
"""

from __future__ import annotations

import numpy as np

NAMES = ("v1", "nearest", "predictive")


def order(name: str, sats, cand: np.ndarray, dist_km: np.ndarray, cfg) -> np.ndarray:
    """Positions into cand (C,) in the policy's order; dist_km (S, C) station x candidate, km."""
    if name == "nearest":
        return np.argsort(dist_km.min(axis=0), kind="stable")
    if name == "predictive":
        deficit = cfg.route_pct / 100.0 * sats.max_energy_eu[cand] - sats.predicted_eu[cand]
        return np.argsort(-deficit, kind="stable")
    return np.arange(len(cand))
