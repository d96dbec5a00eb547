"""Server settings: defaults here, then environment / `.env` (python-dotenv), then test overrides.

Every knob has a type, a default, a unit and a line of meaning (`SETTINGS`). Simulation
parameters come from `backend/core/params.py` SCHEMA and are overridden with `SIM_<KEY>`
(upper case flat key, e.g. `SIM_W1=0.4`, `SIM_TICK_INTERVAL=0.05`); scenario fields with
`SCENARIO_<FIELD>` (e.g. `SCENARIO_N_PLANES=20`), values parsed as JSON scalars.
This module only reads configuration; it never starts anything.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from backend.core.params import FLAT_KEYS

ROOT = Path(__file__).resolve().parent.parent
ASYNC_MODES = ("gevent", "threading", "eventlet")


@dataclass(frozen=True)
class Setting:
    """One server knob: type name, default, unit, meaning."""

    type: str
    default: object
    unit: str
    doc: str


SETTINGS: dict[str, Setting] = {
    "HOST": Setting("str", "127.0.0.1", "", "interface to bind (0.0.0.0 in containers)"),
    "PORT": Setting("int", 5000, "", "TCP port; 0 picks a free one (printed at start)"),
    "ASYNC_MODE": Setting("str", "gevent", "", "gevent (default), threading or eventlet"),
    "LOG_LEVEL": Setting("str", "INFO", "", "logging level name"),
    "SEED": Setting("int", 0, "", "engine RNG seed at start and after a reset without seed"),
    "MAX_BODY_BYTES": Setting("int", 65536, "bytes", "largest request body; larger gets 413"),
    "CLIENT_EVENTS_PER_KIND": Setting(
        "int", 20, "events / client / tick", "cap on individual events of each kind (task.* in practice)"),
    "CLIENT_QUEUE_MAX_PACKETS": Setting(
        "int", 24, "engine.io packets", "a client with more unsent packets is 'behind'"),
    "CLIENT_MAX_LAG_S": Setting("float", 10.0, "wall s", "a client behind this long is disconnected"),
    "CONNECT_SAT_LIMIT": Setting(
        "int", 2000, "satellites",
        "most satellites listed as JSON in a `state` (first N); all are in its binary frame"),
    "SMOKE_AUTOSTART": Setting("bool", True, "", "start the smoke generator at launch"),
    "SMOKE_QPS": Setting("float", 20.0, "tasks / wall s", "autostart generator rate"),
    "SMOKE_BURST": Setting("int", 5, "tasks", "autostart generator burst"),
    "HEALTH_STALE_S": Setting("float", 5.0, "wall s", "last tick older than this: health 503"),
    "HEALTH_MAX_RESTARTS": Setting(
        "int", 3, "restarts", "this many loop restarts within the window: health 503"),
    "HEALTH_RESTART_WINDOW_S": Setting("float", 60.0, "wall s", "window for HEALTH_MAX_RESTARTS"),
    "QUERY_TIMEOUT_S": Setting(
        "float", 5.0, "wall s", "longest a command waits for its tick (then 202 + command id)"),
    "LOOP_BACKOFF_BASE_S": Setting("float", 0.5, "wall s", "first restart delay of a failing loop"),
    "LOOP_BACKOFF_MAX_S": Setting("float", 30.0, "wall s", "cap of the doubling restart delay"),
    "PING_INTERVAL_S": Setting("float", 25.0, "wall s", "engine.io ping interval"),
    "PING_TIMEOUT_S": Setting("float", 20.0, "wall s", "engine.io ping timeout"),
    "CORS_ORIGINS": Setting("str", "*", "", "Socket.IO allowed origins, comma separated, * for any"),
    "SOCKETIO_MESSAGE_QUEUE": Setting(
        "str", "", "", "e.g. redis://redis:6379/0 to relay emits between processes (needs redis)"),
    "STATIC_DIR": Setting("str", "frontend/dist", "", "built front end served at / (relative to repo)"),
    "TEST_HOOKS": Setting("bool", False, "", "enable POST /api/_test/fault (tests only)"),
}


def _parse(name: str, kind: str, raw):
    """Parse an environment string (or a test value) to the setting's type."""
    if not isinstance(raw, str):
        return raw
    raw = raw.strip()
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ValueError(f"{name}: expected {kind}, got {raw!r}") from None
    if kind == "bool":
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{name}: expected a boolean (1/0, true/false), got {raw!r}")
    return raw


