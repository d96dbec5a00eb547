"""Command validation: every command is checked whole before it is queued.

`validate(cmd, engine)` returns a normalised copy or raises FieldError naming the field and
the bad value; nothing is queued or changed on error. Socket and REST handlers reuse it.
"""

from __future__ import annotations

import math

from .params import FieldError
from .state import PRIORITIES

TASK_FIELDS = {"energy_need", "processing_power_needed", "priority", "origin"}


def _number(field: str, value, *, lo=None, hi=None, lo_open=False, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(field, f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise FieldError(field, f"expected a finite number, got {value!r}")
    if integer and value != int(value):
        raise FieldError(field, f"expected an integer, got {value!r}")
    below = lo is not None and (value <= lo if lo_open else value < lo)
    if below or (hi is not None and value > hi):
        left = "(" if lo_open else "["
        raise FieldError(field, f"{field}(={value!r}) must be within {left}{lo}, {hi}]")
    return int(value) if integer else float(value)


def _only(cmd: dict, allowed: set, required: set = frozenset()) -> None:
    for key in cmd:
        if key != "type" and key not in allowed:
            raise FieldError(key, f"unknown field; expected one of {sorted(allowed)}")
    for key in required:
        if key not in cmd:
            raise FieldError(key, "is required")


def entity_index(field: str, value, prefix: str, count: int) -> int:
    """Parse 'prefix-<i>' and check 0 <= i < count."""
    if not isinstance(value, str) or not value.startswith(prefix + "-") or not value[len(prefix) + 1:].isdigit():
        raise FieldError(field, f"expected an id like '{prefix}-0', got {value!r}")
    i = int(value[len(prefix) + 1:])
    if i >= count:
        raise FieldError(field, f"unknown {prefix} {value!r} (there are {count})")
    return i


def validate_task(cmd: dict) -> dict:
    """A Task minus task_id and created_at."""
    _only(cmd, TASK_FIELDS, {"energy_need", "processing_power_needed"})
    out = {
        "energy_need": _number("energy_need", cmd["energy_need"], lo=0.0, hi=1e9),
        "processing_power_needed": _number("processing_power_needed", cmd["processing_power_needed"],
                                           lo=0.0, lo_open=True, hi=1e12),
        "priority": cmd.get("priority", "medium"),
        "origin": None,
    }
    if out["priority"] not in PRIORITIES:
        raise FieldError("priority", f"expected one of {list(PRIORITIES)}, got {out['priority']!r}")
    origin = cmd.get("origin")
    if origin is not None:
        if not isinstance(origin, dict) or set(origin) != {"lat", "lon"}:
            raise FieldError("origin", f"expected {{'lat': deg, 'lon': deg}} or null, got {origin!r}")
        out["origin"] = {"lat": _number("origin.lat", origin["lat"], lo=-90.0, hi=90.0),
                         "lon": _number("origin.lon", origin["lon"], lo=-180.0, hi=180.0)}
    return out


def validate(cmd: dict, engine) -> dict:
    """Check one command against the engine's current config and sizes; return a clean copy."""
    if not isinstance(cmd, dict):
        raise FieldError("command", f"expected an object, got {type(cmd).__name__}")
    kind = cmd.get("type")
    check = _CHECKS.get(kind)
    if check is None:
        raise FieldError("type", f"unknown command type {kind!r}; expected one of {sorted(_CHECKS)}")
    out = check(cmd, engine)
    out["type"] = kind
    return out


def _smoke_start(cmd, engine):
    _only(cmd, {"qps", "burst"}, {"qps"})
    return {"qps": _number("qps", cmd["qps"], lo=0.0, lo_open=True, hi=engine.config.qps_max),
            "burst": _number("burst", cmd.get("burst", 1), lo=1, hi=100_000, integer=True)}


def _no_fields(cmd, engine):
    _only(cmd, set())
    return {}


def _set_config(cmd, engine):
    _only(cmd, {"config"}, {"config"})
    engine.config.updated(cmd["config"])  # raises FieldError on anything wrong
    return {"config": cmd["config"]}


def _reset(cmd, engine):
    _only(cmd, {"seed", "scenario"})
    out = {"seed": _number("seed", cmd.get("seed", engine.seed), lo=0, hi=2**63 - 1, integer=True)}
    scenario = cmd.get("scenario")
    out["scenario"] = engine.scenario if scenario is None else engine.base_scenario.updated(scenario)
    return out


def _step(cmd, engine):
    _only(cmd, {"ticks"})
    return {"ticks": _number("ticks", cmd.get("ticks", 1), lo=1, hi=1000, integer=True)}


def _launch(cmd, engine):
    _only(cmd, {"drone_id", "satellite_id"}, {"drone_id", "satellite_id"})
    return {"drone": entity_index("drone_id", cmd["drone_id"], "drone", engine.drones.n),
            "sat": entity_index("satellite_id", cmd["satellite_id"], "sat", engine.sats.n)}


def _drone_only(cmd, engine):
    _only(cmd, {"drone_id"}, {"drone_id"})
    return {"drone": entity_index("drone_id", cmd["drone_id"], "drone", engine.drones.n)}


def _set_satellite(cmd, engine):
    _only(cmd, {"satellite_id", "energy_pct", "solar_scale", "consumption_rate"}, {"satellite_id"})
    out = {"sat": entity_index("satellite_id", cmd["satellite_id"], "sat", engine.sats.n)}
    limits = {"energy_pct": (0.0, 100.0), "solar_scale": (0.0, 100.0), "consumption_rate": (0.0, 1e6)}
    for key, (lo, hi) in limits.items():
        if key in cmd:
            out[key] = _number(key, cmd[key], lo=lo, hi=hi)
    if len(out) == 1:
        raise FieldError("satellite_id", "nothing to set: give energy_pct, solar_scale or consumption_rate")
    return out


def _add_task(cmd, engine):
    return validate_task({k: v for k, v in cmd.items() if k != "type"})


_CHECKS = {
    "add_task": _add_task,
    "smoke_start": _smoke_start,
    "smoke_stop": _no_fields,
    "set_config": _set_config,
    "reset": _reset,
    "pause": _no_fields,
    "resume": _no_fields,
    "step": _step,
    "launch_drone": _launch,
    "recall_drone": _drone_only,
    "set_satellite": _set_satellite,
    "inject_fault": _drone_only,
}
