"""predicted_energy(t + horizon): net rates plus the eclipses coming up on each circular orbit.

For a circular orbit the shadow is an arc of argument of latitude centred opposite the sun's
projection on the orbit plane. Sunlit time over the horizon is the horizon minus its overlap
with those periodic arcs, computed in closed form, so the prediction costs a few array passes.
The arc follows the node's J2 drift and the sun's motion over the horizon (linearly between
its ends).

The arc's half-width: with beta the sun's angle to the plane and b = arcsin(R/a) the Earth's
apparent radius from the orbit (radius a), the cylinder gives cos(alpha) = cos(b) / cos(beta)
(no eclipse when that exceeds 1). The engine's shadow is a cone with a penumbra
(geometry.visible_sun_fraction: solar input scaled by the visible fraction f of the disk), so
the arc used is the one losing as much light per orbit: half-width = the integral over half an
orbit of 1 - f, where the sun is c = arccos(cos(beta) cos(w)) from the Earth's centre at w from
the arc's centre (sun at 1 AU, with its parallax: `_sun_separation`). Away from grazing the two agree
within 0.5 s an orbit and the cylinder's closed form is kept; within GRAZING_BAND of grazing
(beta near b: 67.0 deg at 550 km), where the cylinder was off by up to 17 s an orbit (it also
has no eclipse past b where the penumbra still dims the panels), the integral is taken by
Gauss-Legendre quadrature over the penumbra, the umbra's part exactly. A partial crossing at
either end of the horizon counts as the equivalent arc, not the real profile (within the
penumbra's duration).

`eclipse_times` gives the seconds to the next shadow entry and exit (the same arcs, held fixed over
the coming orbit); `trough_energy` the lowest energy ahead before the end of that eclipse: the
placement policies `trough_guard` and `trough_spread` (policies/placement.py) read it.
"""

from __future__ import annotations

import numpy as np

from .constants import AU_KM, EARTH_RADIUS_KM, SUN_RADIUS_KM
from .geometry import disk_fraction
from .state import Satellites

TWO_PI = 2.0 * np.pi
SUN_APPARENT_RADIUS_RAD = float(np.arcsin(SUN_RADIUS_KM / AU_KM))  # 0.2666 deg (+-1.7 % over a year)
GRAZING_BAND_RAD = float(np.radians(3.0))  # beta within this of grazing: the cone's arc by quadrature
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(48)


def shadow_geometry(sats: Satellites, sun_unit: np.ndarray, t_s: float, planes=None):
    """Per satellite: angle of the shadow-arc centre (rad, argument of latitude) and half-width.

    `planes` (a CircularPropagator) lets the plane trig run once per distinct orbit plane.
    """
    if planes is None:
        raan = sats.raan0_rad + sats.raan_dot_rad_s * t_s
        centre, cos_beta = _plane_shadow(raan, np.cos(sats.inc_rad), np.sin(sats.inc_rad), sun_unit)
        return centre, _half_width(sats.sma_km, cos_beta)
    centre, half = _shell_arcs(planes, sun_unit, t_s)
    return centre[planes.plane_idx], half[planes.shell_idx]


def _shell_arcs(planes, sun_unit: np.ndarray, t_s: float):
    """Shadow-arc centre per orbit plane and half-width per shell (plane and radius), rad."""
    centre, cos_beta = _plane_shadow(planes.raan0 + planes.raan_dot * t_s, planes.cos_inc, planes.sin_inc, sun_unit)
    return centre, _half_width(planes.shell_sma_km, cos_beta[planes.shell_plane])


def _plane_shadow(raan, cos_inc, sin_inc, sun_unit):
    """Per orbit plane: shadow-arc centre (rad, argument of latitude) and cos of the sun's angle to it."""
    cr, sr = np.cos(raan), np.sin(raan)
    p_s = cr * sun_unit[0] + sr * sun_unit[1]
    q_s = -cos_inc * sr * sun_unit[0] + cos_inc * cr * sun_unit[1] + sin_inc * sun_unit[2]
    return np.arctan2(q_s, p_s) + np.pi, np.hypot(p_s, q_s)


