"""Orbital physics, sun, geometry and frames against independent references.

References: Kepler's third law and the sidereal day, a rotation-matrix construction of the
orbit (scipy), the published sun-synchronous inclination, the cylindrical-shadow eclipse
formula, the 2026 equinox and solstice instants, NOAA's equation-of-time series, the law of
sines/cosines, scipy's cdist, a root-finding line-of-sight test, and the sgp4 README example.
"""

import calendar
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.spatial.distance import cdist
from scipy.spatial.transform import Rotation

from backend.core import frames, geometry, orbits, sun
from backend.core.engine import Engine
from backend.core.scenario import Scenario
from backend.core.constants import (
    AU_KM,
    EARTH_RADIUS_KM,
    J2,
    J2_RADIUS_KM,
    J2000_UNIX_S,
    MU_EARTH_KM3_S2,
    SECONDS_PER_DAY,
    SUN_RADIUS_KM,
)

R = EARTH_RADIUS_KM
one_metre_km = 1e-3
one_millimetre_km = 1e-6
one_microsecond_s = 1e-6
tenth_deg = 0.1
nano_rad = 1e-9
one_millidegree = 1e-3


def utc(*ymdhms) -> float:
    """Unix seconds for a UTC calendar time."""
    return float(calendar.timegm(tuple(ymdhms) + (0,) * (6 - len(ymdhms))))


def circular(n_sats=1, alt_km=550.0, inc_deg=53.0, raan_deg=0.0, u_deg=0.0, j2=True):
    """Element arrays for identical circular orbits, ready for propagate_circular."""
    a = np.full(n_sats, R + alt_km)
    inc = np.full(n_sats, np.radians(inc_deg))
    n = orbits.mean_motion_rad_s(a)
    rd = orbits.j2_raan_rate_rad_s(a, inc) if j2 else np.zeros(n_sats)
    return a, inc, np.full(n_sats, np.radians(raan_deg)), np.full(n_sats, np.radians(u_deg)), n, rd


# ---------------------------------------------------------------- orbits


@pytest.mark.parametrize("alt_km", [300.0, 550.0, 1200.0, 20200.0, 35786.0])
def test_period_matches_kepler_third_law(alt_km):
    a = R + alt_km
    assert orbits.orbital_period_s(a) == pytest.approx(2 * np.pi * np.sqrt(a**3 / MU_EARTH_KM3_S2), rel=1e-14)
    assert orbits.mean_motion_rad_s(a) == pytest.approx(np.sqrt(MU_EARTH_KM3_S2 / a**3), rel=1e-14)


def test_geostationary_period_is_one_sidereal_day():
    sidereal_day_s = 86164.0905
    assert orbits.orbital_period_s(42164.17) == pytest.approx(sidereal_day_s, abs=0.5)


def test_one_period_returns_to_start_within_a_metre():
    a, inc, raan, u0, n, _ = circular(n_sats=5, inc_deg=97.0, raan_deg=40.0)
    u0 = np.radians([0.0, 10.0, 123.0, 250.0, 359.0])
    rd = np.zeros(5)
    start = orbits.propagate_circular(a, inc, raan, u0, n, rd, 0.0)
    end = orbits.propagate_circular(a, inc, raan, u0, n, rd, float(orbits.orbital_period_s(a[0])))
    assert np.all(np.linalg.norm(end - start, axis=1) < one_metre_km)


def test_propagation_matches_rotation_matrix_construction():
    """Position = Rz(raan) Rx(inc) [r cos u, r sin u, 0], built independently with scipy."""
    rng = np.random.default_rng(7)
    k = 200
    a = R + rng.uniform(300, 2000, k)
    inc = rng.uniform(0, np.pi, k)
    raan0, u0 = rng.uniform(0, 2 * np.pi, k), rng.uniform(0, 2 * np.pi, k)
    n, rd = orbits.mean_motion_rad_s(a), orbits.j2_raan_rate_rad_s(a, inc)
    t = 12345.6
    got = orbits.propagate_circular(a, inc, raan0, u0, n, rd, t)
    u, raan = u0 + n * t, raan0 + rd * t
    in_plane = np.stack([a * np.cos(u), a * np.sin(u), np.zeros(k)], axis=1)
    rot = Rotation.from_euler("ZX", np.stack([raan, inc], axis=1))  # intrinsic: Rz(raan) @ Rx(inc)
    np.testing.assert_allclose(got, rot.apply(in_plane), atol=one_millimetre_km)


def test_propagation_writes_into_out_and_keeps_radius():
    a, inc, raan, u0, n, rd = circular(n_sats=3)
    out = np.zeros((3, 3))
    ret = orbits.propagate_circular(a, inc, raan, u0, n, rd, 777.0, out)
    assert ret is out
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), a, atol=one_millimetre_km)
    fast = orbits.propagate_circular(a, inc, raan, u0, n, rd, 777.0, cos_inc=np.cos(inc), sin_inc=np.sin(inc))
    np.testing.assert_allclose(fast, out, atol=one_millimetre_km)


