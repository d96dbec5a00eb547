"""Named arena scenarios: a world, a load multiplier and an optional change to the built engine.

Common random numbers: the engine's world and task stream depend only on (scenario, seed), never
on the policy, so the same seed gives every policy the same satellites and the same tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

SAMPLE_TLE = Path(__file__).resolve().parents[2] / "catalogues" / "sample.tle"  # 31 sets, README
FAILING_SHARE = 0.2  # share of satellites with failing panels
FAILING_FACTOR = 0.3  # their solar input, fraction of nominal


def _fail_panels(eng) -> None:
    """FAILING_SHARE of the satellites (drawn from the seed) keep FAILING_FACTOR of their solar input."""
    rng = np.random.default_rng([eng.seed, 7])
    hit = rng.random(eng.sats.n) < FAILING_SHARE
    eng.sats.solar_eu_s[hit] *= FAILING_FACTOR


@dataclass(frozen=True)
class ArenaScenario:
    """World overrides (backend/core/scenario.py keys), load multiplier and a post-build hook."""

    name: str
    doc: str
    world: dict = field(default_factory=dict)
    load_factor: float = 1.0
    prepare: Callable | None = None


SCENARIOS = {s.name: s for s in (
    ArenaScenario("default", "the default world at the given load"),
    ArenaScenario("2x", "the default world at twice the given load", load_factor=2.0),
    ArenaScenario("10k", "10,000 satellites in 40 planes", world={"n_satellites": 10000, "planes": 40}),
    ArenaScenario("failing_panels", f"{FAILING_SHARE:.0%} of satellites at {FAILING_FACTOR:.0%} solar input",
                  prepare=_fail_panels),
    *([ArenaScenario("tle", f"the TLE catalogue {SAMPLE_TLE.name}, propagated with SGP4",
                     world={"tle": SAMPLE_TLE.read_text()})] if SAMPLE_TLE.is_file() else []),
)}


def get(name: str) -> ArenaScenario:
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)}")
    return SCENARIOS[name]
