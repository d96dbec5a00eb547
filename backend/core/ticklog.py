"""Per-tick event buffer: exact counts, rare events as dicts, task events as columns.

Task events can number thousands a tick; they are stored as arrays and turned into dicts only
when a consumer iterates them (the server caps them per client, the headless run only counts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

EVENT_NAMES = (
    "task.created",
    "task.assigned",
    "task.completed",
    "task.dropped",
    "sat.energy_transfer_started",
    "sat.energy_transfer_ended",
    "drone.launched",
    "drone.arrived",
    "drone.charged",
    "drone.recalled",
    "alert.low_energy",
    "alert.overloaded",
    "alert.blackout_avoided",
    "contact.started",
    "contact.ended",
)


class TickEvents:
    """Events of one tick; `counts` is exact for every name in EVENT_NAMES."""

    def __init__(self, tick: int, sim_time: float):
        self.tick = tick
        self.sim_time = sim_time
        self.counts = dict.fromkeys(EVENT_NAMES, 0)
        self._items: list = []  # ("one", name, payload) or ("cols", name, n, builder)

    def emit(self, name: str, payload: dict) -> None:
        """Record one event."""
        self.counts[name] += 1
        self._items.append(("one", name, payload))

    def emit_columns(self, name: str, n: int, build: Callable[[int, dict], dict], columns: dict) -> None:
        """Record n events whose payload i is `build(i, columns)` (columns are copied)."""
        if n == 0:
            return
        self.counts[name] += n
        frozen = {k: np.array(v, copy=True) for k, v in columns.items()}
        self._items.append(("cols", name, n, build, frozen))

    def records(self, limit_per_kind: int | None = None) -> Iterator[tuple[str, dict]]:
        """(name, payload) in emission order, at most `limit_per_kind` per event name."""
        seen = dict.fromkeys(EVENT_NAMES, 0)
        for item in self._items:
            name = item[1]
            room = None if limit_per_kind is None else limit_per_kind - seen[name]
            if room is not None and room <= 0:
                continue
            if item[0] == "one":
                seen[name] += 1
                yield name, item[2]
                continue
            _, _, n, build, cols = item
            take = n if room is None else min(n, room)
            seen[name] += take
            for i in range(take):
                yield name, build(i, cols)

    def batches(self) -> Iterator[tuple[str, int, dict | None, dict | None]]:
        """(name, n, columns, payload) in emission order, every event, uncapped: a batch of n
        columnar events (task.*: `columns` as given to emit_columns, payload None) or one
        event (n 1, columns None). For consumers that keep everything (the recorder)."""
        for item in self._items:
            if item[0] == "one":
                yield item[1], 1, None, item[2]
            else:
                yield item[1], item[2], item[4], None