@pytest.mark.parametrize("layout", ["walker", "random"])
def test_circular_propagator_matches_propagate_circular(layout):
    if layout == "walker":
        w = orbits.walker_delta(1000, 20, 3, 550.0, 53.0)
        a, inc, raan0, u0 = w["sma_km"], w["inc_rad"], w["raan0_rad"], w["u0_rad"]
    else:  # every satellite its own plane and rate
        rng = np.random.default_rng(11)
        a, inc = R + rng.uniform(300, 2000, 300), rng.uniform(0, np.pi, 300)
        raan0, u0 = rng.uniform(0, 2 * np.pi, 300), rng.uniform(0, 2 * np.pi, 300)
    n, rd = orbits.mean_motion_rad_s(a), orbits.j2_raan_rate_rad_s(a, inc)
    prop = orbits.CircularPropagator(a, inc, raan0, u0, n, rd)
    out = np.empty((len(a), 3))
    for t in [0.0, 0.1, 5400.0, 30 * SECONDS_PER_DAY]:
        assert prop.positions(t, out) is out
        np.testing.assert_allclose(out, orbits.propagate_circular(a, inc, raan0, u0, n, rd, t), atol=one_millimetre_km)


def test_ascending_node_drifts_at_the_j2_rate():
    a, inc, raan, u0, n, rd = circular(inc_deg=53.0, raan_deg=30.0)
    t = 10 * SECONDS_PER_DAY
    # At u = 0 the satellite sits on the ascending node, at longitude RAAN in the ECI frame.
    period = orbits.orbital_period_s(a[0])
    t_node = np.ceil(t / period) * period
    p = orbits.propagate_circular(a, inc, raan, u0, n, rd, t_node)[0]
    assert p[2] == pytest.approx(0.0, abs=one_metre_km)
    node_deg = np.degrees(np.arctan2(p[1], p[0]))
    assert node_deg == pytest.approx(30.0 + np.degrees(rd[0] * t_node), abs=one_millidegree)


def test_sun_synchronous_rate_is_one_turn_per_tropical_year():
    """Published SSO inclination for 700 km altitude (equatorial radius) is 98.19 deg."""
    sso_deg_per_day = 360.0 / 365.2422
    a = 6378.137 + 700.0
    rate = np.degrees(orbits.j2_raan_rate_rad_s(a, np.radians(98.19))) * SECONDS_PER_DAY
    assert rate == pytest.approx(sso_deg_per_day, abs=0.005)
    rate_98 = np.degrees(orbits.j2_raan_rate_rad_s(R + 700.0, np.radians(98.0))) * SECONDS_PER_DAY
    assert rate_98 == pytest.approx(sso_deg_per_day, rel=0.03)


def test_j2_rate_signs():
    a = R + 550.0
    assert orbits.j2_raan_rate_rad_s(a, np.radians(53.0)) < 0  # prograde: node regresses
    assert orbits.j2_raan_rate_rad_s(a, np.radians(90.0)) == pytest.approx(0.0, abs=1e-20)
    assert orbits.j2_raan_rate_rad_s(a, np.radians(120.0)) > 0  # retrograde: node advances


def _j2_acceleration(t, y):
    """Two-body plus J2 point-mass field (Vallado eq. 8-31 / Montenbruck & Gill eq. 3.30), km, s."""
    r = y[:3]
    r2 = r @ r
    k = 1.5 * J2 * MU_EARTH_KM3_S2 * J2_RADIUS_KM ** 2 / r2 ** 2.5
    zz = 5.0 * r[2] * r[2] / r2
    acc = -MU_EARTH_KM3_S2 * r / r2 ** 1.5 - k * r * np.array([1.0 - zz, 1.0 - zz, 3.0 - zz])
    return np.concatenate([y[3:], acc])


