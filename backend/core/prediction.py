"""predicted_energy(t + horizon): net rates plus the eclipses coming up on each circular orbit.

For a circular orbit the cylindrical shadow is an arc of argument of latitude centred opposite
the sun's projection on the orbit plane: with beta the sun's angle to the plane and a the orbit
radius, the half-width alpha satisfies cos(alpha) = sqrt(1 - (R/a)^2) / cos(beta) (no eclipse
when that exceeds 1). Sunlit time over the horizon is the horizon minus its overlap with those
periodic arcs, computed in closed form, so the prediction costs a few array passes.
"""

from __future__ import annotations

import numpy as np

from .constants import EARTH_RADIUS_KM
from .state import Satellites

TWO_PI = 2.0 * np.pi


def shadow_geometry(sats: Satellites, sun_unit: np.ndarray, t_s: float, planes=None):
    """Per satellite: angle of the shadow-arc centre (rad, argument of latitude) and half-width.

    `planes` (a CircularPropagator) lets the plane trig run once per distinct orbit plane.
    """
    if planes is None:
        raan, ci, si, idx = sats.raan0_rad + sats.raan_dot_rad_s * t_s, np.cos(sats.inc_rad), np.sin(sats.inc_rad), None
    else:
        raan, ci, si, idx = planes.raan0 + planes.raan_dot * t_s, planes.cos_inc, planes.sin_inc, planes.plane_idx
    cr, sr = np.cos(raan), np.sin(raan)
    p_s = cr * sun_unit[0] + sr * sun_unit[1]
    q_s = -ci * sr * sun_unit[0] + ci * cr * sun_unit[1] + si * sun_unit[2]
    cos_beta = np.hypot(p_s, q_s)
    centre = np.arctan2(q_s, p_s) + np.pi
    if idx is not None:
        cos_beta, centre = cos_beta[idx], centre[idx]
    ratio = EARTH_RADIUS_KM / sats.sma_km
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_alpha = np.sqrt(1.0 - ratio * ratio) / cos_beta
    half = np.where(cos_alpha < 1.0, np.arccos(np.clip(cos_alpha, -1.0, 1.0)), 0.0)
    return centre, half


def _shadow_measure(x: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Length of shadow (rad) in [0, x] for arcs (pi - half, pi + half) relative, period 2*pi."""
    turns = np.floor(x / TWO_PI)
    rem = x - turns * TWO_PI
    return turns * 2.0 * half + np.clip(rem - (np.pi - half), 0.0, 2.0 * half)


def sunlit_seconds(sats: Satellites, sun_unit: np.ndarray, t_s: float, horizon_s: float,
                   planes=None) -> np.ndarray:
    """Seconds in sunlight during the next horizon_s for each satellite (sun held fixed)."""
    centre, half = shadow_geometry(sats, sun_unit, t_s, planes)
    u_now = sats.u0_rad + sats.mean_motion_rad_s * t_s
    start = np.mod(u_now - centre + np.pi, TWO_PI)  # shadow arc sits at pi in this variable
    sweep = sats.mean_motion_rad_s * horizon_s
    dark = _shadow_measure(start + sweep, half) - _shadow_measure(start, half)
    return horizon_s - dark / sats.mean_motion_rad_s


def predict_energy(sats: Satellites, sun_unit: np.ndarray, t_s: float, horizon_s: float,
                   planes=None) -> np.ndarray:
    """Unclipped energy (EU) expected after horizon_s: solar, base load, committed task energy."""
    lit = sunlit_seconds(sats, sun_unit, t_s, horizon_s, planes)
    return (sats.energy_eu + sats.solar_eu_s * lit - sats.consumption_eu_s * horizon_s
            - sats.committed_eu)
