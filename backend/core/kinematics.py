"""Where everything is at a simulated time: orbits, Earth rotation, sun and shadow (conical, with penumbra)."""

from __future__ import annotations

import numpy as np

from .frames import earth_rotation_angle_rad, eci_to_ecef, geodetic_to_ecef
from .geometry import visible_sun_fraction
from .orbits import CircularPropagator, j2_arglat_rate_rad_s, j2_raan_rate_rad_s, mean_motion_rad_s, walker_delta
from .state import Satellites, Stations
from .sun import sun_direction_eci, sun_distance_km


class Sky:
    """Per-run kinematic context: epoch (Unix s), the propagator, current sun and Earth angle."""

    def __init__(self, sats: Satellites, epoch_unix_s: float):
        self.epoch_unix_s = epoch_unix_s
        self.propagator = CircularPropagator(sats.sma_km, sats.inc_rad, sats.raan0_rad, sats.u0_rad,
                                             sats.arglat_rate_rad_s, sats.raan_dot_rad_s)
        self.sun_unit = np.array([1.0, 0.0, 0.0])
        self.theta_rad = 0.0

    def update(self, sats: Satellites, t_s: float) -> None:
        """Propagate every satellite to t_s (sim s since epoch): ECI, ECEF, the visible fraction of
        the solar disk and sunlit (any of it; lat/lon/alt follow on first read: `Satellites.geodetic`)."""
        unix = self.epoch_unix_s + t_s
        self.propagator.positions(t_s, out=sats.pos_eci_km)
        self.theta_rad = earth_rotation_angle_rad(unix)
        eci_to_ecef(sats.pos_eci_km, self.theta_rad, out=sats.pos_ecef_km)
        sats.moved()
        self.sun_unit = sun_direction_eci(unix)
        sats.sun_fraction[:] = visible_sun_fraction(sats.pos_eci_km, self.sun_unit, sun_distance_km(unix))
        np.greater(sats.sun_fraction, 0.0, out=sats.sunlit)


    def sun_at(self, t_s: float) -> np.ndarray:
        """Unit vector to the Sun (ECI) at t_s sim s since the epoch."""
        return sun_direction_eci(self.epoch_unix_s + t_s)


def place_orbits(sats: Satellites, scenario) -> None:
    """Fill orbital elements from the scenario's Walker-delta layout."""
    w = walker_delta(scenario.n_satellites, scenario.planes, scenario.phasing,
                     scenario.altitude_km, scenario.inclination_deg)
    sats.sma_km[:], sats.inc_rad[:] = w["sma_km"], w["inc_rad"]
    sats.raan0_rad[:], sats.u0_rad[:] = w["raan0_rad"], w["u0_rad"]
    sats.plane[:], sats.slot[:] = w["plane"], w["slot"]
    sats.arglat_rate_rad_s[:] = (j2_arglat_rate_rad_s(sats.sma_km, sats.inc_rad) if scenario.j2
                                 else mean_motion_rad_s(sats.sma_km))
    sats.raan_dot_rad_s[:] = j2_raan_rate_rad_s(sats.sma_km, sats.inc_rad) if scenario.j2 else 0.0


def place_stations(st: Stations) -> None:
    st.pos_ecef_km[:] = geodetic_to_ecef(st.lat_deg, st.lon_deg, np.zeros(st.n))