def _integrated_mean_rates(sma_km: float, inc_rad: float, days: float = 1.0):
    """Brute force: integrate the J2 field for `days` from a circular state (DOP853, rtol 1e-12)
    and fit the secular parts (mean a, u rate, node rate) beside the 2u and u short-period
    terms by least squares. Returns (mean a km, du/dt rad/s, dRAAN/dt rad/s)."""
    v = np.sqrt(MU_EARTH_KM3_S2 / sma_km)
    y0 = np.array([sma_km, 0.0, 0.0, 0.0, v * np.cos(inc_rad), v * np.sin(inc_rad)])
    t = np.arange(0.0, days * SECONDS_PER_DAY + 1.0, 20.0)
    sol = solve_ivp(_j2_acceleration, (0.0, t[-1]), y0, method="DOP853", t_eval=t, rtol=1e-12, atol=1e-10)
    r, vel = sol.y[:3].T, sol.y[3:].T
    h = np.cross(r, vel)
    node = np.stack([-h[:, 1], h[:, 0], np.zeros(len(t))], axis=1)
    node /= np.linalg.norm(node, axis=1)[:, None]
    in_plane = np.cross(h / np.linalg.norm(h, axis=1)[:, None], node)
    raan = np.unwrap(np.arctan2(node[:, 1], node[:, 0]))
    u = np.unwrap(np.arctan2(np.sum(r * in_plane, axis=1), np.sum(r * node, axis=1)))
    a = 1.0 / (2.0 / np.linalg.norm(r, axis=1) - np.sum(vel * vel, axis=1) / MU_EARTH_KM3_S2)
    periodic = [np.cos(2 * u), np.sin(2 * u), np.cos(u), np.sin(u)]
    with_rate = np.stack([np.ones_like(t), t, *periodic], axis=1)
    u_rate = np.linalg.lstsq(with_rate, u, rcond=None)[0][1]
    raan_rate = np.linalg.lstsq(with_rate, raan, rcond=None)[0][1]
    mean_a = np.linalg.lstsq(np.stack([np.ones_like(t), *periodic], axis=1), a, rcond=None)[0][0]
    return mean_a, u_rate, raan_rate


@pytest.mark.parametrize("inc_deg", [30.0, 53.0, 97.6])
def test_j2_secular_rates_match_a_numerical_integration(inc_deg):
    """Reference: brute-force integration of the J2 field over a day. Along-track drift of the
    model's u rate against it: 6.4 / 2.0 / 1.7 km a day at 30 / 53 / 97.6 deg (second-order
    J2 terms), where two-body u (the model before) is off by 1817 / 409 / 842 km; node within
    0.02 deg a day."""
    inc = np.radians(inc_deg)
    mean_a, u_rate, raan_rate = _integrated_mean_rates(R + 550.0, inc)
    along_track_km_per_day = (orbits.j2_arglat_rate_rad_s(mean_a, inc) - u_rate) * SECONDS_PER_DAY * mean_a
    assert abs(along_track_km_per_day) < 10.0
    two_body_km_per_day = (orbits.mean_motion_rad_s(mean_a) - u_rate) * SECONDS_PER_DAY * mean_a
    assert abs(two_body_km_per_day) > 300.0  # the check can tell the two models apart
    node_deg_per_day = np.degrees(orbits.j2_raan_rate_rad_s(mean_a, inc) - raan_rate) * SECONDS_PER_DAY
    assert abs(node_deg_per_day) < 0.02


def test_scenario_satellites_move_at_the_j2_arglat_rate():
    eng = Engine(None, Scenario().updated({"n_satellites": 4, "planes": 1}), 0)
    s = eng.sats
    np.testing.assert_allclose(s.arglat_rate_rad_s, orbits.j2_arglat_rate_rad_s(s.sma_km, s.inc_rad), rtol=1e-15)
    flat = Engine(None, Scenario().updated({"n_satellites": 4, "planes": 1, "j2": False}), 0).sats
    np.testing.assert_allclose(flat.arglat_rate_rad_s, orbits.mean_motion_rad_s(flat.sma_km), rtol=1e-15)


# ---------------------------------------------------------------- Walker


def test_walker_geometry_24_3_1():
    w = orbits.walker_delta(24, 3, 1, 550.0, 53.0)
    assert set(w) >= {"sma_km", "inc_rad", "raan0_rad", "u0_rad", "plane", "slot"}
    assert all(len(v) == 24 for v in w.values())
    assert w["plane"].dtype == np.int32 and w["slot"].dtype == np.int32
    np.testing.assert_allclose(w["sma_km"], R + 550.0)
    np.testing.assert_allclose(w["inc_rad"], np.radians(53.0))
    raan_by_plane = [np.unique(w["raan0_rad"][w["plane"] == k]) for k in range(3)]
    np.testing.assert_allclose(np.concatenate(raan_by_plane), np.radians([0.0, 120.0, 240.0]))
    for k in range(3):
        u = w["u0_rad"][w["plane"] == k]
        spacing = np.diff(np.sort(u))
        np.testing.assert_allclose(spacing, 2 * np.pi / 8)
    # Phasing: slot 0 of plane k is ahead of slot 0 of plane 0 by 2*pi*f*k/t.
    first = w["u0_rad"][(w["slot"] == 0)]
    np.testing.assert_allclose(first, 2 * np.pi * 1 * np.arange(3) / 24)


