"""BatteryOrchestrator: drones shuttle charge from ground stations up to needy satellites.

The engine calls `drones_step` once per tick, after satellite positions (`sats.pos_ecef_km`) are
updated. All motion is in the Earth-fixed frame (km), where stations stay put. Units: km,
simulated seconds, EU. Status codes are those of `state.py`.

Life cycle::

    standby | charging --launch--> enroute --within dock_km--> docking --done--> returning
    returning --home--> charging --full--> standby
    enroute | docking --recall: not_needed | reserve | manual--> returning
    any --inject_fault--> out_of_service (stays where it is, does nothing)

Launch rule (auto and manual), for a drone at its home station and a target at straight
distance R km whose Earth-fixed speed is at most v_t (`sat_speed_bound_km_s`)::

    reserve_eu >= R * f * reserve_per_km      (to target, pure pursuit)
                + R * reserve_per_km          (target -> home, the brief's estimate)
                + launch_margin_pct% of reserve_cap_eu,      f = speed / (speed - v_t)

Why f: under pure pursuit the range closes at least at speed - v_t whatever the target does
(each tick the target moves <= v_t*dt, then the drone flies min(speed*dt, R) straight at it), so
the drone docks after at most R / (speed - v_t) seconds, having flown at most R * f km (plus at
most one tick of target motion on the last tick). It is a rigorous bound, conservative when the
target comes towards the drone. A drone no faster than v_t never launches.

Reserve invariant: a drone away from home always holds reserve_eu >= distance-to-home *
reserve_per_km. Each tick the new position of an enroute or docked drone is proposed first; if,
after it, the reserve would fall below the return cost from there plus the margin, the drone is
recalled ("reserve") instead and flies home from where it was. So reserve never goes negative
and only an injected fault strands a drone.

Docking: once within dock_km after its move, the drone clamps onto the satellite (that last
<= dock_km is not flown and costs no reserve: the only tick a drone moves more than speed*dt);
a docked drone rides with the satellite at no reserve cost and starts transferring the next tick.
A drone that finishes its transfer flies home from the next tick; a recalled drone detaches
where it was and flies home in the same tick.
`flown_km` is a lifetime odometer (km).

Availability for auto-routing: standby, or charging with reserve and battery both at least
`AVAILABLE_FRAC` (90 %) of capacity; not faulted; payload battery > 0.
"""

from __future__ import annotations

import numpy as np

from .constants import MU_EARTH_KM3_S2, OMEGA_EARTH_RAD_S
from .frames import ecef_to_geodetic, geodetic_to_ecef
from .state import (CHARGING, DOCKING, DRONE_STATUS, ENROUTE, OUT_OF_SERVICE, RETURNING, STANDBY,
                    Drones, Satellites, Stations)
from .ticklog import TickEvents

AVAILABLE_FRAC = 0.9  # a charging drone may auto-launch with reserve and battery >= 90 % full
ARRIVE_TOL_KM = 1e-6  # 1 mm: closer than this to home counts as home (float rounding)
EPS_EU = 1e-9  # energy comparisons (done, empty, full) tolerate this much rounding
SPEED_BOUND_SAFETY = 1.01  # 1 % on top of the analytic target speed bound

LEDGER_KEYS = ("drone_delivered", "drone_reserve_spent", "ground_charged")


# ---- ids and small helpers -------------------------------------------------------------------

def _ids(j: int, i: int) -> dict:
    return {"drone_id": f"drone-{int(j)}", "satellite_id": f"sat-{int(i)}"}


def _book(ledger: dict, key: str, amount_eu: float) -> None:
    ledger[key] = ledger.get(key, 0.0) + float(amount_eu)


def _norm(v: np.ndarray) -> np.ndarray:
    """Row norms of an (N, 3) array, km."""
    return np.sqrt(np.einsum("ij,ij->i", v, v))


