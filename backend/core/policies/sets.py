"""Named policy sets: one placement, beaming and drone policy each, as config patches.

`v1` is the seed's rule for all three. A set named after a single policy changes that one and
keeps v1 for the others (beaming sets are beams_<name>, drone sets drones_<name>); `eclipse_aware`
combines trough_spread placement with predictive beaming (drones v1). `NAMES` lists what the arena
accepts.
"""

from __future__ import annotations

from .beaming import NAMES as BEAMS
from .drones import NAMES as DRONES
from .placement import NAMES as PLACEMENTS

SETS: dict[str, dict] = {
    "v1": {"placement_policy": "v1", "beam_policy": "v1", "drone_policy": "v1"},
    **{p: {"placement_policy": p, "beam_policy": "v1", "drone_policy": "v1"} for p in PLACEMENTS if p != "v1"},
    **{f"beams_{p}": {"placement_policy": "v1", "beam_policy": p, "drone_policy": "v1"} for p in BEAMS if p != "v1"},
    **{f"drones_{p}": {"placement_policy": "v1", "beam_policy": "v1", "drone_policy": p} for p in DRONES if p != "v1"},
    "eclipse_aware": {"placement_policy": "trough_spread", "beam_policy": "predictive", "drone_policy": "v1"},
}
NAMES = tuple(SETS)


def patch(name: str) -> dict:
    """The config patch of policy set `name`; ValueError naming the known sets otherwise."""
    if name not in SETS:
        raise ValueError(f"unknown policy set {name!r}; expected one of {', '.join(NAMES)}")
    return dict(SETS[name])