def _half_width(sma_km: np.ndarray, cos_beta: np.ndarray) -> np.ndarray:
    """Half-width (rad) of the shadow arc on circular orbits of radius sma_km, sun at beta to the
    plane: the cylinder's, or near grazing the cone's equivalent arc (module docstring)."""
    sma_km, cos_beta = np.broadcast_arrays(np.asarray(sma_km, dtype=np.float64), np.asarray(cos_beta, dtype=np.float64))
    ratio = EARTH_RADIUS_KM / sma_km
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_alpha = np.sqrt(1.0 - ratio * ratio) / cos_beta
    out = np.where(cos_alpha < 1.0, np.arccos(np.clip(cos_alpha, -1.0, 1.0)), 0.0)
    b = np.arcsin(np.clip(ratio, 0.0, 1.0))
    beta = np.arccos(np.clip(cos_beta, 0.0, 1.0))
    near = np.flatnonzero((beta > b - GRAZING_BAND_RAD) & (beta < b + SUN_APPARENT_RADIUS_RAD))
    if near.size:
        out = out.copy()
        out.flat[near] = _cone_half_width(b.flat[near], cos_beta.flat[near], sma_km.flat[near])
    return out


def _sun_separation(x, p):
    """c (rad): the Sun's centre from the Earth's seen from the satellite, x = cos(beta) cos(w),
    p = orbit radius / Sun distance: cos c = (x + p) / sqrt(1 + p^2 + 2 p x)."""
    return np.arccos(np.clip((x + p) / np.sqrt(1.0 + p * p + 2.0 * p * x), -1.0, 1.0))


def _edge_x(c, p):
    """x = cos(beta) cos(w) where the separation is c (`_sun_separation` solved for x)."""
    s2 = np.sin(c) ** 2
    return np.cos(c) * np.sqrt(1.0 - p * p * s2) - p * s2


def _cone_half_width(b: np.ndarray, cos_beta: np.ndarray, sma_km: np.ndarray) -> np.ndarray:
    """Integral over w in [0, pi] of 1 - f(c(w)) (rad), c from `_sun_separation` (the Sun's
    parallax moves grazing by ~0.003 deg, 1.6 s an orbit there): the umbra (c <= b - a) exactly,
    the penumbra (b - a < c < b + a) by Gauss-Legendre."""
    a, p = SUN_APPARENT_RADIUS_RAD, sma_km / AU_KM
    edge = lambda x: np.arccos(np.clip(x / cos_beta, -1.0, 1.0))  # noqa: E731 (w where cos(beta) cos(w) = x)
    x_umbra, x_out = _edge_x(b - a, p), _edge_x(b + a, p)
    w_umbra = np.where(x_umbra < cos_beta, edge(x_umbra), 0.0)
    w_out = np.where(x_out < cos_beta, edge(x_out), 0.0)
    half = 0.5 * (w_out - w_umbra)
    w = w_umbra[:, None] + half[:, None] * (_GL_NODES[None, :] + 1.0)
    c = _sun_separation(cos_beta[:, None] * np.cos(w), p[:, None])
    dark = 1.0 - disk_fraction(a, b[:, None], c)
    return w_umbra + half * (dark @ _GL_WEIGHTS)


def _shadow_measure(x: np.ndarray, pi_minus_half: np.ndarray, two_half: np.ndarray) -> np.ndarray:
    """Length of shadow (rad) in [0, x] for arcs (pi - half, pi + half) relative, period 2*pi.

    Takes pi - half and 2 * half (shared by both ends of a sweep); overwrites and returns x.
    """
    turns = np.floor(np.divide(x, TWO_PI))
    rem = x
    rem -= turns * TWO_PI
    rem -= pi_minus_half
    np.clip(rem, 0.0, two_half, out=rem)
    turns *= two_half  # turns * 2 * half: doubling is exact, so the order does not matter
    rem += turns
    return rem


def sunlit_seconds(sats: Satellites, sun_unit: np.ndarray, t_s: float, horizon_s: float,
                   planes=None, sun_unit_end: np.ndarray | None = None) -> np.ndarray:
    """Seconds in sunlight during the next horizon_s for each satellite.

    The shadow arc moves over the horizon (the node drifts with J2, the sun along the
    ecliptic): its centre is taken at both ends (the sun at t_s + horizon_s is `sun_unit_end`,
    default `sun_unit`) and followed linearly, its half-width averaged. In the variable
    w = u - centre the arcs are periodic again, swept at n - d(centre)/dt.
    """
    if horizon_s <= 0.0:
        return np.zeros(sats.n)
    end_sun = sun_unit if sun_unit_end is None else sun_unit_end
    if planes is None:
        c0, h0 = shadow_geometry(sats, sun_unit, t_s)
        c1, h1 = shadow_geometry(sats, end_sun, t_s + horizon_s)
        start = np.multiply(sats.arglat_rate_rad_s, t_s)  # u now, then relative to the shadow arc
        start += sats.u0_rad
        start -= c0
        start += np.pi
        np.mod(start, TWO_PI, out=start)  # shadow arc sits at pi in this variable
        rate = sats.arglat_rate_rad_s - _wrapped(c1 - c0) / horizon_s
    else:
        start, c0, h0 = _shell_start(planes, sun_unit, t_s)
        c1, h1 = _shell_arcs(planes, end_sun, t_s + horizon_s)
        shell_rate = planes.shell_rate_rad_s - _wrapped(c1 - c0)[planes.shell_plane] / horizon_s
        rate, h0, h1 = (np.take(x, planes.shell_idx) for x in (shell_rate, h0, h1))
    half = 0.5 * (h0 + h1)
    pi_minus_half, two_half = np.pi - half, 2.0 * half
    end = np.multiply(rate, horizon_s)
    end += start
    dark = _shadow_measure(end, pi_minus_half, two_half)
    dark -= _shadow_measure(start, pi_minus_half, two_half)
    dark /= rate
    return np.subtract(horizon_s, dark, out=dark)


