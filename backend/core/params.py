"""Simulation parameters: one pydantic model per group, each field with unit, default, range
and meaning; validated whole.

`SimConfig` is immutable. `SimConfig.updated(partial)` validates a partial update (nested
groups or flat keys) and returns a new config or raises FieldError naming the key; the old
config is never half-changed. Pure: no environment or file access (see backend/config.py).
"""

from __future__ import annotations

from types import MappingProxyType

from typing import Literal

from pydantic import BaseModel, Field, create_model, model_validator

from .validation import Conflict, FieldError, Strict, param, parse, partial_of

__all__ = ["FieldError", "GROUPS", "SCHEMA", "FLAT_KEYS", "SEED_ALIASES", "SimConfig", "ConfigPatch", "ConfigView",
           "schema_table"]


class TimeParams(Strict):
    """The clock."""

    tick_interval: float = param(0.1, 0.01, 5.0, "wall s", "wall-clock seconds between server ticks")
    time_scale: float = param(30.0, 0.1, 10000.0, "sim s / wall s", "simulated seconds per wall second")


class SmokeParams(Strict):
    """The load generator's draws."""

    qps_max: float = param(20000.0, 1.0, 1.0e6, "tasks / wall s", "largest qps the generator accepts")
    task_energy_min: float = param(2.0, 0.0, 1.0e6, "EU", "smallest energy_need drawn")
    task_energy_max: float = param(20.0, 0.0, 1.0e6, "EU", "largest energy_need drawn")
    task_work_min: float = param(20.0, 0.001, 1.0e6, "work units", "smallest processing_power_needed")
    task_work_max: float = param(200.0, 0.001, 1.0e6, "work units", "largest processing_power_needed")
    p_high: float = param(0.15, 0.0, 1.0, "fraction", "share of generated tasks with high priority")
    p_medium: float = param(0.35, 0.0, 1.0, "fraction", "share with medium priority (rest low)")
    origin_max_lat_deg: float = param(60.0, 0.0, 90.0, "deg", "origins drawn area-uniform within +-this")

    @model_validator(mode="after")
    def _ordered(self):
        _not_above(self, "task_energy_min", "task_energy_max")
        _not_above(self, "task_work_min", "task_work_max")
        if self.p_high + self.p_medium > 1.0:
            raise Conflict("p_high", f"p_high + p_medium(={self.p_high + self.p_medium!r}) must be <= 1",
                             "out_of_range")
        return self


class DelegatorParams(Strict):
    """Task placement: score weights and eligibility."""

    w1: float = param(0.35, 0.0, 1.0, "", "weight of available energy")
    w2: float = param(0.25, 0.0, 1.0, "", "weight of spare processing")
    w3: float = param(0.20, 0.0, 1.0, "", "weight of queue room (1 - queue fill)")
    w4: float = param(0.15, 0.0, 1.0, "", "weight of distance cost (subtracted)")
    w5: float = param(0.05, 0.0, 1.0, "", "weight of the priority boost")
    energy_margin_pct: float = param(5.0, 0.0, 100.0, "% of capacity", "energy left after a task")
    max_queue: int = param(8, 1, 1000, "tasks", "tasks on board a satellite at most")
    max_backlog_s: float = param(300.0, 1.0, 1.0e6, "sim s", "work on board, in seconds, at most")
    min_elevation_deg: float = param(0.0, -90.0, 89.0, "deg", "below this, a satellite is ineligible")
    max_wait_s: float = param(120.0, 0.0, 1.0e6, "sim s", "queued longer: dropped no_eligible_satellite")
    queue_capacity: int = param(100000, 1, 10000000, "tasks", "pending queue size (overflow: queue_full)")


class SatelliteParams(Strict):
    """Blackout, alerts and prediction."""

    restart_pct: float = param(10.0, 0.0, 100.0, "% of capacity", "a blacked-out satellite restarts above")
    low_watermark_pct: float = param(25.0, 0.0, 100.0, "% of capacity", "alert.low_energy below this")
    low_hysteresis_pct: float = param(5.0, 0.0, 100.0, "% of capacity", "re-arm low alert above mark + this")
    overload_queue_frac: float = param(0.9, 0.0, 1.0, "fraction", "alert.overloaded at this queue fill")
    horizon_s: float = param(1800.0, 0.0, 1.0e6, "sim s", "prediction horizon of predicted_energy")


