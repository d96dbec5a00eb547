"""Passes and orbit tracks of a TLE run (SGP4) against a brute-force 1 s elevation scan.

Reference, independent of the code under test: sgp4's own per-satellite propagation
(Satrec.sgp4_array, not the SatrecArray + Hermite samples of contacts_tle) every 1 s over 6 h,
TEME turned Earth-fixed by ROT3 of sgp4's own Greenwich sidereal time (sgp4.propagation.gstime,
Vallado's IAU-82 GMST: r_pef = ROT3(GMST) r_teme), elevation over each station's spherical up
(geometry.elevation_deg). Same tolerances as the Walker test (test_contacts.py): acquisition and
loss within 0.05 s of the scan's interpolated crossings (measured: within 0.014 s), maximum
elevation >= the best sample of a 0.01 s scan around the peak - 1e-4 deg and <= it + 0.01 deg,
its time within 0.5 s of the parabola through the 1 s samples (measured: 0.04 s).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sgp4.propagation import gstime

from backend.core import contacts, contacts_view
from backend.core.engine import Engine
from backend.core.frames import ecef_to_geodetic
from backend.core.geometry import elevation_deg
from backend.core.scenario import Scenario
from backend.core.tle import UNIX_EPOCH_JD

from .test_contacts import _scan_passes

SAMPLE = Path(__file__).resolve().parents[2] / "catalogues" / "sample.tle"
HOURS = 6.0
START_S = 600.0


@pytest.fixture(scope="module")
def eng():
    return Engine(scenario=Scenario(tle=SAMPLE.read_text()))


def _reference_ecef(eng, times_s, sats=None) -> np.ndarray:
    """(T, S, 3) Earth-fixed km of satellites `sats` (default all) from sgp4 directly, satellite by
    satellite; NaN where it fails."""
    unix = eng.sky.epoch_unix_s + times_s
    days = unix / 86400.0
    jd, fr = UNIX_EPOCH_JD + np.floor(days), days - np.floor(days)
    theta = np.array([gstime(j + f) for j, f in zip(jd.tolist(), fr.tolist())])
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    records = contacts_view.orbits_of(eng.scenario).catalog.records
    sats = range(eng.sats.n) if sats is None else sats
    out = np.empty((len(times_s), len(sats), 3))
    for i, k in enumerate(sats):
        err, r, _ = records[k].sgp4_array(jd, fr)
        r[err != 0] = np.nan
        out[:, i] = np.stack([c[:, 0] * r[:, 0] + s[:, 0] * r[:, 1], -s[:, 0] * r[:, 0] + c[:, 0] * r[:, 1],
                              r[:, 2]], axis=1)
    return out


def _fine_peak_deg(eng, sat, station, t_peak, end_s) -> float:
    """Highest elevation of a 0.01 s scan over the 2 s around the 1 s scan's peak, within the
    window (a pass near the zenith peaks up to 0.15 deg above its best 1 s sample)."""
    t = t_peak + np.arange(-1.0, 1.005, 0.01)
    t = t[(t >= START_S) & (t <= end_s)]
    return float(np.max(elevation_deg(eng.stations.pos_ecef_km[station], _reference_ecef(eng, t, [sat])[:, 0])))


@pytest.mark.parametrize("min_el", [0.0, 10.0])
def test_tle_passes_match_a_one_second_sgp4_scan(eng, min_el):
    sats = np.arange(eng.sats.n)
    end = START_S + HOURS * 3600.0
    times = np.arange(START_S, end + 0.5, 1.0)
    ecef = _reference_ecef(eng, times)
    with np.errstate(invalid="ignore"):
        el = elevation_deg(eng.stations.pos_ecef_km[None, None, :, :], ecef[:, :, None, :])
    el[np.isnan(ecef[..., 0])] = -90.0  # lost by SGP4 (decayed): never in view
    ref = _scan_passes(times, el, sats, min_el)
    orbits = contacts_view.orbits_of(eng.scenario)
    geo = contacts.Geometry(orbits, eng.stations.pos_ecef_km, eng.sky.epoch_unix_s)
    got = contacts.predict_passes(geo, sats, np.arange(eng.stations.n), START_S, end, min_el)
    assert len(ref) > 60
    assert len(got) == len(ref)
    aos_err = np.array([got.aos_s[p] - r["aos"] for p, r in enumerate(ref)])
    los_err = np.array([got.los_s[p] - r["los"] for p, r in enumerate(ref)])
    for p, r in enumerate(ref):
        assert (got.sat[p], got.station[p]) == (r["sat"], r["station"])
        assert (bool(got.aos_clipped[p]), bool(got.los_clipped[p])) == r["clipped"]
        peak = _fine_peak_deg(eng, r["sat"], r["station"], r["peak_t"], end)
        assert peak - 1e-4 <= got.max_elevation_deg[p] <= peak + 0.01
        assert got.max_s[p] == pytest.approx(r["peak_t"], abs=0.5)
    assert np.max(np.abs(aos_err)) < 0.05 and np.max(np.abs(los_err)) < 0.05
    assert np.all((got.quality >= 0.0) & (got.quality <= 1.0))


def test_decayed_satellite_has_no_passes(eng):
    """SAMPLE-REENTRY (the last set, ~160 km) decays within hours: no pass after SGP4 loses it."""
    lost = eng.sats.n - 1
    geo = contacts.Geometry(contacts_view.orbits_of(eng.scenario), eng.stations.pos_ecef_km, eng.sky.epoch_unix_s)
    p = contacts.predict_passes(geo, np.array([lost]), np.arange(eng.stations.n), 36 * 3600.0, 42 * 3600.0, 0.0)
    assert len(p) == 0


def test_tle_orbit_track_passes_through_the_satellite_now():
    """The track's middle point is where the engine (SGP4 through tle.propagate) has the satellite."""
    eng = Engine(scenario=Scenario(tle=SAMPLE.read_text()))
    for _ in range(7):
        eng.step()
    view = eng  # what orbit_track reads of a ReadView: scenario, sim_time, stations, sky
    for i in (0, 17, 25):
        track = contacts_view.orbit_track(view, i)
        lat, lon, alt = ecef_to_geodetic(eng.sats.pos_ecef_km[[i]])
        mid = len(track["t_s"]) // 2
        assert track["t_s"][mid] == pytest.approx(eng.sim_time)
        assert track["lat"][mid] == pytest.approx(lat[0], abs=1e-6)
        assert track["lon"][mid] == pytest.approx(lon[0], abs=1e-6)
        assert track["alt_km"][mid] == pytest.approx(alt[0], abs=1e-6)
        # one period either way of an SGP4 orbit: back near the start, a few km off (drag, J2)
        assert 5000.0 < track["period_s"] < 6000.0
