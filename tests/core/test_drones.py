"""BatteryOrchestrator: hand-built scenarios with exact outcomes, and invariants under random play.

Worlds are built from state.py directly: one station at (0, 0) unless told, satellites placed by
hand in the Earth-fixed frame (km). Reference numbers are worked out in the comments.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as hs
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from backend.core import drones as dr
from backend.core.constants import EARTH_RADIUS_KM, MU_EARTH_KM3_S2, OMEGA_EARTH_RAD_S
from backend.core.frames import ecef_to_geodetic, geodetic_to_ecef
from backend.core.ids import battery_id, parse_id
from backend.core.params import SimConfig
from backend.core.state import (CHARGING, DOCKING, ENROUTE, OUT_OF_SERVICE, RETURNING, STANDBY,
                                Drones, Satellites, Stations)
from backend.core.ticklog import TickEvents

R_SAT_KM = EARTH_RADIUS_KM + 550.0
N_SAT_RAD_S = float(np.sqrt(MU_EARTH_KM3_S2 / R_SAT_KM**3))
ONE_NANO_EU = 1e-9
ONE_MICRON_KM = 1e-9


def make_world(n_sats=1, stations=((0.0, 0.0),), drone_stations=(0,), reserve_eu=200.0, battery_eu=300.0):
    """Stations, full standby drones and 550 km circular-orbit satellites (positions set by caller)."""
    st = Stations([f"st{k}" for k in range(len(stations))], [s[0] for s in stations], [s[1] for s in stations])
    d = Drones(len(drone_stations))
    d.station[:] = drone_stations
    dr.init_drones(d, st, reserve_cap_eu=reserve_eu, battery_cap_eu=battery_eu)
    sats = Satellites(n_sats)
    sats.sma_km[:] = R_SAT_KM
    sats.arglat_rate_rad_s[:] = N_SAT_RAD_S
    sats.max_energy_eu[:] = 1000.0
    sats.energy_eu[:] = 100.0
    return d, sats, st


def above(lat_deg, lon_deg, alt_km=550.0) -> np.ndarray:
    return geodetic_to_ecef(lat_deg, lon_deg, alt_km)


class Run:
    """Steps drones_step and keeps the event trace [(tick, name, payload)] and the ledger."""

    def __init__(self, d, sats, st, cfg=None, dt=1.0):
        self.d, self.sats, self.st = d, sats, st
        self.cfg, self.dt = cfg or SimConfig(), dt
        self.ledger, self.trace, self.tick = {}, [], 0
        self.rx_total = np.zeros(sats.n)

    def step(self, need=None):
        need = np.zeros(self.sats.n) if need is None else np.asarray(need, dtype=float)
        ev, rx = TickEvents(self.tick, self.tick * self.dt), np.zeros(self.sats.n)
        dr.drones_step(self.d, self.sats, self.st, need, self.cfg, self.dt, ev, self.ledger, rx)
        self.trace += [(self.tick, name, p) for name, p in ev.records()]
        self.rx_total += rx
        self.tick += 1
        return ev

    def names(self):
        return [(t, name) for t, name, _ in self.trace]


def speed_bound(r_km=R_SAT_KM):
    """Documented bound: 1.01 * (n r + omega r) for a circular orbit without RAAN drift."""
    return 1.01 * (np.sqrt(MU_EARTH_KM3_S2 / r_km) + OMEGA_EARTH_RAD_S * r_km)


def climb_gain(r_km):
    """g(r) = sqrt(r^2 - R^2) - R acos(R/r), written out again."""
    return np.sqrt(r_km**2 - EARTH_RADIUS_KM**2) - EARTH_RADIUS_KM * np.arccos(EARTH_RADIUS_KM / r_km)


def way_home_km(p, home):
    """H: arc at |p| to above home, then down (reference, arccos form)."""
    r = np.linalg.norm(p)
    cos = np.dot(p, home) / (r * np.linalg.norm(home))
    return r * np.arccos(np.clip(cos, -1.0, 1.0)) + r - EARTH_RADIUS_KM


def launch_requirement(g0_km, back_km, cfg, reserve_cap_eu, climb_km=550.0):
    """Independent reference of the launch rule for a target in sight of the station.

    [h + f (G0 + g(R + h) + h v_t / v) + H(q0)] * reserve_per_km + margin; G0 is the chord here.
    """
    v, v_t = cfg.speed_km_s, speed_bound()
    f = v / (v - v_t)
    out = climb_km + f * (g0_km + climb_gain(EARTH_RADIUS_KM + climb_km) + climb_km * v_t / v)
    return (out + back_km) * cfg.reserve_per_km + cfg.launch_margin_pct / 100.0 * reserve_cap_eu


def arrays(obj):
    return {k: copy.deepcopy(v) for k, v in vars(obj).items()}


def assert_same(before, obj):
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(obj, k), v, err_msg=k)


# ---- set-up ------------------------------------------------------------------------------

def test_init_puts_drones_home_full_standby():
    d, _, st = make_world(stations=((10.0, 20.0), (-30.0, 100.0)), drone_stations=(0, 1, 1))
    np.testing.assert_allclose(d.pos_ecef_km, st.pos_ecef_km[[0, 1, 1]])
    np.testing.assert_allclose(d.lat_deg, [10.0, -30.0, -30.0])
    np.testing.assert_allclose(d.lon_deg, [20.0, 100.0, 100.0])
    np.testing.assert_allclose(d.alt_km, 0.0, atol=1e-9)
    assert (d.status == STANDBY).all() and (d.target == -1).all()
    np.testing.assert_array_equal(d.reserve_eu, 200.0)
    np.testing.assert_array_equal(d.battery_eu, 300.0)


def test_speed_bound_covers_real_circular_orbits():
    # Earth-fixed velocity of a circular orbit: v_inertial - omega x r, for many planes and phases.
    rng = np.random.default_rng(1)
    for _ in range(200):
        inc, raan, u = rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi)
        p = np.array([np.cos(raan), np.sin(raan), 0.0])
        q = np.array([-np.sin(raan) * np.cos(inc), np.cos(raan) * np.cos(inc), np.sin(inc)])
        r = R_SAT_KM * (np.cos(u) * p + np.sin(u) * q)
        v = N_SAT_RAD_S * R_SAT_KM * (-np.sin(u) * p + np.cos(u) * q) - np.cross([0, 0, OMEGA_EARTH_RAD_S], r)
        _, sats, _ = make_world()
        sats.pos_ecef_km[0] = r
        assert np.linalg.norm(v) <= dr.sat_speed_bound_km_s(sats, np.array([0]))[0]


# ---- the launch rule ---------------------------------------------------------------------

@pytest.mark.parametrize("delta_eu, launches", [(-1e-6, False), (+1e-6, True)])
def test_auto_launch_only_with_enough_reserve(delta_eu, launches):
    d, sats, st = make_world()
    sats.pos_ecef_km[0] = above(3.0, 4.0)
    cfg = SimConfig()
    dist = np.linalg.norm(sats.pos_ecef_km[0] - st.pos_ecef_km[0])  # in sight: G is the chord
    back = way_home_km(sats.pos_ecef_km[0], st.pos_ecef_km[0])
    d.reserve_eu[0] = launch_requirement(dist, back, cfg, 200.0) + delta_eu
    run = Run(d, sats, st, cfg)
    for _ in range(5):
        run.step(need=[1.0])
    assert (("drone.launched" in [n for _, n in run.names()]) is launches)
    assert bool(d.status[0] != STANDBY) is launches


def _manual_world():
    d, sats, st = make_world(n_sats=2, drone_stations=(0, 0))
    sats.pos_ecef_km[:] = [above(1.0, 1.0), above(-2.0, 2.0)]
    return d, sats, st


def _low_reserve(d, sats, st):
    d.reserve_eu[0] = 30.0  # requirement for sat-001 (574 km) is about 114 EU


def _oos(d, sats, st):
    dr.inject_fault(d, 0)


def _enroute(d, sats, st):
    d.status[0], d.target[0] = ENROUTE, 1


def _taken(d, sats, st):
    d.status[1], d.target[1] = ENROUTE, 0


def _healthy_sat(d, sats, st):
    sats.energy_eu[0] = 800.0  # done_pct 80 %


def _empty_battery(d, sats, st):
    d.battery_eu[0] = 0.0


@pytest.mark.parametrize("setup, drone, sat, message", [
    (_low_reserve, 0, 0, "below the launch requirement"),
    (_oos, 0, 0, "out_of_service"),
    (_enroute, 0, 0, "only a drone at its station"),
    (_taken, 0, 0, "already targeted by bat-002"),
    (_healthy_sat, 0, 0, "does not need a drone"),
    (_empty_battery, 0, 0, "empty payload battery"),
    (None, 0, 7, "satellite index 7 is out of range"),
    (None, 5, 0, "drone index 5 is out of range"),
])
def test_manual_launch_refused_changes_nothing(setup, drone, sat, message):
    d, sats, st = _manual_world()
    if setup:
        setup(d, sats, st)
    before_d, before_s = arrays(d), arrays(sats)
    ev = TickEvents(0, 0.0)
    with pytest.raises(ValueError, match=message):
        dr.launch(d, sats, st, drone, sat, SimConfig(), ev)
    assert_same(before_d, d)
    assert_same(before_s, sats)
    assert sum(ev.counts.values()) == 0


def test_manual_launch_and_recall():
    d, sats, st = _manual_world()
    ev = TickEvents(0, 0.0)
    dr.launch(d, sats, st, 1, 0, SimConfig(), ev)
    assert (d.status[1], d.target[1]) == (ENROUTE, 0)
    dr.recall(d, 1, "manual", ev)
    assert (d.status[1], d.target[1]) == (RETURNING, -1)
    assert list(ev.records()) == [
        ("drone.launched", {"battery_id": "bat-002", "satellite_id": "sat-001", "station_id": "gs-001"}),
        ("drone.recalled", {"battery_id": "bat-002", "satellite_id": "sat-001", "reason": "manual"}),
    ]
    with pytest.raises(ValueError, match="only an enroute or docking drone"):
        dr.recall(d, 0, "manual", ev)


@pytest.mark.parametrize("fill, launches", [(0.89, False), (0.90, True)])
def test_charging_drone_is_available_from_90_percent(fill, launches):
    d, sats, st = make_world()
    sats.pos_ecef_km[0] = above(0.0, 0.0)
    d.status[0] = CHARGING
    d.reserve_eu[0], d.battery_eu[0] = 200.0, fill * 300.0
    cfg = SimConfig({"ground_charge_eu_per_s": 0.001})  # keeps the fill level through the tick
    run = Run(d, sats, st, cfg)
    run.step(need=[1.0])
    assert (run.names() == [(0, "drone.launched")]) is launches


def test_highest_need_first_then_nearest_drone():
    # Stations at lon 0 and lon 10; sat-001 above lon 9, sat-002 above lon 1; one free drone each.
    d, sats, st = make_world(n_sats=2, stations=((0.0, 0.0), (0.0, 10.0)), drone_stations=(0, 1))
    sats.pos_ecef_km[:] = [above(0.0, 9.0), above(0.0, 1.0)]
    run = Run(d, sats, st)
    run.step(need=[1.0, 3.0])  # sat-002 first: nearest is bat-001 (lon 0), sat-001 then gets bat-002
    assert [p["battery_id"] + ">" + p["satellite_id"] for _, _, p in run.trace] == ["bat-001>sat-002", "bat-002>sat-001"]
    d2, sats2, st2 = make_world(n_sats=2, stations=((0.0, 0.0), (0.0, 10.0)), drone_stations=(1,))
    sats2.pos_ecef_km[:] = sats.pos_ecef_km
    run2 = Run(d2, sats2, st2)
    run2.step(need=[1.0, 3.0])  # one drone: the neediest satellite gets it although it is farther
    assert [p["satellite_id"] for _, _, p in run2.trace] == ["sat-002"]


# ---- one mission, worked out by hand ------------------------------------------------------

def test_mission_trace_exact_and_ledger_closes():
    # Satellite held 550 km straight above the station (in sight: pure pursuit, straight up, the
    # same moves a climb would make; the way home is straight down); speed 12 km/s, dt 1 s.
    # Out: 45 ticks of 12 km leave 10 km, tick 46 flies those 10 and docks (550 km flown).
    # Transfer from tick 47 at 5 EU/s: 300 EU battery empty after 60 ticks -> charged at 106.
    # Back: 550 km from tick 107: 45 ticks of 12 km, the 46th flies 10 km -> home at tick 152.
    # Recharge at 10 EU/s from tick 152: reserve 22 EU (3 ticks), battery 300 EU (30 ticks) -> 181.
    d, sats, st = make_world()
    sats.pos_ecef_km[0] = above(0.0, 0.0)
    run = Run(d, sats, st)
    statuses = []
    for t in range(200):
        run.step(need=[1.0] if t == 0 else None)
        statuses.append(int(d.status[0]))
    ids = {"battery_id": "bat-001", "satellite_id": "sat-001"}
    assert run.trace == [
        (0, "drone.launched", {**ids, "station_id": "gs-001"}),
        (46, "drone.arrived", ids),
        (106, "drone.charged", {**ids, "delivered_eu": 300.0}),
    ]
    assert statuses.index(RETURNING) == 106 and statuses.index(CHARGING) == 152
    assert statuses[181] == STANDBY and statuses[180] == CHARGING
    assert d.flown_km[0] == pytest.approx(1100.0, abs=ONE_MICRON_KM)
    assert sats.energy_eu[0] == pytest.approx(400.0, abs=ONE_NANO_EU)
    assert run.ledger["drone_delivered"] == pytest.approx(300.0, abs=ONE_NANO_EU)
    assert run.rx_total[0] == pytest.approx(300.0, abs=ONE_NANO_EU)
    assert run.ledger["drone_reserve_spent"] == pytest.approx(1100.0 * 0.02, abs=ONE_NANO_EU)
    assert run.ledger["ground_charged"] == pytest.approx(22.0 + 300.0, abs=ONE_NANO_EU)
    assert (d.reserve_eu[0], d.battery_eu[0]) == (200.0, 300.0)
    np.testing.assert_allclose(d.pos_ecef_km[0], st.pos_ecef_km[0], atol=ONE_MICRON_KM)


def test_docking_stops_at_done_pct_and_satellite_room():
    # 790 EU: 10 EU to done (80 %). Two ticks of 5 EU, then charged with 10 EU delivered.
    d, sats, st = make_world()
    sats.pos_ecef_km[0] = above(0.0, 0.0, alt_km=3.0)
    sats.energy_eu[0] = 790.0
    run = Run(d, sats, st)
    for t in range(10):
        run.step(need=[1.0] if t == 0 else None)
    assert [(n, p.get("delivered_eu")) for _, n, p in run.trace] == [
        ("drone.launched", None), ("drone.arrived", None), ("drone.charged", 10.0)]
    assert sats.energy_eu[0] == pytest.approx(800.0, abs=ONE_NANO_EU)
    assert run.ledger["drone_delivered"] == pytest.approx(10.0, abs=ONE_NANO_EU)
    spent = run.ledger["drone_reserve_spent"]  # back home by now: refilled exactly what it used
    assert run.ledger["ground_charged"] == pytest.approx(10.0 + spent, abs=ONE_NANO_EU)


# ---- motion ------------------------------------------------------------------------------

def orbit_pos(t_s, r_km=R_SAT_KM, u0=0.3):
    """A satellite on a polar circle through (lat 0, lon 0) at u0 rad, in the Earth-fixed frame."""
    u = u0 + N_SAT_RAD_S * t_s
    return r_km * np.array([np.cos(u), 0.0, np.sin(u)])


def test_motion_is_continuous_and_reserve_follows_km_flown():
    d, sats, st = make_world()
    sats.pos_ecef_km[0] = orbit_pos(0.0, u0=0.05)
    cfg, dt = SimConfig({"speed_km_s": 20.0}), 2.0
    run = Run(d, sats, st, cfg, dt)
    for t in range(400):
        sats.pos_ecef_km[0] = orbit_pos(t * dt, u0=0.05)
        pos0, res0, km0, s0 = d.pos_ecef_km[0].copy(), d.reserve_eu[0], d.flown_km[0], d.status[0]
        run.step(need=[1.0] if t == 0 else None)
        step_km = np.linalg.norm(d.pos_ecef_km[0] - pos0)
        flown = d.flown_km[0] - km0
        if s0 in (ENROUTE, RETURNING) and d.status[0] != DOCKING:
            assert step_km <= flown + ONE_MICRON_KM  # a straight move is never longer than the path
            if s0 == ENROUTE:  # in sight all the way: pure pursuit, straight
                assert step_km == pytest.approx(flown, abs=ONE_MICRON_KM)
        assert flown <= cfg.speed_km_s * dt + ONE_MICRON_KM
        assert d.alt_km[0] >= -ONE_MICRON_KM
        if CHARGING not in (s0, d.status[0]):  # the station refills the reserve
            assert res0 - d.reserve_eu[0] == pytest.approx(flown * cfg.reserve_per_km, abs=ONE_NANO_EU)
    assert [n for _, n in run.names()] == ["drone.launched", "drone.arrived", "drone.charged"]
    assert run.ledger["drone_reserve_spent"] == pytest.approx(d.flown_km[0] * cfg.reserve_per_km, abs=ONE_NANO_EU)


def test_pursuit_of_a_fleeing_target_stays_within_the_factor():
    # Target flees straight away from the drone at the bound speed: flown <= R f + v_t dt.
    d, sats, st = make_world()
    v_t, dt = speed_bound(), 1.0
    start = above(0.0, 0.0, alt_km=300.0)
    away = start / np.linalg.norm(start)
    run = Run(d, sats, st, SimConfig({"dock_km": 0.001}), dt)
    for t in range(2000):
        sats.pos_ecef_km[0] = start + away * v_t * t * dt
        run.step(need=[1.0] if t == 0 else None)
        if d.status[0] == DOCKING:
            break
    f = 12.0 / (12.0 - v_t)
    assert d.status[0] == DOCKING
    assert d.flown_km[0] <= 300.0 * f + v_t * dt


# ---- staying above the surface ------------------------------------------------------------

def equator(deg, alt_km=550.0):
    """A point above the equator at longitude deg (station 0 sits at lon 0)."""
    return above(0.0, deg, alt_km)


def test_geodesic_is_the_chord_in_sight_and_goes_around_the_earth_otherwise():
    home = above(0.0, 0.0, 0.0)
    seen = above(3.0, 4.0)
    assert dr.geodesic_km(home, seen)[0] == pytest.approx(np.linalg.norm(seen - home), abs=ONE_MICRON_KM)
    # 30 deg away at 550 km is below the station's horizon (23.0 deg): tangent up + surface arc.
    hidden = equator(30.0)
    dip = np.arccos(EARTH_RADIUS_KM / R_SAT_KM)
    expect = np.sqrt(R_SAT_KM**2 - EARTH_RADIUS_KM**2) + EARTH_RADIUS_KM * (np.radians(30.0) - dip)
    g = dr.geodesic_km(home, hidden)[0]
    assert g == pytest.approx(expect, abs=ONE_MICRON_KM)
    # Walking the path: outside the Earth, the rest is the shortest path, steps no longer than the path.
    s = np.linspace(0.0, g, 400)
    pts = dr._geodesic_point(np.tile(home, (s.size, 1)), np.tile(hidden, (s.size, 1)), s)
    assert (np.linalg.norm(pts, axis=1) >= EARTH_RADIUS_KM - 1e-9).all()
    np.testing.assert_allclose(dr.geodesic_km(pts, hidden), g - s, atol=1e-6)
    assert (np.linalg.norm(np.diff(pts, axis=0), axis=1) <= np.diff(s) + 1e-9).all()
    np.testing.assert_allclose(pts[-1], hidden, atol=1e-6)


def test_climbing_lengthens_g_by_at_most_the_climb_gain():
    # Along the vertical, for targets no lower than the drone: G(rho2) - G(rho1) <= g(rho2) - g(rho1).
    rng = np.random.default_rng(7)
    up = above(0.0, 0.0, 0.0) / EARTH_RADIUS_KM
    for _ in range(500):
        rho1, rho2 = np.sort(EARTH_RADIUS_KM + rng.uniform(0.0, 800.0, 2))
        q = above(rng.uniform(-60, 60), rng.uniform(-60, 60), rho2 - EARTH_RADIUS_KM + rng.uniform(0, 500))
        gain = dr.geodesic_km(rho2 * up, q)[0] - dr.geodesic_km(rho1 * up, q)[0]
        assert gain <= climb_gain(rho2) - climb_gain(rho1) + 1e-9


def test_far_target_climb_then_straight_exact():
    # Target held 29.5 deg east at 550 km: below the station's horizon (23.0 deg). On the vertical at
    # radius rho it is in sight once acos(R/rho) + 23.00 >= 29.5 deg: at 36 km 29.07 (hidden), at
    # 48 km 30.01 (seen). So ticks 1-4 climb 12 km each (alt 12, 24, 36, 48), then pure pursuit:
    # chord from 48 km up = 3430.9086 km = 285 ticks of 12 km leaving 10.9086, and tick 290 docks.
    # Requirement: G0 3427.0, out 12936.1 km, H 4113.4 km -> 381.0 EU with the 40 EU margin (of 400).
    d, sats, st = make_world(reserve_eu=400.0)
    sats.pos_ecef_km[0] = equator(29.5)
    run = Run(d, sats, st)
    alts = []
    for t in range(300):
        run.step(need=[1.0] if t == 0 else None)
        alts.append(float(d.alt_km[0]))
        assert d.alt_km[0] >= -ONE_MICRON_KM
    assert [(t, n) for t, n in run.names()] == [(0, "drone.launched"), (290, "drone.arrived")]
    np.testing.assert_allclose(alts[1:5], [12.0, 24.0, 36.0, 48.0], atol=1e-9)
    chord = np.linalg.norm((EARTH_RADIUS_KM + 48.0) * np.array([1.0, 0.0, 0.0]) - sats.pos_ecef_km[0])
    assert chord == pytest.approx(3430.9086, abs=1e-4)
    assert d.flown_km[0] == pytest.approx(48.0 + chord, abs=ONE_MICRON_KM)
    assert run.ledger["drone_reserve_spent"] == pytest.approx((48.0 + chord) * 0.02, abs=ONE_NANO_EU)


def test_far_home_return_exact():
    # Returning from 550 km, 1206 km of arc north of its station: ticks 0-99 fly the arc at 550 km,
    # tick 100 flies the last 6 km of arc and 6 km down (alt 544), ticks 101-145 go down 540 km
    # (alt 4) and tick 146 lands: 1756 km, 35.12 EU. The straight chord would have been shorter,
    # and underground: it is not flown.
    d, sats, st = make_world()
    phi = 1206.0 / R_SAT_KM
    d.pos_ecef_km[0] = R_SAT_KM * np.array([np.cos(phi), 0.0, np.sin(phi)])
    d.status[0] = RETURNING
    run = Run(d, sats, st)
    alts, statuses = [], []
    for _ in range(150):
        pos0 = d.pos_ecef_km[0].copy()
        run.step()
        alts.append(float(d.alt_km[0]))
        statuses.append(int(d.status[0]))
        assert np.linalg.norm(d.pos_ecef_km[0] - pos0) <= 12.0 + ONE_MICRON_KM
    np.testing.assert_allclose(alts[:100], 550.0, atol=1e-6)
    assert alts[100] == pytest.approx(544.0, abs=1e-6) and alts[145] == pytest.approx(4.0, abs=1e-6)
    assert statuses.index(CHARGING) == 146 and statuses[145] == RETURNING
    assert d.flown_km[0] == pytest.approx(1756.0, abs=ONE_MICRON_KM)
    assert run.ledger["drone_reserve_spent"] == pytest.approx(1756.0 * 0.02, abs=ONE_NANO_EU)
    np.testing.assert_allclose(d.pos_ecef_km[0], st.pos_ecef_km[0], atol=ONE_MICRON_KM)


def test_tail_chase_around_the_earth_stays_above_and_within_the_bound():
    # Target 31 deg east at 550 km fleeing east at the bound speed: the drone climbs, chases, loses
    # sight behind the Earth and goes round it (at worst along the surface), never below it.
    d, sats, st = make_world(reserve_eu=5000.0)
    cfg, dt, v_t = SimConfig(), 3.0, speed_bound()
    rate = np.degrees(v_t / R_SAT_KM)  # deg/s along the equator at the bound speed
    sats.pos_ecef_km[0] = equator(31.0)
    g0 = dr.geodesic_km(st.pos_ecef_km[0], sats.pos_ecef_km[0])[0]
    run = Run(d, sats, st, cfg, dt)
    lowest = np.inf
    for t in range(3000):
        if t:
            sats.pos_ecef_km[0] = equator(31.0 + rate * t * dt)
        run.step(need=[1.0] if t == 0 else None)
        assert d.alt_km[0] >= -ONE_MICRON_KM
        if d.status[0] == ENROUTE and t > 1:
            lowest = min(lowest, float(d.alt_km[0]))
        if d.status[0] == DOCKING:
            break
    assert d.status[0] == DOCKING
    assert lowest < 1.0  # it did go round the Earth, on the surface
    f = cfg.speed_km_s / (cfg.speed_km_s - v_t)
    out_km = 550.0 + f * (g0 + climb_gain(R_SAT_KM) + 550.0 * v_t / cfg.speed_km_s)
    assert d.flown_km[0] <= out_km + v_t * dt


def test_long_random_run_stays_above_ground_and_keeps_the_reserve_invariant():
    # 12 drones at 3 stations, 24 random circular orbits, cheap flight so far (hidden) targets are
    # reachable; needs change every 40 ticks. Every tick: no drone below the surface, reserve
    # covers the way home, moves no longer than speed*dt, nobody stranded.
    rng = np.random.default_rng(2024)
    cfg, dt = SimConfig({"reserve_per_km": 0.004}), 3.0
    d, sats, st = make_world(n_sats=24, stations=((10.0, 0.0), (-20.0, 60.0), (40.0, -100.0)),
                             drone_stations=tuple(range(3)) * 4, reserve_eu=200.0)
    planes = [(rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi)) for _ in range(24)]

    def place(t):
        for i, (inc, raan, u0) in enumerate(planes):
            u = u0 + N_SAT_RAD_S * t * dt
            p = np.array([np.cos(raan), np.sin(raan), 0.0])
            q = np.array([-np.sin(raan) * np.cos(inc), np.cos(raan) * np.cos(inc), np.sin(inc)])
            sats.pos_ecef_km[i] = R_SAT_KM * (np.cos(u) * p + np.sin(u) * q)

    run, need, hidden_launches = Run(d, sats, st, cfg, dt), np.zeros(24), 0
    for t in range(2400):
        place(t)
        if t % 40 == 0:
            need = rng.uniform(0, 3, 24) * (rng.random(24) < 0.4)
            sats.energy_eu[:] = rng.uniform(0, 700, 24)
        pos0, stat0 = d.pos_ecef_km.copy(), d.status.copy()
        n0 = len(run.trace)
        run.step(need)
        for _, name, p in run.trace[n0:]:
            if name == "drone.launched":
                j, i = parse_id("battery", p["battery_id"]), parse_id("sat", p["satellite_id"])
                home = st.pos_ecef_km[d.station[j]]
                hidden_launches += np.dot(sats.pos_ecef_km[i], home) < EARTH_RADIUS_KM**2
        assert (d.alt_km >= -1e-6).all()
        flying = np.isin(stat0, (ENROUTE, RETURNING)) & (d.status != DOCKING)  # not the dock clamp
        assert (np.linalg.norm(d.pos_ecef_km - pos0, axis=1)[flying] <= cfg.speed_km_s * dt + 1e-6).all()
        homes = st.pos_ecef_km[d.station]
        back = np.array([way_home_km(p, h) for p, h in zip(d.pos_ecef_km, homes)])
        assert (d.reserve_eu >= back * cfg.reserve_per_km - 1e-9).all()
        assert not (d.status == OUT_OF_SERVICE).any()
    assert hidden_launches >= 3
    assert sum(n == "drone.charged" for _, n in run.names()) >= 10


# ---- recalls -----------------------------------------------------------------------------

def test_recall_not_needed_when_target_recovers():
    d, sats, st = make_world()
    sats.pos_ecef_km[0] = above(0.0, 0.0)
    run = Run(d, sats, st)
    for t in range(10):
        run.step(need=[1.0] if t == 0 else None)
    sats.energy_eu[0] = 800.0  # reaches done_pct before the drone docks
    run.step()
    assert run.trace[-1] == (10, "drone.recalled", {"battery_id": "bat-001", "satellite_id": "sat-001",
                                                    "reason": "not_needed"})
    assert (d.status[0], d.target[0]) == (RETURNING, -1)
    for _ in range(20):
        run.step()
    assert d.status[0] in (CHARGING, STANDBY)
    np.testing.assert_allclose(d.pos_ecef_km[0], st.pos_ecef_km[0], atol=ONE_MICRON_KM)


def test_recall_reserve_when_carried_too_far():
    # Docked to a satellite moving away at 7.5 km/s with a slow transfer: the return cost grows
    # until, from the next position, reserve < return + margin. That tick it is recalled instead.
    d, sats, st = make_world(battery_eu=5000.0)
    cfg = SimConfig({"charge_rate_eu_per_s": 0.01})
    start = above(0.0, 0.0, alt_km=100.0)
    east = np.array([0.0, 1.0, 0.0])
    run = Run(d, sats, st, cfg, dt=1.0)
    home = st.pos_ecef_km[0]
    margin = cfg.launch_margin_pct / 100.0 * 200.0
    for t in range(3000):
        sats.pos_ecef_km[0] = start + east * 7.5 * t
        prev_pos = d.pos_ecef_km[0].copy()
        run.step(need=[1.0] if t == 0 else None)
        if run.trace[-1][1] == "drone.recalled":
            break
        if d.status[0] == DOCKING:  # accepted ride: the rule held at the new position
            assert d.reserve_eu[0] >= way_home_km(d.pos_ecef_km[0], home) * cfg.reserve_per_km + margin
    tick, name, payload = run.trace[-1]
    assert (name, payload["reason"]) == ("drone.recalled", "reserve")
    assert d.reserve_eu[0] < way_home_km(sats.pos_ecef_km[0], home) * cfg.reserve_per_km + margin
    assert np.linalg.norm(d.pos_ecef_km[0] - prev_pos) <= cfg.speed_km_s + ONE_MICRON_KM  # detached, flew home
    for _ in range(3000):
        run.step()
        if d.status[0] == STANDBY:
            break
    assert d.status[0] == STANDBY and d.reserve_eu[0] == 200.0


# ---- faults ------------------------------------------------------------------------------

def test_fault_strands_and_frees_the_target():
    d, sats, st = make_world(drone_stations=(0, 0))
    sats.pos_ecef_km[0] = above(0.0, 0.0)
    run = Run(d, sats, st)
    for t in range(10):
        run.step(need=[1.0] if t == 0 else None)
    j = int(np.flatnonzero(d.status == ENROUTE)[0])
    dr.inject_fault(d, j)
    stuck = d.pos_ecef_km[j].copy()
    for _ in range(5):
        run.step(need=[1.0])
    assert d.status[j] == OUT_OF_SERVICE and (d.pos_ecef_km[j] == stuck).all()
    assert [p["battery_id"] for _, n, p in run.trace if n == "drone.launched"] == [battery_id(j), battery_id(1 - j)]


def test_fault_flag_set_directly_grounds_a_drone_at_home():
    d, sats, st = make_world()
    d.fault[0] = True
    d.reserve_eu[0] = 50.0
    run = Run(d, sats, st)
    run.step()
    assert d.status[0] == OUT_OF_SERVICE and d.reserve_eu[0] == 50.0  # no charging, no launch


# ---- invariants under random play --------------------------------------------------------

class DroneMachine(RuleBasedStateMachine):
    """Random configs, orbits, needs, energies and manual commands; invariants after each."""

    @initialize(seed=hs.integers(0, 2**32 - 1), speed=hs.floats(8.5, 40.0), rpk=hs.floats(0.005, 0.1),
                margin=hs.floats(0.0, 30.0), dock=hs.floats(0.5, 50.0), dt=hs.floats(0.5, 10.0),
                rate=hs.floats(0.05, 50.0), battery=hs.floats(10.0, 3000.0))
    def setup(self, seed, speed, rpk, margin, dock, dt, rate, battery):
        rng = np.random.default_rng(seed)
        self.cfg = SimConfig({"speed_km_s": speed, "reserve_per_km": rpk, "launch_margin_pct": margin,
                              "dock_km": dock, "charge_rate_eu_per_s": rate})
        self.planes = [(rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi)) for _ in range(6)]
        self.t = 0
        first = np.array([self._orbit(i) for i in range(3)])  # stations near the first three tracks
        lat, lon, _ = ecef_to_geodetic(first)
        stations = tuple(zip(lat + rng.uniform(-8, 8, 3), lon + rng.uniform(-8, 8, 3)))
        self.d, self.sats, self.st = make_world(n_sats=6, stations=stations, battery_eu=battery,
                                                drone_stations=tuple(rng.integers(0, 3, 5)))
        self.d.reserve_cap_eu[:] = self.d.reserve_eu[:] = rng.uniform(20, 300, 5)
        self.sats.energy_eu[:] = rng.uniform(0, 1000, 6)
        self.run, self.faulted = Run(self.d, self.sats, self.st, self.cfg, dt), set()
        self._place()

    def _orbit(self, i):
        inc, raan, u0 = self.planes[i]
        u = u0 + N_SAT_RAD_S * self.t * getattr(getattr(self, "run", None), "dt", 0.0)
        p = np.array([np.cos(raan), np.sin(raan), 0.0])
        q = np.array([-np.sin(raan) * np.cos(inc), np.cos(raan) * np.cos(inc), np.sin(inc)])
        return R_SAT_KM * (np.cos(u) * p + np.sin(u) * q)

    def _place(self):
        self.sats.pos_ecef_km[:] = [self._orbit(i) for i in range(6)]

    def _drone_eu(self):
        return float(self.d.reserve_eu.sum() + self.d.battery_eu.sum())

    @rule(need=hs.lists(hs.floats(0.0, 5.0), min_size=6, max_size=6), ticks=hs.integers(1, 40))
    def step(self, need, ticks):
        for _ in range(ticks):
            self.t += 1
            self._place()
            pos0, stat0 = self.d.pos_ecef_km.copy(), self.d.status.copy()
            sat0, dro0, led0 = self.sats.energy_eu.sum(), self._drone_eu(), dict(self.run.ledger)
            self.run.step(need)
            self._check_tick(pos0, stat0, sat0, dro0, led0)

    def _check_tick(self, pos0, stat0, sat0, dro0, led0):
        gained = {k: self.run.ledger[k] - led0.get(k, 0.0) for k in dr.LEDGER_KEYS}
        assert self.sats.energy_eu.sum() - sat0 == pytest.approx(gained["drone_delivered"], abs=1e-6)
        drone_change = gained["ground_charged"] - gained["drone_delivered"] - gained["drone_reserve_spent"]
        assert self._drone_eu() - dro0 == pytest.approx(drone_change, abs=1e-6)
        step_km = np.linalg.norm(self.d.pos_ecef_km - pos0, axis=1)
        flying = np.isin(stat0, (ENROUTE, RETURNING)) & (self.d.status != DOCKING)
        assert (step_km[flying] <= self.cfg.speed_km_s * self.run.dt + 1e-6).all()

    @rule(j=hs.integers(0, 4), i=hs.integers(0, 5))
    def manual_launch(self, j, i):
        before = arrays(self.d)
        try:
            dr.launch(self.d, self.sats, self.st, j, i, self.cfg, TickEvents(0, 0.0))
        except ValueError:
            assert_same(before, self.d)

    @rule(j=hs.integers(0, 4))
    def manual_recall(self, j):
        if self.d.status[j] in (ENROUTE, DOCKING):
            dr.recall(self.d, j, "manual", TickEvents(0, 0.0))

    @rule(i=hs.integers(0, 5), pct=hs.floats(0.0, 100.0))
    def set_energy(self, i, pct):
        self.sats.energy_eu[i] = pct * 10.0

    @rule(j=hs.integers(0, 4))
    def fault(self, j):
        dr.inject_fault(self.d, j)
        self.faulted.add(j)

    @invariant()
    def reserves_and_batteries_in_range(self):
        d = self.d
        assert (d.reserve_eu >= 0).all() and (d.reserve_eu <= d.reserve_cap_eu + 1e-9).all()
        assert (d.battery_eu >= 0).all() and (d.battery_eu <= d.battery_cap_eu + 1e-9).all()
        assert (self.sats.energy_eu >= 0).all() and (self.sats.energy_eu <= self.sats.max_energy_eu + 1e-9).all()

    @invariant()
    def stranded_only_with_fault(self):
        oos = set(np.flatnonzero(self.d.status == OUT_OF_SERVICE).tolist())
        assert oos <= self.faulted

    @invariant()
    def always_enough_reserve_to_get_home(self):
        d = self.d
        ok = d.status != OUT_OF_SERVICE
        home = self.st.pos_ecef_km[d.station]
        home_km = np.array([way_home_km(p, h) for p, h in zip(d.pos_ecef_km, home)])
        assert (d.reserve_eu[ok] >= home_km[ok] * self.cfg.reserve_per_km - 1e-9).all()

    @invariant()
    def never_below_the_surface(self):
        d = self.d
        assert (np.linalg.norm(d.pos_ecef_km, axis=1) - EARTH_RADIUS_KM >= -1e-6).all()
        assert (d.alt_km >= -1e-6).all()

    @invariant()
    def one_drone_per_target(self):
        out = self.d.target[(self.d.status == ENROUTE) | (self.d.status == DOCKING)]
        assert len(set(out.tolist())) == len(out) and (out >= 0).all()


DroneMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
TestDroneMachine = DroneMachine.TestCase