def _margin_eu(d: Drones, idx, cfg) -> np.ndarray:
    """Reserve kept spare: launch_margin_pct of each drone's reserve capacity, EU."""
    return cfg.launch_margin_pct / 100.0 * d.reserve_cap_eu[idx]


def _done_eu(sats: Satellites, idx, cfg) -> np.ndarray:
    """Energy at which a target no longer needs a drone: done_pct of capacity, EU."""
    return cfg.done_pct / 100.0 * sats.max_energy_eu[idx]


def _out_mask(d: Drones) -> np.ndarray:
    """Drones away on a mission (enroute or docking)."""
    return (d.status == ENROUTE) | (d.status == DOCKING)


# ---- set-up and faults ---------------------------------------------------------------------

def init_drones(d: Drones, st: Stations, reserve_cap_eu=None, battery_cap_eu=None) -> None:
    """Put every drone at its station (`d.station`, already assigned), full, standby.

    Capacities (EU, scalar or (n,)) are set when given, else kept. Also fills the stations'
    Earth-fixed positions (alt 0) from their lat/lon.
    """
    st.pos_ecef_km[:] = geodetic_to_ecef(st.lat_deg, st.lon_deg, np.zeros(st.n)).reshape(st.n, 3)
    if reserve_cap_eu is not None:
        d.reserve_cap_eu[:] = reserve_cap_eu
    if battery_cap_eu is not None:
        d.battery_cap_eu[:] = battery_cap_eu
    d.pos_ecef_km[:] = st.pos_ecef_km[d.station]
    d.reserve_eu[:], d.battery_eu[:] = d.reserve_cap_eu, d.battery_cap_eu
    d.status[:], d.target[:] = STANDBY, -1
    d.trip_delivered_eu[:], d.flown_km[:], d.fault[:] = 0.0, 0.0, False
    update_geodetic(d)


def inject_fault(d: Drones, j: int) -> None:
    """Fault drone j: it becomes out_of_service where it is and stays (no event is emitted).

    The reserve and battery are kept as they are (the fault blocks the drone; it burns nothing),
    so the energy ledger still closes. Its target, if any, is freed for other drones.
    """
    _check_drone_index(d, j)
    d.fault[j] = True
    d.status[j] = OUT_OF_SERVICE
    d.target[j] = -1


def update_geodetic(d: Drones) -> None:
    """Refresh lat/lon (deg) and alt (km above the sphere) from pos_ecef_km, in place."""
    d.lat_deg[:], d.lon_deg[:], d.alt_km[:] = ecef_to_geodetic(d.pos_ecef_km)


# ---- the launch rule -----------------------------------------------------------------------

def sat_speed_bound_km_s(sats: Satellites, idx) -> np.ndarray:
    """Upper bound of each satellite's Earth-fixed speed, km/s, shape of `idx`.

    Inertial speed: max(mean motion * r, vis-viva), vis-viva taken as the escape speed when
    no semi-major axis is known; plus (|RAAN drift| + Earth rotation) * r for the frame. 1 % on top.
    """
    r = _norm(np.atleast_2d(sats.pos_ecef_km[idx]))
    a = sats.sma_km[idx]
    inv_a = np.divide(1.0, a, out=np.zeros_like(r), where=a > 0)
    vis_viva = np.sqrt(MU_EARTH_KM3_S2 * np.maximum(2.0 / np.maximum(r, 1.0) - inv_a, 0.0))
    inertial = np.maximum(sats.mean_motion_rad_s[idx] * r, vis_viva)
    frame = (np.abs(sats.raan_dot_rad_s[idx]) + OMEGA_EARTH_RAD_S) * r
    return SPEED_BOUND_SAFETY * (inertial + frame)


def pursuit_factor(v_target_km_s, speed_km_s: float) -> np.ndarray:
    """Km flown per km of initial range under pure pursuit: speed / (speed - v_t); inf if slower."""
    v_t = np.asarray(v_target_km_s, dtype=np.float64)
    gap = speed_km_s - v_t
    return np.divide(speed_km_s, gap, out=np.full(v_t.shape, np.inf), where=gap > 0)