def test_galileo_walker_stays_apart_over_an_orbit():
    """Galileo's 24/3/1 at 56 deg never brings two satellites within a few thousand km."""
    w = orbits.walker_delta(24, 3, 1, 23222.0, 56.0)
    n = orbits.mean_motion_rad_s(w["sma_km"])
    for t in np.linspace(0.0, orbits.orbital_period_s(w["sma_km"][0]), 50):
        pos = orbits.propagate_circular(w["sma_km"], w["inc_rad"], w["raan0_rad"], w["u0_rad"], n, n * 0, t)
        np.testing.assert_allclose(np.linalg.norm(pos, axis=1), R + 23222.0)
        assert (cdist(pos, pos) + np.eye(24) * 1e9).min() > 4000.0  # km


def test_walker_planes_half_a_turn_apart_can_collide():
    """A known property, not a bug: 60/6/0 puts plane 0 slot 5 and plane 3 slot 0 on one node."""
    w = orbits.walker_delta(60, 6, 0, 800.0, 70.0)
    n = orbits.mean_motion_rad_s(w["sma_km"])
    pos = orbits.propagate_circular(w["sma_km"], w["inc_rad"], w["raan0_rad"], w["u0_rad"], n, n * 0, 0.0)
    assert np.linalg.norm(pos[5] - pos[30]) < one_millimetre_km


@pytest.mark.parametrize(
    "total, planes, expected_counts",
    [
        (10, 3, [4, 3, 3]),
        (11, 4, [3, 3, 3, 2]),
        (7, 7, [1] * 7),
        (3, 5, [1, 1, 1]),  # planes clamped to total
        (1, 1, [1]),
        (1, 10, [1]),
    ],
)
def test_walker_counts_for_non_divisible_totals(total, planes, expected_counts):
    w = orbits.walker_delta(total, planes, 1, 550.0, 53.0)
    assert np.bincount(w["plane"]).tolist() == expected_counts
    for k, c in enumerate(expected_counts):
        assert sorted(w["slot"][w["plane"] == k].tolist()) == list(range(c))
        u = np.sort(w["u0_rad"][w["plane"] == k])
        if c > 1:
            np.testing.assert_allclose(np.diff(u), 2 * np.pi / c)
    np.testing.assert_allclose(
        np.unique(w["raan0_rad"]), 2 * np.pi * np.arange(len(expected_counts)) / len(expected_counts)
    )


def test_walker_single_satellite():
    w = orbits.walker_delta(1, 1, 0, 550.0, 53.0)
    assert w["u0_rad"].tolist() == [0.0] and w["raan0_rad"].tolist() == [0.0]


def test_walker_hundred_thousand_is_fast():
    start = time.perf_counter()
    w = orbits.walker_delta(100_000, 72, 17, 550.0, 53.0)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5  # seconds; a vectorised build takes a few milliseconds
    assert len(w["u0_rad"]) == 100_000
    counts = np.bincount(w["plane"])
    assert counts.sum() == 100_000 and counts.max() - counts.min() <= 1
    assert np.all((w["u0_rad"] >= 0) & (w["u0_rad"] < 2 * np.pi))


@pytest.mark.parametrize("total, planes", [(0, 1), (-5, 2), (10, 0)])
def test_walker_rejects_bad_counts(total, planes):
    with pytest.raises(ValueError, match=r"\(=-?\d+\)"):
        orbits.walker_delta(total, planes, 0, 550.0, 53.0)


# ---------------------------------------------------------------- eclipse


def test_eclipse_fraction_with_sun_in_orbit_plane():
    a = R + 550.0
    closed_form = np.arcsin(R / a) / np.pi
    assert closed_form == pytest.approx(0.37224, abs=1e-5)
    samples = 200_000
    u = np.linspace(0.0, 2 * np.pi, samples, endpoint=False)
    zeros = np.zeros(samples)
    pos = orbits.propagate_circular(np.full(samples, a), zeros, zeros, u, zeros, zeros, 0.0)
    shadow = geometry.in_cylindrical_shadow(pos, np.array([1.0, 0.0, 0.0]))
    assert shadow.mean() == pytest.approx(closed_form, abs=2.0 / samples)


@pytest.mark.parametrize("beta_deg", [0.0, 20.0, 45.0, 60.0, 70.0])
def test_eclipse_fraction_for_beta_angle(beta_deg):
    """Cylindrical shadow: fraction = acos(sqrt(1 - (R/a)^2) / cos(beta)) / pi, 0 past sin(beta) = R/a."""
    a = R + 550.0
    beta = np.radians(beta_deg)
    ratio = np.sqrt(1 - (R / a) ** 2) / np.cos(beta)
    closed_form = np.arccos(ratio) / np.pi if ratio < 1 else 0.0
    samples = 100_000
    u = np.linspace(0.0, 2 * np.pi, samples, endpoint=False)
    zeros = np.zeros(samples)
    pos = orbits.propagate_circular(np.full(samples, a), zeros, zeros, u, zeros, zeros, 0.0)
    sun_unit = np.array([np.cos(beta), 0.0, np.sin(beta)])
    assert geometry.in_cylindrical_shadow(pos, sun_unit).mean() == pytest.approx(closed_form, abs=2.0 / samples)


