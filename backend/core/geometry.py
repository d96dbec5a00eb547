"""Line of sight, shadow, slant range and elevation on a spherical Earth.

Vectors are (..., 3) km and broadcast over leading axes: (M, 3) with (M, 3) elementwise, or (3,)
with (M, 3). Results drop the last axis.
"""

from __future__ import annotations

import numpy as np

from .constants import EARTH_RADIUS_KM, SUN_RADIUS_KM


def _dot(a, b):
    """Dot product over the last axis with broadcasting (by columns: ~10x faster than sum(axis=-1))."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    out = a[..., 0] * b[..., 0]
    out += a[..., 1] * b[..., 1]  # a (3,) x (3,) product is a 0-d array, so += still works
    out += a[..., 2] * b[..., 2]
    return out


def in_cylindrical_shadow(pos_eci_km, sun_unit) -> np.ndarray:
    """True (N,) where a point is behind the Earth and within EARTH_RADIUS_KM of the Sun-Earth axis."""
    along = _dot(pos_eci_km, sun_unit)
    perp2 = _dot(pos_eci_km, pos_eci_km) - along * along
    return (along < 0.0) & (perp2 < EARTH_RADIUS_KM * EARTH_RADIUS_KM)


def visible_sun_fraction(pos_eci_km, sun_unit, sun_distance_km: float) -> np.ndarray:
    """Fraction (N,) of the solar disk seen past a spherical Earth: 1 sunlit, 0 umbra, between
    in the penumbra (conical shadow; Montenbruck & Gill, Satellite Orbits, sec. 3.4.2: apparent
    radii a of the Sun and b of the Earth, separation c, and the area of the overlap of two
    disks on the sky). Uniform disk, no limb darkening."""
    r = np.asarray(pos_eci_km, dtype=np.float64)
    to_sun = np.asarray(sun_unit, dtype=np.float64) * sun_distance_km - r
    r_len, d_len = np.sqrt(_dot(r, r)), np.sqrt(_dot(to_sun, to_sun))
    a = np.arcsin(SUN_RADIUS_KM / d_len)
    b = np.arcsin(np.minimum(EARTH_RADIUS_KM / r_len, 1.0))
    c = np.arccos(np.clip(-_dot(r, to_sun) / (r_len * d_len), -1.0, 1.0))
    return disk_fraction(a, b, c)


def disk_fraction(a, b, c) -> np.ndarray:
    """Visible fraction of a disk of apparent radius a (rad) behind a disk of radius b whose
    centre is c away (rad): the Sun behind the Earth (visible_sun_fraction, prediction.py)."""
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    out = np.ones(np.shape(c))
    out[c <= b - a] = 0.0  # umbra
    annular = c <= a - b
    out[annular] = 1.0 - (b[annular] / a[annular]) ** 2
    part = (c < a + b) & (c > np.abs(a - b))
    out[part] = 1.0 - _overlap(a[part], b[part], c[part]) / (np.pi * a[part] ** 2)
    return out


def _overlap(a, b, c):
    """Area (sr, flat-sky) of the overlap of disks of radii a and b whose centres are c apart."""
    x = (c * c + a * a - b * b) / (2.0 * c)
    y = np.sqrt(np.maximum(a * a - x * x, 0.0))
    return a * a * np.arccos(np.clip(x / a, -1.0, 1.0)) + b * b * np.arccos(np.clip((c - x) / b, -1.0, 1.0)) - c * y


def segment_clear(a_km, b_km, radius_km=EARTH_RADIUS_KM) -> np.ndarray:
    """True where the segment a->b stays strictly outside the sphere of radius_km at the origin."""
    a = np.asarray(a_km, dtype=np.float64)
    d = np.asarray(b_km, dtype=np.float64) - a
    dd = _dot(d, d)
    t = np.divide(-_dot(a, d), dd, out=np.zeros(np.shape(dd)), where=dd > 0.0)
    t = np.clip(t, 0.0, 1.0)[..., None]
    closest = a + t * d
    return _dot(closest, closest) > radius_km * radius_km


def slant_range_km(ground_km, sat_km) -> np.ndarray:
    """Euclidean distance (km) between points, broadcasting over leading axes."""
    d = np.asarray(sat_km, dtype=np.float64) - np.asarray(ground_km, dtype=np.float64)
    return np.sqrt(_dot(d, d))


def elevation_deg(ground_km, sat_km) -> np.ndarray:
    """Elevation (deg) of sat above the ground point's local horizon (sphere); 90 if they coincide."""
    g = np.asarray(ground_km, dtype=np.float64)
    d = np.asarray(sat_km, dtype=np.float64) - g
    scale = np.sqrt(_dot(g, g) * _dot(d, d))
    up_d = _dot(g, d)
    sin_el = np.divide(up_d, scale, out=np.ones(np.shape(up_d)), where=scale > 0.0)
    return np.degrees(np.arcsin(np.clip(sin_el, -1.0, 1.0)))


def horizon_range_km(alt_km, min_elevation_deg=0.0):
    """Slant range (km) to a satellite at alt_km seen at min_elevation_deg (law of cosines)."""
    r = EARTH_RADIUS_KM
    s = np.sin(np.radians(min_elevation_deg))
    rs = r + np.asarray(alt_km, dtype=np.float64)
    return np.sqrt((r * s) ** 2 + rs * rs - r * r) - r * s


def pairwise_distance_km(a_km, b_km) -> np.ndarray:
    """(N, M) distances (km) between rows of a (N, 3) and b (M, 3); exact differences, no a^2+b^2-2ab."""
    a = np.asarray(a_km, dtype=np.float64)
    b = np.asarray(b_km, dtype=np.float64)
    d2 = np.zeros((a.shape[0], b.shape[0]))
    for k in range(3):  # three axes, not a loop over entities
        diff = a[:, None, k] - b[None, :, k]
        diff *= diff
        d2 += diff
    return np.sqrt(d2)
