"""Sun direction from the Astronomical Almanac's low-precision formula (~0.01 deg, 1950-2050).

The vector is given in the inertial frame that frames.eci_to_ecef turns into the Earth-fixed
frame with the Earth rotation angle: right ascension is counted from the CIO, so the almanac's
equinox-of-date longitude is shifted by the equation of origins (GMST - ERA, 0.33 deg in 2026).
"""

from __future__ import annotations

import numpy as np

from .constants import AU_KM, J2000_UNIX_S, SECONDS_PER_DAY
from .frames import earth_rotation_angle_rad


def equation_of_origins_rad(unix_s: float) -> float:
    """GMST - ERA in radians (IERS 2003 polynomial, first terms): equinox RA minus CIO RA."""
    t = (float(unix_s) - J2000_UNIX_S) / (SECONDS_PER_DAY * 36525.0)  # Julian centuries
    return float(np.radians((0.014506 + 4612.156534 * t + 1.3915817 * t * t) / 3600.0))


def sun_direction_eci(unix_s: float) -> np.ndarray:
    """Unit vector (3,) from the Earth to the Sun in the equatorial inertial frame (UTC ~ TT)."""
    n = (float(unix_s) - J2000_UNIX_S) / SECONDS_PER_DAY
    mean_lon_deg = 280.460 + 0.9856474 * n
    g = np.radians(357.528 + 0.9856003 * n)  # mean anomaly
    lam = np.radians(mean_lon_deg + 1.915 * np.sin(g) + 0.020 * np.sin(2.0 * g))
    eps = np.radians(23.439 - 4.0e-7 * n)  # obliquity of the ecliptic
    x, y, z = np.cos(lam), np.cos(eps) * np.sin(lam), np.sin(eps) * np.sin(lam)
    eo = equation_of_origins_rad(unix_s)  # rotate RA back by the equation of origins
    c, s = np.cos(eo), np.sin(eo)
    return np.array([c * x + s * y, -s * x + c * y, z])


def sun_distance_km(unix_s: float) -> float:
    """Earth-Sun distance (km): the Almanac's R = 1.00014 - 0.01671 cos g - 0.00014 cos 2g AU."""
    n = (float(unix_s) - J2000_UNIX_S) / SECONDS_PER_DAY
    g = np.radians(357.528 + 0.9856003 * n)
    return float((1.00014 - 0.01671 * np.cos(g) - 0.00014 * np.cos(2.0 * g)) * AU_KM)


def subsolar_point(unix_s: float) -> tuple[float, float]:
    """(lat_deg, lon_deg) of the point with the Sun at the zenith; lon in [-180, 180)."""
    s = sun_direction_eci(unix_s)
    theta = earth_rotation_angle_rad(unix_s)
    x = np.cos(theta) * s[0] + np.sin(theta) * s[1]  # rotate by -theta into the Earth-fixed frame
    y = -np.sin(theta) * s[0] + np.cos(theta) * s[1]
    lat = float(np.degrees(np.arcsin(np.clip(s[2], -1.0, 1.0))))
    lon = float((np.degrees(np.arctan2(y, x)) + 180.0) % 360.0 - 180.0)
    return lat, lon