def _scalar(name: str, raw):
    """A SIM_/SCENARIO_ value: JSON scalar (number, true/false) or a bare string."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def environment(env_file: str | os.PathLike | None = None) -> dict:
    """`.env` values overlaid by the real environment (the environment wins).

    DOTENV_PATH names another file; DOTENV_PATH= (empty) reads none (tests use that).
    """
    if env_file is None:
        env_file = os.environ.get("DOTENV_PATH", str(ROOT / ".env"))
    if not env_file:
        return dict(os.environ)
    path = Path(env_file)
    merged = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.exists() else {}
    merged.update(os.environ)
    return merged


class Settings:
    """Resolved settings: attributes by name, plus `sim` and `scenario` override dicts."""

    def __init__(self, values: dict, sim: dict, scenario: dict):
        self.__dict__.update(values)
        self.sim, self.scenario = sim, scenario
        if self.ASYNC_MODE not in ASYNC_MODES:
            raise ValueError(f"ASYNC_MODE: expected one of {ASYNC_MODES}, got {self.ASYNC_MODE!r}")

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in SETTINGS}
        out.update(sim=dict(self.sim), scenario=dict(self.scenario))
        return out


def load(test_config: dict | None = None, env: dict | None = None) -> Settings:
    """Defaults, then environment / .env, then `test_config` (keys as in SETTINGS, or
    `sim` / `scenario` dicts)."""
    env = environment() if env is None else env
    test_config = dict(test_config or {})
    values = {k: _parse(k, s.type, env.get(k, s.default)) for k, s in SETTINGS.items()}
    sim = {k: _scalar(k, env[f"SIM_{k.upper()}"]) for k in FLAT_KEYS if f"SIM_{k.upper()}" in env}
    scenario = {k[9:].lower(): _scalar(k, v) for k, v in env.items() if k.startswith("SCENARIO_")}
    for key, value in test_config.items():
        if key == "sim":
            sim.update(value)
        elif key == "scenario":
            scenario.update(value)
        elif key in SETTINGS:
            values[key] = _parse(key, SETTINGS[key].type, value)
        else:
            raise ValueError(f"{key}: unknown setting")
    return Settings(values, sim, scenario)


def async_mode_from_env() -> str:
    """The async mode alone, read before anything else is imported (for monkey patching)."""
    mode = environment().get("ASYNC_MODE", SETTINGS["ASYNC_MODE"].default).strip()
    if mode not in ASYNC_MODES:
        raise ValueError(f"ASYNC_MODE: expected one of {ASYNC_MODES}, got {mode!r}")
    return mode


def env_example() -> str:
    """The text of .env.example: every server key active, every SIM_/SCENARIO_ key commented.

    Regenerate with `python -m backend.config > .env.example` after adding a knob.
    """
    import dataclasses

    from backend.core.params import SCHEMA
    from backend.core.scenario import Scenario

    out = ["# Satellite VPP configuration. Copy to .env; the real environment wins over .env.",
           "# Every key with its default; units in brackets. See docs/api.md#configuration.", "",
           "# --- server ---"]
    for key, s in SETTINGS.items():
        value = ("1" if s.default else "0") if isinstance(s.default, bool) else s.default
        out += [f"# {s.doc}" + (f" [{s.unit}]" if s.unit else ""), f"{key}={value}"]
    out += ["", "# --- simulation parameters (backend/core/params.py): SIM_<KEY>; also at run time",
            "# --- through POST /api/config"]
    for group, params in SCHEMA.items():
        out.append(f"# [{group}]")
        for key, p in params.items():
            value = str(p.default).lower() if isinstance(p.default, bool) else p.default
            out += [f"#   {p.doc} [{p.unit or '-'}; {p.lo} .. {p.hi}]", f"# SIM_{key.upper()}={value}"]
    out += ["", "# --- scenario (backend/core/scenario.py): SCENARIO_<FIELD>, JSON scalars or arrays"]
    for f in dataclasses.fields(Scenario):
        value = getattr(Scenario(), f.name)
        text = json.dumps(value) if isinstance(value, (bool, tuple)) else value
        out.append(f"# SCENARIO_{f.name.upper()}={text}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(env_example(), end="")
