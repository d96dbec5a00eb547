"""BatteryOrchestrator: drones shuttle charge from ground stations up to needy satellites.

The engine calls `drones_step` once per tick, after satellite positions (`sats.pos_ecef_km`) are
updated. All motion is in the Earth-fixed frame (km), where stations stay put. Units: km,
simulated seconds, EU. Status codes are those of `state.py`. The Earth is the sphere of radius
EARTH_RADIUS_KM (R); a drone is never inside it (alt_km >= 0 at every tick, to rounding).

Life cycle::

    standby | charging --launch--> enroute --within dock_km--> docking --done--> returning
    returning --home--> charging --full--> standby
    enroute | docking --recall: not_needed | reserve | manual--> returning
    any --inject_fault--> out_of_service (stays where it is, does nothing)

Paths. Two path lengths are used, both in km and both lengths of paths that stay outside the
Earth (so a drone flying them is never below the surface):

* G(p, q), the outbound metric: the shortest path from p to q that does not enter the Earth.
  When q is above p's horizon (angle(p, q) <= acos(R/|p|) + acos(R/|q|)) it is the straight
  chord; otherwise it runs along the tangent from p to the surface, along the surface (great
  circle) and up the tangent to q. G is a metric (triangle inequality), and the rest of a
  shortest path is the shortest path from any point on it.
* H(p), the way home: along the great-circle arc at the drone's radius |p| to the point above
  its station, then straight down: H(p) = |p| * angle(p, home) + |p| - R. Flying s km of it
  lowers H by exactly s, whatever happens (the rest of the path is the same path). Not the
  chord to that point: re-aimed each tick at the point above home at its current, lower radius,
  a chord-following drone sinks towards |p| * cos^2(angle/2), underground beyond ~33 deg at
  550 km; the arc keeps its altitude.

Per tick a drone flies at most speed_km_s * dt km of path (following the path's corners, if it
passes one, within the tick); reserve_per_km is spent per km of path flown and `flown_km` (a
lifetime odometer) counts the same km. The straight move between two tick positions is never
longer than that path, so motion is continuous.

Outbound (enroute), each tick after the target moved, drone at p, target at q:

* climb: if the drone is on its station's vertical (the station itself or straight above it),
  q is below its horizon and |p| + speed*dt <= C = min(sma, |q|) (C: the target's orbit radius,
  never above the semi-major axis), it climbs speed*dt straight up;
* otherwise it flies min(speed*dt, G(p, q)) km along the G-shortest path to q: pure pursuit
  (straight at q) whenever q is in sight, around the Earth when it is not (down the tangent
  and along the surface at alt 0 until q is in sight again: seen when a fleeing target drops
  behind the Earth during a long chase).
After its move a drone within dock_km of path from the target (G <= dock_km) docks.

Climbing is one upward run along the vertical of at most h = max(sma - R, 0) km: the drone
starts on the vertical and leaves it with its first move that is not straight up; a move down
the vertical (towards a target on it, hence in sight) rules out any later climb, as the target
would have to rise faster than speed_km_s (> v_t). (A later move could end back on the vertical,
within VERTICAL_TOL_KM, only by chance: a measure-zero case the bound does not cover.) A climb
step from radius rho to rho' <= |q| lengthens G(., q) by at most g(rho') - g(rho),
g(r) = sqrt(r^2 - R^2) - R*acos(R/r): along the vertical, dG/drho is the sine of the angle at
which the path leaves the drone below its local horizontal, at most the horizon dip acos(R/rho)
for a target no lower than the drone.

Launch rule (auto and manual), for a drone at its home station, a target at q0 with orbit
semi-major axis sma, Earth-fixed speed at most v_t (`sat_speed_bound_km_s`)::

    reserve_eu >= reserve_per_km * [ out_km + H(q0) ] + launch_margin_pct% of reserve_cap_eu
    out_km = h + f * (G(home, q0) + g(R + h) + h * v_t / speed),  f = speed / (speed - v_t)

Why: each tick the target moves at most v_t*dt, so G grows by at most v_t*dt; a pursuit tick
lowers G by its full speed*dt (or docks); climb ticks (n_c of them, n_c*speed*dt <= h) raise G
by at most g(R + h) in all. With G > 0 before the docking tick, the pursuit ticks number at most
(G(home, q0) + g(R + h) + n_c*v_t*dt) / ((speed - v_t)*dt) + 1, and the whole outbound flight is
at most out_km (plus at most one tick of target motion, v_t*dt, on the last tick). It is a
rigorous bound whatever the target does within v_t, conservative when no climb is needed (the
climb allowance is charged for every target: whether the drone will climb depends on where the
target is on the first tick). A drone no faster than v_t never launches. H(q0) is the return
from the target's launch position (the brief's estimate; the real return starts where it docks,
which the reserve invariant below takes care of).

Reserve invariant: a drone away from home always holds reserve_eu >= H(position) *
reserve_per_km, H being the path it will actually fly home. Each tick the new position of an
enroute or docked drone is proposed first; if, after it, the reserve would fall below
H(new position) * reserve_per_km plus the margin, the drone is recalled ("reserve") instead and
flies home from where it was. A returning drone spends exactly H's decrease, so reserve never
goes negative and only an injected fault strands a drone.

Docking: once within dock_km after its move, the drone clamps onto the satellite (that last
<= dock_km is not flown and costs no reserve: the only tick a drone moves more than speed*dt);
a docked drone rides with the satellite at no reserve cost and starts transferring the next tick.
A drone that finishes its transfer flies home from the next tick; a recalled drone detaches
where it was and flies home in the same tick.

Availability for auto-routing: standby, or charging with reserve and battery both at least
`AVAILABLE_FRAC` (90 %) of capacity; not faulted; payload battery > 0.
"""