def launch_need_eu(dist_km, v_target_km_s, cfg) -> np.ndarray:
    """Reserve a drone at home needs for a target dist_km away, without the margin, EU.

    to target (dist * pursuit factor) + back (dist, target -> home) at reserve_per_km; inf when
    the drone cannot catch the target.
    """
    f = pursuit_factor(v_target_km_s, cfg.speed_km_s)
    dist = np.asarray(dist_km, dtype=np.float64)
    per_km = (f + 1.0) * cfg.reserve_per_km
    out = np.full(np.broadcast(dist, per_km).shape, np.inf)
    ok = np.broadcast_to(np.isfinite(f), out.shape)
    np.multiply(dist, per_km, out=out, where=ok)
    return out


# ---- manual commands -----------------------------------------------------------------------

def _check_drone_index(d: Drones, j) -> None:
    if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 0 <= j < d.n:
        raise ValueError(f"drone index {j!r} is out of range [0, {d.n})")


def launch_refusal(d: Drones, sats: Satellites, st: Stations, j: int, i: int, cfg) -> str | None:
    """Why drone j may not launch to satellite i now (a message), or None if it may."""
    _check_drone_index(d, j)
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < sats.n:
        return f"satellite index {i!r} is out of range [0, {sats.n})"
    name, status = f"drone-{j}", int(d.status[j])
    if d.fault[j] or status == OUT_OF_SERVICE:
        return f"{name} is out_of_service"
    if status not in (STANDBY, CHARGING):
        return f"{name} is {DRONE_STATUS[status]}; only a drone at its station (standby or charging) can launch"
    if d.battery_eu[j] <= 0.0:
        return f"{name} has an empty payload battery (battery_eu={float(d.battery_eu[j])!r})"
    holder = np.flatnonzero(_out_mask(d) & (d.target == i))
    if holder.size:
        return f"sat-{i} is already targeted by drone-{int(holder[0])}"
    if sats.energy_eu[i] >= _done_eu(sats, i, cfg):
        pct = 100.0 * sats.energy_eu[i] / sats.max_energy_eu[i] if sats.max_energy_eu[i] > 0 else 0.0
        return f"sat-{i} does not need a drone: energy {pct:.2f}% >= done_pct {cfg.done_pct}%"
    return _reserve_refusal(d, sats, j, i, cfg)


def _reserve_refusal(d: Drones, sats: Satellites, j: int, i: int, cfg) -> str | None:
    """The launch rule for one pair, as a message or None."""
    v_t = float(sat_speed_bound_km_s(sats, np.array([i]))[0])
    if v_t >= cfg.speed_km_s:
        return f"drone-{j} (speed_km_s={cfg.speed_km_s}) cannot catch sat-{i} (up to {v_t:.3f} km/s)"
    dist = float(_norm(sats.pos_ecef_km[[i]] - d.pos_ecef_km[[j]])[0])
    need = float(launch_need_eu(dist, v_t, cfg)) + float(_margin_eu(d, j, cfg))
    if d.reserve_eu[j] < need:
        return (f"drone-{j} reserve_eu(={float(d.reserve_eu[j]):.4f}) is below the launch "
                f"requirement {need:.4f} EU for sat-{i} at {dist:.1f} km (target + return + margin)")
    return None


def launch(d: Drones, sats: Satellites, st: Stations, j: int, i: int, cfg, ev: TickEvents) -> None:
    """Manual launch of drone j to satellite i; ValueError(reason) and no change if not allowed."""
    reason = launch_refusal(d, sats, st, j, i, cfg)
    if reason is not None:
        raise ValueError(reason)
    _start(d, j, i, ev)


