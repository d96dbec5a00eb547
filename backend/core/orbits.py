"""Orbits: circular two-body + J2 secular drift (node and argument of latitude) and Walker-delta
layouts (TLE catalogues and SGP4: tle.py).

Arrays are (N,) per satellite, positions (N, 3) km in the Earth-centred inertial frame; angles
in radians unless named _deg; time in seconds since the scenario epoch.
"""

from __future__ import annotations

import numpy as np

from .constants import EARTH_RADIUS_KM, J2, J2_RADIUS_KM, MU_EARTH_KM3_S2

def mean_motion_rad_s(sma_km):
    """Mean motion sqrt(mu / a^3) in rad/s for semi-major axis a in km (scalar or array)."""
    a = np.asarray(sma_km, dtype=np.float64)
    return np.sqrt(MU_EARTH_KM3_S2 / (a * a * a))


def orbital_period_s(sma_km):
    """Keplerian period 2*pi*sqrt(a^3 / mu) in seconds (scalar or array)."""
    return 2.0 * np.pi / mean_motion_rad_s(sma_km)


def j2_raan_rate_rad_s(sma_km, inc_rad):
    """Secular RAAN drift of a circular orbit from J2, rad/s: -1.5 n J2 (Re/a)^2 cos i."""
    a = np.asarray(sma_km, dtype=np.float64)
    ratio = J2_RADIUS_KM / a
    return -1.5 * mean_motion_rad_s(a) * J2 * ratio * ratio * np.cos(inc_rad)


def j2_arglat_rate_rad_s(sma_km, inc_rad):
    """Secular rate of the argument of latitude u = omega + M of a circular orbit with J2, rad/s.

    Mean anomaly n (1 + 3/4 J2 (Re/a)^2 (3 cos^2 i - 1)) plus perigee 3/4 n J2 (Re/a)^2
    (5 cos^2 i - 1) (Vallado, Fundamentals of Astrodynamics, 4th ed., eq. 9-41, e = 0):
    n (1 + 3/2 J2 (Re/a)^2 (4 cos^2 i - 1)), with a the mean semi-major axis.
    """
    a = np.asarray(sma_km, dtype=np.float64)
    ratio = J2_RADIUS_KM / a
    cos2 = np.cos(inc_rad) ** 2
    return mean_motion_rad_s(a) * (1.0 + 1.5 * J2 * ratio * ratio * (4.0 * cos2 - 1.0))


def walker_delta(total: int, planes: int, phasing: int, altitude_km: float,
                 inclination_deg: float) -> dict:
    """Walker-delta i: t/p/f layout as (total,) arrays sma_km, inc_rad, raan0_rad, u0_rad, plane, slot.

    Plane k has RAAN 2*pi*k/p; slot s of S in that plane has u = 2*pi*s/S + 2*pi*f*k/t. planes is
    clamped to total; when total % planes = r != 0 the first r planes get one extra satellite.
    """
    total, planes, phasing = int(total), int(planes), int(phasing)
    if total < 1:
        raise ValueError(f"total(={total}) must be >= 1")
    if planes < 1:
        raise ValueError(f"planes(={planes}) must be >= 1")
    if altitude_km <= -EARTH_RADIUS_KM:
        raise ValueError(f"altitude_km(={altitude_km}) must be above the Earth's centre")
    planes = min(planes, total)
    base, extra = divmod(total, planes)
    counts = np.full(planes, base, dtype=np.int32)
    counts[:extra] += 1
    plane = np.repeat(np.arange(planes, dtype=np.int32), counts)
    first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int32)
    slot = np.arange(total, dtype=np.int32) - first[plane]
    per_plane = counts[plane].astype(np.float64)
    u0 = 2.0 * np.pi * slot / per_plane + 2.0 * np.pi * phasing * plane / total
    return {
        "sma_km": np.full(total, EARTH_RADIUS_KM + float(altitude_km)),
        "inc_rad": np.full(total, np.radians(float(inclination_deg))),
        "raan0_rad": 2.0 * np.pi * plane / planes,
        "u0_rad": np.mod(u0, 2.0 * np.pi),
        "plane": plane,
        "slot": slot,
    }


def propagate_circular(sma_km, inc_rad, raan0_rad, u0_rad, n_rad_s, raan_dot_rad_s, t_s: float,
                       out=None, *, cos_inc=None, sin_inc=None) -> np.ndarray:
    """ECI positions (N, 3) km at t_s seconds after epoch, written into `out` when given.

    u = u0 + n t, RAAN = RAAN0 + RAAN_dot t. Pass precomputed cos_inc/sin_inc to save two of the
    six trig calls per satellite on the tick path.
    """
    t = float(t_s)
    u = np.multiply(n_rad_s, t)
    u += u0_rad
    raan = np.multiply(raan_dot_rad_s, t)
    raan += raan0_rad
    cu, su, co, so = np.cos(u), np.sin(u), np.cos(raan), np.sin(raan)
    ci = np.cos(inc_rad) if cos_inc is None else cos_inc
    si = np.sin(inc_rad) if sin_inc is None else sin_inc
    if out is None:
        out = np.empty((cu.shape[0], 3))
    su *= sma_km  # su, cu now carry the radius: r sin u, r cos u
    cu *= sma_km
    sci = su * ci
    out[:, 0] = cu * co - sci * so
    out[:, 1] = cu * so + sci * co
    np.multiply(su, si, out=out[:, 2])
    return out


