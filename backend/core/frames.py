"""Reference frames on a spherical Earth: ECI <-> ECEF rotation and geodetic conversion.

Arrays: positions are (N, 3) km, entity axis first; angles in degrees unless named _rad.
"""

from __future__ import annotations

import numpy as np

from .constants import EARTH_RADIUS_KM, J2000_UNIX_S, SECONDS_PER_DAY


def earth_rotation_angle_rad(unix_s: float) -> float:
    """Earth rotation angle (IERS 2003 ERA formula, UT1 ~ UTC), radians in [0, 2*pi)."""
    d = (unix_s - J2000_UNIX_S) / SECONDS_PER_DAY
    turns = 0.7790572732640 + 1.00273781191135448 * d
    return float(2.0 * np.pi * (turns % 1.0))


def eci_to_ecef(pos_eci_km: np.ndarray, theta_rad: float, out: np.ndarray | None = None) -> np.ndarray:
    """Rotate (N, 3) inertial vectors into the Earth-fixed frame (rotation by -theta about z)."""
    c, s = np.cos(theta_rad), np.sin(theta_rad)
    out = np.empty_like(pos_eci_km) if out is None else out
    x, y = pos_eci_km[:, 0], pos_eci_km[:, 1]
    x_new = c * x + s * y  # held back so that out may be pos_eci_km itself
    out[:, 1] = -s * x + c * y
    out[:, 0] = x_new
    out[:, 2] = pos_eci_km[:, 2]
    return out


def ecef_to_eci(pos_ecef_km: np.ndarray, theta_rad: float) -> np.ndarray:
    """Inverse of eci_to_ecef."""
    return eci_to_ecef(pos_ecef_km, -theta_rad)


def geodetic_to_ecef(lat_deg, lon_deg, alt_km=0.0) -> np.ndarray:
    """(lat, lon, alt) arrays of shape (N,) or scalars -> (N, 3) or (3,) ECEF km."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    r = EARTH_RADIUS_KM + np.asarray(alt_km, dtype=np.float64)
    cl = np.cos(lat)
    return np.stack([r * cl * np.cos(lon), r * cl * np.sin(lon), r * np.sin(lat)], axis=-1)


def ecef_to_geodetic(pos_ecef_km: np.ndarray, out=None):
    """(N, 3) ECEF km -> lat_deg, lon_deg in [-180, 180), alt_km above the sphere.

    `out`: three (N,) arrays to write lat, lon, alt into (no temporaries for the results). The
    distance from the axis is sqrt(x^2 + y^2), not np.hypot (3x the cost; no overflow at km scale),
    and its square is reused for the radius.
    """
    x, y, z = (np.array(pos_ecef_km[..., k], dtype=np.float64) for k in range(3))  # contiguous copies
    lat, lon, alt = (np.empty_like(x) for _ in range(3)) if out is None else out
    np.degrees(np.arctan2(y, x, out=lon), out=lon)
    np.subtract(lon, 360.0, out=lon, where=lon >= 180.0)  # arctan2 gives +180 on the -x axis
    x *= x
    y *= y
    x += y  # x^2 + y^2
    np.degrees(np.arctan2(z, np.sqrt(x, out=y), out=lat), out=lat)
    z *= z
    x += z
    np.subtract(np.sqrt(x, out=alt), EARTH_RADIUS_KM, out=alt)
    return lat, lon, alt