def _start(d: Drones, j: int, i: int, ev: TickEvents) -> None:
    """Send drone j (at home) towards satellite i and emit drone.launched."""
    d.status[j], d.target[j], d.trip_delivered_eu[j] = ENROUTE, i, 0.0
    ev.emit("drone.launched", {**_ids(j, i), "station_id": f"gs-{int(d.station[j])}"})


def recall(d: Drones, j: int, reason: str, ev: TickEvents) -> None:
    """Send drone j home now (emits drone.recalled); ValueError if it is not enroute or docking."""
    _check_drone_index(d, j)
    if not _out_mask(d)[j]:
        status = DRONE_STATUS[int(d.status[j])]
        raise ValueError(f"drone-{j} is {status}; only an enroute or docking drone can be recalled")
    _recall_many(d, np.array([j]), reason, ev)


def _recall_many(d: Drones, idx: np.ndarray, reason: str, ev: TickEvents) -> None:
    for j in idx:
        ev.emit("drone.recalled", {**_ids(j, d.target[j]), "reason": reason})
    d.status[idx], d.target[idx] = RETURNING, -1


# ---- the tick ------------------------------------------------------------------------------

def drones_step(d: Drones, sats: Satellites, st: Stations, need: np.ndarray, cfg, dt: float,
                ev: TickEvents, ledger: dict, delivered_to_sat: np.ndarray) -> None:
    """Advance every drone by dt simulated seconds, then route free drones to needy satellites.

    need (N,) >= 0: routing weight per satellite (0: none). Adds EU to `ledger` (LEDGER_KEYS),
    and the EU delivered to each satellite this tick to `delivered_to_sat` and `sats.energy_eu`.
    Events in order: recalls, arrivals, charged, launches (each in drone order).
    """
    for key in LEDGER_KEYS:
        ledger.setdefault(key, 0.0)
    _ground_faulted(d)
    was_docked = d.status == DOCKING
    _step_out(d, sats, st, cfg, dt, ev, ledger)
    docked = np.flatnonzero(was_docked & (d.status == DOCKING))
    _step_returning(d, st, cfg, dt, ledger)  # before the transfer: a drone done this tick rests
    _transfer(d, sats, docked, cfg, dt, ev, ledger, delivered_to_sat)
    _step_charging(d, cfg, dt, ledger)
    _route(d, sats, st, need, cfg, ev)
    update_geodetic(d)


def _ground_faulted(d: Drones) -> None:
    """A faulted drone (d.fault set directly) is out of service whatever it was doing."""
    bad = d.fault & (d.status != OUT_OF_SERVICE)
    d.status[bad], d.target[bad] = OUT_OF_SERVICE, -1


def _step_out(d, sats, st, cfg, dt, ev, ledger) -> None:
    """Enroute drones chase their target, docked ones ride along; recall when not needed or at risk."""
    out = np.flatnonzero(_out_mask(d))
    tgt = d.target[out]
    not_needed = (d.status[out] == ENROUTE) & (sats.energy_eu[tgt] >= _done_eu(sats, tgt, cfg))
    _recall_many(d, out[not_needed], "not_needed", ev)
    out = out[~not_needed]
    new_pos, new_res, flown, at_target = _propose(d, sats, out, cfg, dt)
    home = st.pos_ecef_km[d.station[out]]
    back_eu = _norm(new_pos - home) * cfg.reserve_per_km + _margin_eu(d, out, cfg)
    risky = new_res < back_eu
    _recall_many(d, out[risky], "reserve", ev)
    ok = ~risky
    _commit_flight(d, out[ok], new_pos[ok], new_res[ok], flown[ok], ledger)
    for j in out[ok & at_target & (d.status[out] == ENROUTE)]:
        d.status[j] = DOCKING
        ev.emit("drone.arrived", _ids(j, d.target[j]))