from __future__ import annotations

import numpy as np

from .constants import EARTH_RADIUS_KM, MU_EARTH_KM3_S2, OMEGA_EARTH_RAD_S
from .frames import ecef_to_geodetic, geodetic_to_ecef
from .ids import battery_id, sat_id, station_id
from .policies import drones as drone_policies
from .state import (CHARGING, DOCKING, DRONE_STATUS, ENROUTE, OUT_OF_SERVICE, RETURNING, STANDBY,
                    Drones, Satellites, Stations)
from .ticklog import TickEvents

AVAILABLE_FRAC = 0.9  # a charging drone may auto-launch with reserve and battery >= 90 % full
ARRIVE_TOL_KM = 1e-6  # 1 mm: closer than this to home counts as home (float rounding)
EPS_EU = 1e-9  # energy comparisons (done, empty, full) tolerate this much rounding
SPEED_BOUND_SAFETY = 1.01  # 1 % on top of the analytic target speed bound
VERTICAL_TOL_KM = 1e-6  # 1 mm: this close to a station's vertical counts as on it

LEDGER_KEYS = ("drone_delivered", "drone_reserve_spent", "ground_charged")


# ---- ids and small helpers -------------------------------------------------------------------

def _ids(j: int, i: int) -> dict:
    return {"battery_id": battery_id(j), "satellite_id": sat_id(i)}


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
    ecef_to_geodetic(d.pos_ecef_km, out=(d.lat_deg, d.lon_deg, d.alt_km))


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
    inertial = np.maximum(sats.arglat_rate_rad_s[idx] * r, vis_viva)
    frame = (np.abs(sats.raan_dot_rad_s[idx]) + OMEGA_EARTH_RAD_S) * r
    return SPEED_BOUND_SAFETY * (inertial + frame)


def pursuit_factor(v_target_km_s, speed_km_s: float) -> np.ndarray:
    """Km flown per km of initial range under pure pursuit: speed / (speed - v_t); inf if slower."""
    v_t = np.asarray(v_target_km_s, dtype=np.float64)
    gap = speed_km_s - v_t
    return np.divide(speed_km_s, gap, out=np.full(v_t.shape, np.inf), where=gap > 0)


