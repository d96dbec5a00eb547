"""JobOrchestrator: satellite-to-satellite energy beaming.

Seed rule: a receiver below `low_pct` and a giver above `high_pct`, closer than Dmax with a
clear line of sight, pair up; each tick the giver sends min(rate*dt, giver - stop_pct, what
brings the receiver to stop_pct after losses); the receiver gets `efficiency` of it, the rest
is counted as beam loss. Both stops hold within the tick, so neither side overshoots whatever
the tick length. A beam continues until the giver reaches `stop_pct`, the receiver reaches
`stop_pct`, or range or line of sight is lost. Only satellites in service
(`Satellites.in_service`) are paired, as giver or receiver. One peer per satellite; receivers are
served most urgent (lowest charge) first, each by its nearest free giver. A satellite above
`high_pct` that is the nearest would-be giver of an unserved receiver but cannot reach it
(range, line of sight, or its peer taken) is `blocked`.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from .geometry import segment_clear
from .ids import sat_id
from .policies import beaming
from .state import ACTIVE, BLOCKED, IDLE, Satellites
from .ticklog import TickEvents

_NEAREST = 8  # givers a receiver sees at first (more if it runs out of them)
_ASSIGN_NEAREST = 16  # givers each receiver sees under a non-v1 beaming policy
_CUT_KM = 1e-6  # tree against norm rounding of a link's length, km


class BeamLog:
    """Per-giver bookkeeping of the running beam: start time, EU sent and lost, last rate (EU/s)."""

    def __init__(self, n: int):
        self.started_at = np.zeros(n)
        self.sent_eu = np.zeros(n)
        self.lost_eu = np.zeros(n)
        self.rate_eu_s = np.zeros(n)


def beams_step(sats: Satellites, log: BeamLog, cfg, dt: float, now: float,
               ev: TickEvents, ledger: dict, received: np.ndarray, trough_pct: np.ndarray | None = None) -> None:
    """End finished beams, pair new ones, transfer energy for this tick. `trough_pct` (% of
    capacity, (N,)): the lowest charge predicted before each satellite's next eclipse ends, read
    by the predictive policy only."""
    pct = 100.0 * sats.energy_eu / sats.max_energy_eu
    _end_beams(sats, log, cfg, pct, now, ev)
    sats.giving[sats.giving == BLOCKED] = IDLE
    _pair(sats, log, cfg, pct, now, ev, trough_pct)
    g, sent = _transfer(sats, log, cfg, dt, ledger, received)
    _end_at_stops(sats, log, cfg, g, sent, now, ev)


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
    reason = np.where(~ok, "link_lost", _stop_reason(pct[g], pct[r], cfg.stop_pct))
    _close(sats, log, g, r, reason, now - log.started_at[g], ev)


def _stop_reason(giver_pct, receiver_pct, stop_pct: float) -> np.ndarray:
    """'giver_at_floor', 'receiver_recovered' or '' per beam (1e-9 % of rounding allowed)."""
    return np.where(giver_pct <= stop_pct + 1e-9, "giver_at_floor",
                    np.where(receiver_pct >= stop_pct - 1e-9, "receiver_recovered", ""))


def _end_at_stops(sats, log, cfg, g, sent, now, ev) -> None:
    """End, in the tick they reach it, the beams whose giver or receiver is now at stop_pct.

    The transfer runs at the full rate until the stop, so it lasted sent / rate into this tick's
    interval: duration_s does not depend on the tick length."""
    if len(g) == 0:
        return
    r = sats.beam_peer[g]
    pct_g = 100.0 * sats.energy_eu[g] / sats.max_energy_eu[g]
    pct_r = 100.0 * sats.energy_eu[r] / sats.max_energy_eu[r]
    into_tick = sent / cfg.rate_eu_per_s if cfg.rate_eu_per_s > 0 else np.zeros(len(g))
    _close(sats, log, g, r, _stop_reason(pct_g, pct_r, cfg.stop_pct), now - log.started_at[g] + into_tick, ev)


def _close(sats, log, g, r, reason, duration_s, ev) -> None:
    """End the beams with a non-empty reason and emit sat.energy_transfer_ended for each."""
    for k in np.flatnonzero(reason != ""):
        gi, ri = int(g[k]), int(r[k])
        ev.emit("sat.energy_transfer_ended", {
            "from": sat_id(gi), "to": sat_id(ri),
            "delivered_eu": float(log.sent_eu[gi] - log.lost_eu[gi]), "lost_eu": float(log.lost_eu[gi]),
            "duration_s": float(duration_s[k]), "reason": str(reason[k])})
        sats.giving[gi] = IDLE
        sats.beam_peer[gi] = -1
        sats.beam_from[ri] = -1


def _pair(sats, log, cfg, pct, now, ev, trough_pct=None) -> None:
    """Greedy urgency-ordered pairing of free receivers with their nearest free giver.

    Most urgent receiver first, each takes its nearest untaken giver in range with line of
    sight (ties: lower index). Computed without a walk: with every giver ranking receivers by
    the same urgency order, that greedy outcome is the unique stable matching, which
    receiver-proposing deferred acceptance (`_stable_match`, vectorised rounds) finds. Each
    receiver sees only its nearest givers (`_links`: _NEAREST at first, more for a receiver
    that ran out of them while more may be in range), so the cost follows the receivers and
    the links they try, not every link in range."""
    serving = sats.in_service  # the one eligibility mask (delegator and drones use it too)
    wants, urgency = beaming.receivers(cfg.beam_policy, cfg, pct, trough_pct)
    receivers = np.flatnonzero(serving & wants & (sats.beam_from < 0) & (sats.giving != ACTIVE))
    givers = np.flatnonzero(serving & (pct > cfg.high_pct) & (sats.giving == IDLE) & (sats.beam_from < 0))
    if len(receivers) == 0 or len(givers) == 0:
        return
    receivers = receivers[np.argsort(urgency[receivers], kind="stable")]
    # Sliding-midpoint tree, not compacted, 64-point leaves: 2-3x cheaper to build and query here
    # than the defaults (same answers).
    tree = cKDTree(sats.pos_eci_km[givers], leafsize=64, balanced_tree=False, compact_nodes=False)
    rpos = sats.pos_eci_km[receivers]
    d1, nearest = tree.query(rpos, k=1)
    reach = cfg.max_distance_km * (1 + 1e-9) + 1e-6  # tree vs norm rounding
    close = np.flatnonzero(d1 <= reach)  # receivers with a giver in range
    if len(close):
        if cfg.beam_policy == "assignment":
            match, dist = _assigned(sats, cfg, pct, givers, receivers, close, reach)
        else:
            match, dist = _match(sats, givers, receivers, close, reach, cfg.max_distance_km)
        _start_beams(sats, log, cfg, receivers, givers, match, dist, now, ev)
    unserved = sats.beam_from[receivers] < 0
    if unserved.any():
        idle = givers[nearest[unserved]]
        sats.giving[idle[sats.giving[idle] == IDLE]] = BLOCKED


def _assigned(sats, cfg, pct, givers, receivers, close, reach):
    """(giver position per receiver, -1 none; link length km) chosen by the beaming policy
    (policies/beaming.py) among each close receiver's nearest givers in range with line of sight.

    Each receiver sees its _ASSIGN_NEAREST nearest givers: enough for the policy to route around
    a shared nearest giver, and bounded so the assignment stays small on large fleets."""
    tree = cKDTree(sats.pos_eci_km[givers], leafsize=64, balanced_tree=False, compact_nodes=False)
    depth = np.full(len(close), _ASSIGN_NEAREST, dtype=np.int64)  # k > givers: every one, none cut
    rk, gk, dist, _ = _links(sats, tree, givers, receivers, close, depth, reach, cfg.max_distance_km)
    g, r = givers[gk], receivers[rk]
    floor = cfg.stop_pct / 100.0 * sats.max_energy_eu[g]
    room = cfg.stop_pct / 100.0 * sats.max_energy_eu[r] - sats.energy_eu[r]
    weight = np.minimum((sats.energy_eu[g] - floor) * cfg.efficiency, room)
    match = beaming.assign(cfg.beam_policy, len(receivers), rk, gk, weight, dist)
    dist_of = np.zeros(len(receivers))
    hit = match[rk] == gk
    dist_of[rk[hit]] = dist[hit]
    return match, dist_of


def _match(sats, givers, receivers, close, reach, dmax):
    """(giver position per receiver, -1 none; link length km) of the urgency-ordered greedy.

    Rounds of `_stable_match` over the receivers not yet decided, on a tree of the givers not
    yet taken. Every receiver before the first one that ran out of known links while more
    may be in range (`short`) has its final answer (that prefix of the greedy only read
    known links); a receiver with its complete list and no giver is final too (later
    proposals only improve what givers hold). The rest go on, the short ones seeing 4x more
    givers, with the prefix's givers out of the tree."""
    match = np.full(len(receivers), -1, dtype=np.int64)
    dist_of = np.zeros(len(receivers))
    pending, depth = close, np.full(len(close), _NEAREST, dtype=np.int64)
    free = np.arange(len(givers))
    while len(pending):
        tree = cKDTree(sats.pos_eci_km[givers[free]], leafsize=64, balanced_tree=False, compact_nodes=False)
        rk, gk, dist, cut = _links(sats, tree, givers[free], receivers, pending, depth, reach, dmax)
        got = _stable_match(len(receivers), rk, gk, len(free))
        now_g = np.full(len(receivers), -1, dtype=np.int64)
        now_g[rk[got]] = gk[got]
        now_d = np.zeros(len(receivers))
        now_d[rk[got]] = dist[got]
        mine = now_g[pending]
        short = cut & (mine < 0)
        stop = int(np.argmax(short)) if short.any() else len(pending)
        done = pending[:stop]
        match[done[mine[:stop] >= 0]] = free[mine[:stop][mine[:stop] >= 0]]
        dist_of[done] = now_d[done]
        keep = np.arange(stop, len(pending))
        keep = keep[(mine[keep] >= 0) | cut[keep]]  # unmatched with every link known: final
        depth = np.where(short, depth * 4, depth)[keep]
        pending = pending[keep]
        taken = np.zeros(len(free), dtype=bool)
        taken[mine[:stop][mine[:stop] >= 0]] = True
        free = free[~taken]
    return match, dist_of


