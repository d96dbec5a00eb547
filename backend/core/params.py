"""Simulation parameters: one schema with units, defaults and ranges, validated whole.

`SimConfig` is immutable. `SimConfig.updated(partial)` validates a partial update (nested
groups or flat keys) and returns a new config or raises ValueError naming the field; the old
config is never half-changed. Pure: no environment or file access (see backend/config.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType


class FieldError(ValueError):
    """A rejected value; `field` names the offending key (dotted for nested input)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if not message.startswith(field) else message)
        self.field = field


@dataclass(frozen=True)
class Param:
    """One knob: default value, inclusive range, unit and a one-line meaning."""

    default: float | int | bool
    lo: float | None
    hi: float | None
    unit: str
    doc: str


def _p(default, lo, hi, unit, doc):
    return Param(default, lo, hi, unit, doc)


SCHEMA: dict[str, dict[str, Param]] = {
    "time": {
        "tick_interval": _p(0.1, 0.01, 5.0, "wall s", "wall-clock seconds between server ticks"),
        "time_scale": _p(30.0, 0.1, 10000.0, "sim s / wall s", "simulated seconds per wall second"),
    },
    "smoke": {
        "qps_max": _p(20000.0, 1.0, 1.0e6, "tasks / wall s", "largest qps the generator accepts"),
        "task_energy_min": _p(2.0, 0.0, 1.0e6, "EU", "smallest energy_need drawn"),
        "task_energy_max": _p(20.0, 0.0, 1.0e6, "EU", "largest energy_need drawn"),
        "task_work_min": _p(20.0, 0.001, 1.0e6, "work units", "smallest processing_power_needed"),
        "task_work_max": _p(200.0, 0.001, 1.0e6, "work units", "largest processing_power_needed"),
        "p_high": _p(0.15, 0.0, 1.0, "fraction", "share of generated tasks with high priority"),
        "p_medium": _p(0.35, 0.0, 1.0, "fraction", "share with medium priority (rest low)"),
        "origin_max_lat_deg": _p(60.0, 0.0, 90.0, "deg", "origins drawn area-uniform within +-this"),
    },
    "delegator": {
        "w1": _p(0.35, 0.0, 1.0, "", "weight of available energy"),
        "w2": _p(0.25, 0.0, 1.0, "", "weight of spare processing"),
        "w3": _p(0.20, 0.0, 1.0, "", "weight of queue room (1 - queue fill)"),
        "w4": _p(0.15, 0.0, 1.0, "", "weight of distance cost (subtracted)"),
        "w5": _p(0.05, 0.0, 1.0, "", "weight of the priority boost"),
        "energy_margin_pct": _p(5.0, 0.0, 100.0, "% of capacity", "energy left after a task"),
        "max_queue": _p(8, 1, 1000, "tasks", "tasks on board a satellite at most"),
        "max_backlog_s": _p(300.0, 1.0, 1.0e6, "sim s", "work on board, in seconds, at most"),
        "min_elevation_deg": _p(0.0, -90.0, 89.0, "deg", "below this, a satellite is ineligible"),
        "max_wait_s": _p(120.0, 0.0, 1.0e6, "sim s", "queued longer: dropped no_eligible_satellite"),
        "queue_capacity": _p(100000, 1, 10000000, "tasks", "pending queue size (overflow: queue_full)"),
    },
    "satellite": {
        "restart_pct": _p(10.0, 0.0, 100.0, "% of capacity", "a blacked-out satellite restarts above"),
        "low_watermark_pct": _p(25.0, 0.0, 100.0, "% of capacity", "alert.low_energy below this"),
        "low_hysteresis_pct": _p(5.0, 0.0, 100.0, "% of capacity", "re-arm low alert above mark + this"),
        "overload_queue_frac": _p(0.9, 0.0, 1.0, "fraction", "alert.overloaded at this queue fill"),
        "horizon_s": _p(1800.0, 0.0, 1.0e6, "sim s", "prediction horizon of predicted_energy"),
    },
    "beam": {
        "low_pct": _p(25.0, 0.0, 100.0, "% of capacity", "receiver must be below"),
        "high_pct": _p(70.0, 0.0, 100.0, "% of capacity", "giver must be above to start"),
        "stop_pct": _p(60.0, 0.0, 100.0, "% of capacity", "giver never goes below"),
        "max_distance_km": _p(3000.0, 0.0, 1.0e6, "km", "Dmax, longest beam"),
        "rate_eu_per_s": _p(4.0, 0.0, 1.0e6, "EU / sim s", "energy leaving the giver per second"),
        "efficiency": _p(0.85, 0.0, 1.0, "fraction", "share of beamed energy that arrives"),
    },
    "drone": {
        "speed_km_s": _p(12.0, 0.001, 1000.0, "km / sim s", "drone flight speed"),
        "reserve_per_km": _p(0.02, 0.0, 1.0e3, "EU / km", "mobility reserve spent per km flown"),
        "launch_margin_pct": _p(10.0, 0.0, 100.0, "% of reserve capacity", "reserve kept spare"),
        "charge_rate_eu_per_s": _p(5.0, 0.001, 1.0e6, "EU / sim s", "payload delivered when docked"),
        "ground_charge_eu_per_s": _p(10.0, 0.001, 1.0e6, "EU / sim s", "recharge at a station"),
        "route_pct": _p(20.0, 0.0, 100.0, "% of capacity", "targets predicted below this"),
        "done_pct": _p(80.0, 0.0, 100.0, "% of capacity", "stop charging a target at this"),
        "dock_km": _p(5.0, 0.001, 1.0e4, "km", "distance at which a drone docks"),
    },
}