def test_shadow_hand_cases_and_broadcasting():
    s = np.array([1.0, 0.0, 0.0])
    pos = np.array([[-7000.0, 0, 0], [7000.0, 0, 0], [-7000.0, R + 1, 0], [-7000.0, R - 1, 0], [0.0, 0, 7000]])
    assert geometry.in_cylindrical_shadow(pos, s).tolist() == [True, False, False, True, False]
    per_row_sun = np.tile(s, (5, 1))
    assert geometry.in_cylindrical_shadow(pos, per_row_sun).tolist() == [True, False, False, True, False]


def _disk_sampled_fraction(pos_km, sun_unit, sun_distance_km, grid=301):
    """Brute force: the share of a grid of points on the solar disk (seen from pos_km, flat disk
    of radius SUN_RADIUS_KM facing the satellite) whose line of sight clears the Earth."""
    to_sun = sun_unit * sun_distance_km - pos_km
    axis = to_sun / np.linalg.norm(to_sun)
    e1 = np.cross(axis, [0.0, 0.0, 1.0] if abs(axis[2]) < 0.9 else [1.0, 0.0, 0.0])
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(axis, e1)
    g = np.linspace(-1.0, 1.0, grid)
    x, y = np.meshgrid(g, g)
    inside = x * x + y * y <= 1.0
    pts = sun_unit * sun_distance_km + SUN_RADIUS_KM * (x[inside, None] * e1 + y[inside, None] * e2)
    return geometry.segment_clear(np.broadcast_to(pos_km, pts.shape), pts).mean()


@pytest.mark.parametrize("beta_deg", [0.0, 60.0, 66.0])
def test_visible_sun_fraction_matches_sampling_the_solar_disk(beta_deg):
    """Reference: 71,000 points on the solar disk, each tested for a clear line of sight past the
    Earth (segment_clear), at 12 positions across the penumbra; within 0.005 of the fraction."""
    a = R + 550.0
    beta = np.radians(beta_deg)
    sun_unit = np.array([np.cos(beta), 0.0, np.sin(beta)])
    u = np.radians(np.linspace(0.0, 360.0, 72001))
    zeros = np.zeros(len(u))
    pos = orbits.propagate_circular(np.full(len(u), a), zeros, zeros, u, zeros, zeros, 0.0)
    nu = geometry.visible_sun_fraction(pos, sun_unit, AU_KM)
    pen = np.flatnonzero((nu > 0.02) & (nu < 0.98))
    assert len(pen) > 12
    for k in pen[np.linspace(0, len(pen) - 1, 12).astype(int)]:
        assert nu[k] == pytest.approx(_disk_sampled_fraction(pos[k], sun_unit, AU_KM), abs=0.005)