def _links(sats, tree, givers, receivers, close, depth, reach, dmax):
    """Usable links of receivers `close` (positions in `receivers`) to their depth[i] nearest
    givers, per receiver nearest first (ties: lower index): flat (receiver, giver position,
    distance km) and per receiver of `close` whether its list was cut (it found depth[i]
    givers, so more may be in range).

    A cut list keeps only links clearly nearer than its farthest found giver: every giver
    not found is at least that far by the tree, so none of them comes before a kept link
    in the (distance, index) order (_CUT_KM covers the tree's rounding against `_link_ok`)."""
    rk_parts, gk_parts, far_parts = [], [], []
    cut = np.zeros(len(close), dtype=bool)
    for k in np.unique(depth).tolist():
        sel = np.flatnonzero(depth == k)
        d, g = tree.query(sats.pos_eci_km[receivers[close[sel]]], k=k, distance_upper_bound=reach)
        d, g = d.reshape(len(sel), k), g.reshape(len(sel), k)
        found = g < len(givers)
        full = found[:, -1]
        cut[sel] = full
        far = np.where(full, d[:, -1] - _CUT_KM, np.inf)
        row, col = np.nonzero(found)
        rk_parts.append(close[sel][row])
        gk_parts.append(g[row, col])
        far_parts.append(far[row])
    rk, gk, far = (np.concatenate(p) for p in (rk_parts, gk_parts, far_parts))
    dist, ok = _link_ok(sats, givers[gk], receivers[rk], dmax)
    ok &= dist < far
    order = np.lexsort((givers[gk], dist, rk))
    order = order[ok[order]]
    return rk[order], gk[order], dist[order], cut


