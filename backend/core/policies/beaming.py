"""Beaming policies: which free satellites may receive, and which free giver beams to which.

Interface: `receivers(name, cfg, pct, trough_pct)` -> (wants, urgency): which satellites ask for
a beam and their urgency (% of capacity, lowest served first); `assign(name, n_receivers, rk, gk,
weight_eu, dist_km)` -> giver position per receiver (-1: none) over candidate links (rk, gk):
receiver and giver positions of every link in range with line of sight, each receiver's links
nearest first. The giver rule (above high_pct), stop_pct, line of sight, `Satellites.in_service`
and the per-tick cap are beams.py's, the same for every policy; `v1`'s pairing (urgency-ordered
nearest greedy) stays in beams.py and never calls `assign`.

- v1: receivers below low_pct, most urgent (lowest charge) first.

- assignment: a one-to-one assignment of givers to receivers that maximises the energy the new
  beams can deliver, min(giver's EU above stop_pct x efficiency, receiver's room to stop_pct)
  summed over the pairs (scipy.optimize.linear_sum_assignment); ties go to the shorter links.
  Receivers as v1.
- predictive: beams before eclipse. A receiver is a satellite below stop_pct (room to fill) whose
  charge now or whose trough (the lowest charge predicted before its next eclipse ends:
  prediction.trough_energy) is below low_pct, most urgent (lowest of the two) first; pairs as
  v1 (nearest free giver).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

NAMES = ("v1", "assignment", "predictive")
_PER_KM = 1e-9  # EU of weight per km of link: breaks equal-energy ties toward short links only


def _known(name: str) -> None:
    if name not in NAMES:
        raise ValueError(f"unknown beaming policy {name!r}; expected one of {', '.join(NAMES)}")


def receivers(name: str, cfg, pct: np.ndarray, trough_pct: np.ndarray | None):
    """(wants (N,) bool, urgency (N,) % of capacity) of policy `name`: who asks for a beam now."""
    _known(name)
    if name != "predictive":
        return pct < cfg.low_pct, pct
    urgency = pct if trough_pct is None else np.minimum(pct, trough_pct)
    return (urgency < cfg.low_pct) & (pct < cfg.stop_pct), urgency


def assign(name: str, n_receivers: int, rk: np.ndarray, gk: np.ndarray,
           weight_eu: np.ndarray, dist_km: np.ndarray) -> np.ndarray:
    """Giver position per receiver (-1 none) chosen by policy `name` among the links."""
    _known(name)
    if name != "assignment":
        raise ValueError(f"beaming policy {name!r} pairs as v1 (beams.py), not by assignment")
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