def climb_allowance_km(sats: Satellites, idx) -> np.ndarray:
    """h: the most a drone climbs on its way to each satellite, max(sma - R, 0), km."""
    return np.maximum(sats.sma_km[idx] - EARTH_RADIUS_KM, 0.0)


def outbound_bound_km(g0_km, climb_km, v_target_km_s, speed_km_s: float) -> np.ndarray:
    """out_km: h + f * (G0 + g(R + h) + h * v_t / speed); inf when the drone cannot catch the target."""
    v_t = np.asarray(v_target_km_s, dtype=np.float64)
    h = np.asarray(climb_km, dtype=np.float64)
    f = pursuit_factor(v_t, speed_km_s)
    g0 = np.asarray(g0_km, dtype=np.float64)
    shape = np.broadcast(g0, h, f).shape
    out = np.full(shape, np.inf)
    ok = np.broadcast_to(np.isfinite(f), shape)
    chase = g0 + climb_gain_km(EARTH_RADIUS_KM + h) + h * v_t / speed_km_s
    np.add(np.broadcast_to(h, shape), f * chase, out=out, where=ok)
    return out


def launch_need_eu(g0_km, climb_km, home_km, v_target_km_s, cfg) -> np.ndarray:
    """Reserve a drone at home needs for a target, without the margin, EU.

    g0_km: G(home, target); climb_km: h; home_km: H(target) (the way back from the target's
    position). (out_km + H) * reserve_per_km; inf when the drone cannot catch the target.
    """
    out = outbound_bound_km(g0_km, climb_km, v_target_km_s, cfg.speed_km_s)
    total = out + np.asarray(home_km, dtype=np.float64)
    need = np.full(total.shape, np.inf)
    np.multiply(total, cfg.reserve_per_km, out=need, where=np.isfinite(total))
    return need


# ---- paths outside the Earth ---------------------------------------------------------------

def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


def _unit(v: np.ndarray) -> np.ndarray:
    n = _norm(v)
    return v / np.where(n > 0, n, 1.0)[:, None]


