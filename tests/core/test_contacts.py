"""Pass prediction against a brute-force elevation scan at 1 s, and contact changes per tick.

Reference: the engine's own propagator (orbits.CircularPropagator), frames.eci_to_ecef with the
Earth rotation angle of every second and geometry.elevation_deg, sampled every 1 s over 6 h.
Tolerances: acquisition and loss within 0.05 s of the scan's linear interpolation between the
samples either side of the crossing (and inside that 1 s bracket); maximum elevation at least the
scan's highest sample (less 1e-4 deg: the two paths differ by up to 5e-6 deg, measured; the prediction turns the Earth
at the constant sidereal rate) and within 0.01 deg of it, its time within 0.5 s of the parabola through the
three samples around it.
"""

from __future__ import annotations

import numpy as np
import pytest

from backend.core import contacts
from backend.core.engine import Engine
from backend.core.frames import earth_rotation_angle_rad, eci_to_ecef, geodetic_to_ecef
from backend.core.geometry import elevation_deg
from backend.core.scenario import Scenario

HOURS = 6.0


@pytest.fixture(scope="module")
def world():
    eng = Engine(scenario=Scenario(n_satellites=24, planes=6))
    return eng


def _scan(eng, sats, start_s, end_s):
    """(times (T,), elevation (T, n_sats, n_stations) deg) every 1 s."""
    times = np.arange(start_s, end_s + 0.5, 1.0)
    prop = eng.sky.propagator
    ecef = np.empty((len(times), len(sats), 3))
    for k, t in enumerate(times):  # the reference: one propagation per second
        pos = prop.positions(t)[sats]
        ecef[k] = eci_to_ecef(pos, earth_rotation_angle_rad(eng.sky.epoch_unix_s + t))
    el = elevation_deg(eng.stations.pos_ecef_km[None, None, :, :], ecef[:, :, None, :])
    return times, el


def _scan_passes(times, el, sats, min_el):
    """Brute-force passes: runs of samples at or above min_el, crossings interpolated linearly."""
    rows = []
    for a, i in enumerate(sats):
        for k in range(el.shape[2]):
            e = el[:, a, k] - min_el
            up = np.concatenate([[False], e >= 0.0, [False]])
            starts = np.flatnonzero(~up[:-1] & up[1:])
            ends = np.flatnonzero(up[:-1] & ~up[1:]) - 1
            for s, f in zip(starts, ends):
                aos = times[s] if s == 0 else times[s - 1] + e[s - 1] / (e[s - 1] - e[s])
                los = times[f] if f == len(times) - 1 else times[f] + e[f] / (e[f] - e[f + 1])
                m = s + int(np.argmax(e[s:f + 1]))
                rows.append(dict(sat=i, station=k, aos=aos, los=los, peak=el[m, a, k] + 0.0,
                                 peak_t=_parabola_t(times, el[:, a, k], m), bracket=(times[max(s - 1, 0)], times[s]),
                                 clipped=(s == 0, f == len(times) - 1)))
    return sorted(rows, key=lambda r: (r["aos"], r["sat"], r["station"]))


def _parabola_t(times, y, m):
    if m == 0 or m == len(y) - 1:
        return times[m]
    den = y[m - 1] - 2 * y[m] + y[m + 1]
    return times[m] + (0.5 * (y[m - 1] - y[m + 1]) / den if den != 0 else 0.0)


@pytest.mark.parametrize("min_el", [0.0, 10.0])
def test_passes_match_a_one_second_scan(world, min_el):
    sats = np.arange(world.sats.n)
    start, end = 1234.0, 1234.0 + HOURS * 3600.0
    times, el = _scan(world, sats, start, end)
    ref = _scan_passes(times, el, sats, min_el)
    geo = contacts.Geometry(contacts.CircularOrbits.of(world.sats), world.stations.pos_ecef_km, world.sky.epoch_unix_s)
    got = contacts.predict_passes(geo, sats, np.arange(world.stations.n), start, end, min_el)
    assert len(ref) > 100
    assert len(got) == len(ref)
    for p, r in zip(range(len(got)), ref):
        assert (got.sat[p], got.station[p]) == (r["sat"], r["station"])
        assert (bool(got.aos_clipped[p]), bool(got.los_clipped[p])) == r["clipped"]
        assert got.aos_s[p] == pytest.approx(r["aos"], abs=0.05)
        assert got.los_s[p] == pytest.approx(r["los"], abs=0.05)
        if not r["clipped"][0]:
            assert r["bracket"][0] <= got.aos_s[p] <= r["bracket"][1]
        assert r["peak"] - 1e-4 <= got.max_elevation_deg[p] <= r["peak"] + 0.01
        assert got.max_s[p] == pytest.approx(r["peak_t"], abs=0.5)
    assert np.all((got.quality >= 0.0) & (got.quality <= 1.0))


