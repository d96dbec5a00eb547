"""Ground-station passes: when each satellite is above each station's minimum elevation.

Elevations of every satellite from every station are sampled every `step_s` over the
look-ahead (one array pass per sample, no loop over satellite x station pairs); a pass starts
and ends where the elevation crosses the minimum, the crossing time interpolated linearly
between samples, and its maximum is the parabola in sin(elevation) through the highest sample
and its two neighbours (smooth through the zenith, where the elevation has a corner). Times are sim seconds since the epoch; elevations in degrees.

Quality (0..1): (max elevation / 90 deg) x min(1, duration / 600 s), a high long pass scores 1;
a pass still in progress at either end of the look-ahead is scored on what is inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .geometry import elevation_deg

FULL_PASS_S = 600.0  # a pass this long counts fully in the quality score


@dataclass(frozen=True)
class Passes:
    """Columns of the passes found, ordered by satellite, station, then time."""

    sat: np.ndarray  # int64 satellite index
    station: np.ndarray  # int64 station index
    aos_s: np.ndarray  # acquisition of signal (sim s)
    los_s: np.ndarray  # loss of signal (sim s)
    max_at_s: np.ndarray  # time of the maximum elevation (sim s)
    max_elevation_deg: np.ndarray
    quality: np.ndarray

    @property
    def duration_s(self) -> np.ndarray:
        return self.los_s - self.aos_s


def elevations(positions_ecef: Callable[[float], np.ndarray], stations_ecef_km: np.ndarray,
               times_s: np.ndarray) -> np.ndarray:
    """(T, S, G) elevations (deg, float32) of S satellites from G stations at T times."""
    ground = np.asarray(stations_ecef_km, dtype=np.float64)[None, :, :]
    out = None
    for k, t in enumerate(times_s):  # one vectorised S x G pass per time sample
        el = elevation_deg(ground, positions_ecef(float(t))[:, None, :])
        if out is None:
            out = np.empty((len(times_s),) + el.shape, dtype=np.float32)
        out[k] = el
    return out


def find_passes(positions_ecef: Callable[[float], np.ndarray], stations_ecef_km: np.ndarray,
                t0_s: float, hours: float = 6.0, min_elevation_deg: float = 0.0,
                step_s: float = 10.0) -> Passes:
    """Every pass of every satellite over every station within [t0, t0 + hours]."""
    times = t0_s + np.arange(0.0, hours * 3600.0 + step_s / 2, step_s)
    el = np.moveaxis(elevations(positions_ecef, stations_ecef_km, times), 0, -1).astype(np.float64)  # (S, G, T)
    above = el >= min_elevation_deg
    edge = np.diff(np.pad(above, ((0, 0), (0, 0), (1, 1))).astype(np.int8), axis=-1)
    s_idx, g_idx, k_start = np.nonzero(edge == 1)  # first sample above (pair-major order)
    k_end = np.nonzero(edge == -1)[2] - 1  # last sample above, same order
    aos = _crossing(el, s_idx, g_idx, k_start - 1, k_start, times, min_elevation_deg)
    los = _crossing(el, s_idx, g_idx, k_end, k_end + 1, times, min_elevation_deg)
    peak_at, peak = _peaks(el, s_idx, g_idx, k_start, k_end, times)
    quality = (np.clip(peak, 0.0, 90.0) / 90.0) * np.minimum(1.0, (los - aos) / FULL_PASS_S)
    return Passes(s_idx.astype(np.int64), g_idx.astype(np.int64), aos, los, peak_at, peak, quality)


def _crossing(el, s, g, k_lo, k_hi, times, level):
    """Time the elevation crosses `level` between samples k_lo and k_hi (linear); the look-ahead's
    end where the pass runs past it."""
    n_t = el.shape[-1]
    inside = (k_lo >= 0) & (k_hi < n_t)
    lo, hi = np.clip(k_lo, 0, n_t - 1), np.clip(k_hi, 0, n_t - 1)
    e_lo, e_hi = el[s, g, lo], el[s, g, hi]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(e_hi != e_lo, (level - e_lo) / (e_hi - e_lo), 0.0)
    t = times[lo] + np.clip(frac, 0.0, 1.0) * (times[hi] - times[lo])
    return np.where(inside, t, np.where(k_lo < 0, times[0], times[-1]))


def _peaks(el, s, g, k_start, k_end, times):
    """Time and value of each pass's maximum: the highest sample refined by a parabola."""
    n_t = el.shape[-1]
    flat = el.reshape(-1, n_t)[s * el.shape[1] + g]  # (P, T) rows of the passes' pairs
    k = np.arange(n_t)
    masked = np.where((k >= k_start[:, None]) & (k <= k_end[:, None]), flat, -np.inf)
    best = np.argmax(masked, axis=1)
    rows = np.arange(len(best))
    left, right = np.clip(best - 1, 0, n_t - 1), np.clip(best + 1, 0, n_t - 1)
    # sin(elevation) is smooth through the zenith (elevation itself has a corner there)
    y0, y1, y2 = (np.sin(np.radians(flat[rows, k])) for k in (left, best, right))
    interior = (best > k_start) & (best < k_end)
    curve = y0 - 2.0 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(interior & (curve < 0), 0.5 * (y0 - y2) / curve, 0.0)
    step = times[1] - times[0] if n_t > 1 else 0.0
    top = np.degrees(np.arcsin(np.clip(y1 - 0.25 * (y0 - y2) * shift, -1.0, 1.0)))
    return times[best] + shift * step, top