class CircularPropagator:
    """propagate_circular with the trig done once per distinct rate or plane, not per satellite.

    Satellites sharing (RAAN0, RAAN_dot, inc) share one orbit plane and those sharing n share one
    cos(n t): per tick the trig runs over the distinct values (one for a Walker shell) and the
    rest is angle addition and gathers. Same result as propagate_circular to ~1e-9 km. Shells
    (one plane, one radius and rate) let prediction size each eclipse arc and reduce each
    shell's drift modulo 2 pi once.
    """

    def __init__(self, sma_km, inc_rad, raan0_rad, u0_rad, n_rad_s, raan_dot_rad_s):
        self.sma_km = np.array(sma_km, dtype=np.float64)
        u0 = np.asarray(u0_rad, dtype=np.float64)
        self.cos_u0, self.sin_u0 = np.cos(u0), np.sin(u0)
        self.rates, self.rate_idx = np.unique(np.asarray(n_rad_s, dtype=np.float64), return_inverse=True)
        elems = np.stack(np.broadcast_arrays(raan0_rad, raan_dot_rad_s, inc_rad), axis=1).astype(np.float64)
        planes, self.plane_idx = np.unique(elems, axis=0, return_inverse=True)
        self.plane_idx = self.plane_idx.reshape(-1)
        self.raan0, self.raan_dot = planes[:, 0], planes[:, 1]
        self.cos_inc, self.sin_inc = np.cos(planes[:, 2]), np.sin(planes[:, 2])
        rate = np.broadcast_to(np.asarray(n_rad_s, dtype=np.float64), u0.shape)
        shells = np.stack([self.plane_idx.astype(np.float64), self.sma_km, rate], axis=1)  # plane, radius, rate
        shells, self.shell_idx = np.unique(shells, axis=0, return_inverse=True)
        self.shell_idx = self.shell_idx.reshape(-1)
        self.shell_plane, self.shell_sma_km = shells[:, 0].astype(np.intp), shells[:, 1]
        self.shell_rate_rad_s = shells[:, 2]
        self.u0_mod_rad = np.mod(u0, 2.0 * np.pi)
        starts = np.flatnonzero(np.diff(self.plane_idx, prepend=-1))  # runs of one plane (Walker: one a plane)
        self._run_plane, self._run_len = self.plane_idx[starts], np.diff(starts, append=len(u0))
        n = len(u0)
        self._cu, self._su, self._tmp = np.empty(n), np.empty(n), np.empty(n)

    def _rate_trig(self, t: float):
        """cos(n t), sin(n t) per satellite (scalars when every satellite has the same n)."""
        nt = self.rates * t
        cn, sn = np.cos(nt), np.sin(nt)
        if len(self.rates) == 1:
            return cn[0], sn[0]
        return np.take(cn, self.rate_idx), np.take(sn, self.rate_idx)

    def positions(self, t_s: float, out=None) -> np.ndarray:
        """ECI positions (N, 3) km at t_s seconds after epoch, written into `out` when given."""
        t = float(t_s)
        cn, sn = self._rate_trig(t)
        cu, su, tmp = self._cu, self._su, self._tmp
        np.multiply(self.cos_u0, cn, out=cu)  # cos(u0 + n t) = cos u0 cos nt - sin u0 sin nt
        cu -= np.multiply(self.sin_u0, sn, out=tmp)
        np.multiply(self.sin_u0, cn, out=su)  # sin(u0 + n t) = sin u0 cos nt + cos u0 sin nt
        su += np.multiply(self.cos_u0, sn, out=tmp)
        cu *= self.sma_km
        su *= self.sma_km
        node, normal_x_node = self._plane_basis(t)
        out = np.empty((len(cu), 3)) if out is None else out
        for k in range(3):  # three axes: r cos u * node + r sin u * (normal x node), by column
            np.multiply(node[k], cu, out=out[:, k])
            normal_x_node[k] *= su
            out[:, k] += normal_x_node[k]
        return out

    def _plane_basis(self, t: float):
        """(3, N) unit vectors to each satellite's ascending node and 90 deg on, at t seconds.

        Trig per plane, then one np.repeat per vector over the runs of satellites sharing a plane
        (cheaper than a gather by satellite: a Walker shell is one run a plane).
        """
        raan = self.raan0 + self.raan_dot * t
        co, so = np.cos(raan), np.sin(raan)
        node = np.stack([co, so, np.zeros_like(co)])
        normal_x_node = np.stack([-so * self.cos_inc, co * self.cos_inc, self.sin_inc])
        return (np.repeat(node[:, self._run_plane], self._run_len, axis=1),
                np.repeat(normal_x_node[:, self._run_plane], self._run_len, axis=1))
