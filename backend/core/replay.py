"""Where a run's satellites were at a past simulated time, recomputed from its scenario.

Orbits come only from the scenario (Walker delta with J2 secular drift when on, or its TLE
catalogue through SGP4), so the positions at any time of a recorded run are the engine's own
propagation (kinematics.Sky) at that time: no per-tick positions need recording. Sunlit is
recomputed there too (conical shadow). One difference: a TLE satellite SGP4 fails on at that
time is drawn at its mean elements' circular position, where the live engine keeps it where it
was last seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kinematics import Sky, place_orbits, place_tle_orbits
from .scenario import Scenario
from .state import Satellites
from .tle import load_tles


@dataclass(frozen=True)
class PastPositions:
    """Geodetic positions (deg, deg, km above the spherical Earth) and sunlit, one per satellite."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray
    sunlit: np.ndarray


def positions_at(scenario: Scenario, t_s: float) -> PastPositions:
    """Every satellite of `scenario` at t_s simulated seconds after its epoch (vectorised)."""
    sats = Satellites(scenario.n_satellites)
    catalog = load_tles(scenario.tle) if scenario.tle else None
    if catalog is None:
        place_orbits(sats, scenario)
    else:
        place_tle_orbits(sats, catalog, scenario.epoch_unix_s)
    Sky(sats, scenario.epoch_unix_s, catalog).update(sats, float(t_s))
    lat, lon, alt = sats.geodetic()
    return PastPositions(lat.copy(), lon.copy(), alt.copy(), sats.sunlit.copy())
