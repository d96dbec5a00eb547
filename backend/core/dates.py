"""Simulated dates as ISO 8601 text: one spelling everywhere (UTC, milliseconds, `Z`).

The simulated date of sim time `t_s` is the scenario epoch (unix s) plus `t_s`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def iso_dates(unix_s: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC strings ('2026-03-20T12:00:00.000Z') of unix times in seconds, vectorised."""
    ms = np.rint(np.asarray(unix_s, dtype=np.float64) * 1000.0).astype("int64").astype("datetime64[ms]")
    return np.char.add(np.datetime_as_string(ms, unit="ms"), "Z")


def iso_date(unix_s: float) -> str:
    """ISO 8601 UTC string of one unix time in seconds (same rounding as `iso_dates`)."""
    when = _UNIX_EPOCH + timedelta(milliseconds=int(np.rint(float(unix_s) * 1000.0)))
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sim_iso(epoch_unix_s: float, t_s: float) -> str:
    """The simulated date of sim time `t_s` (s after the epoch) as ISO 8601."""
    return iso_date(epoch_unix_s + t_s)
