"""Response models of the REST routes (request models live with the engine commands).

Open models (`extra="allow"`): they fix the type of every field they name, and a response may
carry more (the snapshot grows as features land); the OpenAPI document and the schemathesis
response checks use them. Units as in docs/api.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.core.params import ConfigView
from backend.utils.schema import QueryInt, QueryModel, name_list

Number = float | int


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class LatLonAlt(Open):
    lat: Number = Field(description="deg")
    lon: Number = Field(description="deg")
    alt: Number = Field(description="km above the equatorial radius")


class TaskOrigin(Open):
    lat: Number
    lon: Number


class Task(Open):
    """One task as the engine reports it."""

    task_id: str = Field(examples=["task-0"])
    created_at: str = Field(description="ISO 8601 simulated date", examples=["2026-03-20T12:00:00.000Z"])
    created_at_s: Number = Field(description="sim s after the epoch")
    energy_need: Number = Field(description="EU")
    processing_power_needed: Number = Field(description="work units")
    priority: Literal["low", "medium", "high"]
    origin: TaskOrigin | None
    status: str = Field(description="queued, running, completed or dropped")
    satellite_id: str | None


class RunningTask(Open):
    """A task running on a satellite."""

    task_id: str = Field(examples=["task-0"])
    energy_need: Number = Field(description="EU")
    started_at: str = Field(description="ISO 8601 simulated date of assignment",
                            examples=["2026-03-20T12:00:00.000Z"])


class Satellite(Open):
    """One satellite (GET /api/state?fields=... keeps only the fields asked for)."""

    satellite_id: str = Field(None, examples=["sat-007"])
    position: LatLonAlt = None
    current_tasks: list[RunningTask] = None
    energy_amount: Number = Field(None, description="EU")
    max_energy: Number = Field(None, description="EU")
    energy_pct: Number = Field(None, description="% of capacity")
    sunlit: bool = Field(None, description="some of the solar disk is visible")
    sun_fraction: Number = Field(None, description="visible fraction of the solar disk, 0 (umbra) to 1")
    in_service: bool = Field(None, description="False once SGP4 lost the satellite (decayed TLE)")
    blackout: bool = None
    queue_length: int = None


class Drone(Open):
    """One battery drone (`drone_id` repeats `battery_id`, its name before the seed's)."""

    battery_id: str = Field(examples=["bat-001"])
    drone_id: str = Field(examples=["bat-001"])
    station_id: str = Field(examples=["gs-001"])
    reserve_battery: Number = Field(description="EU of mobility reserve")
    battery: Number = Field(description="EU of payload")
    position: LatLonAlt
    status: str
    target: dict | None


class Smoke(Open):
    """The load generator."""

    running: bool
    qps: Number = Field(description="tasks / wall s")
    burst: int = Field(description="tasks per burst")


class Snapshot(Open):
    """The simulation state (GET /api/state, the socket `state` event)."""

    tick: int
    sim_time: Number = Field(description="sim s since the epoch")
    sim_date: str
    paused: bool
    n_satellites: int
    n_drones: int
    sat_offset: int = Field(ge=0, description="index of the first satellite listed")
    sat_limit: int = Field(ge=0, description="satellites listed (0 past the end)")
    satellites: list[Satellite]
    drones: list[Drone]
    smoke: Smoke


class Clock(Open):
    """Where the simulation stands after the command was applied."""

    tick: int
    sim_time: Number
    sim_date: str
    paused: bool
    dt: Number = Field(description="sim s per tick")
    seed: int
    n_satellites: int
    n_drones: int


class LoopHealth(Open):
    alive: bool
    restarts: int
    restarts_recent: int
    last_error: str | None


class Health(Open):
    """Loops alive, last tick age, overruns; status 'unhealthy' comes with HTTP 503."""

    status: Literal["ok", "degraded", "unhealthy"]
    problems: list[str]
    reasons: list[str] = Field(description="why degraded")
    loops: dict[str, LoopHealth]
    last_tick_age_s: Number
    last_tick_ms: Number = Field(description="wall ms of the last step")
    tick: int
    seq: int = Field(description="ticks published since start")
    overruns: int = Field(description="ticks that took longer than tick_interval")
    real_time_factor: Number | None = Field(description="achieved / requested sim speed (null while paused)")


class FaultIn(BaseModel):
    """Make a loop raise (tests only)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    loop: Literal["tick", "fanout"]
    times: int = Field(1, ge=1, le=1000, description="consecutive failures")


class SlowIn(BaseModel):
    """Slow the next ticks down (tests only)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
    ticks: int = Field(..., ge=0, le=100000, description="ticks to slow (0: stop)")
    seconds: float = Field(..., ge=0.0, le=60.0, description="extra wall s per tick")


class CommandEntry(Open):
    """A command's ledger entry (GET /api/commands/<id>; the 202 of a wait that timed out)."""

    command_id: str = Field(examples=["cmd-1"])
    status: Literal["pending", "applied", "rejected"]


class FaultOut(Open):
    armed: dict


SAT_FIELDS = ("satellite_id", "plane", "slot", "position", "energy_amount", "max_energy",
              "energy_pct", "consumption_rate", "solar_rate", "sunlit", "sun_fraction", "in_service", "blackout",
              "processing_capacity", "current_tasks", "queue_length", "committed_energy",
              "backlog_work", "giving_energy", "beam_peer", "receiving_from", "predicted_energy",
              "predicted_pct", "topup_requested")


class StateQuery(QueryModel):
    """Paging and filtering of GET /api/state."""

    sat_offset: QueryInt = Field(0, ge=0, le=10_000_000, description="first satellite index")
    sat_limit: QueryInt = Field(None, ge=0, le=10_000_000, description="satellites to include (default all)")
    fields: name_list(SAT_FIELDS, "satellite field") = Field(
        None, description="comma-separated satellite fields to keep: " + ", ".join(SAT_FIELDS))


__all__ = ["Clock", "CommandEntry", "SlowIn", "ConfigView", "Drone", "FaultIn", "FaultOut", "Health", "Satellite", "Smoke",
           "Snapshot", "StateQuery", "Task"]
