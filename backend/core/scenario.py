"""The seed scenario: a Walker-delta constellation, ground stations and their drones.

`Scenario` holds the structural choices (sizes, orbits, epoch, hardware spreads); `SimConfig`
holds the tunable behaviour. Everything random is drawn from the engine's scenario stream.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from .params import FieldError

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


@dataclass(frozen=True)
class Scenario:
    """Structure of a run. Units: km, degrees, EU, EU/s, work units/s."""

    n_satellites: int = 300
    planes: int = 15
    phasing: int = 1
    altitude_km: float = 550.0
    inclination_deg: float = 53.0
    j2: bool = True
    epoch: str = "2026-03-20T00:00:00Z"
    n_drones: int = 16
    stations: tuple = DEFAULT_STATIONS
    max_energy_eu: float = 1000.0
    solar_eu_s: float = 1.2  # nominal panel output in sunlight
    consumption_eu_s: float = 0.25  # nominal base load
    processing_capacity: float = 10.0  # work units per second
    degraded_fraction: float = 0.08  # satellites with failing panels (run low, need help)
    degraded_solar_scale: tuple = (0.05, 0.3)  # their panel output, fraction of nominal
    initial_pct: tuple = (55.0, 95.0)  # initial state of charge, uniform range, %
    drone_reserve_eu: float = 400.0  # mobility battery capacity
    drone_battery_eu: float = 300.0  # payload battery capacity

    @property
    def epoch_unix_s(self) -> float:
        return _parse_epoch(self.epoch)

    def updated(self, partial) -> "Scenario":
        """A validated copy with `partial` (dict of field -> value) applied."""
        if not isinstance(partial, dict):
            raise FieldError("scenario", f"expected an object, got {type(partial).__name__}")
        known = {f.name: f for f in dataclasses.fields(self)}
        values = {}
        for key, value in partial.items():
            if key not in known:
                raise FieldError(f"scenario.{key}", "unknown scenario key")
            values[key] = _coerce(key, value, getattr(self, key))
        out = dataclasses.replace(self, **values)
        out.validate()
        return out

    def validate(self) -> None:
        """Raise FieldError for any out-of-range field."""
        checks = [
            ("n_satellites", 1 <= self.n_satellites <= 100_000, "must be within [1, 100000]"),
            ("planes", 1 <= self.planes <= 10_000, "must be within [1, 10000]"),
            ("phasing", 0 <= self.phasing < 100_000, "must be within [0, 100000)"),
            ("altitude_km", 160.0 <= self.altitude_km <= 40_000.0, "must be within [160, 40000] km"),
            ("inclination_deg", 0.0 <= self.inclination_deg <= 180.0, "must be within [0, 180] deg"),
            ("n_drones", 0 <= self.n_drones <= 10_000, "must be within [0, 10000]"),
            ("max_energy_eu", self.max_energy_eu > 0, "must be > 0"),
            ("processing_capacity", self.processing_capacity > 0, "must be > 0"),
            ("solar_eu_s", self.solar_eu_s >= 0, "must be >= 0"),
            ("consumption_eu_s", self.consumption_eu_s >= 0, "must be >= 0"),
            ("degraded_fraction", 0.0 <= self.degraded_fraction <= 1.0, "must be within [0, 1]"),
            ("drone_reserve_eu", self.drone_reserve_eu > 0, "must be > 0"),
            ("drone_battery_eu", self.drone_battery_eu > 0, "must be > 0"),
            ("stations", len(self.stations) >= 1, "needs at least one ground station"),
        ]
        for name, ok, msg in checks:
            if not ok:
                raise FieldError(f"scenario.{name}", f"{name}(={getattr(self, name)!r}) {msg}")
        lo, hi = self.initial_pct
        if not 0.0 <= lo <= hi <= 100.0:
            raise FieldError("scenario.initial_pct", f"initial_pct(={self.initial_pct!r}) needs 0 <= lo <= hi <= 100")
        _parse_epoch(self.epoch)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["stations"] = [list(s) for s in self.stations]
        d["initial_pct"] = list(self.initial_pct)
        d["degraded_solar_scale"] = list(self.degraded_solar_scale)
        return d


def _parse_epoch(text: str) -> float:
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise FieldError("scenario.epoch", f"expected an ISO 8601 UTC time, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _coerce(key: str, value, current):
    """Type-check one scenario value against the type of its default."""
    field_name = f"scenario.{key}"
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise FieldError(field_name, f"expected a boolean, got {value!r}")
        return value
    if isinstance(current, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise FieldError(field_name, f"expected a finite number, got {value!r}")
        if isinstance(current, int):
            if value != int(value):
                raise FieldError(field_name, f"expected an integer, got {value!r}")
            return int(value)
        return float(value)
    if isinstance(current, str):
        if not isinstance(value, str):
            raise FieldError(field_name, f"expected a string, got {value!r}")
        return value
    return _coerce_tuple(field_name, key, value)


def _coerce_tuple(field_name: str, key: str, value):
    if key == "stations":
        ok = isinstance(value, list) and all(
            isinstance(s, (list, tuple)) and len(s) == 3 and isinstance(s[0], str)
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in s[1:])
            and -90 <= s[1] <= 90 and -180 <= s[2] <= 180
            for s in value
        )
        if not ok:
            raise FieldError(field_name, "expected a list of [name, lat, lon] with lat in [-90, 90], lon in [-180, 180]")
        return tuple((s[0], float(s[1]), float(s[2])) for s in value)
    ok = isinstance(value, list) and len(value) == 2 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in value
    )
    if not ok:
        raise FieldError(field_name, f"expected [low, high] numbers, got {value!r}")
    return (float(value[0]), float(value[1]))

