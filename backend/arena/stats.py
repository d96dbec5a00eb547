"""Means, 95 % t intervals and paired differences over seeds."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """Mean of n values and its two-sided 95 % Student-t confidence interval."""

    n: int
    mean: float | None
    lo: float | None
    hi: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def interval(values) -> Interval:
    """Mean and t interval of the non-missing values (lo = hi = mean for n = 1; None for n = 0)."""
    v = np.array([x for x in values if x is not None], dtype=np.float64)
    if len(v) == 0:
        return Interval(0, None, None, None)
    mean = float(np.mean(v))
    if len(v) == 1:
        return Interval(1, _r(mean), _r(mean), _r(mean))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, len(v) - 1) * np.std(v, ddof=1) / math.sqrt(len(v)))
    return Interval(len(v), _r(mean), _r(mean - half), _r(mean + half))


def paired(values, baseline) -> Interval:
    """Interval of the per-seed differences values[i] - baseline[i] (pairs with a None left out)."""
    return interval([a - b for a, b in zip(values, baseline) if a is not None and b is not None])


def _r(x: float) -> float:
    return round(x, 6)