def _perp_towards(a_hat: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unit vectors orthogonal to a_hat in the plane of a_hat and b, on b's side.

    Where b is (anti)parallel to a_hat any orthogonal unit vector is returned.
    """
    w = b - _dot(b, a_hat)[:, None] * a_hat
    n = _norm(w)
    bad = n <= 1e-12 * np.maximum(_norm(b), 1.0)
    if bad.any():  # any axis not parallel to a_hat will do
        axis = np.where((np.abs(a_hat[bad, 0]) < 0.9)[:, None], [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
        w[bad] = _cross(a_hat[bad], axis)
        n[bad] = _norm(w[bad])
    return w / n[:, None]


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cross product of (N, 3) arrays (np.cross costs ~20 us of overhead a call)."""
    a0, a1, a2 = a[:, 0], a[:, 1], a[:, 2]
    b0, b1, b2 = b[:, 0], b[:, 1], b[:, 2]
    return np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=1)


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between rows of a and b, rad (atan2 form: accurate near 0 and pi)."""
    return np.arctan2(_norm(_cross(a, b)), _dot(a, b))


def _dip(r: np.ndarray) -> np.ndarray:
    """Horizon dip acos(R/r) at radius r (0 at or below the surface), rad (R/r is in (0, 1]: no clip)."""
    return np.arccos(EARTH_RADIUS_KM / np.maximum(r, EARTH_RADIUS_KM))


def _tangent_km(r: np.ndarray) -> np.ndarray:
    """Length of the tangent from radius r to the surface, sqrt(r^2 - R^2), km."""
    r = np.maximum(r, EARTH_RADIUS_KM)
    return np.sqrt((r - EARTH_RADIUS_KM) * (r + EARTH_RADIUS_KM))


def climb_gain_km(r_km) -> np.ndarray:
    """g(r) = sqrt(r^2 - R^2) - R*acos(R/r): most a climb from R to r lengthens G to a target, km."""
    r = np.maximum(np.asarray(r_km, dtype=np.float64), EARTH_RADIUS_KM)
    return np.maximum(_tangent_km(r) - EARTH_RADIUS_KM * _dip(r), 0.0)


def _geodesic_parts(p: np.ndarray, q: np.ndarray) -> tuple:
    """G(p, q) and its parts for rows of p, q (k, 3), each (k,): G km, hidden (q out of sight
    from p), |p| km, |q| km, angle(p, q) rad, dip at p rad, dip at q rad (reused by callers)."""
    rp, rq = _norm(p), _norm(q)
    gamma, dip_p, dip_q = _angle(p, q), _dip(rp), _dip(rq)
    hidden = gamma > dip_p + dip_q
    g = _norm(q - p)
    if hidden.any():
        around = gamma[hidden] - dip_p[hidden] - dip_q[hidden]
        g[hidden] = _tangent_km(rp[hidden]) + _tangent_km(rq[hidden]) + EARTH_RADIUS_KM * around
    return g, hidden, rp, rq, gamma, dip_p, dip_q


def _geodesic(p: np.ndarray, q: np.ndarray):
    """G(p, q) for rows of p, q (k, 3), and whether q is out of sight from p (k,) bool."""
    return _geodesic_parts(p, q)[:2]


def geodesic_km(p_km, q_km) -> np.ndarray:
    """G: length of the shortest path from p to q outside the Earth, km (rows of (k, 3) arrays)."""
    p, q = np.atleast_2d(np.asarray(p_km, dtype=np.float64)), np.atleast_2d(np.asarray(q_km, dtype=np.float64))
    p, q = np.broadcast_arrays(p, q)
    return _geodesic(np.ascontiguousarray(p), np.ascontiguousarray(q))[0]


def _geodesic_point(p: np.ndarray, q: np.ndarray, s: np.ndarray, parts: tuple | None = None) -> np.ndarray:
    """The point s km (0 <= s <= G) along the G-shortest path from p to q, rows (k, 3).

    parts: `_geodesic_parts(p, q)` when the caller has it already.
    """
    g, hidden, rp_all, rq_all, gamma_all, dip_p, dip_q = _geodesic_parts(p, q) if parts is None else parts
    straight = q - p
    frac = np.divide(s, g, out=np.zeros_like(g), where=g > 0)
    out = p + straight * frac[:, None]
    if hidden.any():
        ph, qh, sh = p[hidden], q[hidden], s[hidden]
        rp, rq = rp_all[hidden], rq_all[hidden]
        u = ph / rp[:, None]
        e = _perp_towards(u, qh)
        ap, aq, gamma = dip_p[hidden], dip_q[hidden], gamma_all[hidden]
        tp, tq = _tangent_km(rp), _tangent_km(rq)
        arc = EARTH_RADIUS_KM * (gamma - ap - aq)

        def on_surface(phi):
            return EARTH_RADIUS_KM * (np.cos(phi)[:, None] * u + np.sin(phi)[:, None] * e)

        t1, t2 = on_surface(ap), on_surface(gamma - aq)
        leg1 = ph + (t1 - ph) * np.divide(sh, tp, out=np.zeros_like(sh), where=tp > 0)[:, None]
        leg2 = on_surface(ap + np.clip(sh - tp, 0.0, arc) / EARTH_RADIUS_KM)
        rest = np.clip(sh - tp - arc, 0.0, tq)
        leg3 = t2 + (qh - t2) * np.divide(rest, tq, out=np.zeros_like(rest), where=tq > 0)[:, None]
        out[hidden] = np.where((sh <= tp)[:, None], leg1, np.where((sh <= tp + arc)[:, None], leg2, leg3))
    return out


def home_path_km(p_km, home_km) -> np.ndarray:
    """H: the way home, along the arc at radius |p| to above the station then down, km."""
    p, home = np.atleast_2d(p_km), np.atleast_2d(home_km)
    r = _norm(p)
    return _home_len(r, _angle(p, np.broadcast_to(home, p.shape)))


def _home_len(r: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """H from radius r (km) and angle gamma (rad) to the station: arc at r, then straight down."""
    return r * gamma + np.maximum(r - EARTH_RADIUS_KM, 0.0)


def _home_path_point(p: np.ndarray, home: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The point s km (0 <= s <= H) along the way home from p, rows (k, 3)."""
    r = _norm(p)
    up = _unit(home)
    arc = r * _angle(p, up)
    along = s < arc
    out = up * np.maximum(r - (s - arc), EARTH_RADIUS_KM)[:, None]  # past the corner: going down
    if along.any():
        ph, rh = p[along], r[along]
        u = ph / rh[:, None]
        e = _perp_towards(u, up[along])
        delta = s[along] / rh
        out[along] = rh[:, None] * (np.cos(delta)[:, None] * u + np.sin(delta)[:, None] * e)
    return out


