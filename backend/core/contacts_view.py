"""JSON views of predicted passes (GET /api/stations/<id>/passes, /api/satellites/<id>/passes).

Reads what a ReadView carries (scenario, clock, stations, config): the orbits are rebuilt from the
scenario (deterministic, no draw from the engine's streams) and cached per scenario: circular
Walker elements, or for a TLE catalogue its SGP4 position source (contacts_tle.TleOrbits).
"""

from __future__ import annotations

import numpy as np

from .constants import OMEGA_EARTH_RAD_S
from .contacts import CircularOrbits, Geometry, coarse_step_s, predict_passes
from .contacts_tle import SAMPLE_EVERY, SGP4_SAMPLE_LIMIT, TleOrbits
from .frames import ecef_to_geodetic
from .dates import iso_dates
from .ids import format_ids
from .kinematics import place_orbits, place_tle_orbits
from .params import FieldError
from .state import Satellites
from .tle import load_tles

# Pair x grid samples one request may ask for: 1e7 is ~10 s of CPU on the shared 2 cores
# (10,000 satellites over one station for 6 h is 7.7e6).
PASS_WORK_LIMIT = 1.0e7


_CACHE: dict[str, CircularOrbits | TleOrbits] = {}  # scenario JSON -> its orbits (a few: one per reset)


def orbits_of(scenario) -> CircularOrbits | TleOrbits:
    """The position source of a scenario's satellites (cached per scenario), built as build.py
    builds the engine's: Walker elements, or the TLE catalogue with its mean elements."""
    key = scenario.model_dump_json()
    if key not in _CACHE:
        sats = Satellites(scenario.n_satellites)
        catalog = load_tles(scenario.tle) if scenario.tle else None
        if catalog is None:
            place_orbits(sats, scenario)
        else:
            place_tle_orbits(sats, catalog, scenario.epoch_unix_s)
        if len(_CACHE) >= 4:
            _CACHE.clear()
        mean = CircularOrbits.of(sats)
        _CACHE[key] = mean if catalog is None else TleOrbits(catalog, mean, scenario.epoch_unix_s)
    return _CACHE[key]


def passes(view, sats: np.ndarray, stations: np.ndarray, hours: float, min_elevation_deg: float) -> dict:
    """Passes from the view's sim time over `hours`, as JSON; FieldError('hours') over PASS_WORK_LIMIT."""
    orbits = orbits_of(view.scenario)
    span_s = hours * 3600.0
    steps = span_s / coarse_step_s(orbits)
    work = len(sats) * len(stations) * steps
    if work > PASS_WORK_LIMIT:
        raise FieldError("hours", f"hours(={hours:g}) x {len(sats)} satellites x {len(stations)} stations is "
                         f"{work:.3g} grid samples, above the limit of {PASS_WORK_LIMIT:.3g}; ask for fewer hours")
    samples = len(sats) * steps / SAMPLE_EVERY
    if isinstance(orbits, TleOrbits) and samples > SGP4_SAMPLE_LIMIT:
        raise FieldError("hours", f"hours(={hours:g}) x {len(sats)} satellites is {samples:.3g} SGP4 samples, "
                         f"above the limit of {SGP4_SAMPLE_LIMIT:.3g}; ask for fewer hours")
    geo = Geometry(orbits, view.stations.pos_ecef_km, view.sky.epoch_unix_s)
    start = float(view.sim_time)
    p = predict_passes(geo, sats, stations, start, start + span_s, min_elevation_deg)
    return {"from_s": start, "to_s": start + span_s, "min_elevation_deg": min_elevation_deg,
            "passes": _records(view, p)}


def _records(view, p) -> list[dict]:
    epoch = view.sky.epoch_unix_s
    cols = {
        "satellite_id": format_ids("sat", p.sat), "station_id": format_ids("station", p.station),
        "station": [view.stations.names[k] for k in p.station.tolist()],
        "aos": iso_dates(epoch + p.aos_s).tolist(), "los": iso_dates(epoch + p.los_s).tolist(),
        "max_elevation_at": iso_dates(epoch + p.max_s).tolist(),
        "aos_s": p.aos_s.tolist(), "los_s": p.los_s.tolist(), "max_elevation_s": p.max_s.tolist(),
        "max_elevation_deg": p.max_elevation_deg.tolist(), "duration_s": p.duration_s.tolist(),
        "quality": p.quality.tolist(), "aos_clipped": p.aos_clipped.tolist(), "los_clipped": p.los_clipped.tolist(),
    }
    return [dict(zip(cols, row)) for row in zip(*cols.values())]


def orbit_track(view, sat: int, points_per_period: int = 90) -> dict:
    """Satellite `sat`'s path one period behind and ahead of the view's sim time, Earth-fixed
    (lat, lon deg, alt km): the orbit drawn on the globe; at alt 0 it is the ground track."""
    orbits = orbits_of(view.scenario)
    period = 2.0 * np.pi / abs(float(orbits.arglat_rate_rad_s[sat]))
    t = float(view.sim_time) + np.linspace(-period, period, 2 * points_per_period + 1)
    eci = orbits.eci_km(np.full(len(t), sat), t)
    theta = Geometry(orbits, view.stations.pos_ecef_km, view.sky.epoch_unix_s).theta0_rad + OMEGA_EARTH_RAD_S * t
    c, s = np.cos(theta), np.sin(theta)
    ecef = np.stack([c * eci[:, 0] + s * eci[:, 1], -s * eci[:, 0] + c * eci[:, 1], eci[:, 2]], axis=1)
    lat, lon, alt = ecef_to_geodetic(ecef)
    return {"satellite_id": format_ids("sat", np.array([sat]))[0], "period_s": period, "t_s": t.tolist(),
            "lat": lat.tolist(), "lon": lon.tolist(), "alt_km": alt.tolist()}
