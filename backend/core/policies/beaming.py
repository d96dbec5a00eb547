"""Beaming policies: which free giver beams to which free receiver.

Interface: `assign(name, n_receivers, n_givers, rk, gk, weight_eu)` -> giver position per
receiver (-1: none) over candidate links (rk, gk): receiver and giver positions of every link in
range with line of sight, each receiver's links nearest first. The thresholds, line of sight,
`Satellites.in_service` and the per-tick cap are beams.py's, the same for every policy; `v1`
(urgency-ordered nearest greedy) stays in beams.py and never calls this.

- assignment: a one-to-one assignment of givers to receivers that maximises the energy the new
  beams can deliver, min(giver's EU above stop_pct x efficiency, receiver's room to stop_pct)
  summed over the pairs (scipy.optimize.linear_sum_assignment); ties go to the shorter links.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

NAMES = ("v1", "assignment")
_PER_KM = 1e-9  # EU of weight per km of link: breaks equal-energy ties toward short links only


def assign(name: str, n_receivers: int, n_givers: int, rk: np.ndarray, gk: np.ndarray,
           weight_eu: np.ndarray, dist_km: np.ndarray) -> np.ndarray:
    """Giver position per receiver (-1 none) chosen by policy `name` among the links."""
    if name != "assignment":
        raise ValueError(f"unknown beaming policy {name!r}; expected one of {', '.join(NAMES)}")
    match = np.full(n_receivers, -1, dtype=np.int64)
    if len(rk) == 0:
        return match
    rows, r_of = np.unique(rk, return_inverse=True)
    cols, g_of = np.unique(gk, return_inverse=True)
    gain = np.zeros((len(rows), len(cols)))  # no link: 0, never chosen over a real one below
    linked = np.zeros_like(gain, dtype=bool)
    gain[r_of, g_of] = weight_eu - _PER_KM * dist_km
    linked[r_of, g_of] = True
    ri, gi = linear_sum_assignment(gain, maximize=True)
    real = linked[ri, gi] & (gain[ri, gi] > 0)
    match[rows[ri[real]]] = cols[gi[real]]
    return match