def _on_vertical(p: np.ndarray, home: np.ndarray) -> np.ndarray:
    """Points at their station or straight above it (within VERTICAL_TOL_KM)."""
    up = _unit(home)
    along = _dot(p, up)
    return (along > 0) & (_norm(p - along[:, None] * up) <= VERTICAL_TOL_KM)


# ---- manual commands -----------------------------------------------------------------------

def _check_drone_index(d: Drones, j) -> None:
    if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 0 <= j < d.n:
        raise ValueError(f"drone index {j!r} is out of range [0, {d.n})")


def launch_refusal(d: Drones, sats: Satellites, st: Stations, j: int, i: int, cfg) -> str | None:
    """Why drone j may not launch to satellite i now (a message), or None if it may."""
    _check_drone_index(d, j)
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < sats.n:
        return f"satellite index {i!r} is out of range [0, {sats.n})"
    name, status = battery_id(j), int(d.status[j])
    if d.fault[j] or status == OUT_OF_SERVICE:
        return f"{name} is out_of_service"
    if status not in (STANDBY, CHARGING):
        return f"{name} is {DRONE_STATUS[status]}; only a drone at its station (standby or charging) can launch"
    if d.battery_eu[j] <= 0.0:
        return f"{name} has an empty payload battery (battery_eu={float(d.battery_eu[j])!r})"
    if not sats.in_service[i]:
        return f"{sat_id(i)} is out of service"
    holder = np.flatnonzero(_out_mask(d) & (d.target == i))
    if holder.size:
        return f"{sat_id(i)} is already targeted by {battery_id(holder[0])}"
    if sats.energy_eu[i] >= _done_eu(sats, i, cfg):
        pct = 100.0 * sats.energy_eu[i] / sats.max_energy_eu[i] if sats.max_energy_eu[i] > 0 else 0.0
        return f"{sat_id(i)} does not need a drone: energy {pct:.2f}% >= done_pct {cfg.done_pct}%"
    return _reserve_refusal(d, sats, st, j, i, cfg)


def _reserve_refusal(d: Drones, sats: Satellites, st: Stations, j: int, i: int, cfg) -> str | None:
    """The launch rule for one pair, as a message or None."""
    v_t = float(sat_speed_bound_km_s(sats, np.array([i]))[0])
    if v_t >= cfg.speed_km_s:
        return f"{battery_id(j)} (speed_km_s={cfg.speed_km_s}) cannot catch {sat_id(i)} (up to {v_t:.3f} km/s)"
    home, q = st.pos_ecef_km[[d.station[j]]], sats.pos_ecef_km[[i]]
    g0 = float(geodesic_km(home, q)[0])
    back = float(home_path_km(q, home)[0])
    need = float(launch_need_eu(g0, climb_allowance_km(sats, i), back, v_t, cfg)) + float(_margin_eu(d, j, cfg))
    if d.reserve_eu[j] < need:
        return (f"{battery_id(j)} reserve_eu(={float(d.reserve_eu[j]):.4f}) is below the launch "
                f"requirement {need:.4f} EU for {sat_id(i)} at {g0:.1f} km (target + return + margin)")
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
    ev.emit("drone.launched", {**_ids(j, i), "station_id": station_id(int(d.station[j]))})


