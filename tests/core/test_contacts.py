"""Ground-station passes against a brute-force elevation scan at 1 s."""

from __future__ import annotations

import numpy as np

from backend.core.contacts import elevations, find_passes
from backend.core.frames import earth_rotation_angle_rad, eci_to_ecef, geodetic_to_ecef
from backend.core.kinematics import place_orbits
from backend.core.orbits import CircularPropagator
from backend.core.scenario import Scenario
from backend.core.state import Satellites


def _world(n=24, planes=4):
    sc = Scenario().updated({"n_satellites": n, "planes": planes})
    s = Satellites(n)
    place_orbits(s, sc)
    prop = CircularPropagator(s.sma_km, s.inc_rad, s.raan0_rad, s.u0_rad, s.arglat_rate_rad_s, s.raan_dot_rad_s)
    epoch = sc.epoch_unix_s

    def ecef(t):
        return eci_to_ecef(prop.positions(t), earth_rotation_angle_rad(epoch + t))
    stations = geodetic_to_ecef(np.array([51.5, -33.9, 64.8]), np.array([-0.1, 18.4, -147.7]), np.zeros(3))
    return ecef, stations


def _brute_force(ecef, stations, t0, hours, min_el):
    """Passes from elevations sampled every second: (sat, station, aos, los, max el)."""
    times = t0 + np.arange(0.0, hours * 3600.0 + 0.5, 1.0)
    el = np.moveaxis(elevations(ecef, stations, times), 0, -1).astype(np.float64)
    out = []
    for s, g in zip(*np.nonzero((el >= min_el).any(axis=-1))):  # the reference may loop
        above = np.flatnonzero(el[s, g] >= min_el)
        for run in np.split(above, np.flatnonzero(np.diff(above) > 1) + 1):
            out.append((s, g, times[run[0]], times[run[-1]], el[s, g, run].max()))
    return out


def test_passes_match_a_one_second_elevation_scan():
    """Reference: elevations every 1 s over 3 h, 24 satellites x 3 stations, 10 deg mask. Every
    pass found, AOS and LOS within the scan's 1 s brackets (+ 0.1 s), maximum
    elevation within 0.05 deg of the scan's (parabola through 10 s samples; worst on high passes)."""
    ecef, stations = _world()
    got = find_passes(ecef, stations, 600.0, hours=3.0, min_elevation_deg=10.0, step_s=10.0)
    ref = _brute_force(ecef, stations, 600.0, 3.0, 10.0)
    assert len(ref) > 20 and len(got.sat) == len(ref)
    for k, (s, g, aos, los, top) in enumerate(ref):  # same order: satellite, station, time
        assert (got.sat[k], got.station[k]) == (s, g)
        # the true AOS lies in (aos - 1, aos], LOS in [los, los + 1); interpolation adds < 0.1 s
        assert aos - 1.1 <= got.aos_s[k] <= aos + 0.1 and los - 0.1 <= got.los_s[k] <= los + 1.1
        assert abs(got.max_elevation_deg[k] - top) <= 0.05
        assert got.aos_s[k] <= got.max_at_s[k] <= got.los_s[k]
    assert np.all((got.quality >= 0.0) & (got.quality <= 1.0))


def test_a_pass_in_progress_at_the_start_begins_at_the_look_ahead():
    ecef, stations = _world()
    full = find_passes(ecef, stations, 0.0, hours=2.0, min_elevation_deg=0.0)
    k = int(np.argmax(full.duration_s))
    mid = 0.5 * (full.aos_s[k] + full.los_s[k])
    late = find_passes(ecef, stations, mid, hours=1.0, min_elevation_deg=0.0)
    same = np.flatnonzero((late.sat == full.sat[k]) & (late.station == full.station[k]))
    assert late.aos_s[same[0]] == mid and abs(late.los_s[same[0]] - full.los_s[k]) < 0.1  # other samples
