"""Positions of a TLE catalogue's satellites for pass prediction and orbit tracks: SGP4.

`TleOrbits` is the position source contacts.Geometry reads for a TLE run, as `CircularOrbits`
is for a Walker one. Positions come from the sgp4 package's array interface (SatrecArray) and
turn from TEME into the model's inertial frame with tle.teme_to_eci at every sample (Geometry
then turns the Earth by its rotation angle, so TEME -> Earth-fixed is ROT3(GMST82) as in
tle.py). The mean elements (kinematics.place_tle_orbits) give the period and the overhead-pass
duration (grid step, quality score, track length).

Pass prediction samples SGP4 once per satellite on the look-ahead grid (`sampled`): position
and velocity every SAMPLE_EVERY coarse grid steps, one SatrecArray call for the whole block.
Elsewhere (the coarse grid between samples, root refinement, golden-section maxima) the position
is the cubic Hermite interpolant of the two samples around it: its error for a circular LEO orbit
at step h is h^4 w^4 r / 384 (w the orbital rate): ~0.3 m at 550 km and h = 56 s, far inside the
pass tolerances (0.3 m moves an acquisition by well under a millisecond). SGP4 costs 1.5-5 us
a sample on the shared machine, so a request is bounded by SGP4_SAMPLE_LIMIT samples.
A satellite SGP4 fails on (decayed) has NaN positions there: it is never above the horizon.
Units: km, km/s, seconds since the scenario epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import SECONDS_PER_DAY
from .contacts import CircularOrbits
from .frames import earth_rotation_angle_rad
from .tle import UNIX_EPOCH_JD, TleCatalog, gmst82_rad

SAMPLE_EVERY = 2  # coarse grid steps (<= 1/200 period) per SGP4 sample
SGP4_SAMPLE_LIMIT = 2.0e6  # satellites x samples one request may ask for (~3-10 s of CPU)


def sample_grid(grid_s: np.ndarray) -> np.ndarray:
    """The SGP4 sample times (uniform, sim s) covering the coarse grid `grid_s`."""
    m = max(2, int(np.ceil((len(grid_s) - 1) / SAMPLE_EVERY)) + 1)
    return np.linspace(grid_s[0], grid_s[-1], m)


def _julian(unix_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whole, fraction) Julian dates of unix seconds, split as sgp4 wants them (ms precision kept)."""
    days = np.asarray(unix_s, dtype=np.float64) / SECONDS_PER_DAY
    whole = np.floor(days)
    return UNIX_EPOCH_JD + whole, days - whole


def sgp4_eci(catalog: TleCatalog, sats: np.ndarray, unix_s: np.ndarray):
    """(positions (S, T, 3) km, velocities (S, T, 3) km/s) of catalogue satellites `sats` at
    times `unix_s` (T,), in the model's inertial frame; NaN where SGP4 fails (one SatrecArray call)."""
    from sgp4.api import SatrecArray

    jd, fr = _julian(unix_s)
    err, r, v = SatrecArray([catalog.records[i] for i in np.asarray(sats).tolist()]).sgp4(jd, fr)
    bad = (err != 0) | ~np.all(np.isfinite(r), axis=-1)
    angle = np.array([gmst82_rad(u) - earth_rotation_angle_rad(u) for u in np.asarray(unix_s).tolist()])
    r, v = _rotate(r, angle), _rotate(v, angle)  # TEME -> model inertial (tle.teme_to_eci per time)
    r[bad], v[bad] = np.nan, np.nan
    return r, v


def _rotate(vec: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """ROT3(angle[t]) of vectors (S, T, 3), as frames.eci_to_ecef does for one angle."""
    c, s = np.cos(angle_rad)[None, :], np.sin(angle_rad)[None, :]
    x, y = vec[..., 0], vec[..., 1]
    return np.stack([c * x + s * y, -s * x + c * y, vec[..., 2]], axis=-1)


@dataclass(frozen=True)
class TleOrbits:
    """A TLE catalogue as a position source; `mean` carries its mean elements (N,)."""

    catalog: TleCatalog
    mean: CircularOrbits
    epoch_unix_s: float

    @property
    def sma_km(self) -> np.ndarray:
        return self.mean.sma_km

    @property
    def arglat_rate_rad_s(self) -> np.ndarray:
        return self.mean.arglat_rate_rad_s

    @property
    def n(self) -> int:
        return self.catalog.n

    def eci_km(self, sat, t_s) -> np.ndarray:
        """Inertial positions (..., 3) km of satellites `sat` at `t_s` (broadcast together).

        SGP4 of every distinct satellite at every distinct time: meant for few of either (a
        track: one satellite, a few hundred times); pass prediction uses `sampled`."""
        sat, t = np.broadcast_arrays(np.asarray(sat, dtype=np.intp), np.asarray(t_s, dtype=np.float64))
        u_sat, i_sat = np.unique(sat, return_inverse=True)
        u_t, i_t = np.unique(t, return_inverse=True)
        r, _ = sgp4_eci(self.catalog, u_sat, self.epoch_unix_s + u_t)
        return r[i_sat.reshape(sat.shape), i_t.reshape(t.shape)]

    def sampled(self, sats: np.ndarray, grid_s: np.ndarray) -> "HermiteOrbits":
        """SGP4 of satellites `sats` over the coarse grid `grid_s` (sim s, uniform): sampled on
        `sample_grid(grid_s)`, interpolated between."""
        sats = np.unique(np.asarray(sats, dtype=np.intp))
        times = sample_grid(np.asarray(grid_s, dtype=np.float64))
        r, v = sgp4_eci(self.catalog, sats, self.epoch_unix_s + times)
        local = np.full(self.n, -1, dtype=np.intp)
        local[sats] = np.arange(len(sats))
        return HermiteOrbits(self.mean, local, times, r, v)


@dataclass(frozen=True)
class HermiteOrbits:
    """Positions and velocities sampled on a uniform grid, cubic Hermite in between."""

    mean: CircularOrbits
    local: np.ndarray  # (N,) row of each satellite in the samples, -1 not sampled
    grid_s: np.ndarray  # (T,) uniform, sim s
    pos_km: np.ndarray  # (S, T, 3)
    vel_km_s: np.ndarray  # (S, T, 3)

    @property
    def sma_km(self) -> np.ndarray:
        return self.mean.sma_km

    @property
    def arglat_rate_rad_s(self) -> np.ndarray:
        return self.mean.arglat_rate_rad_s

    def eci_km(self, sat, t_s) -> np.ndarray:
        """Positions (..., 3) km of satellites `sat` at `t_s` in [grid_s[0], grid_s[-1]]."""
        sat, t = np.broadcast_arrays(np.asarray(sat, dtype=np.intp), np.asarray(t_s, dtype=np.float64))
        row = self.local[sat]
        h = self.grid_s[1] - self.grid_s[0]
        k = np.clip(np.floor((t - self.grid_s[0]) / h).astype(np.intp), 0, len(self.grid_s) - 2)
        s = ((t - self.grid_s[k]) / h)[..., None]
        s2, s3 = s * s, s * s * s
        p0, p1 = self.pos_km[row, k], self.pos_km[row, k + 1]
        v0, v1 = self.vel_km_s[row, k] * h, self.vel_km_s[row, k + 1] * h
        return (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * v0 + (3 * s2 - 2 * s3) * p1 + (s3 - s2) * v1