def test_visible_sun_fraction_hand_cases():
    sun_unit = np.array([1.0, 0.0, 0.0])
    pos = np.array([[7000.0, 0, 0], [-7000.0, 0, 0], [0.0, 0, 7000], [-7000.0, R + 200, 0]])
    assert geometry.visible_sun_fraction(pos, sun_unit, AU_KM).tolist() == [1.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize("beta_deg, tol_s", [(0.0, 0.5), (60.0, 0.5), (66.0, 1.0)])
def test_penumbra_takes_as_much_light_as_the_cylinder_keeps(beta_deg, tol_s):
    """The light lost over an orbit, integral of (1 - fraction) dt, equals the cylinder's dark
    time (the prediction's closed form) within 0.1 s at beta 0 and 60 deg, 0.5 s at 66 deg;
    the penumbra itself lasts 17 / 50 / 139 s an orbit there (the cylinder, before, switched
    the panels off up to 37 s before the umbra at 66 deg)."""
    a = R + 550.0
    n = orbits.mean_motion_rad_s(a)
    t = np.arange(0.0, 2 * np.pi / n, 0.05)
    zeros = np.zeros(len(t))
    pos = orbits.propagate_circular(np.full(len(t), a), zeros, zeros, n * t, zeros, zeros, 0.0)
    beta = np.radians(beta_deg)
    sun_unit = np.array([np.cos(beta), 0.0, np.sin(beta)])
    lost_s = np.sum(1.0 - geometry.visible_sun_fraction(pos, sun_unit, AU_KM)) * 0.05
    assert lost_s == pytest.approx(geometry.in_cylindrical_shadow(pos, sun_unit).sum() * 0.05, abs=tol_s)


def test_sun_distance_at_perihelion_and_aphelion():
    """Published 2026 perihelion (Jan 3) 0.98333 AU and aphelion (Jul 6) 1.01664 AU (USNO)."""
    assert sun.sun_distance_km(utc(2026, 1, 3, 17)) / AU_KM == pytest.approx(0.98333, abs=2e-4)
    assert sun.sun_distance_km(utc(2026, 7, 6, 18)) / AU_KM == pytest.approx(1.01664, abs=2e-4)


# ---------------------------------------------------------------- sun


@pytest.mark.parametrize(
    "when, declination_deg",
    [
        (utc(2026, 3, 20, 14, 46), 0.0),  # March equinox
        (utc(2026, 6, 21, 8, 24), 23.436),  # June solstice: + obliquity
        (utc(2026, 9, 23, 0, 5), 0.0),  # September equinox
        (utc(2026, 12, 21, 20, 50), -23.436),  # December solstice
    ],
)
def test_sun_declination_at_2026_equinoxes_and_solstices(when, declination_deg):
    s = sun.sun_direction_eci(when)
    assert np.linalg.norm(s) == pytest.approx(1.0, abs=1e-15)
    assert np.degrees(np.arcsin(s[2])) == pytest.approx(declination_deg, abs=tenth_deg)
    lat, _ = sun.subsolar_point(when)
    assert lat == pytest.approx(declination_deg, abs=tenth_deg)


@pytest.mark.parametrize("month, day", [(4, 15), (6, 13), (9, 1), (12, 25), (2, 11), (11, 3)])
def test_subsolar_longitude_at_noon_utc(month, day):
    when = utc(2026, month, day, 12)
    _, lon = sun.subsolar_point(when)
    assert abs(lon) < 4.5  # the equation of time never exceeds 16.5 min = 4.1 deg
    if (month, day) in [(4, 15), (6, 13), (9, 1), (12, 25)]:  # equation of time ~ 0
        assert abs(lon) < 2.0


def noaa_subsolar_deg(unix_s):
    """NOAA's Fourier series for the equation of time (minutes) and declination -> (lat, lon)."""
    t = time.gmtime(unix_s)
    hour = t.tm_hour + t.tm_min / 60 + t.tm_sec / 3600
    g = 2 * np.pi / 365 * (t.tm_yday - 1 + (hour - 12) / 24)
    eqt_min = 229.18 * (
        0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g) - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g)
    )
    decl = (
        0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
        + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g)
    )
    lon = (-15.0 * (hour - 12.0) - eqt_min / 4.0 + 180.0) % 360.0 - 180.0
    return np.degrees(decl), lon


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=utc(2024, 1, 1), max_value=utc(2030, 1, 1)))
def test_subsolar_point_agrees_with_noaa_series(unix_s):
    lat, lon = sun.subsolar_point(unix_s)
    ref_lat, ref_lon = noaa_subsolar_deg(unix_s)
    assert -180.0 <= lon < 180.0
    assert lat == pytest.approx(ref_lat, abs=0.7)  # the series is fitted to one year: crude
    dlon = (lon - ref_lon + 180.0) % 360.0 - 180.0
    assert abs(dlon) < 0.3  # 0.3 deg = 1.2 min of the equation of time


def test_subsolar_longitude_moves_west_fifteen_degrees_an_hour():
    t0 = utc(2026, 5, 5, 6)
    _, lon0 = sun.subsolar_point(t0)
    _, lon1 = sun.subsolar_point(t0 + 3600.0)
    assert (lon0 - lon1) % 360.0 == pytest.approx(15.0, abs=0.01)


# ---------------------------------------------------------------- line of sight


@pytest.mark.parametrize(
    "a, b, clear",
    [
        ([7000.0, 0, 0], [-7000.0, 0, 0], False),  # opposite sides of the Earth
        ([0.0, 7000, 0], [0.0, -7000, 100], False),
        ([7000.0, 0, 0], [6990.0, 300, 0], True),  # close neighbours
        ([7000.0, 0, 0], [8000.0, 0, 0], True),  # line through the Earth, segment outside it
        ([R, -1000.0, 0], [R, 1000.0, 0], False),  # exactly tangent: touching counts as blocked
        ([R + one_metre_km, -1000.0, 0], [R + one_metre_km, 1000.0, 0], True),  # grazes 1 m above
        ([R - one_metre_km, -1000.0, 0], [R - one_metre_km, 1000.0, 0], False),  # 1 m below
        ([7000.0, 0, 0], [7000.0, 0, 0], True),  # zero-length segment outside
    ],
)
def test_segment_clear_hand_cases(a, b, clear):
    assert bool(geometry.segment_clear(np.array(a), np.array(b))) is clear


