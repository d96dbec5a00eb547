"""Small engines for core tests."""

from __future__ import annotations

import pytest

from backend.core.engine import Engine
from backend.core.scenario import Scenario


def small_engine(seed: int = 0, n_satellites: int = 60, n_drones: int = 6, **config) -> Engine:
    """A 60-satellite world, fast enough to step thousands of ticks in a test."""
    sc = Scenario().updated({"n_satellites": n_satellites, "planes": 6, "n_drones": n_drones})
    return Engine(config or None, sc, seed)


@pytest.fixture
def engine() -> Engine:
    return small_engine()