def _wrapped(angle_rad: np.ndarray) -> np.ndarray:
    """Angle in (-pi, pi]."""
    return np.pi - np.mod(np.pi - angle_rad, TWO_PI)


def _shell_start(planes, sun_unit: np.ndarray, t_s: float):
    """Per satellite: u now relative to the shadow arc in [0, 2 pi); per plane the arc's centre
    and per shell its half-width (rad).

    The arc and the drift n t are the same for a shell (one plane, one radius and rate), so the
    reduction modulo 2 pi runs once per shell; each satellite adds its own u0 (already in
    [0, 2 pi)) and wraps once.
    """
    centre, half = _shell_arcs(planes, sun_unit, t_s)
    offset = planes.shell_rate_rad_s * t_s
    offset -= centre[planes.shell_plane]
    offset += np.pi
    np.mod(offset, TWO_PI, out=offset)
    start = np.take(offset, planes.shell_idx)
    start += planes.u0_mod_rad
    np.subtract(start, TWO_PI, out=start, where=start >= TWO_PI)
    return start, centre, half


def predict_energy(sats: Satellites, sun_unit: np.ndarray, t_s: float, horizon_s: float,
                   planes=None, sun_unit_end: np.ndarray | None = None) -> np.ndarray:
    """Unclipped energy (EU) expected after horizon_s: solar, base load, committed task energy."""
    out = sunlit_seconds(sats, sun_unit, t_s, horizon_s, planes, sun_unit_end)
    out *= sats.solar_eu_s
    np.add(sats.energy_eu, out, out=out)
    out -= np.multiply(sats.consumption_eu_s, horizon_s)
    out -= sats.committed_eu
    return out


def eclipse_times(sats: Satellites, sun_unit: np.ndarray, t_s: float, planes=None):
    """Seconds from t_s to the next shadow entry and exit of each satellite, (N,) each, sim s.

    The same equivalent arcs as `sunlit_seconds`, held where they are at t_s (over one orbit the
    node's J2 drift and the sun move the arc by about 0.3 deg at 550 km: ~5 s). In shadow now:
    entry 0, exit at the arc's end. No eclipse on the orbit (half-width 0): entry = exit, when the
    satellite passes the arc's centre (an eclipse of length 0). Always within one orbit.
    """
    if planes is None:
        centre, half = shadow_geometry(sats, sun_unit, t_s)
        w = np.mod(sats.arglat_rate_rad_s * t_s + sats.u0_rad - centre + np.pi, TWO_PI)
        rate = sats.arglat_rate_rad_s
    else:
        w, _, half = _shell_start(planes, sun_unit, t_s)
        half, rate = np.take(half, planes.shell_idx), np.take(planes.shell_rate_rad_s, planes.shell_idx)
    to_exit = np.mod(np.pi + half - w, TWO_PI)  # the arc's end, the next one if past it
    to_entry = np.maximum(to_exit - 2.0 * half, 0.0)  # 0: inside the arc now
    return to_entry / rate, to_exit / rate


def trough_energy(sats: Satellites, sun_unit: np.ndarray, t_s: float, planes=None) -> np.ndarray:
    """Lowest energy (EU, (N,), may be < 0) predicted before the end of the next eclipse, with
    a = energy - committed (tasks on board drawn at once), full sun until entry (panel output
    less base load, stored up to capacity), base load alone in shadow:

        E_entry = min(a + (solar - base) * t_entry, max_energy)
        trough  = min(a, E_entry - base * (t_exit - t_entry))

    (t_entry, t_exit from `eclipse_times`). In shadow now t_entry = 0: trough = a - base * t_exit.
    """
    entry, exit_ = eclipse_times(sats, sun_unit, t_s, planes)
    a = sats.energy_eu - sats.committed_eu
    base = sats.consumption_eu_s
    at_entry = np.minimum(a + (sats.solar_eu_s - base) * entry, sats.max_energy_eu)
    return np.minimum(a, at_entry - base * (exit_ - entry))