def test_segment_clear_tangent_from_two_satellites():
    """Two satellites at 550 km, each exactly on the other's horizon tangent through one point."""
    a = R + 550.0
    half = np.arccos(R / a)  # central angle from the tangent point to each satellite
    for margin_km, clear in [(+one_metre_km, True), (-one_metre_km, False)]:
        half_m = np.arccos((R + margin_km) / a)
        p = np.array([[a * np.cos(half_m), a * np.sin(half_m), 0.0]])
        q = np.array([[a * np.cos(half_m), -a * np.sin(half_m), 0.0]])
        assert geometry.segment_clear(p, q).tolist() == [clear]
    assert half > 0


def los_by_roots(a, b, radius):
    """Independent test: does |a + t (b - a)|^2 = radius^2 have a root with t in [0, 1]?"""
    d = b - a
    qa, qb, qc = d @ d, 2 * a @ d, a @ a - radius * radius
    if qc <= 0:
        return False  # starts inside
    disc = qb * qb - 4 * qa * qc
    if qa == 0 or disc <= 0:
        return True
    t1, t2 = (-qb - np.sqrt(disc)) / (2 * qa), (-qb + np.sqrt(disc)) / (2 * qa)
    return not (t1 <= 1 and t2 >= 0)


coord = st.floats(min_value=-20000.0, max_value=20000.0, allow_nan=False)
point = st.tuples(coord, coord, coord).map(np.array)


@settings(max_examples=300, deadline=None)
@given(point, point)
def test_segment_clear_agrees_with_quadratic_roots(a, b):
    d = b - a
    dd = d @ d
    t = 0.0 if dd == 0 else float(np.clip(-(a @ d) / dd, 0, 1))
    closest = np.linalg.norm(a + t * d)
    if abs(closest - R) < 1e-6 or np.linalg.norm(a) <= R or np.linalg.norm(b) <= R:
        return  # tangent within a millimetre or an end point inside the Earth: covered by hand cases
    assert bool(geometry.segment_clear(a, b)) == los_by_roots(a, b, R)
    assert bool(geometry.segment_clear(a, b)) == bool(geometry.segment_clear(b, a))


def test_segment_clear_broadcasts_one_to_many():
    a = np.array([7000.0, 0, 0])
    b = np.array([[-7000.0, 0, 0], [7000.0, 500, 0], [6500.0, 2500, 0]])
    assert geometry.segment_clear(a, b).tolist() == [False, True, True]
    assert geometry.segment_clear(np.tile(a, (3, 1)), b).shape == (3,)


# ---------------------------------------------------------------- ranges and elevation


def test_slant_range_and_pairwise_distance():
    assert geometry.slant_range_km(np.array([0.0, 0, 0]), np.array([3.0, 4, 0])) == pytest.approx(5.0)
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(40, 3)) * 7000, rng.normal(size=(25, 3)) * 7000
    np.testing.assert_allclose(geometry.pairwise_distance_km(a, b), cdist(a, b), atol=one_millimetre_km)
    np.testing.assert_allclose(geometry.slant_range_km(a[0], b), cdist(a[:1], b)[0], atol=one_millimetre_km)


def test_elevation_straight_overhead_and_below():
    ground = geometry_point(lat=30.0, lon=-40.0)
    up = ground / np.linalg.norm(ground)
    sats = np.stack([ground + up * 550.0, ground - up * 10.0])
    np.testing.assert_allclose(geometry.elevation_deg(ground, sats), [90.0, -90.0], atol=1e-9)


def geometry_point(lat, lon, alt=0.0):
    return frames.geodetic_to_ecef(lat, lon, alt)


@pytest.mark.parametrize("alt_km", [400.0, 550.0, 1200.0])
def test_elevation_zero_at_the_horizon_distance(alt_km):
    a = R + alt_km
    phi = np.arccos(R / a)  # central angle to the horizon
    ground = np.array([R, 0.0, 0.0])
    sat = np.array([a * np.cos(phi), a * np.sin(phi), 0.0])
    assert geometry.elevation_deg(ground, sat) == pytest.approx(0.0, abs=1e-6)
    assert geometry.slant_range_km(ground, sat) == pytest.approx(geometry.horizon_range_km(alt_km), abs=one_millimetre_km)
    assert geometry.horizon_range_km(alt_km) == pytest.approx(np.sqrt(a * a - R * R), abs=one_millimetre_km)


@pytest.mark.parametrize("alt_km, central_deg", [(550.0, 10.0), (550.0, 3.0), (1200.0, 20.0), (35786.0, 60.0)])
def test_elevation_intermediate_by_law_of_cosines(alt_km, central_deg):
    a, phi = R + alt_km, np.radians(central_deg)
    rho = np.sqrt(R * R + a * a - 2 * R * a * np.cos(phi))  # law of cosines in the centre-ground-sat triangle
    elev_ref = np.degrees(np.arccos(a * np.sin(phi) / rho))  # law of sines: cos(el) = a sin(phi) / rho
    ground = geometry_point(lat=0.0, lon=0.0)
    sat = np.array([a * np.cos(phi), 0.0, a * np.sin(phi)])
    assert geometry.slant_range_km(ground, sat) == pytest.approx(rho, abs=one_millimetre_km)
    assert geometry.elevation_deg(ground, sat) == pytest.approx(elev_ref, abs=1e-9)
    assert geometry.horizon_range_km(alt_km, elev_ref) == pytest.approx(rho, abs=one_millimetre_km)