class BeamParams(Strict):
    """Satellite-to-satellite energy beams."""

    low_pct: float = param(25.0, 0.0, 100.0, "% of capacity", "receiver must be below")
    high_pct: float = param(70.0, 0.0, 100.0, "% of capacity", "giver must be above to start")
    stop_pct: float = param(60.0, 0.0, 100.0, "% of capacity", "giver never goes below")
    max_distance_km: float = param(3000.0, 0.0, 1.0e6, "km", "Dmax, longest beam")
    rate_eu_per_s: float = param(4.0, 0.0, 1.0e6, "EU / sim s", "energy leaving the giver per second")
    efficiency: float = param(0.85, 0.0, 1.0, "fraction", "share of beamed energy that arrives")

    @model_validator(mode="after")
    def _ordered(self):
        _not_above(self, "stop_pct", "high_pct")
        _not_above(self, "low_pct", "stop_pct")
        return self


class DroneParams(Strict):
    """Charging drones."""

    speed_km_s: float = param(12.0, 0.001, 1000.0, "km / sim s", "drone flight speed")
    reserve_per_km: float = param(0.02, 0.0, 1.0e3, "EU / km", "mobility reserve spent per km flown")
    launch_margin_pct: float = param(10.0, 0.0, 100.0, "% of reserve capacity", "reserve kept spare")
    charge_rate_eu_per_s: float = param(5.0, 0.001, 1.0e6, "EU / sim s", "payload delivered when docked")
    ground_charge_eu_per_s: float = param(10.0, 0.001, 1.0e6, "EU / sim s", "recharge at a station")
    route_pct: float = param(20.0, 0.0, 100.0, "% of capacity", "targets predicted below this")
    done_pct: float = param(80.0, 0.0, 100.0, "% of capacity", "stop charging a target at this")
    dock_km: float = param(5.0, 0.001, 1.0e4, "km", "distance at which a drone docks")


PlacementName = Literal["v1", "random", "least_loaded", "nearest", "round_robin", "lookahead", "trough_guard",
                        "trough_spread"]
BeamName = Literal["v1", "assignment", "predictive"]
DroneName = Literal["v1", "nearest", "predictive"]


class PolicyParams(Strict):
    """Decision policies (backend/core/policies): v1 is the seed's rule for each."""

    placement_policy: PlacementName = Field(
        "v1", description="task placement: v1 score, random eligible, least_loaded, nearest, round_robin, "
                          "lookahead (predicted energy, eclipse included), trough_guard / trough_spread "
                          "(v1 score / least loaded among satellites keeping the margin through the next eclipse)")
    beam_policy: BeamName = Field(
        "v1", description="beaming: v1 urgency greedy, assignment (givers to receivers maximising "
                          "the energy the new beams deliver), predictive (also receivers predicted below "
                          "low_pct before their next eclipse ends)")
    drone_policy: DroneName = Field(
        "v1", description="drone routing: v1 need order, nearest (closest target first), "
                          "predictive (largest predicted deficit first)")


def _not_above(group: BaseModel, lo: str, hi: str) -> None:
    a, b = getattr(group, lo), getattr(group, hi)
    if a > b:
        raise Conflict(lo, f"{lo}(={a!r}) must not exceed {hi}(={b!r})", "out_of_range")


GROUPS: dict[str, type[Strict]] = {"time": TimeParams, "smoke": SmokeParams, "delegator": DelegatorParams,
                                   "satellite": SatelliteParams, "beam": BeamParams, "drone": DroneParams,
                                   "policy": PolicyParams}
SCHEMA = {g: model.model_fields for g, model in GROUPS.items()}  # group -> {key: FieldInfo}
FLAT_KEYS: dict[str, str] = {k: g for g, fields in SCHEMA.items() for k in fields}
# The seed's names for some keys (flat only): the one place they map onto the grouped config.
SEED_ALIASES: dict[str, str] = {
    "beam_rate": "rate_eu_per_s", "dmax": "max_distance_km", "beam_efficiency": "efficiency",
    "low_threshold": "low_pct", "high_threshold": "high_pct", "stop_threshold": "stop_pct",
    "max_wait": "max_wait_s", "horizon": "horizon_s",
}


