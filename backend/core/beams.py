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
    """Greedy urgency-ordered pairing of free receivers with their nearest free giver.

    Every (receiver, giver in range) link is measured at once (receivers whose nearest free
    giver is out of range skip the range query); then, most urgent receiver first, each
    takes its nearest untaken giver with line of sight (ties: lower index)."""
    receivers = np.flatnonzero((pct < cfg.low_pct) & (sats.beam_from < 0) & (sats.giving != ACTIVE))
    givers = np.flatnonzero((pct > cfg.high_pct) & (sats.giving == IDLE) & (sats.beam_from < 0))
    if len(receivers) == 0 or len(givers) == 0:
        return
    receivers = receivers[np.argsort(pct[receivers], kind="stable")]
    # Sliding-midpoint tree, not compacted, 64-point leaves: 2-3x cheaper to build and query here
    # than the defaults (same answers).
    tree = cKDTree(sats.pos_eci_km[givers], leafsize=64, balanced_tree=False, compact_nodes=False)
    rpos = sats.pos_eci_km[receivers]
    d1, nearest = tree.query(rpos, k=1)
    close = np.flatnonzero(d1 <= cfg.max_distance_km * (1 + 1e-9) + 1e-6)  # tree vs norm rounding
    near = tree.query_ball_point(rpos[close], r=cfg.max_distance_km * (1 + 1e-9) + 1e-6)
    count = np.fromiter((len(c) for c in near), dtype=np.int64, count=len(near))
    rk = np.repeat(close, count)
    gk = np.fromiter((j for c in near for j in c), dtype=np.int64, count=int(count.sum()))
    dist, ok = _link_ok(sats, givers[gk], receivers[rk], cfg.max_distance_km)
    order = np.lexsort((givers[gk], dist, rk))
    order = order[ok[order]]  # per receiver: usable links, nearest first
    _take_links(sats, log, cfg, receivers, givers, rk[order], gk[order], dist[order], now, ev)
    unserved = sats.beam_from[receivers] < 0
    if unserved.any():
        idle = givers[nearest[unserved]]
        sats.giving[idle[sats.giving[idle] == IDLE]] = BLOCKED


def _take_links(sats, log, cfg, receivers, givers, rk, gk, dist, now, ev) -> None:
    """Walk the links (receiver order, nearest first): a receiver takes its first link to an
    untaken giver. Plain Python over linked receivers and the taken givers they skip."""
    linked = np.unique(rk)  # receivers with a usable link, in urgency order
    bounds = np.searchsorted(rk, linked).tolist() + [len(rk)]
    gk, dist = gk.tolist(), dist.tolist()
    taken: set = set()
    for n, r in enumerate(linked.tolist()):
        for j in range(bounds[n], bounds[n + 1]):
            g = gk[j]
            if g in taken:
                continue
            taken.add(g)
            gi, ri = int(givers[g]), int(receivers[r])
            sats.giving[gi] = ACTIVE
            sats.beam_peer[gi] = ri
            sats.beam_from[ri] = gi
            log.started_at[gi], log.sent_eu[gi], log.lost_eu[gi] = now, 0.0, 0.0
            ev.emit("sat.energy_transfer_started", {
                "from": f"sat-{gi}", "to": f"sat-{ri}", "distance_km": dist[j],
                "rate_eu_per_s": float(cfg.rate_eu_per_s)})
            break


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
