"""The scenario: structure of a run (fleet size, orbits, epoch, hardware spreads); `SimConfig`
holds the tunable behaviour. Everything random is drawn from the engine's scenario stream.

One pydantic model: each field with its unit, default, range and meaning. `Scenario.updated`
validates a partial update (POST /api/reset {"scenario": ...}, SCENARIO_* environment keys).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator

from .tle import MAX_TLE_TEXT_BYTES, TleError, load_tles
from .validation import Conflict, FieldError, Strict, field_error, param

DEFAULT_STATIONS = (
    ("Svalbard", 78.23, 15.41),
    ("Kiruna", 67.86, 20.96),
    ("Wallops", 37.94, -75.47),
    ("Kourou", 5.24, -52.77),
    ("Hartebeesthoek", -25.89, 27.69),
    ("Canberra", -35.40, 148.98),
    ("Santiago", -33.15, -70.67),
    ("Bangalore", 13.03, 77.51),
)

Percent = Annotated[float, Field(strict=True, ge=0.0, le=100.0)]
SolarScale = Annotated[float, Field(strict=True, ge=0.0, le=100.0)]  # fraction of nominal, as set_satellite
Station = Annotated[tuple[Annotated[str, Field(strict=True, min_length=1, max_length=64)],
                          Annotated[float, Field(strict=True, ge=-90.0, le=90.0)],
                          Annotated[float, Field(strict=True, ge=-180.0, le=180.0)]], Field(strict=False)]


_YEAR = r"[1-8][0-9]{3}"  # up to 8999: a run's dates (epoch + up to 1e10 s, ~317 years) stay before 9999
_LEAP_YEAR = r"(?:[1-8][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[1357][26])00)"
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              r"|02-(?:0[1-9]|1[0-9]|2[0-8]))")
_DATE_CLOCK = (rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
               r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?")
UTC_TIME = _DATE_CLOCK + "Z"
ZONED_TIME = _DATE_CLOCK + r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"  # Z or an offset
EPOCH_PATTERN = f"^{UTC_TIME}$"
"""A real calendar date and time in UTC, so a string the pattern accepts always parses (the
OpenAPI document carries the same pattern)."""
_EPOCH_RE = re.compile(EPOCH_PATTERN, re.ASCII)


class Scenario(Strict):
    """Structure of a run. Units: km, degrees, EU, EU/s, work units/s."""

    n_satellites: int = param(300, 1, 100_000, "satellites", "fleet size (Walker delta constellation)")
    planes: int = param(15, 1, 10_000, "planes", "orbital planes")
    phasing: int = param(1, 0, 99_999, "", "Walker phasing factor F")
    altitude_km: float = param(550.0, 160.0, 40_000.0, "km", "orbit altitude above the equatorial radius")
    inclination_deg: float = param(53.0, 0.0, 180.0, "deg", "orbit inclination")
    j2: bool = Field(True, description="J2 secular drift (node and argument of latitude) on")
    epoch: str = Field("2026-03-20T00:00:00Z", json_schema_extra={"pattern": EPOCH_PATTERN},
                       description="simulation start, ISO 8601 UTC with Z, years 1000-8999, optional "
                                   "fraction of a second (e.g. 2026-03-20T00:00:00Z)")
    tle: str | None = Field(None, max_length=MAX_TLE_TEXT_BYTES,
                            description="a TLE catalogue (2- or 3-line sets) flown instead of the Walker "
                                        "constellation: n_satellites becomes its size and planes, phasing, "
                                        "altitude_km and inclination_deg are unused (null: Walker)")
    n_drones: int = param(16, 0, 10_000, "drones", "charging drones, spread over the stations")
    stations: tuple[Station, ...] = Field(DEFAULT_STATIONS, min_length=1, max_length=1000, strict=False,
                                          description="ground stations: [name, lat deg, lon deg]")
    max_energy_eu: float = param(1000.0, 0.0, 1e9, "EU", "nominal battery capacity", exclusive_lo=True)
    solar_eu_s: float = param(1.2, 0.0, 1e6, "EU / sim s", "nominal panel output in sunlight")
    consumption_eu_s: float = param(0.25, 0.0, 1e6, "EU / sim s", "nominal base load")
    processing_capacity: float = param(10.0, 0.0, 1e9, "work units / sim s", "nominal processing rate",
                                       exclusive_lo=True)
    degraded_fraction: float = param(0.08, 0.0, 1.0, "fraction", "satellites with failing panels")
    degraded_solar_scale: tuple[SolarScale, SolarScale] = Field(
        (0.05, 0.3), strict=False, description="panel output of degraded satellites, [low, high] fraction of nominal")
    initial_pct: tuple[Percent, Percent] = Field(
        (55.0, 95.0), strict=False, description="initial state of charge, uniform [low, high] % of capacity")
    drone_reserve_eu: float = param(400.0, 0.0, 1e9, "EU", "drone mobility battery capacity",
                                    exclusive_lo=True)
    drone_battery_eu: float = param(300.0, 0.0, 1e9, "EU", "drone payload battery capacity",
                                    exclusive_lo=True)

    @model_validator(mode="before")
    @classmethod
    def _fleet_from_tle(cls, data):
        """With a TLE catalogue, n_satellites is its size; a bad catalogue names its line."""
        if isinstance(data, dict) and isinstance(data.get("tle"), str):
            try:
                data = {**data, "n_satellites": load_tles(data["tle"]).n}
            except TleError as exc:
                raise FieldError("tle", str(exc)) from None
        return data

    @field_validator("epoch")
    @classmethod
    def _epoch(cls, text: str) -> str:
        _parse_epoch(text)
        return text

    @model_validator(mode="after")
    def _ranges(self):
        lo, hi = self.initial_pct
        if not 0.0 <= lo <= hi <= 100.0:
            raise Conflict("initial_pct", f"initial_pct(={list(self.initial_pct)!r}) needs "
                             "0 <= lo <= hi <= 100", "out_of_range")
        lo, hi = self.degraded_solar_scale
        if not 0.0 <= lo <= hi:
            raise Conflict("degraded_solar_scale", f"degraded_solar_scale(={list(self.degraded_solar_scale)!r}) "
                             "needs 0 <= lo <= hi", "out_of_range")
        return self

    @property
    def epoch_unix_s(self) -> float:
        return _parse_epoch(self.epoch)

    def updated(self, partial) -> "Scenario":
        """A validated copy with `partial` (dict of field -> value, JSON types) applied."""
        if not isinstance(partial, dict):
            raise FieldError("scenario", f"expected an object, got {type(partial).__name__}", "invalid_type")
        try:
            return Scenario.model_validate({**self.model_dump(), **partial})
        except ValidationError as exc:
            raise field_error(exc, "scenario.") from None

    def validate(self) -> None:
        """Nothing to do: every field is checked when the model is built (kept for callers)."""

    def to_dict(self) -> dict:
        d = self.model_dump()
        d["stations"] = [list(s) for s in self.stations]
        d["initial_pct"] = list(self.initial_pct)
        d["degraded_solar_scale"] = list(self.degraded_solar_scale)
        return d


def _parse_epoch(text: str) -> float:
    if not _EPOCH_RE.fullmatch(text):
        raise FieldError("epoch", f"expected an ISO 8601 UTC time like 2026-03-20T00:00:00Z, got {text[:40]!r}")
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise FieldError("epoch", f"expected an ISO 8601 UTC time, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()
