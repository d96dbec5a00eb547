"""JobOrchestrator: satellite-to-satellite energy beaming.

Seed rule: a receiver below `low_pct` and a giver above `high_pct`, closer than Dmax with a
clear line of sight, pair up; each tick the giver sends min(rate*dt, giver - stop_pct) (and no
more than the receiver can hold after losses); the receiver gets `efficiency` of it, the rest
is counted as beam loss. A beam continues until the giver reaches `stop_pct`, the receiver
reaches `stop_pct`, or range or line of sight is lost. One peer per satellite; receivers are
served most urgent (lowest charge) first, each by its nearest free giver. A satellite above
`high_pct` that is the nearest would-be giver of an unserved receiver but cannot reach it
(range, line of sight, or its peer taken) is `blocked`.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from .geometry import segment_clear
from .state import ACTIVE, BLOCKED, IDLE, Satellites
from .ticklog import TickEvents


class BeamLog:
    """Per-giver bookkeeping of the running beam: start time, EU sent and lost, last rate (EU/s)."""

    def __init__(self, n: int):
        self.started_at = np.zeros(n)
        self.sent_eu = np.zeros(n)
        self.lost_eu = np.zeros(n)
        self.rate_eu_s = np.zeros(n)


def beams_step(sats: Satellites, log: BeamLog, cfg, dt: float, now: float,
               ev: TickEvents, ledger: dict, received: np.ndarray) -> None:
    """End finished beams, pair new ones, transfer energy for this tick."""
    pct = 100.0 * sats.energy_eu / sats.max_energy_eu
    _end_beams(sats, log, cfg, pct, now, ev)
    sats.giving[sats.giving == BLOCKED] = IDLE
    _pair(sats, log, cfg, pct, now, ev)
    _transfer(sats, log, cfg, dt, ledger, received)


def _link_ok(sats: Satellites, g: np.ndarray, r: np.ndarray, dmax: float):
    """Distance (km) and whether each giver->receiver link is in range with line of sight."""
    a, b = sats.pos_eci_km[g], sats.pos_eci_km[r]
    dist = np.linalg.norm(a - b, axis=1)
    return dist, (dist <= dmax) & segment_clear(a, b)


def _end_beams(sats, log, cfg, pct, now, ev) -> None:
    g = np.flatnonzero(sats.giving == ACTIVE)
    if len(g) == 0:
        return
    r = sats.beam_peer[g]
    _, ok = _link_ok(sats, g, r, cfg.max_distance_km)
    giver_floor = pct[g] <= cfg.stop_pct + 1e-9
    recv_done = pct[r] >= cfg.stop_pct
    reason = np.where(giver_floor, "giver_at_floor", np.where(recv_done, "receiver_recovered",
                      np.where(~ok, "link_lost", "")))
    for k in np.flatnonzero(reason != ""):
        gi, ri = int(g[k]), int(r[k])
        ev.emit("sat.energy_transfer_ended", {
            "from": f"sat-{gi}", "to": f"sat-{ri}",
            "delivered_eu": float(log.sent_eu[gi] - log.lost_eu[gi]), "lost_eu": float(log.lost_eu[gi]),
            "duration_s": float(now - log.started_at[gi]), "reason": str(reason[k])})
        sats.giving[gi] = IDLE
        sats.beam_peer[gi] = -1
        sats.beam_from[ri] = -1


def _pair(sats, log, cfg, pct, now, ev) -> None:
    """Greedy urgency-ordered pairing of free receivers with their nearest free giver."""
    receivers = np.flatnonzero((pct < cfg.low_pct) & (sats.beam_from < 0) & (sats.giving != ACTIVE))
    givers = np.flatnonzero((pct > cfg.high_pct) & (sats.giving == IDLE) & (sats.beam_from < 0))
    if len(receivers) == 0 or len(givers) == 0:
        return
    receivers = receivers[np.argsort(pct[receivers], kind="stable")]
    tree = cKDTree(sats.pos_eci_km[givers])
    near = tree.query_ball_point(sats.pos_eci_km[receivers], r=cfg.max_distance_km)
    taken = np.zeros(len(givers), dtype=bool)
    for k, ri in enumerate(receivers):
        _serve(sats, log, cfg, givers, taken, np.asarray(near[k], dtype=np.int64), int(ri), now, ev)
    unserved = receivers[sats.beam_from[receivers] < 0]
    if len(unserved):
        _, nearest = tree.query(sats.pos_eci_km[unserved], k=1)
        idle = givers[nearest]
        sats.giving[idle[sats.giving[idle] == IDLE]] = BLOCKED


def _serve(sats, log, cfg, givers, taken, cand, ri, now, ev) -> None:
    """Pair receiver ri with the nearest untaken giver among cand that has line of sight."""
    cand = cand[~taken[cand]]
    if len(cand) == 0:
        return
    g = givers[cand]
    dist, ok = _link_ok(sats, g, np.full(len(g), ri), cfg.max_distance_km)
    if not ok.any():
        return
    order = np.lexsort((g, dist))
    best = order[ok[order]][0]
    gi = int(g[best])
    taken[cand[best]] = True
    sats.giving[gi] = ACTIVE
    sats.beam_peer[gi] = ri
    sats.beam_from[ri] = gi
    log.started_at[gi], log.sent_eu[gi], log.lost_eu[gi] = now, 0.0, 0.0
    ev.emit("sat.energy_transfer_started", {
        "from": f"sat-{gi}", "to": f"sat-{ri}", "distance_km": float(dist[best]),
        "rate_eu_per_s": float(cfg.rate_eu_per_s)})


def _transfer(sats, log, cfg, dt, ledger, received) -> None:
    g = np.flatnonzero(sats.giving == ACTIVE)
    if len(g) == 0:
        return
    r = sats.beam_peer[g]
    floor = cfg.stop_pct / 100.0 * sats.max_energy_eu[g]
    room = sats.max_energy_eu[r] - sats.energy_eu[r]
    eff = cfg.efficiency
    with np.errstate(over="ignore"):  # a tiny efficiency leaves the room bound at inf: no bound
        cap_by_room = room / eff if eff > 0 else np.full(len(g), np.inf)
    x = np.clip(np.minimum(np.minimum(cfg.rate_eu_per_s * dt, sats.energy_eu[g] - floor), cap_by_room), 0.0, None)
    arrived = x * eff
    sats.energy_eu[g] -= x
    sats.energy_eu[r] = np.minimum(sats.energy_eu[r] + arrived, sats.max_energy_eu[r])
    received[r] += arrived
    log.sent_eu[g] += x
    log.lost_eu[g] += x - arrived
    log.rate_eu_s[g] = x / dt if dt > 0 else 0.0
    ledger["beamed_out"] += float(x.sum())
    ledger["beam_losses"] += float((x - arrived).sum())
