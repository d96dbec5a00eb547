"""Satellite and task ids as the recorder stores them (integers) and shows them (strings).

The grammar is backend/core/ids.py's (`sat-001` is index 0); this module only adapts None."""

from __future__ import annotations

from backend.core import ids


def sat_index(text) -> int | None:
    """'sat-008' -> 7 (the engine's index); None for anything else."""
    return ids.parse_id("sat", text)


def sat_name(index) -> str | None:
    return None if index is None else ids.sat_id(int(index))


def task_name(number) -> str | None:
    return None if number is None else ids.task_id(int(number))
