"""Build the seed world from a Scenario: satellites with a hardware spread, stations, drones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import drones as drone_ops
from .kinematics import Sky, place_orbits, place_stations, place_tle_orbits
from .state import Drones, Satellites, Stations
from .tle import TleCatalog, load_tles


@dataclass
class World:
    sats: Satellites
    drones: Drones
    stations: Stations
    sky: Sky


def build_satellites(sc, rng: np.random.Generator, catalog: TleCatalog | None = None) -> Satellites:
    """Walker (or TLE) orbits; per-satellite panel output, base load and initial charge from rng."""
    n = sc.n_satellites
    s = Satellites(n)
    if catalog is None:
        place_orbits(s, sc)
    else:
        place_tle_orbits(s, catalog, sc.epoch_unix_s)
    s.max_energy_eu[:] = sc.max_energy_eu
    u = rng.random((n, 4))
    panel = 0.8 + 0.4 * u[:, 0]  # healthy panels: 80 % to 120 % of nominal
    degraded = u[:, 1] < sc.degraded_fraction
    lo, hi = sc.degraded_solar_scale
    panel[degraded] = lo + (hi - lo) * u[degraded, 0]
    s.solar_eu_s[:] = sc.solar_eu_s * panel
    s.consumption_eu_s[:] = sc.consumption_eu_s * (0.9 + 0.2 * u[:, 2])
    lo_pct, hi_pct = sc.initial_pct
    s.energy_eu[:] = sc.max_energy_eu * (lo_pct + (hi_pct - lo_pct) * u[:, 3]) / 100.0
    s.processing_capacity[:] = sc.processing_capacity
    return s


def build_world(sc, rng: np.random.Generator) -> World:
    catalog = load_tles(sc.tle) if sc.tle else None
    sats = build_satellites(sc, rng, catalog)
    names = [s[0] for s in sc.stations]
    st = Stations(names, [s[1] for s in sc.stations], [s[2] for s in sc.stations])
    place_stations(st)
    d = Drones(sc.n_drones)
    d.station[:] = np.arange(sc.n_drones) % st.n
    d.reserve_cap_eu[:] = sc.drone_reserve_eu
    d.battery_cap_eu[:] = sc.drone_battery_eu
    drone_ops.init_drones(d, st)
    return World(sats, d, st, Sky(sats, sc.epoch_unix_s, catalog))