def recall(d: Drones, j: int, reason: str, ev: TickEvents) -> None:
    """Send drone j home now (emits drone.recalled); ValueError if it is not enroute or docking."""
    _check_drone_index(d, j)
    if not _out_mask(d)[j]:
        status = DRONE_STATUS[int(d.status[j])]
        raise ValueError(f"{battery_id(j)} is {status}; only an enroute or docking drone can be recalled")
    _recall_many(d, np.array([j]), reason, ev)


def _recall_many(d: Drones, idx: np.ndarray, reason: str, ev: TickEvents) -> None:
    if idx.size == 0:
        return
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
    if out.size == 0:
        return
    tgt = d.target[out]
    not_needed = (d.status[out] == ENROUTE) & (sats.energy_eu[tgt] >= _done_eu(sats, tgt, cfg))
    _recall_many(d, out[not_needed], "not_needed", ev)
    out = out[~not_needed]
    home = st.pos_ecef_km[d.station[out]]
    new_pos, new_res, flown, at_target = _propose(d, sats, home, out, cfg, dt)
    back_eu = home_path_km(new_pos, home) * cfg.reserve_per_km + _margin_eu(d, out, cfg)
    risky = new_res < back_eu
    _recall_many(d, out[risky], "reserve", ev)
    ok = ~risky
    _commit_flight(d, out[ok], new_pos[ok], new_res[ok], flown[ok], ledger)
    for j in out[ok & at_target & (d.status[out] == ENROUTE)]:
        d.status[j] = DOCKING
        ev.emit("drone.arrived", _ids(j, d.target[j]))


def _propose(d, sats, home, idx, cfg, dt):
    """Positions, reserves and km flown after one tick for enroute/docking drones `idx`.

    Enroute: climb speed*dt up the station's vertical (target out of sight, below the ceiling),
    else fly min(speed*dt, G) along the G-shortest path to the target's current position; with
    G <= dock_km left the drone clamps onto the satellite. Docking: at the satellite's position,
    carried (no reserve). home: (k, 3) station positions. Returns new_pos (k, 3) km, new_reserve
    (k,) EU (may be negative: a move it cannot afford), flown (k,) km and at_target (k,) bool.
    """
    tgt = d.target[idx]
    tgt_pos = sats.pos_ecef_km[tgt]
    pos = d.pos_ecef_km[idx]
    step = cfg.speed_km_s * dt
    parts = _geodesic_parts(pos, tgt_pos)
    g, hidden, r, r_tgt = parts[:4]
    flying = d.status[idx] == ENROUTE
    climb = flying & hidden & (r + step <= np.minimum(sats.sma_km[tgt], r_tgt))
    if climb.any():
        climb[climb] = _on_vertical(pos[climb], home[climb])
    flown = np.where(flying, np.where(climb, step, np.minimum(step, g)), 0.0)
    new_pos = pos.copy()
    chase = flying & ~climb
    new_pos[chase] = _geodesic_point(pos[chase], tgt_pos[chase], flown[chase], tuple(x[chase] for x in parts))
    left = g - flown
    if climb.any():
        new_pos[climb] = _unit(home[climb]) * (r[climb] + step)[:, None]
        left[climb] = _geodesic(new_pos[climb], tgt_pos[climb])[0]
    at_target = ~flying | (left <= cfg.dock_km)
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
    if idx.size == 0:
        return
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
    """Returning drones fly the way home (arc at altitude, then down) as far as speed and
    reserve allow; home -> charging."""
    idx = np.flatnonzero(d.status == RETURNING)
    if idx.size == 0:
        return
    home = st.pos_ecef_km[d.station[idx]]
    pos = d.pos_ecef_km[idx]
    left = home_path_km(pos, home)
    rpk = cfg.reserve_per_km
    budget_km = d.reserve_eu[idx] / rpk if rpk > 0 else np.full(idx.size, np.inf)
    flown = np.minimum(np.minimum(cfg.speed_km_s * dt, left), budget_km)
    new_pos = _home_path_point(pos, home, flown)
    home_now = left - flown <= ARRIVE_TOL_KM
    new_pos[home_now] = home[home_now]
    _commit_flight(d, idx, new_pos, d.reserve_eu[idx] - flown * rpk, flown, ledger)
    d.status[idx[home_now]] = CHARGING
    stranded = idx[~home_now & (d.reserve_eu[idx] <= 0.0) & (rpk > 0)]
    d.status[stranded] = OUT_OF_SERVICE