def _propose(d, sats, idx, cfg, dt):
    """Positions, reserves and km flown after one tick for enroute/docking drones `idx`.

    Enroute: fly min(speed*dt, range) straight at the target's current position; within dock_km
    the drone clamps onto the satellite. Docking: at the satellite's position, carried (no reserve).
    Returns new_pos (k, 3) km, new_reserve (k,) EU (may be negative: a move it cannot afford),
    flown (k,) km and at_target (k,) bool.
    """
    tgt_pos = sats.pos_ecef_km[d.target[idx]]
    delta = tgt_pos - d.pos_ecef_km[idx]
    rng = _norm(delta)
    flying = d.status[idx] == ENROUTE
    flown = np.where(flying, np.minimum(cfg.speed_km_s * dt, rng), 0.0)
    frac = np.divide(flown, rng, out=np.zeros_like(rng), where=rng > 0)
    new_pos = d.pos_ecef_km[idx] + delta * frac[:, None]
    at_target = ~flying | (rng - flown <= cfg.dock_km)
    new_pos[at_target] = tgt_pos[at_target]
    return new_pos, d.reserve_eu[idx] - flown * cfg.reserve_per_km, flown, at_target


def _commit_flight(d, idx, new_pos, new_res, flown, ledger) -> None:
    """Apply a move: position, reserve (never below 0), odometer; book the reserve spent."""
    res = np.maximum(new_res, 0.0)
    _book(ledger, "drone_reserve_spent", np.sum(d.reserve_eu[idx] - res))
    d.reserve_eu[idx] = res
    d.pos_ecef_km[idx] = new_pos
    d.flown_km[idx] += flown


def _transfer(d, sats, idx, cfg, dt, ev, ledger, delivered_to_sat) -> None:
    """Docked drones give payload at charge_rate up to done_pct / full / empty; then go home."""
    tgt = d.target[idx]
    cap = sats.max_energy_eu[tgt]
    room = np.maximum(np.minimum(_done_eu(sats, tgt, cfg), cap) - sats.energy_eu[tgt], 0.0)
    amount = np.minimum(np.minimum(cfg.charge_rate_eu_per_s * dt, d.battery_eu[idx]), room)
    before = sats.energy_eu[tgt]
    sats.energy_eu[tgt] = np.minimum(before + amount, np.maximum(cap, before))
    given = sats.energy_eu[tgt] - before  # what the satellite really gained
    d.battery_eu[idx] = np.maximum(d.battery_eu[idx] - given, 0.0)
    d.trip_delivered_eu[idx] += given
    np.add.at(delivered_to_sat, tgt, given)
    _book(ledger, "drone_delivered", np.sum(given))
    energy = sats.energy_eu[tgt]
    done = (energy >= _done_eu(sats, tgt, cfg) - EPS_EU) | (energy >= cap - EPS_EU) | (d.battery_eu[idx] <= EPS_EU)
    for j in idx[done]:
        ev.emit("drone.charged", {**_ids(j, d.target[j]), "delivered_eu": float(d.trip_delivered_eu[j])})
    d.status[idx[done]], d.target[idx[done]] = RETURNING, -1


def _step_returning(d, st, cfg, dt, ledger) -> None:
    """Returning drones fly straight home as far as speed and reserve allow; home -> charging."""
    idx = np.flatnonzero(d.status == RETURNING)
    home = st.pos_ecef_km[d.station[idx]]
    delta = home - d.pos_ecef_km[idx]
    rng = _norm(delta)
    rpk = cfg.reserve_per_km
    budget_km = d.reserve_eu[idx] / rpk if rpk > 0 else np.full(idx.size, np.inf)
    flown = np.minimum(np.minimum(cfg.speed_km_s * dt, rng), budget_km)
    frac = np.divide(flown, rng, out=np.zeros_like(rng), where=rng > 0)
    new_pos = d.pos_ecef_km[idx] + delta * frac[:, None]
    home_now = rng - flown <= ARRIVE_TOL_KM
    new_pos[home_now] = home[home_now]
    _commit_flight(d, idx, new_pos, d.reserve_eu[idx] - flown * rpk, flown, ledger)
    d.status[idx[home_now]] = CHARGING
    stranded = idx[~home_now & (d.reserve_eu[idx] <= 0.0) & (rpk > 0)]
    d.status[stranded] = OUT_OF_SERVICE