def _stable_match(n_r: int, rk: np.ndarray, gk: np.ndarray, n_g: int) -> np.ndarray:
    """Receiver-proposing deferred acceptance, every giver preferring the lower receiver
    rank: positions in the link lists (rk grouped ascending, each receiver's links in its
    order) of the matched links.

    Each round every free receiver proposes to its next link's giver; a giver keeps the best
    of its holder and its proposers, and the others (a bumped holder too) go on with their
    next links. With one ranking shared by every giver the result is the serial dictatorship
    in rank order (receiver r gets its first giver not taken by receivers before it)."""
    start = np.searchsorted(rk, np.arange(n_r), side="left")
    end = np.searchsorted(rk, np.arange(n_r), side="right")
    nxt = start.copy()
    holder = np.full(n_g, n_r, dtype=np.int64)  # n_r: nobody (worse than every rank)
    held = np.full(n_g, -1, dtype=np.int64)  # the holder's link position
    free = np.flatnonzero(end > start)
    while len(free):
        link = nxt[free]
        nxt[free] += 1
        g = gk[link]
        order = np.lexsort((free, g))  # per giver, best (lowest) rank first
        g, r, link = g[order], free[order], link[order]
        first = np.concatenate(([True], g[1:] != g[:-1]))
        win = first & (r < holder[g])
        gw = g[win]
        bumped = holder[gw]
        holder[gw], held[gw] = r[win], link[win]
        free = np.concatenate((r[~win], bumped[bumped < n_r]))
        free = free[nxt[free] < end[free]]
    return np.sort(held[held >= 0])


def _start_beams(sats, log, cfg, receivers, givers, match, dist, now, ev) -> None:
    """Record the new beams, in receiver urgency order."""
    got = np.flatnonzero(match >= 0)
    gi, ri = givers[match[got]], receivers[got]
    sats.giving[gi] = ACTIVE
    sats.beam_peer[gi] = ri
    sats.beam_from[ri] = gi
    log.started_at[gi], log.sent_eu[gi], log.lost_eu[gi] = now, 0.0, 0.0
    rate = float(cfg.rate_eu_per_s)
    for g, r, d in zip(gi.tolist(), ri.tolist(), dist[got].tolist()):
        ev.emit("sat.energy_transfer_started", {
            "from": sat_id(g), "to": sat_id(r), "distance_km": d, "rate_eu_per_s": rate})


def _transfer(sats, log, cfg, dt, ledger, received):
    """Move this tick's energy along every active beam; returns (givers, EU each sent)."""
    g = np.flatnonzero(sats.giving == ACTIVE)
    if len(g) == 0:
        return g, np.zeros(0)
    r = sats.beam_peer[g]
    floor = cfg.stop_pct / 100.0 * sats.max_energy_eu[g]
    room = cfg.stop_pct / 100.0 * sats.max_energy_eu[r] - sats.energy_eu[r]  # receiver stops at stop_pct
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
    return g, x
