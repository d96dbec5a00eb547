"""Eclipse-aware prediction: closed-form sunlit time against brute-force sampling of the orbit."""

from __future__ import annotations

import numpy as np
import pytest

from backend.core.geometry import in_cylindrical_shadow
from backend.core.kinematics import place_orbits
from backend.core.orbits import propagate_circular
from backend.core.prediction import predict_energy, sunlit_seconds
from backend.core.scenario import Scenario
from backend.core.state import Satellites
from backend.core.sun import sun_direction_eci

SAMPLING_S = 1.0  # brute force samples once a second
NODE_DRIFT_S = 3.0  # J2 moves the node ~1e-6 rad/s; the closed form holds it over the horizon


def sats_for(n=40, inc=53.0, alt=550.0, planes=8, j2=False):
    sc = Scenario().updated({"n_satellites": n, "planes": planes, "inclination_deg": inc, "altitude_km": alt,
                             "j2": j2})
    s = Satellites(n)
    place_orbits(s, sc)
    return s


@pytest.mark.parametrize("inc, horizon, j2, tol", [
    (53.0, 1800.0, False, SAMPLING_S), (97.6, 6000.0, False, SAMPLING_S), (0.0, 20000.0, False, SAMPLING_S),
    (30.0, 300.0, False, SAMPLING_S), (53.0, 1800.0, True, NODE_DRIFT_S),
])
def test_sunlit_seconds_match_sampling(inc, horizon, j2, tol):
    s = sats_for(inc=inc, j2=j2)
    sun = sun_direction_eci(Scenario().epoch_unix_s)
    t0 = 1234.0
    closed = sunlit_seconds(s, sun, t0, horizon)
    steps = np.arange(0.0, horizon, 1.0) + 0.5
    lit = np.zeros(s.n)
    for dt in steps:  # brute force, 1 s resolution, the sun held fixed as in the model
        p = propagate_circular(s.sma_km, s.inc_rad, s.raan0_rad, s.u0_rad, s.arglat_rate_rad_s,
                               s.raan_dot_rad_s, t0 + dt)
        lit += ~in_cylindrical_shadow(p, sun)
    assert np.allclose(closed, lit, atol=tol)


def test_prediction_adds_solar_and_subtracts_load_and_commitments():
    s = sats_for(n=4, planes=1)
    s.energy_eu[:] = 500.0
    s.solar_eu_s[:] = 2.0
    s.consumption_eu_s[:] = 0.5
    s.committed_eu[:] = [0.0, 10.0, 20.0, 30.0]
    sun = sun_direction_eci(Scenario().epoch_unix_s)
    lit = sunlit_seconds(s, sun, 0.0, 1000.0)
    pred = predict_energy(s, sun, 0.0, 1000.0)
    assert np.allclose(pred, 500.0 + 2.0 * lit - 500.0 - s.committed_eu)


def test_per_plane_path_equals_per_satellite_path():
    from backend.core.orbits import CircularPropagator

    s = sats_for(n=90, planes=9, j2=True)
    prop = CircularPropagator(s.sma_km, s.inc_rad, s.raan0_rad, s.u0_rad, s.arglat_rate_rad_s, s.raan_dot_rad_s)
    sun = sun_direction_eci(Scenario().epoch_unix_s)
    a = sunlit_seconds(s, sun, 500.0, 4000.0)
    b = sunlit_seconds(s, sun, 500.0, 4000.0, prop)
    assert np.allclose(a, b, atol=1e-6)