def _step_charging(d, cfg, dt, ledger) -> None:
    """At the station, reserve and battery each fill at ground_charge_eu_per_s; full -> standby."""
    idx = np.flatnonzero(d.status == CHARGING)
    step = cfg.ground_charge_eu_per_s * dt
    add_r = np.clip(d.reserve_cap_eu[idx] - d.reserve_eu[idx], 0.0, step)
    add_b = np.clip(d.battery_cap_eu[idx] - d.battery_eu[idx], 0.0, step)
    d.reserve_eu[idx] += add_r
    d.battery_eu[idx] += add_b
    _book(ledger, "ground_charged", np.sum(add_r) + np.sum(add_b))
    full = (d.reserve_eu[idx] >= d.reserve_cap_eu[idx] - EPS_EU) & (d.battery_eu[idx] >= d.battery_cap_eu[idx] - EPS_EU)
    d.status[idx[full]] = STANDBY


# ---- automatic routing ---------------------------------------------------------------------

def available_mask(d: Drones) -> np.ndarray:
    """Drones free to auto-launch: standby, or charging with reserve and battery >= 90 % full."""
    charged = (d.reserve_eu >= AVAILABLE_FRAC * d.reserve_cap_eu) & (d.battery_eu >= AVAILABLE_FRAC * d.battery_cap_eu)
    ready = (d.status == STANDBY) | ((d.status == CHARGING) & charged)
    return ready & ~d.fault & (d.battery_eu > 0.0)


def _candidates(d, sats, need, cfg) -> np.ndarray:
    """Satellites to serve, highest need first (ties: lower index): need > 0, untargeted, below done."""
    cand = np.flatnonzero(need > 0)
    cand = cand[~np.isin(cand, d.target[_out_mask(d)])]
    cand = cand[sats.energy_eu[cand] < _done_eu(sats, cand, cfg)]
    return cand[np.argsort(-need[cand], kind="stable")]


def _route(d, sats, st, need, cfg, ev) -> None:
    """Greedy: for each candidate in need order, launch the nearest free drone passing the rule.

    Free drones sit at their stations, so distances are station x candidate. One loop pass per
    launch: after a launch only the used station's best reserve slack is recomputed.
    """
    free = available_mask(d)
    cand = _candidates(d, sats, need, cfg) if free.any() else np.zeros(0, dtype=np.int64)
    if cand.size == 0:
        return
    stations = np.unique(d.station[free])
    dist = _norm((sats.pos_ecef_km[cand][None, :, :] - st.pos_ecef_km[stations][:, None, :]).reshape(-1, 3))
    dist = dist.reshape(stations.size, cand.size)
    cost = launch_need_eu(dist, sat_speed_bound_km_s(sats, cand)[None, :], cfg)
    slack = d.reserve_eu - _margin_eu(d, slice(None), cfg)  # reserve beyond the margin, EU
    best = np.array([slack[free & (d.station == s)].max() for s in stations])
    feasible = best[:, None] >= cost
    start = 0
    while free.any():
        rest = np.flatnonzero(feasible[:, start:].any(axis=0))
        if rest.size == 0:
            return
        c = start + int(rest[0])
        start = c + 1
        rows = np.flatnonzero(feasible[:, c])
        r = rows[np.argmin(dist[rows, c])]
        pool = np.flatnonzero(free & (d.station == stations[r]))
        j = int(pool[np.argmax(slack[pool])])
        _start(d, j, int(cand[c]), ev)
        free[j] = False
        left = free & (d.station == stations[r])
        best[r] = slack[left].max() if left.any() else -np.inf
        feasible[r] = best[r] >= cost[r]
