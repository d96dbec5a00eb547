"""Engine commands: one model per command body, every command checked whole before it is queued.

The REST routes and socket handlers validate their bodies with the same models (`BODIES`), so
a rule is written once. `validate(cmd, engine)` returns a normalised copy or raises FieldError
naming the field and the bad value; nothing is queued or changed on error. What a model cannot
know (the current qps_max, how many satellites exist) is checked here against the engine.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, ConfigDict, Field, model_validator

from .ids import EXAMPLE, BatteryId, SatId, parse_id
from .scenario import Scenario
from .validation import Conflict, FieldError, Strict, param, parse, partial_of

class Origin(Strict):
    """Where on the ground a task comes from."""

    lat: float = param(..., -90.0, 90.0, "deg", "latitude", example=10.0)
    lon: float = param(..., -180.0, 180.0, "deg", "longitude", example=20.0)


class TaskIn(Strict):
    """A task minus task_id and created_at."""

    energy_need: float = param(..., 0.0, 1e9, "EU", "energy drawn over the task's run", example=5.0)
    processing_power_needed: float = param(..., 0.0, 1e12, "work units", "work to do", exclusive_lo=True,
                                           example=40.0)
    priority: Literal["low", "medium", "high"] = Field("medium", description="placement priority")
    origin: Origin | None = Field(None, description="ground origin (optional; null: none)")


class SmokeStart(Strict):
    """Start (or retune) the load generator."""

    qps: float = param(..., 0.0, 1e6, "tasks / wall s", "generated rate, at most config smoke.qps_max",
                       exclusive_lo=True, example=50.0)
    burst: int = param(1, 1, 100_000, "tasks", "tasks per burst", example=10)


class Empty(Strict):
    """No fields."""


ScenarioPatch = partial_of(Scenario, "ScenarioPatch",
                           "A partial Scenario: only the fields given change (see GET /api/config docs).")


class Reset(Strict):
    """Back to the seed state; optionally with another seed or a changed scenario."""

    seed: int = param(None, 0, 2**63 - 1, "", "RNG seed (default: the current one)", example=7)
    scenario: ScenarioPatch = Field(None, description="partial scenario (default: the current one)",
                                    examples=[{"n_satellites": 600}])


class Step(Strict):
    """Advance the paused clock."""

    ticks: int = param(1, 1, 1000, "ticks", "ticks to advance while paused", example=5)


class Launch(Strict):
    """Send a drone to a satellite."""

    satellite_id: SatId = Field(..., description="target satellite, e.g. sat-007")


class SetSatellite(Strict):
    """Test and what-if hook: overwrite some of one satellite's state (at least one field)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    energy_pct: float = param(None, 0.0, 100.0, "% of capacity", "state of charge", example=15.0)
    solar_scale: float = param(None, 0.0, 100.0, "fraction of nominal", "panel output", example=0.0)
    consumption_rate: float = param(None, 0.0, 1e6, "EU / sim s", "base load", example=2.0)
    in_service: bool = Field(None, description="false fails the satellite (out of service: dark, chosen by no "
                             "task, beam or drone); true puts it back (a decayed TLE satellite stays lost)")

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise FieldError(None, "nothing to set: give energy_pct, solar_scale, consumption_rate "
                             "or in_service",
                             "missing_field")
        return self


class SetConfig(Strict):
    """Change part of the config (checked whole against the current config)."""

    config: dict = Field(..., description="partial config, as POST /api/config")


class SatCommand(SetSatellite):
    satellite_id: SatId


_BATTERY = Field(..., validation_alias=AliasChoices("battery_id", "drone_id"),
                 description="battery drone id (also accepted under its old name drone_id)")


class DroneCommand(Strict):
    battery_id: BatteryId = _BATTERY


class LaunchCommand(Launch):
    battery_id: BatteryId = _BATTERY


BODIES: dict[str, type[Strict]] = {
    "add_task": TaskIn, "smoke_start": SmokeStart, "smoke_stop": Empty, "set_config": SetConfig,
    "reset": Reset, "pause": Empty, "resume": Empty, "step": Step, "launch_drone": LaunchCommand,
    "recall_drone": DroneCommand, "set_satellite": SatCommand, "inject_fault": DroneCommand,
}


def entity_index(field: str, value, kind: str, count: int) -> int:
    """The array index of id `value` of `kind` (ids.py grammar), checked against `count`."""
    i = parse_id(kind, value)
    if i is None:
        raise FieldError(field, f"expected an id like '{EXAMPLE[kind]}', got {value!r}", "invalid_value")
    if i >= count:
        raise Conflict(field, f"unknown {kind} {value!r} (there are {count})", "invalid_value")
    return i


def validate(cmd: dict, engine) -> dict:
    """Check one command against the engine's current config and sizes; return a clean copy."""
    if not isinstance(cmd, dict):
        raise FieldError("command", f"expected an object, got {type(cmd).__name__}", "invalid_type")
    kind = cmd.get("type")
    model = BODIES.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise FieldError("type", f"unknown command type {kind!r}; expected one of {sorted(BODIES)}")
    body = parse(model, {k: v for k, v in cmd.items() if k != "type"})
    out = _AGAINST_ENGINE.get(kind, _plain)(body, engine)
    out["type"] = kind
    return out


def _plain(body: Strict, engine) -> dict:
    return body.model_dump()


def _add_task(body: TaskIn, engine) -> dict:
    return body.model_dump()


def _smoke_start(body: SmokeStart, engine) -> dict:
    if body.qps > engine.config.qps_max:
        raise Conflict("qps", f"qps(={body.qps!r}) must be within (0.0, {engine.config.qps_max}] "
                         "(config smoke.qps_max)", "out_of_range")
    return {"qps": body.qps, "burst": body.burst}


def _set_config(body: SetConfig, engine) -> dict:
    engine.config.updated(body.config)  # raises FieldError on anything wrong
    return {"config": body.config}


def _reset(body: Reset, engine) -> dict:
    seed = engine.seed if body.seed is None else body.seed
    patch = None if body.scenario is None else body.scenario.model_dump(exclude_unset=True)
    return {"seed": seed, "scenario": engine.scenario if patch is None else engine.base_scenario.updated(patch)}


def _launch(body: LaunchCommand, engine) -> dict:
    return {"drone": entity_index("battery_id", body.battery_id, "battery", engine.drones.n),
            "sat": entity_index("satellite_id", body.satellite_id, "sat", engine.sats.n)}


def _drone_only(body: DroneCommand, engine) -> dict:
    return {"drone": entity_index("battery_id", body.battery_id, "battery", engine.drones.n)}


def _set_satellite(body: SatCommand, engine) -> dict:
    out = body.model_dump(exclude_unset=True)
    out["sat"] = entity_index("satellite_id", out.pop("satellite_id"), "sat", engine.sats.n)
    return out


_AGAINST_ENGINE = {"add_task": _add_task, "smoke_start": _smoke_start, "set_config": _set_config,
                   "reset": _reset, "launch_drone": _launch, "recall_drone": _drone_only,
                   "inject_fault": _drone_only, "set_satellite": _set_satellite}
