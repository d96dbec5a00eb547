"""Ground-station contacts: pass prediction over a look-ahead and contact changes each tick.

A pass of satellite i over station k is an interval where its elevation is at least the minimum
elevation. Prediction (no Python loop over satellite x station pairs):

1. coarse grid: f = sin(elevation) - sin(min elevation) as a (pairs, T) array every
   `coarse_step_s` (at most 1/200 of the shortest period: ~28 s at 550 km);
2. a pass is a run of f > 0 on the grid; acquisition and loss are the sign changes, refined
   by vectorised bisection (to BISECT_TOL_S); runs touching the window's ends are clipped;
3. passes shorter than a grid step show as grid local maxima with f <= 0: the maximum is refined
   by golden-section search over the two steps around it and kept when it rises above 0;
4. the time and value of maximum elevation by golden-section search (to GOLDEN_TOL_S) over the
   grid steps around the run's highest sample.

One pass-finder for every run; only the position source differs: a Walker run's circular two-body
+ J2 secular orbits (`CircularOrbits`, orbits.py), or a TLE run's SGP4 positions sampled on the
coarse grid (contacts_tle.TleOrbits, one SatrecArray call per block of pairs). The Earth is a
rotating sphere (frames.py): elevation is measured from the spherical up of the station, as the
delegator does. Units: seconds since the scenario epoch, degrees, km.

Contacts each tick (contact.started / contact.ended) are the pairs in view now against last
tick's, kept sparse (`InView`: sorted pair keys). Up to PREFILTER_PAIRS satellite x station pairs
the full table is one matrix product; above, a lat/lon cell grid of the satellites (capgrid) and
each station's visibility cap give the candidates, and only they are tested (same pairs).

Quality score of a pass, in [0, 1]: 0.6 * max_elevation / 90 deg + 0.4 * min(1, duration /
overhead duration), where the overhead duration 2 * lambda / n is the longest pass the orbit can
give at that minimum elevation (lambda the Earth-central half-angle of the station's visibility
cap, n the satellite's rate along its orbit; Earth rotation ignored). An overhead pass scores 1,
a grazing one near 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .capgrid import cap_cells, cell_of, expand, visibility_radius
from .constants import EARTH_RADIUS_KM, OMEGA_EARTH_RAD_S
from .frames import earth_rotation_angle_rad
from .ids import sat_id, station_id

BISECT_TOL_S = 1e-3  # acquisition / loss refined to a millisecond
GOLDEN_TOL_S = 1e-2  # time of maximum elevation (elevation is flat there: ~1e-8 deg error)
MAX_GRID_ELEMENTS = 1_000_000  # pair x time samples held at once (8 MB of float64; a TLE block's
# SGP4 samples, positions and velocities, are ~3x that)
ELEVATION_WEIGHT, DURATION_WEIGHT = 0.6, 0.4
_INV_PHI = (np.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class CircularOrbits:
    """Circular orbit elements, (N,) arrays (orbits.py's model): u = u0 + n t, RAAN = RAAN0 + RAAN_dot t.

    A position source: `eci_km(sat, t_s)`, `sampled(sats, grid_s)`, and `sma_km`,
    `arglat_rate_rad_s` for the grid step and the quality score (contacts_tle.TleOrbits too)."""

    sma_km: np.ndarray
    inc_rad: np.ndarray
    raan0_rad: np.ndarray
    u0_rad: np.ndarray
    arglat_rate_rad_s: np.ndarray
    raan_dot_rad_s: np.ndarray

    @classmethod
    def of(cls, sats) -> "CircularOrbits":
        """Copy the elements of a `state.Satellites`."""
        return cls(*(np.array(getattr(sats, k), dtype=np.float64) for k in
                     ("sma_km", "inc_rad", "raan0_rad", "u0_rad", "arglat_rate_rad_s", "raan_dot_rad_s")))

    @property
    def n(self) -> int:
        return len(self.sma_km)

    def eci_km(self, sat, t_s) -> np.ndarray:
        """Inertial positions (..., 3) km of satellites `sat` at times `t_s` (broadcast together)."""
        u = self.u0_rad[sat] + self.arglat_rate_rad_s[sat] * t_s
        raan = self.raan0_rad[sat] + self.raan_dot_rad_s[sat] * t_s
        r, ci, si = self.sma_km[sat], np.cos(self.inc_rad[sat]), np.sin(self.inc_rad[sat])
        cu, su, co, so = np.cos(u), np.sin(u), np.cos(raan), np.sin(raan)
        return np.stack([r * (cu * co - su * ci * so), r * (cu * so + su * ci * co), r * su * si], axis=-1)

    def sampled(self, sats, grid_s) -> "CircularOrbits":
        """The source for pass prediction over `grid_s`: closed-form positions need no samples."""
        return self


@dataclass(frozen=True)
class Pass:
    """Passes as (P,) arrays, in acquisition order; times in sim s since the epoch."""

    sat: np.ndarray
    station: np.ndarray
    aos_s: np.ndarray
    los_s: np.ndarray
    max_s: np.ndarray
    max_elevation_deg: np.ndarray
    aos_clipped: np.ndarray  # the satellite was already in view at the window's start
    los_clipped: np.ndarray  # still in view at the window's end
    quality: np.ndarray

    @property
    def duration_s(self) -> np.ndarray:
        return self.los_s - self.aos_s

    def __len__(self) -> int:
        return len(self.sat)


class Geometry:
    """Elevation of satellites over stations at arbitrary (pair, time) points, vectorised."""

    def __init__(self, orbits: CircularOrbits, station_ecef_km: np.ndarray, epoch_unix_s: float):
        self.orbits = orbits
        g = np.asarray(station_ecef_km, dtype=np.float64).reshape(-1, 3)
        self.up = g / np.linalg.norm(g, axis=1, keepdims=True)
        self.station_r_km = np.linalg.norm(g, axis=1)
        self.theta0_rad = earth_rotation_angle_rad(epoch_unix_s)

    def over(self, sats: np.ndarray, grid_s: np.ndarray) -> "Geometry":
        """This geometry with the position source ready for satellites `sats` on `grid_s`
        (`sampled`: the circular orbits as they are, SGP4 run once on the grid for a TLE run)."""
        geo = object.__new__(Geometry)
        geo.__dict__.update(self.__dict__, orbits=self.orbits.sampled(sats, grid_s))
        return geo

    def sin_elevation(self, sat, station, t_s) -> np.ndarray:
        """sin(elevation) of satellites `sat` over stations `station` at `t_s` (broadcast together).

        The station is turned into the inertial frame (Earth rotation angle at the epoch plus the
        sidereal rate: the ERA is linear in time) instead of every satellite into the fixed one.
        """
        theta = self.theta0_rad + OMEGA_EARTH_RAD_S * np.asarray(t_s, dtype=np.float64)
        c, s = np.cos(theta), np.sin(theta)
        ux, uy, uz = self.up[station, 0], self.up[station, 1], self.up[station, 2]
        up = np.stack([c * ux - s * uy, s * ux + c * uy, np.broadcast_to(uz, np.shape(c * ux))], axis=-1)
        d = self.orbits.eci_km(sat, t_s) - up * self.station_r_km[station][..., None]
        return np.einsum("...k,...k->...", up, d) / np.linalg.norm(d, axis=-1)


def coarse_step_s(orbits: CircularOrbits) -> float:
    """Grid step: 1/200 of the shortest period, at most 30 s (a grazing pass lasts longer than
    two steps or is found by its refined maximum)."""
    period = 2.0 * np.pi / np.max(np.abs(orbits.arglat_rate_rad_s))
    return float(min(30.0, period / 200.0))


def overhead_duration_s(orbits: CircularOrbits, sat, min_elevation_deg: float) -> np.ndarray:
    """Duration (s) of an overhead pass at min elevation: 2 lambda / n (Earth rotation ignored),
    lambda = arccos(R cos(e) / r) - e the central half-angle of the visibility cap."""
    e = np.radians(min_elevation_deg)
    lam = np.arccos(np.clip(EARTH_RADIUS_KM * np.cos(e) / orbits.sma_km[sat], -1.0, 1.0)) - e
    return 2.0 * lam / np.abs(orbits.arglat_rate_rad_s[sat])


def predict_passes(geo: Geometry, sats: np.ndarray, stations: np.ndarray, start_s: float, end_s: float,
                   min_elevation_deg: float) -> Pass:
    """Every pass of satellites `sats` x stations `stations` (index arrays) within [start_s, end_s]."""
    sats, stations = np.asarray(sats, dtype=np.intp), np.asarray(stations, dtype=np.intp)
    pair_sat = np.repeat(sats, len(stations))
    pair_st = np.tile(stations, len(sats))
    step = coarse_step_s(geo.orbits)
    n_t = max(2, int(np.ceil((end_s - start_s) / step)) + 1)
    grid = np.linspace(start_s, end_s, n_t)
    sin_min = np.sin(np.radians(min_elevation_deg))
    per_block = max(1, MAX_GRID_ELEMENTS // n_t)
    parts = [_block_passes(geo, pair_sat[a:a + per_block], pair_st[a:a + per_block], grid, sin_min)
             for a in range(0, len(pair_sat), per_block)]  # blocks of pairs, to bound memory
    found = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}
    return _passes(geo.orbits, found, min_elevation_deg)


def _block_passes(geo: Geometry, sat, st, grid, sin_min) -> dict:
    """Passes of one block of pairs as columns (pair sat, station, aos, los, max, max elevation, flags)."""
    geo = geo.over(sat, grid)
    f = geo.sin_elevation(sat[:, None], st[:, None], grid[None, :]) - sin_min  # (pairs, T)
    runs = _runs(f, grid, geo, sat, st, sin_min)
    short = _short_passes(f, grid, geo, sat, st, sin_min)
    found = {k: np.concatenate([runs[k], short[k]]) for k in runs}
    sin_max = geo.sin_elevation(found["sat"], found["station"], found["max"])
    found["max_el"] = np.degrees(np.arcsin(np.clip(sin_max, -1.0, 1.0)))
    return found


def _runs(f, grid, geo, sat, st, sin_min) -> dict:
    """Passes seen on the grid: runs of f > 0, edges bisected, maximum golden-searched."""
    up = f > 0.0
    pad = np.zeros((f.shape[0], 1), dtype=bool)
    edges = np.diff(np.concatenate([pad, up, pad], axis=1).astype(np.int8), axis=1)
    p_start, k_start = np.nonzero(edges == 1)  # first sample in view
    p_end, k_end = np.nonzero(edges == -1)  # one past the last sample in view
    k_end = k_end - 1  # row-major order: the starts and ends of a row's runs line up
    fun = _sin_el_minus(geo, sat[p_start], st[p_start], sin_min)
    aos_clip, los_clip = k_start == 0, k_end == len(grid) - 1
    aos = np.where(aos_clip, grid[0], _bisect(fun, grid[np.maximum(k_start - 1, 0)], grid[k_start]))
    los = np.where(los_clip, grid[-1], _bisect(fun, grid[np.minimum(k_end + 1, len(grid) - 1)], grid[k_end]))
    k_best = _run_argmax(f, p_start, k_start, k_end)
    lo = np.maximum(grid[np.maximum(k_best - 1, 0)], aos)
    hi = np.minimum(grid[np.minimum(k_best + 1, len(grid) - 1)], los)
    t_max = _golden_max(fun, lo, hi)
    return {"sat": sat[p_start], "station": st[p_start], "aos": aos, "los": los, "max": t_max,
            "aos_clipped": aos_clip, "los_clipped": los_clip}


def _run_argmax(f, rows, k_start, k_end) -> np.ndarray:
    """Grid index of the highest sample of each run (row rows[r], samples k_start[r]..k_end[r])."""
    length = k_end - k_start + 1
    run = np.repeat(np.arange(len(rows)), length)
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    vals = f[rows[run], k_start[run] + offset]
    best = np.full(len(rows), -np.inf)
    np.maximum.at(best, run, vals)
    first = np.full(len(rows), np.iinfo(np.intp).max)
    np.minimum.at(first, run, np.where(vals == best[run], offset, np.iinfo(np.intp).max))
    return k_start + first


def _short_passes(f, grid, geo, sat, st, sin_min) -> dict:
    """Passes between two grid samples: interior local maxima with f <= 0 whose refined maximum is > 0."""
    mid = f[:, 1:-1]
    cand = (mid <= 0.0) & (mid >= f[:, :-2]) & (mid >= f[:, 2:])
    p, k = np.nonzero(cand)
    k = k + 1
    fun = _sin_el_minus(geo, sat[p], st[p], sin_min)
    t_max = _golden_max(fun, grid[k - 1], grid[k + 1])
    keep = fun(t_max) > 0.0
    p, k, t_max, fun = p[keep], k[keep], t_max[keep], _sin_el_minus(geo, sat[p[keep]], st[p[keep]], sin_min)
    aos = _bisect(fun, grid[k - 1], t_max)
    los = _bisect(fun, grid[k + 1], t_max)
    no = np.zeros(len(p), dtype=bool)
    return {"sat": sat[p], "station": st[p], "aos": aos, "los": los, "max": t_max,
            "aos_clipped": no, "los_clipped": no}


def _sin_el_minus(geo: Geometry, sat, st, sin_min):
    """f(t) = sin(elevation) - sin(min elevation) for each of the given pairs, t of the same shape."""
    return lambda t: geo.sin_elevation(sat, st, t) - sin_min


def _bisect(fun, t_out, t_in) -> np.ndarray:
    """Crossing of f = 0 between t_out (f <= 0) and t_in (f > 0), for every pair at once."""
    out, inside = np.array(t_out, dtype=np.float64), np.array(t_in, dtype=np.float64)
    if out.size == 0:
        return out
    for _ in range(int(np.ceil(np.log2(max(np.max(np.abs(inside - out)), BISECT_TOL_S) / BISECT_TOL_S)))):
        mid = 0.5 * (out + inside)
        above = fun(mid) > 0.0
        inside = np.where(above, mid, inside)
        out = np.where(above, out, mid)
    return 0.5 * (out + inside)


def _golden_max(fun, lo, hi) -> np.ndarray:
    """Time of the maximum of a unimodal f on [lo, hi], every pair at once (golden-section search)."""
    a, b = np.array(lo, dtype=np.float64), np.array(hi, dtype=np.float64)
    if a.size == 0:
        return a
    width = max(float(np.max(b - a)), GOLDEN_TOL_S)
    c, d = b - _INV_PHI * (b - a), a + _INV_PHI * (b - a)
    fc, fd = fun(c), fun(d)
    for _ in range(int(np.ceil(np.log(GOLDEN_TOL_S / width) / np.log(_INV_PHI)))):
        left = fc > fd  # the maximum lies in [a, d]
        a, b = np.where(left, a, c), np.where(left, d, b)
        c_new, d_new = b - _INV_PHI * (b - a), a + _INV_PHI * (b - a)
        fc, fd = np.where(left, fun(c_new), fd), np.where(left, fc, fun(d_new))
        c, d = c_new, d_new
    mid = 0.5 * (a + b)
    ends = np.stack([np.asarray(lo, dtype=np.float64), mid, np.asarray(hi, dtype=np.float64)])
    best = np.argmax(np.stack([fun(t) for t in ends]), axis=0)  # a maximum at a clipped end stays there
    return np.take_along_axis(ends, best[None], axis=0)[0]


def _passes(orbits, found: dict, min_elevation_deg: float) -> Pass:
    """Pass records from the found columns, with quality, in acquisition order."""
    if not found or len(found["sat"]) == 0:
        empty = np.zeros(0)
        return Pass(np.zeros(0, np.intp), np.zeros(0, np.intp), empty, empty, empty, empty,
                    np.zeros(0, bool), np.zeros(0, bool), empty)
    order = np.lexsort((found["station"], found["sat"], found["aos"]))
    c = {k: v[order] for k, v in found.items()}
    return Pass(c["sat"], c["station"], c["aos"], c["los"], c["max"], c["max_el"], c["aos_clipped"],
                c["los_clipped"], quality(orbits, c["sat"], c["max_el"], c["los"] - c["aos"], min_elevation_deg))


def quality(orbits: CircularOrbits, sat, max_elevation_deg, duration_s, min_elevation_deg: float) -> np.ndarray:
    """Pass quality in [0, 1] (module docstring): elevation and duration against an overhead pass."""
    full = overhead_duration_s(orbits, sat, min_elevation_deg)
    dur = np.clip(np.divide(duration_s, full, out=np.ones_like(full), where=full > 0.0), 0.0, 1.0)
    return ELEVATION_WEIGHT * np.clip(max_elevation_deg, 0.0, 90.0) / 90.0 + DURATION_WEIGHT * dur


# ---- contacts each tick ----------------------------------------------------------------------

@dataclass(frozen=True)
class ContactChanges:
    """Pairs whose contact changed this tick: (C,) index arrays and elevations in degrees."""

    started_sat: np.ndarray
    started_station: np.ndarray
    started_elevation_deg: np.ndarray
    ended_sat: np.ndarray
    ended_station: np.ndarray
    ended_elevation_deg: np.ndarray


@dataclass(frozen=True)
class InView:
    """Satellite x station pairs in view, sparse: sorted keys sat * n_stations + station."""

    key: np.ndarray  # int64, ascending
    sin_el: np.ndarray  # sin(elevation) of each pair
    n_stations: int

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(satellite, station) index arrays of the pairs."""
        return self.key // self.n_stations, self.key % self.n_stations


def in_view(sat_ecef_km: np.ndarray, station_ecef_km: np.ndarray, min_elevation_deg: float,
            prefilter: bool | None = None) -> InView:
    """Every satellite x station pair at or above min elevation (spherical up), as InView.

    Up to PREFILTER_PAIRS pairs the full (N, S) table is one matrix product; above (or with
    `prefilter` True) only the candidates of `_candidates` are tested: satellites in the cells
    of a lat/lon grid (capgrid) that each station's visibility cap meets. Same pairs either way
    (the cap is padded; the exact test decides)."""
    n, n_st = len(sat_ecef_km), len(station_ecef_km)
    if prefilter is None:
        prefilter = n * n_st > PREFILTER_PAIRS
    if not prefilter:
        sin_el = _sin_elevation_table(sat_ecef_km, station_ecef_km)
        sat, st = np.nonzero(sin_el >= np.sin(np.radians(min_elevation_deg)))
        return InView(sat * n_st + st, sin_el[sat, st], n_st)
    sat, st = _candidates(sat_ecef_km, station_ecef_km, min_elevation_deg)
    sin_el = sin_elevation_pairs(sat_ecef_km, station_ecef_km, sat, st)
    keep = sin_el >= np.sin(np.radians(min_elevation_deg))
    key = sat[keep] * n_st + st[keep]
    order = np.argsort(key, kind="stable")
    return InView(key[order], sin_el[keep][order], n_st)


PREFILTER_PAIRS = 100_000  # satellites x stations above which the grid prefilter runs (benchmarks/contacts.py:
# a tie at 10,000 x 8 = 80,000 pairs, 4x faster from 300,000)
_CELL_SATS = 8  # satellites per grid cell, about


def _sin_elevation_table(sat_ecef_km, station_ecef_km) -> np.ndarray:
    """sin(elevation) (N, S) of every satellite over every station.

    One matrix product gives up . sat; |sat - g|^2 = |sat|^2 - 2 |g| up . sat + |g|^2 (no (N, S, 3))."""
    g_r = np.linalg.norm(station_ecef_km, axis=1)
    up = station_ecef_km / g_r[:, None]
    along = sat_ecef_km @ up.T  # (N, S)
    r2 = np.einsum("ij,ij->i", sat_ecef_km, sat_ecef_km)[:, None]
    dist = np.sqrt(np.maximum(r2 - 2.0 * g_r * along + g_r * g_r, 1e-12))
    return (along - g_r) / dist


def sin_elevation_pairs(sat_ecef_km, station_ecef_km, sat, st) -> np.ndarray:
    """sin(elevation) of satellites `sat` over stations `st` (index arrays of one length)."""
    g = station_ecef_km[st]
    g_r = np.linalg.norm(g, axis=1)
    d = sat_ecef_km[sat] - g
    return np.einsum("ij,ij->i", g, d) / (g_r * np.sqrt(np.maximum(np.einsum("ij,ij->i", d, d), 1e-12)))


def _candidates(sat_ecef_km, station_ecef_km, min_elevation_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """(satellite, station) pairs that may be in view: the satellites in the grid cells each
    station's cap meets, the cap's radius that of the highest satellite (capgrid.visibility_radius)."""
    x, y, z = sat_ecef_km[:, 0], sat_ecef_km[:, 1], sat_ecef_km[:, 2]
    r = np.sqrt(x * x + y * y + z * z)
    placed = np.flatnonzero(np.isfinite(r) & (r > 0.0))  # a position lost (NaN) is in no one's view
    x, y, z, r = x[placed], y[placed], z[placed], r[placed]
    nb = int(np.clip(np.sqrt(len(r) / (2 * _CELL_SATS)), 1, 90))
    nl = 2 * nb
    cell = cell_of(x, y, z, r, nb, nl)
    order = placed[np.argsort(cell, kind="stable")]
    count = np.bincount(cell, minlength=nb * nl)
    first = np.cumsum(count) - count
    g_r = np.linalg.norm(station_ecef_km, axis=1)
    lat = np.arcsin(np.clip(station_ecef_km[:, 2] / g_r, -1.0, 1.0))
    lon = np.arctan2(station_ecef_km[:, 1], station_ecef_km[:, 0])
    lam = visibility_radius(float(np.max(r)) if len(r) else EARTH_RADIUS_KM, g_r, np.radians(min_elevation_deg))
    st, cells = cap_cells(lat, lon, lam, nb, nl)
    st, pos = expand(first[cells], count[cells], st)
    return order[pos], st


def contact_changes(before: InView, now: InView, sat_ecef_km: np.ndarray,
                    station_ecef_km: np.ndarray) -> ContactChanges:
    """Pairs that came into view and left it between two ticks; a pair that left gets its
    elevation now (below the minimum)."""
    came = ~np.isin(now.key, before.key, assume_unique=True)
    left = before.key[~np.isin(before.key, now.key, assume_unique=True)]
    s_sat, s_st = now.key[came] // now.n_stations, now.key[came] % now.n_stations
    e_sat, e_st = left // before.n_stations, left % before.n_stations
    e_sin = sin_elevation_pairs(sat_ecef_km, station_ecef_km, e_sat, e_st)
    deg = lambda v: np.degrees(np.arcsin(np.clip(v, -1.0, 1.0)))  # noqa: E731
    return ContactChanges(s_sat, s_st, deg(now.sin_el[came]), e_sat, e_st, deg(e_sin))


def emit_contact_events(ev, changes: ContactChanges, station_names: list[str]) -> None:
    """contact.started / contact.ended for the pairs that changed (only those: a few a tick)."""
    for name, sat, st, el in (("contact.started", changes.started_sat, changes.started_station,
                               changes.started_elevation_deg),
                              ("contact.ended", changes.ended_sat, changes.ended_station, changes.ended_elevation_deg)):
        for i, k, e in zip(sat.tolist(), st.tolist(), el.tolist()):
            ev.emit(name, {"station_id": station_id(k), "station": station_names[k], "satellite_id": sat_id(i),
                           "elevation_deg": e})