FLAT_KEYS: dict[str, str] = {k: g for g, ps in SCHEMA.items() for k in ps}


def _check_value(key: str, value, spec: Param):
    """Return `value` coerced to the param's type or raise ValueError naming the key."""
    if isinstance(spec.default, bool):
        if not isinstance(value, bool):
            raise FieldError(key, f"expected a boolean, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(key, f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise FieldError(key, f"expected a finite number, got {value!r}")
    if isinstance(spec.default, int):
        if float(value) != int(value):
            raise FieldError(key, f"expected an integer, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise FieldError(key, f"{key}(={value!r}) must be within [{spec.lo}, {spec.hi}] {spec.unit}".rstrip())
    return value


def _flatten(partial) -> dict:
    """Accept {"group": {key: v}} and {key: v}; return {key: v}; reject unknown names."""
    if not isinstance(partial, dict):
        raise FieldError("config", f"expected an object, got {type(partial).__name__}")
    flat: dict = {}
    for name, value in partial.items():
        if name in SCHEMA:
            if not isinstance(value, dict):
                raise FieldError(name, f"expected an object with keys from {sorted(SCHEMA[name])}")
            for key, v in value.items():
                if key not in SCHEMA[name]:
                    raise FieldError(f"{name}.{key}", "unknown config key")
                flat[key] = v
        elif name in FLAT_KEYS:
            flat[name] = value
        else:
            raise FieldError(name, "unknown config key")
    return flat


class SimConfig:
    """Immutable validated parameter set; attribute access by flat key (cfg.w1)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict | None = None):
        base = {k: SCHEMA[g][k].default for k, g in FLAT_KEYS.items()}
        checked = {k: _check_value(k, v, SCHEMA[FLAT_KEYS[k]][k]) for k, v in _flatten(values or {}).items()}
        base.update(checked)
        _check_cross(base)
        object.__setattr__(self, "_values", MappingProxyType(base))

    def __getattr__(self, key):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        raise AttributeError("SimConfig is immutable; use updated()")

    def __eq__(self, other):
        return isinstance(other, SimConfig) and dict(self._values) == dict(other._values)

    def updated(self, partial) -> "SimConfig":
        """A new config with `partial` applied; raises ValueError and changes nothing if bad."""
        merged = dict(self._values)
        merged.update(_flatten(partial))
        return SimConfig(merged)

    def to_dict(self) -> dict:
        """Nested groups, as GET /api/config shows them."""
        return {g: {k: self._values[k] for k in ps} for g, ps in SCHEMA.items()}

    def flat(self) -> dict:
        return dict(self._values)


def _check_cross(v: dict) -> None:
    """Relations between keys that single ranges cannot express."""
    pairs = [
        ("task_energy_min", "task_energy_max"),
        ("task_work_min", "task_work_max"),
        ("stop_pct", "high_pct"),
        ("low_pct", "stop_pct"),
    ]
    for lo, hi in pairs:
        if v[lo] > v[hi]:
            raise FieldError(lo, f"{lo}(={v[lo]!r}) must not exceed {hi}(={v[hi]!r})")
    if v["p_high"] + v["p_medium"] > 1.0:
        raise FieldError("p_high", f"p_high + p_medium(={v['p_high'] + v['p_medium']!r}) must be <= 1")


def schema_table() -> list[dict]:
    """Rows of (group, key, default, range, unit, doc) for docs and OpenAPI."""
    return [
        {"group": g, "key": k, "default": p.default, "min": p.lo, "max": p.hi, "unit": p.unit, "doc": p.doc}
        for g, ps in SCHEMA.items()
        for k, p in ps.items()
    ]