def test_horizon_range_at_ninety_degrees_is_the_altitude():
    assert geometry.horizon_range_km(550.0, 90.0) == pytest.approx(550.0, abs=one_millimetre_km)
    np.testing.assert_allclose(
        geometry.horizon_range_km(np.array([400.0, 550.0]), 0.0), np.sqrt((R + np.array([400.0, 550.0])) ** 2 - R * R)
    )


def test_elevation_broadcasts_and_coincident_points_do_not_warn():
    ground = np.array([[R, 0.0, 0.0], [0.0, R, 0.0]])
    sats = np.array([[R + 500, 0.0, 0.0], [0.0, R, 0.0]])
    np.testing.assert_allclose(geometry.elevation_deg(ground, sats), [90.0, 90.0])


# ---------------------------------------------------------------- frames


def test_era_at_j2000_epoch():
    assert frames.earth_rotation_angle_rad(J2000_UNIX_S) == pytest.approx(2 * np.pi * 0.7790572732640, abs=nano_rad)


def test_era_returns_after_one_sidereal_day():
    sidereal_day_s = SECONDS_PER_DAY / 1.00273781191135448
    t0 = utc(2026, 7, 1, 3)
    diff = frames.earth_rotation_angle_rad(t0 + sidereal_day_s) - frames.earth_rotation_angle_rad(t0)
    assert (diff + np.pi) % (2 * np.pi) - np.pi == pytest.approx(0.0, abs=1e-7)


def test_eci_to_ecef_rotates_by_the_era():
    t = utc(2026, 1, 1)
    theta = frames.earth_rotation_angle_rad(t)
    pos = np.array([[7000.0, 0.0, 0.0], [0.0, 0.0, 7000.0]])
    ecef = frames.eci_to_ecef(pos, theta)
    lat, lon, alt = frames.ecef_to_geodetic(ecef)
    expected_lon = (np.degrees(-theta) + 180.0) % 360.0 - 180.0
    assert lon[0] == pytest.approx(expected_lon, abs=1e-9)
    assert lat.tolist() == pytest.approx([0.0, 90.0])
    np.testing.assert_allclose(alt, 7000.0 - R)
    np.testing.assert_allclose(frames.ecef_to_eci(ecef, theta), pos, atol=1e-9)


def test_longitude_on_the_minus_x_axis_is_minus_180():
    _, lon, _ = frames.ecef_to_geodetic(np.array([[-7000.0, 0.0, 0.0], [-7000.0, -0.0, 0.0]]))
    assert lon.tolist() == [-180.0, -180.0]


def test_eci_to_ecef_in_place_equals_out_of_place():
    pos = np.array([[7000.0, 100.0, 5.0], [-3000.0, 6000.0, -1.0]])
    expected = frames.eci_to_ecef(pos, 0.5)
    in_place = pos.copy()
    assert frames.eci_to_ecef(in_place, 0.5, out=in_place) is in_place
    np.testing.assert_allclose(in_place, expected)


lat_st = st.floats(min_value=-89.999, max_value=89.999)
lon_st = st.floats(min_value=-180.0, max_value=179.999)
alt_st = st.floats(min_value=-100.0, max_value=40000.0)


@settings(max_examples=300, deadline=None)
@given(lat_st, lon_st, alt_st)
def test_geodetic_ecef_round_trip(lat, lon, alt):
    pos = frames.geodetic_to_ecef(lat, lon, alt)
    lat2, lon2, alt2 = frames.ecef_to_geodetic(pos)
    assert float(lat2) == pytest.approx(lat, abs=1e-9)
    assert (float(lon2) - lon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-9)
    assert float(alt2) == pytest.approx(alt, abs=one_millimetre_km)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0, max_value=4e9), st.lists(st.tuples(coord, coord, coord), min_size=1, max_size=5))
def test_eci_ecef_round_trip_preserves_vectors(unix_s, rows):
    pos = np.array(rows)
    theta = frames.earth_rotation_angle_rad(unix_s)
    ecef = frames.eci_to_ecef(pos, theta)
    np.testing.assert_allclose(np.linalg.norm(ecef, axis=1), np.linalg.norm(pos, axis=1), atol=1e-9)
    np.testing.assert_allclose(ecef[:, 2], pos[:, 2])
    np.testing.assert_allclose(frames.ecef_to_eci(ecef, theta), pos, atol=1e-9)