def _step_charging(d, cfg, dt, ledger) -> None:
    """At the station, reserve and battery each fill at ground_charge_eu_per_s; full -> standby."""
    idx = np.flatnonzero(d.status == CHARGING)
    if idx.size == 0:
        return
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
    """Satellites to serve, highest need first (ties: lower index): in service (the one eligibility
    mask, `Satellites.in_service`), need > 0, untargeted, below done."""
    cand = np.flatnonzero((need > 0) & sats.in_service)
    targeted = np.zeros(need.shape, dtype=bool)
    targeted[d.target[_out_mask(d) & (d.target >= 0)]] = True
    cand = cand[~targeted[cand]]
    cand = cand[sats.energy_eu[cand] < _done_eu(sats, cand, cfg)]
    return cand[np.argsort(-need[cand], kind="stable")]


def _launch_costs(homes_km, sats, cand, cfg):
    """G (km) and launch reserve need (EU, no margin) from each station (S, 3) to each candidate: (S, C).

    The way back H(target) = |q| * angle(q, home) + |q| - R reuses G's radius and angle.
    """
    shape = (len(homes_km), cand.size, 3)
    homes = np.broadcast_to(homes_km[:, None, :], shape).reshape(-1, 3)
    targets = np.broadcast_to(sats.pos_ecef_km[cand][None, :, :], shape).reshape(-1, 3)
    g, _, _, r_tgt, gamma = _geodesic_parts(homes, targets)[:5]
    back = _home_len(r_tgt, gamma)
    dist, back = g.reshape(shape[:2]), back.reshape(shape[:2])
    cost = launch_need_eu(dist, climb_allowance_km(sats, cand)[None, :], back,
                          sat_speed_bound_km_s(sats, cand)[None, :], cfg)
    return dist, cost


def _route(d, sats, st, need, cfg, ev) -> None:
    """Greedy: for each candidate in need order, launch the nearest free drone passing the rule.

    Free drones sit at their stations, so distances (G, km) are station x candidate. One loop pass per
    launch: after a launch only the used station's best reserve slack is recomputed.
    """
    free = available_mask(d)
    cand = _candidates(d, sats, need, cfg) if free.any() else np.zeros(0, dtype=np.int64)
    if cand.size == 0:
        return
    stations = np.flatnonzero(np.bincount(d.station[free], minlength=st.n))  # with a free drone, ascending
    dist, cost = _launch_costs(st.pos_ecef_km[stations], sats, cand, cfg)
    if cfg.drone_policy != "v1":  # backend/core/policies/drones.py: another order of the candidates
        by = drone_policies.order(cfg.drone_policy, sats, cand, dist, cfg)
        cand, dist, cost = cand[by], dist[:, by], cost[:, by]
    slack = d.reserve_eu - _margin_eu(d, slice(None), cfg)  # reserve beyond the margin, EU
    best = np.full(stations.size, -np.inf)  # best slack of a free drone at each station, EU
    np.maximum.at(best, np.searchsorted(stations, d.station[free]), slack[free])
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
