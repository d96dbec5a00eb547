"""Entity ids in the seed's style: the one grammar, formatted and parsed only here.

Satellites, battery drones and ground stations are numbered from 1 and zero-padded to at least
three digits: array index 0 is `sat-001`, index 998 is `sat-999`, index 999 is `sat-1000`.
Tasks keep their counter as is: `task-0`, `task-1`, ...

Parsing accepts only the canonical spelling, so every entity has exactly one id: `sat-1`,
`sat-01`, `sat-0001`, `sat-000`, `sat-٣` (non-ASCII digits), `SAT-001`, `sat-001\\n` and
`sat-001 ` are all unknown. Numbers are capped at 12 digits.
"""

from __future__ import annotations

import re
from typing import Annotated

import numpy as np
from pydantic import Field

PREFIX = {"sat": "sat", "battery": "bat", "station": "gs", "task": "task"}
NOUN = {"sat": "satellite", "battery": "battery drone", "station": "ground station", "task": "task"}
EXAMPLE = {"sat": "sat-001", "battery": "bat-001", "station": "gs-001", "task": "task-0"}

PADDED_NUMBER = r"(?:00[1-9]|0[1-9][0-9]|[1-9][0-9]{2,11})"  # 1-based, >= 3 digits, no extra zeros
COUNTER_NUMBER = r"(?:0|[1-9][0-9]{0,11})"  # 0-based, no leading zeros
_NUMBER = {"sat": PADDED_NUMBER, "battery": PADDED_NUMBER, "station": PADDED_NUMBER, "task": COUNTER_NUMBER}
PATTERN = {kind: rf"{PREFIX[kind]}-({_NUMBER[kind]})" for kind in PREFIX}
_RE = {kind: re.compile(p, re.ASCII) for kind, p in PATTERN.items()}


def format_id(kind: str, index: int) -> str:
    """The id of array index `index` (0-based) of `kind` ('sat', 'battery', 'station', 'task')."""
    if kind == "task":
        return f"task-{int(index)}"
    return f"{PREFIX[kind]}-{int(index) + 1:03d}"


def format_ids(kind: str, index: np.ndarray) -> list[str]:
    """`format_id` over an integer array (one pass, for views of many entities)."""
    return [format_id(kind, i) for i in np.asarray(index, dtype=np.int64).tolist()]


def optional_id(kind: str, index: int) -> str | None:
    """`format_id`, or None for a negative index (the arrays' "none")."""
    return format_id(kind, index) if index >= 0 else None


def sat_id(i: int) -> str:
    return format_id("sat", i)


def battery_id(j: int) -> str:
    return format_id("battery", j)


def station_id(k: int) -> str:
    return format_id("station", k)


def task_id(n: int) -> str:
    return format_id("task", n)


def parse_id(kind: str, text) -> int | None:
    """The 0-based array index of a canonical id of `kind`, or None for anything else."""
    m = _RE[kind].fullmatch(text) if isinstance(text, str) else None
    if m is None:
        return None
    n = int(m.group(1))
    return n if kind == "task" else n - 1


def id_type(kind: str):
    """A string field holding a canonical id of `kind` (for pydantic models and OpenAPI)."""
    return Annotated[str, Field(pattern=rf"^{PATTERN[kind]}$", max_length=32, examples=[EXAMPLE[kind]],
                                description=f"{NOUN[kind]} id, e.g. {EXAMPLE[kind]}")]


SatId = id_type("sat")
BatteryId = id_type("battery")
StationId = id_type("station")
TaskId = id_type("task")