def test_quality_is_one_overhead_and_grows_with_elevation_and_duration(world):
    orb = contacts.CircularOrbits.of(world.sats)
    full = contacts.overhead_duration_s(orb, np.array([0]), 0.0)[0]
    # 550 km, 0 deg: lambda = arccos(6371 / 6921) = 23.00 deg; n = 2 pi / 5739 s -> 2 lambda / n = 732 s
    assert full == pytest.approx(732.0, abs=3.0)
    q = contacts.quality(orb, np.zeros(3, np.intp), np.array([90.0, 30.0, 30.0]), np.array([full, full, full / 2]), 0.0)
    assert q[0] == pytest.approx(1.0)
    assert q[0] > q[1] > q[2]


def test_contact_changes_are_the_pairs_that_flipped(world):
    eng = world
    st = eng.stations.pos_ecef_km
    before = contacts.in_view(eng.sats.pos_ecef_km, st, 0.0)
    ref_before = elevation_deg(st[None, :, :], eng.sats.pos_ecef_km[:, None, :]) >= 0.0
    later = eng.sky.propagator.positions(600.0)
    ecef = eci_to_ecef(later, earth_rotation_angle_rad(eng.sky.epoch_unix_s + 600.0))
    now = contacts.in_view(ecef, st, 0.0)
    ref = elevation_deg(st[None, :, :], ecef[:, None, :])
    assert np.array_equal(np.stack(now.pairs(), axis=1), np.argwhere(ref >= 0.0))
    ch = contacts.contact_changes(before, now, ecef, st)
    assert len(ch.started_sat) + len(ch.ended_sat) == int(np.sum(ref_before != (ref >= 0.0))) > 0
    np.testing.assert_allclose(ch.started_elevation_deg, ref[ch.started_sat, ch.started_station], atol=1e-9)
    np.testing.assert_allclose(ch.ended_elevation_deg, ref[ch.ended_sat, ch.ended_station], atol=1e-9)
    assert np.all(ch.started_elevation_deg >= 0.0) and np.all(ch.ended_elevation_deg < 0.0)


def _random_shells(rng, n):
    """n satellites in random directions, 300 km to GEO (a few), positions Earth-fixed km."""
    u = rng.normal(size=(n, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    alt = np.where(rng.uniform(size=n) < 0.02, 35_786.0, rng.uniform(300.0, 2000.0, n))
    return u * (6371.0 + alt)[:, None]


@pytest.mark.parametrize("min_el", [-5.0, 0.0, 10.0, 45.0])
def test_prefiltered_contacts_equal_the_full_table(min_el):
    """The grid prefilter gives exactly the pairs of the full (N, S) table: 12,000 satellites,
    stations at random places plus the poles and the date line."""
    rng = np.random.default_rng(11)
    sats = _random_shells(rng, 12_000)
    lat = np.concatenate([rng.uniform(-90, 90, 40), [90.0, -90.0, 0.0, 0.0, 89.9]])
    lon = np.concatenate([rng.uniform(-180, 180, 40), [0.0, 0.0, 180.0, -180.0, 179.99]])
    st = geodetic_to_ecef(lat, lon, np.zeros(len(lat)))
    full = contacts.in_view(sats, st, min_el, prefilter=False)
    fast = contacts.in_view(sats, st, min_el, prefilter=True)
    ref = elevation_deg(st[None, :, :], sats[:, None, :]) >= min_el
    assert np.array_equal(np.stack(full.pairs(), axis=1), np.argwhere(ref))
    assert np.array_equal(fast.key, full.key) and len(full.key) > 1000
    np.testing.assert_allclose(fast.sin_el, full.sin_el, rtol=0, atol=1e-12)


def test_engine_emits_contact_events_for_the_flipped_pairs():
    eng = Engine({"time_scale": 50.0}, Scenario(n_satellites=40, planes=4))
    st = eng.stations.pos_ecef_km
    seen = elevation_deg(st[None, :, :], eng.sats.pos_ecef_km[:, None, :]) >= 0.0
    started = ended = 0
    for _ in range(60):
        ev = eng.step()
        now = elevation_deg(st[None, :, :], eng.sats.pos_ecef_km[:, None, :]) >= 0.0
        recs = [(n, p) for n, p in ev.records() if n.startswith("contact.")]
        want = {("contact.started", i, k) for i, k in zip(*np.nonzero(now & ~seen))} | \
               {("contact.ended", i, k) for i, k in zip(*np.nonzero(seen & ~now))}
        assert {(n, int(p["satellite_id"][4:]) - 1, int(p["station_id"][3:]) - 1) for n, p in recs} == want
        assert ev.counts["contact.started"] + ev.counts["contact.ended"] == len(want)
        started, ended, seen = started + ev.counts["contact.started"], ended + ev.counts["contact.ended"], now
    assert started > 0 and ended > 0
    assert eng.totals["contact.started"] == started