def _bound(f, name: str):
    for m in f.metadata:
        if hasattr(m, name):
            return getattr(m, name)
    return None


_PATCHES = {g: partial_of(m, f"{m.__name__}Patch", m.__doc__) for g, m in GROUPS.items()}
ConfigPatch = create_model(
    "ConfigPatch", __base__=Strict,
    __doc__="A partial config: nested groups ({\"delegator\": {\"w1\": 0.4}}) or flat keys ({\"w1\": 0.4}); "
            "validated whole, applied between ticks, nothing changes when any key is bad.",
    **{g: (p, None) for g, p in _PATCHES.items()},
    **{k: (_PATCHES[g].model_fields[k].annotation, _PATCHES[g].model_fields[k]) for k, g in FLAT_KEYS.items()},
    **{a: (_PATCHES[FLAT_KEYS[k]].model_fields[k].annotation, _PATCHES[FLAT_KEYS[k]].model_fields[k])
       for a, k in SEED_ALIASES.items()})
ConfigView = create_model("ConfigView", __base__=Strict, __doc__="The whole config, by group.",
                          **{g: (m, ...) for g, m in GROUPS.items()})


def _set_once(flat: dict, key: str, value, name: str) -> None:
    """flat[key] = value; a key already set under another name (nested, flat or the seed's) is a
    Conflict: each spelling is valid, not both in one update."""
    if key in flat:
        raise Conflict(name, f"{name} sets {key}, which this update already sets", "invalid_value")
    flat[key] = value


def _flatten(partial) -> dict:
    """Accept {"group": {key: v}}, {key: v} and the seed's flat names (SEED_ALIASES);
    return {key: v}; reject unknown names and a key given twice under two names."""
    if not isinstance(partial, dict):
        raise FieldError("config", f"expected an object, got {type(partial).__name__}", "invalid_type")
    flat: dict = {}
    for name, value in partial.items():
        if name in GROUPS:
            if not isinstance(value, dict):
                raise FieldError(name, f"expected an object with keys from {sorted(SCHEMA[name])}",
                                 "invalid_type")
            for key, v in value.items():
                if key not in SCHEMA[name]:
                    raise FieldError(f"{name}.{key}", "unknown config key", "unknown_field")
                _set_once(flat, key, v, f"{name}.{key}")
        elif name in FLAT_KEYS or name in SEED_ALIASES:
            _set_once(flat, SEED_ALIASES.get(name, name), value, name)
        else:
            raise FieldError(name, "unknown config key", "unknown_field")
    return flat


def _as_sent(exc: FieldError, partial: dict) -> FieldError:
    """The error naming a key by the seed's name when that is how the update spelt it."""
    alias = next((a for a, k in SEED_ALIASES.items() if k == exc.field and a in partial), None)
    if alias is None:
        return exc
    return type(exc)(alias, f"{alias} (= {exc.field}): {str(exc).removeprefix(exc.field + ': ')}", exc.code)


class SimConfig:
    """Immutable validated parameter set; attribute access by flat key (cfg.w1)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict | None = None):
        flat = _flatten(values or {})
        out: dict = {}
        for group, model in GROUPS.items():
            checked = parse(model, {k: v for k, v in flat.items() if FLAT_KEYS[k] == group})
            out.update(checked.model_dump())
        object.__setattr__(self, "_values", MappingProxyType(out))

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
        """A new config with `partial` applied; raises FieldError and changes nothing if bad."""
        merged = dict(self._values)
        merged.update(_flatten(partial))
        try:
            return SimConfig(merged)
        except FieldError as exc:
            raise _as_sent(exc, partial) from None

    def to_dict(self) -> dict:
        """Nested groups, as GET /api/config shows them."""
        return {g: {k: self._values[k] for k in fields} for g, fields in SCHEMA.items()}

    def flat(self) -> dict:
        return dict(self._values)


def schema_table() -> list[dict]:
    """Rows of (group, key, default, range, unit, doc) for docs and .env.example."""
    return [
        {"group": g, "key": k, "default": f.default, "min": _bound(f, "ge"), "max": _bound(f, "le"),
         "unit": (f.json_schema_extra or {}).get("unit", ""), "doc": f.description.rsplit(" [", 1)[0]}
        for g, fields in SCHEMA.items()
        for k, f in fields.items()
    ]
