"""Where everything is at a simulated time: orbits, Earth rotation, sun and shadow (conical, with penumbra)."""

from __future__ import annotations

import numpy as np

from .frames import earth_rotation_angle_rad, eci_to_ecef, geodetic_to_ecef
from .geometry import visible_sun_fraction
from .orbits import CircularPropagator, j2_arglat_rate_rad_s, j2_raan_rate_rad_s, mean_motion_rad_s, walker_delta
from .constants import EARTH_RADIUS_KM, MU_EARTH_KM3_S2
from .state import Satellites, Stations
from .tle import TleCatalog, gmst82_rad
from .tle import propagate as propagate_catalog
from .sun import sun_direction_eci, sun_distance_km


class Sky:
    """Per-run kinematic context: epoch (Unix s), the propagator, current sun and Earth angle.

    With a TLE catalogue, positions come from SGP4 (tle.propagate); the circular propagator
    then only carries each satellite's mean elements for the eclipse prediction."""

    def __init__(self, sats: Satellites, epoch_unix_s: float, catalog: TleCatalog | None = None):
        self.epoch_unix_s = epoch_unix_s
        self.catalog = catalog
        self.propagator = CircularPropagator(sats.sma_km, sats.inc_rad, sats.raan0_rad, sats.u0_rad,
                                             sats.arglat_rate_rad_s, sats.raan_dot_rad_s)
        self.sun_unit = np.array([1.0, 0.0, 0.0])
        self.theta_rad = 0.0

    def update(self, sats: Satellites, t_s: float) -> None:
        """Propagate every satellite to t_s (sim s since epoch): ECI, ECEF, the visible fraction of
        the solar disk and sunlit (any of it; lat/lon/alt follow on first read: `Satellites.geodetic`)."""
        unix = self.epoch_unix_s + t_s
        if self.catalog is None:
            self.propagator.positions(t_s, out=sats.pos_eci_km)
        else:
            self._tle_positions(sats, t_s, unix)
        self.theta_rad = earth_rotation_angle_rad(unix)
        eci_to_ecef(sats.pos_eci_km, self.theta_rad, out=sats.pos_ecef_km)
        sats.moved()
        self.sun_unit = sun_direction_eci(unix)
        sats.sun_fraction[:] = visible_sun_fraction(sats.pos_eci_km, self.sun_unit, sun_distance_km(unix))
        sats.sun_fraction[~sats.in_service] = 0.0
        np.greater(sats.sun_fraction, 0.0, out=sats.sunlit)

    def _tle_positions(self, sats: Satellites, t_s: float, unix: float) -> None:
        """SGP4 positions; a satellite SGP4 fails on (decayed) goes out of service for good and
        stays where it was last seen (at first: its mean elements' circular position)."""
        if t_s == 0.0:
            self.propagator.positions(t_s, out=sats.pos_eci_km)
        pos, ok = propagate_catalog(self.catalog, unix)
        sats.in_service &= ok
        sats.pos_eci_km[sats.in_service] = pos[sats.in_service]


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


def place_tle_orbits(sats: Satellites, catalog: TleCatalog, epoch_unix_s: float) -> None:
    """Mean elements of each TLE carried to the scenario epoch (SGP4's own secular rates) as the
    circular orbit the eclipse prediction uses; RAAN turned from TEME into the model's frame."""
    rec = catalog.records
    minutes = (epoch_unix_s - catalog.epoch_unix_s) / 60.0
    col = lambda name: np.array([getattr(r, name) for r in rec], dtype=np.float64)  # noqa: E731
    n_rad_s = col("no_kozai") / 60.0
    with np.errstate(divide="ignore", invalid="ignore"):
        sma = np.cbrt(MU_EARTH_KM3_S2 / (n_rad_s * n_rad_s))
    usable = np.isfinite(sma) & (sma > EARTH_RADIUS_KM)
    sats.sma_km[:] = np.where(usable, sma, EARTH_RADIUS_KM + 550.0)
    sats.inc_rad[:] = np.where(usable, col("inclo"), 0.0)
    teme_offset = gmst82_rad(epoch_unix_s) - earth_rotation_angle_rad(epoch_unix_s)
    sats.raan0_rad[:] = np.where(usable, col("nodeo") + col("nodedot") * minutes - teme_offset, 0.0)
    sats.u0_rad[:] = np.where(usable, np.mod(col("argpo") + col("mo") + (col("argpdot") + col("mdot")) * minutes,
                                             2.0 * np.pi), 0.0)
    sats.arglat_rate_rad_s[:] = np.where(usable, (col("argpdot") + col("mdot")) / 60.0,
                                         mean_motion_rad_s(sats.sma_km))
    sats.raan_dot_rad_s[:] = np.where(usable, col("nodedot") / 60.0, 0.0)
    sats.plane[:], sats.slot[:] = np.arange(sats.n), 0
    sats.in_service[:] = usable


def place_stations(st: Stations) -> None:
    st.pos_ecef_km[:] = geodetic_to_ecef(st.lat_deg, st.lon_deg, np.zeros(st.n))
