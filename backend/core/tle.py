"""Two-line element sets: loading whatever the layout, SGP4 over the whole catalogue at once,
and TEME positions turned into the model's inertial frame.

Layouts accepted: 2-line sets, 3-line sets (a name line first, with or without the `0 ` prefix
of Space-Track's 3LE), `#` comment lines, blank lines and anything after column 69 of line 2
(the start/stop/step columns of sgp4's own SGP4-VER.TLE). A malformed set is a TleError naming
the line number (1-based) of the text. Checksums are not enforced: published verification sets
carry wrong ones.

SGP4 answers in TEME (true equator, mean equinox of date). The Earth-fixed frame is TEME
rotated by the IAU-82 Greenwich mean sidereal time (Vallado, Fundamentals of Astrodynamics,
4th ed., sec. 3.7: r_pef = ROT3(GMST82) r_teme; polar motion ignored); the model's inertial
frame turns into the Earth-fixed one by the Earth rotation angle, so r_eci = ROT3(GMST82 - ERA)
r_teme (about 0.33 deg in 2026).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import J2000_UNIX_S, SECONDS_PER_DAY
from .frames import earth_rotation_angle_rad, eci_to_ecef

UNIX_EPOCH_JD = 2440587.5  # Julian date of 1970-01-01T00:00:00Z
MAX_TLE_TEXT_BYTES = 2_000_000  # about 12,000 3-line sets


class TleError(ValueError):
    """A TLE text that cannot be read; `line` is the 1-based line number it is about."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class TleCatalog:
    """Satellites read from a TLE text: names, the sgp4 SatrecArray, epochs (unix s)."""

    names: list[str]
    satrecs: object
    epoch_unix_s: np.ndarray
    records: tuple = ()  # the Satrec of each set, for their mean elements

    @property
    def n(self) -> int:
        return len(self.names)


def _is_line(text: str, number: str) -> bool:
    return text.startswith(number + " ") and len(text) >= 69


def load_tles(text: str) -> TleCatalog:
    """Parse TLE text (2- or 3-line sets, comments, blank lines); TleError names the bad line."""
    from sgp4.api import Satrec, SatrecArray

    if len(text.encode("utf-8", "replace")) > MAX_TLE_TEXT_BYTES:
        raise TleError(1, f"the text is over {MAX_TLE_TEXT_BYTES} bytes")
    rows = [(k + 1, ln.rstrip()) for k, ln in enumerate(text.splitlines())]
    rows = [(k, ln) for k, ln in rows if ln.strip() and not ln.lstrip().startswith("#")]
    names, sats, i = [], [], 0
    while i < len(rows):
        name = None
        k, ln = rows[i]
        if not ln.startswith(("1 ", "2 ")):
            name, i = ln.strip().removeprefix("0 ").strip(), i + 1
        names.append(name or f"tle-{len(names) + 1:03d}")
        sats.append(_one_set(rows, i, Satrec))
        i += 2
    if not sats:
        raise TleError(max(len(text.splitlines()), 1), "no TLE found in the text")
    epochs = np.array([(s.jdsatepoch - UNIX_EPOCH_JD + s.jdsatepochF) * SECONDS_PER_DAY for s in sats])
    return TleCatalog(names, SatrecArray(sats), epochs, tuple(sats))


def _one_set(rows: list, i: int, satrec_type):
    """The Satrec of the set whose line 1 is rows[i]; TleError on anything else."""
    if i >= len(rows):
        raise TleError(rows[-1][0], "a name line with no TLE after it")
    (k1, l1), (k2, l2) = rows[i], rows[i + 1] if i + 1 < len(rows) else (rows[i][0] + 1, "")
    if not _is_line(l1, "1"):
        raise TleError(k1, f"expected line 1 of a TLE (69 columns, starting '1 '), got {l1[:30]!r}")
    if not _is_line(l2, "2"):
        raise TleError(k2, f"expected line 2 of the TLE begun on line {k1}, got {l2[:30]!r}")
    if l1[2:7] != l2[2:7]:
        raise TleError(k2, f"catalogue number {l2[2:7]!r} differs from line {k1}'s {l1[2:7]!r}")
    _check_fields(k1, l1, _LINE1_FIELDS)
    _check_fields(k2, l2, _LINE2_FIELDS)
    try:
        sat = satrec_type.twoline2rv(l1[:69], l2[:69])
    except (ValueError, IndexError) as exc:
        raise TleError(k1, f"unreadable elements: {exc}") from None
    return sat  # elements SGP4 cannot use (sat.error) load, and propagate() reports them not ok


# (name, first column, end column) of the numbers sgp4 would otherwise read as 0 without a word
_LINE1_FIELDS = (("epoch", 18, 32), ("mean motion derivative", 33, 43))
_LINE2_FIELDS = (("inclination", 8, 16), ("RAAN", 17, 25), ("eccentricity", 26, 33),
                 ("argument of perigee", 34, 42), ("mean anomaly", 43, 51), ("mean motion", 52, 63))


def _check_fields(line_no: int, line: str, fields) -> None:
    """TleError naming the first field of `line` that is not a number."""
    for name, lo, hi in fields:
        text = line[lo:hi].strip()
        try:
            float(text if name != "eccentricity" else "0." + text)
        except ValueError:
            raise TleError(line_no, f"unreadable {name} {text!r} (columns {lo + 1}-{hi})") from None


def gmst82_rad(unix_ut1_s: float) -> float:
    """IAU-82 Greenwich mean sidereal time (Vallado eq. 3-47), radians in [0, 2 pi)."""
    t = (float(unix_ut1_s) - J2000_UNIX_S) / (SECONDS_PER_DAY * 36525.0)
    seconds = 67310.54841 + (876600.0 * 3600.0 + 8640184.812866) * t + 0.093104 * t * t - 6.2e-6 * t ** 3
    return float(np.radians((seconds / 240.0) % 360.0))


def teme_to_eci(r_teme_km: np.ndarray, unix_s: float) -> np.ndarray:
    """TEME vectors (N, 3) km into the model's inertial frame at unix_s (UT1 ~ UTC)."""
    return eci_to_ecef(np.asarray(r_teme_km, dtype=np.float64), gmst82_rad(unix_s) - earth_rotation_angle_rad(unix_s))


def propagate(catalog: TleCatalog, unix_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Every satellite at unix_s with sgp4's array interface: (positions (N, 3) km in the model's
    inertial frame, ok (N,) bool). A satellite SGP4 fails on (decayed, elements gone bad) has
    ok False and its position NaN."""
    days = float(unix_s) / SECONDS_PER_DAY
    whole = np.floor(days)
    err, r, _v = catalog.satrecs.sgp4(np.array([UNIX_EPOCH_JD + whole]), np.array([days - whole]))
    ok = (err[:, 0] == 0) & np.all(np.isfinite(r[:, 0, :]), axis=1)
    pos = teme_to_eci(r[:, 0, :], unix_s)
    pos[~ok] = np.nan
    return pos, ok
