"""Satellite and task ids as the recorder stores them (integers) and shows them (strings)."""

from __future__ import annotations

import re

_SAT = re.compile(r"sat-([0-9]{1,9})", re.ASCII)


def sat_index(text) -> int | None:
    """'sat-7' -> 7 (the engine's index); None for anything else."""
    m = _SAT.fullmatch(text) if isinstance(text, str) else None
    return int(m.group(1)) if m else None


def sat_name(index) -> str | None:
    return None if index is None else f"sat-{int(index)}"


def task_name(number) -> str | None:
    return None if number is None else f"task-{int(number)}"
