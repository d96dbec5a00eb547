"""Equal-area lat/lon cell grid and the cells a spherical cap meets.

The grid has `nb` bands uniform in z = sin(latitude) (equal area) and `nl` longitude cells per
band; cell = band * nl + lon cell. Angles in radians. Used by the delegator (satellites in cells,
task caps over them) and by the pending queue (tasks in cells, satellite caps over them): a
point within a cap's angular radius of its centre lies in one of the cells `cap_cells` lists
(the radius is padded by `PAD_RAD` and the widths are those of the cap's widest latitude in
each band).
"""

from __future__ import annotations

import math

import numpy as np

PAD_RAD = 1e-7  # angular slack of the cap pruning (~0.6 m); the exact tests decide


def cell_of(x: np.ndarray, y: np.ndarray, z: np.ndarray, r: np.ndarray, nb: int, nl: int) -> np.ndarray:
    """Cell (int64) of the directions (x, y, z) / r (any length unit, r > 0)."""
    band = np.clip(np.floor((z / r + 1.0) * (0.5 * nb)), 0, nb - 1).astype(np.int64)
    lon = np.arctan2(y, x)
    cell = np.clip(np.floor((lon + math.pi) * (nl / (2 * math.pi))), 0, nl - 1).astype(np.int64)
    return band * nl + cell


def band_of(z: np.ndarray, nb: int) -> np.ndarray:
    """Band (int64) of z = sin(latitude) in [-1, 1]."""
    return np.clip(np.floor((z + 1.0) * (0.5 * nb)), 0, nb - 1).astype(np.int64)


def expand(first: np.ndarray, count: np.ndarray, label: np.ndarray | None = None):
    """Runs first[i] .. first[i]+count[i]-1, concatenated: (run index, value) per element;
    label[run index] instead of the run index if `label` is given (a repeat, not a gather)."""
    count = np.maximum(count, 0)
    run = np.repeat(np.arange(len(count)) if label is None else label, count)
    offs = np.cumsum(count) - count
    return run, np.arange(len(run)) + np.repeat(first - offs, count)


def cap_cells(lat: np.ndarray, lon: np.ndarray, lam: np.ndarray, nb: int, nl: int,
              label: np.ndarray | None = None):
    """(row, cell) of every cell meeting the cap of each row (centre lat, lon; radius lam, rad),
    grouped by row in row order; label[row] instead of the row index if `label` is given."""
    blo = band_of(np.sin(np.maximum(lat - lam, -math.pi / 2)), nb)
    bhi = band_of(np.sin(np.minimum(lat + lam, math.pi / 2)), nb)
    rep, band = expand(blo, bhi - blo + 1)
    za, zb = -1.0 + 2.0 * band / nb, -1.0 + 2.0 * (band + 1) / nb
    hw = half_width(lat[rep], lam[rep], np.arcsin(np.clip(za, -1, 1)), np.arcsin(np.clip(zb, -1, 1)))
    f = nl / (2 * math.pi)
    lon_c = lon[rep]
    lo = np.floor((lon_c - hw + math.pi) * f).astype(np.int64)
    hi = np.floor((lon_c + hw + math.pi) * f).astype(np.int64)
    full = hi - lo + 1 >= nl
    lo, hi = np.where(full, 0, lo), np.where(full, nl - 1, hi)
    count = np.where(hw < 0, 0, hi - lo + 1)  # hw < 0: the band misses the cap
    row, cell = expand(lo, count, rep if label is None else label[rep])  # one run per (row, band)
    cell %= nl  # wrapped past +-180 deg; the pairs come grouped by row
    cell += np.repeat(band * nl, count)
    return row, cell


def half_width(lat_c, lam, lat_a, lat_b):
    """Largest longitude half-width (rad) of a cap within latitudes [lat_a, lat_b].

    The cap's width peaks at sin(lat) = sin(lat_c) / cos(lam) (or at the pole inside it), so
    the band's widest latitude is that one clipped to the band. -1 if the band misses the cap.
    """
    cl = np.cos(lam)
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = np.arcsin(np.clip(np.sin(lat_c) / cl, -1.0, 1.0))
        lat = np.clip(np.where(cl > 0, peak, 0.0), lat_a, lat_b)
        den = np.cos(lat) * np.cos(lat_c)
        g = (cl - np.sin(lat) * np.sin(lat_c)) / den
    hw = np.arccos(np.clip(np.where(den > 1e-12, g, -1.0), -1.0, 1.0)) + PAD_RAD
    full = (lam >= math.pi / 2) | (den <= 1e-12) | (g <= -1.0)
    return np.where(full, 2 * math.pi, np.where(g > 1.0 + 1e-12, -1.0, hw))


def visibility_radius(r_sat, r_origin, min_elevation_rad: float) -> np.ndarray:
    """Central angle (rad, padded) within which a satellite at radius r_sat (km) is at or above
    min elevation seen from an origin at radius r_origin (spherical up). It grows with r_sat and
    shrinks with r_origin, so the largest r_sat and smallest r_origin bound a set."""
    ratio = np.asarray(r_origin, dtype=np.float64) * math.cos(min_elevation_rad) / r_sat
    lam = np.arccos(np.clip(ratio, -1.0, 1.0)) - min_elevation_rad
    return np.clip(lam, 0.0, math.pi) + PAD_RAD
