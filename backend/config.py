"""Server settings: defaults here, then environment / `.env` (python-dotenv), then test overrides.

Every server knob is a field of `Settings` (pydantic-settings) with its type, default, unit and
meaning. Simulation parameters come from the models in `backend/core/params.py` and are
overridden with `SIM_<KEY>` (upper case flat key, e.g. `SIM_W1=0.4`); scenario fields with
`SCENARIO_<FIELD>` (e.g. `SCENARIO_PLANES=20`), values parsed as JSON (scalars or arrays).
An unknown SIM_/SCENARIO_ key or a bad value raises `SettingsError`, one line naming the key,
the value and what is expected; `python -m backend` prints it and exits 2.
This module only reads configuration; it never starts anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.core.params import FLAT_KEYS, SimConfig, schema_table
from backend.core.scenario import Scenario
from backend.core.validation import FieldError
from backend.envfile import ASYNC_MODES, ROOT, environment

__all__ = ["ASYNC_MODES", "ROOT", "LOOPBACK", "SETTINGS", "Settings", "SettingsError", "environment", "load"]
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class SettingsError(ValueError):
    """A bad or unknown configuration key: one line naming key, value and expectation."""


def _f(default, doc: str, unit: str = ""):
    return Field(default, description=f"{doc} [{unit}]" if unit else doc)


class Settings(BaseSettings):
    """Resolved server settings, plus `sim` and `scenario` override dicts."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="forbid", frozen=True,
                                      validate_default=True)

    HOST: str = _f("127.0.0.1", "interface to bind (0.0.0.0 in containers: needs API_TOKEN or ALLOW_OPEN=1)")
    PORT: int = Field(5000, ge=0, le=65535, description="TCP port; 0 picks a free one (printed at start)")
    ASYNC_MODE: Literal["gevent", "threading", "eventlet"] = _f("gevent", "gevent (default), threading or eventlet")
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "debug", "info", "warning", "error",
                       "critical"] = _f("INFO", "logging level name")
    SEED: int = Field(0, ge=0, le=2**63 - 1, description="engine RNG seed at start and after a reset without seed")
    MAX_BODY_BYTES: int = Field(65536, ge=256, le=64 * 2**20,
                                description="largest request body; larger gets 413 [bytes]")
    CLIENT_EVENTS_PER_KIND: int = Field(20, ge=0, description="cap on individual events of each kind "
                                        "(task.* in practice) [events / client / tick]")
    CLIENT_QUEUE_MAX_PACKETS: int = Field(24, ge=1, description="a client with more unsent packets is "
                                          "'behind' [engine.io packets]")
    CLIENT_MAX_LAG_S: float = Field(10.0, gt=0, description="a client behind this long is disconnected [wall s]")
    CONNECT_SAT_LIMIT: int = Field(2000, ge=0, description="most satellites listed as JSON in a `state` "
                                   "(first N); all are in its binary frame [satellites]")
    SMOKE_AUTOSTART: bool = _f(True, "start the smoke generator at launch")
    SMOKE_QPS: float = Field(20.0, gt=0, description="autostart generator rate [tasks / wall s]")
    SMOKE_BURST: int = Field(5, ge=1, description="autostart generator burst [tasks]")
    HEALTH_STALE_S: float = Field(5.0, gt=0, description="last tick older than this: health 503 [wall s]")
    HEALTH_MAX_RESTARTS: int = Field(3, ge=1, description="this many loop restarts within the window: "
                                     "health 503 [restarts]")
    HEALTH_RESTART_WINDOW_S: float = Field(60.0, gt=0, description="window for HEALTH_MAX_RESTARTS [wall s]")
    QUERY_TIMEOUT_S: float = Field(5.0, gt=0, description="longest a command waits for its tick "
                                   "(then 202 + command id) [wall s]")
    LOOP_BACKOFF_BASE_S: float = Field(0.5, gt=0, description="first restart delay of a failing loop [wall s]")
    LOOP_BACKOFF_MAX_S: float = Field(30.0, gt=0, description="cap of the doubling restart delay [wall s]")
    PING_INTERVAL_S: float = Field(25.0, gt=0, description="engine.io ping interval [wall s]")
    PING_TIMEOUT_S: float = Field(20.0, gt=0, description="engine.io ping timeout [wall s]")
    API_TOKEN: str = _f("", "when set, every state-changing route and the Socket.IO connection need "
                        "'Authorization: Bearer <token>' (socket: auth {token})")
    ALLOW_OPEN: bool = _f(False, "allow binding a non-loopback HOST without API_TOKEN")
    CORS_ORIGINS: str = _f("", "allowed browser origins for REST and the Socket.IO handshake, comma "
                           "separated (e.g. http://localhost:5173); empty: the served origin only; * for any")
    ALLOWED_HOSTS: str = _f("", "Host header values accepted, comma separated (name or name:port); empty: "
                            "localhost, 127.0.0.1, ::1 and HOST; * for any")
    ROLE: Literal["single", "engine", "web"] = _f("single", "single: one process runs everything (no Redis); "
                                                   "engine: the simulation only, publishing to REDIS_URL; web: REST, "
                                                   "/ws and the globe from the engine behind REDIS_URL (docs/interfaces.md)")
    REDIS_URL: str = _f("redis://127.0.0.1:6379/0", "Redis joining ROLE=engine and ROLE=web processes")
    ENGINE_STALE_S: float = Field(3.0, gt=0, description="ROLE=web: no tick from the engine for this long: "
                                  "commands 503 engine_unavailable, state marked stale [wall s]")
    STATIC_DIR: str = _f("frontend/dist", "built front end served at / (relative to repo)")
    TEST_HOOKS: bool = _f(False, "enable POST /api/_test/fault (tests only)")
    HISTORY_URL: str = _f("data/history.sqlite", "flight recorder database: a SQLite file path (relative to "
                          "the repo; created on first start), postgresql://user@host:port/db, or off")
    HISTORY_FLUSH_S: float = Field(1.0, gt=0, le=60, description="recorder write period; a crash loses at most "
                                   "this much [wall s]")
    HISTORY_QUEUE_TICKS: int = Field(600, ge=2, le=100_000, description="ticks the recorder queue holds; "
                                     "further ticks are dropped and counted as lost [ticks]")
    HISTORY_QUEUE_MB: float = Field(256.0, gt=0, le=100_000, description="captured arrays the recorder queue "
                                    "holds (~3 MB a tick at 100,000 satellites); a tick that would pass this or "
                                    "HISTORY_QUEUE_TICKS is dropped and counted as lost [MB]")
    HISTORY_SAMPLE_EVERY_S: float = Field(60.0, ge=0, description="per-satellite sample period, 0 for every "
                                          "tick [sim s]")
    HISTORY_RETAIN_SIM_S: float = Field(0.0, ge=0, description="keep this much of each run's per-tick history, "
                                        "0 for all [sim s]")
    HISTORY_MAX_MB: float = Field(0.0, ge=0, description="keep the recorded data under this size by deleting "
                                  "the oldest runs, 0 for no limit [MB]")
    ARENA_DIR: str = _f("", "folder of the arena jobs' reports (relative to the repo); empty: a temporary folder "
                        "per server process")
    ARENA_MAX_SAT_HOURS: float = Field(6000.0, gt=0, description="largest arena job, policies x seeds x "
                                       "satellites x hours; larger is a 409 [simulated satellite-hours]")
    ARENA_WORKERS: int = Field(1, ge=1, le=64, description="worker processes of an arena job [processes]")
    ARENA_NICE: int = Field(10, ge=0, le=19, description="niceness added to an arena job's processes")
    ARENA_KEEP: int = Field(20, ge=1, le=1000, description="arena jobs kept; older finished ones are deleted "
                            "[jobs]")
    sim: dict = Field(default_factory=dict, exclude=True, description="SIM_* overrides (flat keys)")
    scenario: dict = Field(default_factory=dict, exclude=True, description="SCENARIO_* overrides")

    @field_validator("HISTORY_URL")
    @classmethod
    def _history_url(cls, value: str) -> str:
        from backend.history.urls import database_url

        database_url(value)  # ValueError names the value and what is expected
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        """Values come from `load` (which merges .env and the environment), never read twice."""
        return (init_settings,)

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in SETTINGS}
        out.update(sim=dict(self.sim), scenario=dict(self.scenario))
        return out

    def allowed_hosts(self) -> tuple | None:
        """Host names accepted in the Host header (None: any)."""
        if self.ALLOWED_HOSTS.strip() == "*":
            return None
        given = [h.strip().lower() for h in self.ALLOWED_HOSTS.split(",") if h.strip()]
        return tuple(given) if given else (*LOOPBACK, "[::1]", self.HOST.lower())

    def cors_origins(self) -> tuple | None:
        """Allowed cross-site origins (None: any; empty: the served origin only)."""
        if self.CORS_ORIGINS.strip() == "*":
            return None
        return tuple(o.strip().rstrip("/").lower() for o in self.CORS_ORIGINS.split(",") if o.strip())


SETTINGS = {k: f for k, f in Settings.model_fields.items() if k not in ("sim", "scenario")}


def _scalar(raw):
    """A SIM_/SCENARIO_ value: JSON (number, true/false, array) or a bare string."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _overrides(env: dict, prefix: str, known) -> dict:
    out = {}
    for key, raw in env.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix):].lower()
        if name not in known:
            raise SettingsError(f"{key}={raw!r}: unknown key; expected one of "
                                f"{', '.join(prefix + k.upper() for k in sorted(known))}")
        out[name] = _scalar(raw)
    return out


def _env_key(err: FieldError, sim_keys: dict) -> str:
    name = (err.field or "").removeprefix("scenario.").split(".")[0].split("[")[0]
    return f"SIM_{name.upper()}" if name in sim_keys else f"SCENARIO_{name.upper()}"


def load(test_config: dict | None = None, env: dict | None = None) -> Settings:
    """Defaults, then environment / .env, then `test_config` (keys as in SETTINGS, or
    `sim` / `scenario` dicts). Raises SettingsError (one line) for anything wrong."""
    env = dict(environment() if env is None else env)
    tle_file = env.pop("SCENARIO_TLE_FILE", None)
    values = {k: env[k].strip() for k in SETTINGS if isinstance(env.get(k), str)}
    sim = _overrides(env, "SIM_", FLAT_KEYS)
    scenario = _overrides(env, "SCENARIO_", Scenario.model_fields)
    if tle_file:
        scenario["tle"] = _read_tle_file(tle_file)
    for key, value in dict(test_config or {}).items():
        if key == "sim":
            sim.update(value)
        elif key == "scenario":
            scenario.update(value)
        elif key in SETTINGS:
            values[key] = value if not isinstance(value, str) else value.strip()
        else:
            raise SettingsError(f"{key}: unknown setting; expected one of {', '.join(SETTINGS)}")
    try:
        st = Settings(**values, sim=sim, scenario=scenario)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = str(err["loc"][0]) if err["loc"] else "settings"
        raise SettingsError(f"{key}={err.get('input')!r}: {err['msg'][0].lower()}{err['msg'][1:]}") from None
    try:
        SimConfig(sim)
        Scenario().updated(scenario)
    except FieldError as err:
        key = _env_key(err, FLAT_KEYS)
        if key == "SCENARIO_TLE" and tle_file:
            raise SettingsError(f"SCENARIO_TLE_FILE={tle_file!r}: {str(err).split(': ', 1)[-1]}") from None
        shown = sim.get(key[4:].lower()) if key.startswith("SIM_") else scenario.get(key[9:].lower())
        raise SettingsError(f"{key}={shown!r}: {str(err).split(': ', 1)[-1]}") from None
    return st


def _read_tle_file(path: str) -> str:
    """The text of SCENARIO_TLE_FILE (a TLE catalogue flown instead of the Walker constellation)."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SettingsError(f"SCENARIO_TLE_FILE={path!r}: cannot read it ({exc.strerror or exc})") from None


def env_example() -> str:
    """The text of .env.example: every server key active, every SIM_/SCENARIO_ key commented.

    Regenerate with `python -m backend.config > .env.example` after adding a knob.
    """
    out = ["# Satellite VPP configuration. Copy to .env; the real environment wins over .env.",
           "# Every key with its default; units in brackets. See docs/api.md#configuration.",
           "# An unknown SIM_/SCENARIO_ key or a bad value stops start-up with one line saying why.", "",
           "# --- server ---"]
    for key, f in SETTINGS.items():
        value = ("1" if f.default else "0") if isinstance(f.default, bool) else f.default
        out += [f"# {f.description}", f"{key}={value}"]
    out += ["", "# --- simulation parameters (backend/core/params.py): SIM_<KEY>; also at run time",
            "# --- through POST /api/config"]
    group = None
    for row in schema_table():
        if row["group"] != group:
            group = row["group"]
            out.append(f"# [{group}]")
        value = str(row["default"]).lower() if isinstance(row["default"], bool) else row["default"]
        out += [f"#   {row['doc']} [{row['unit'] or '-'}; {row['min']} .. {row['max']}]",
                f"# SIM_{row['key'].upper()}={value}"]
    out += ["", "# --- scenario (backend/core/scenario.py): SCENARIO_<FIELD>, JSON scalars or arrays"]
    for name, f in Scenario.model_fields.items():
        value = getattr(Scenario(), name)
        text = json.dumps(value) if isinstance(value, (bool, tuple)) or value is None else value
        out += [f"#   {f.description}", f"# SCENARIO_{name.upper()}={text}"]
    out += ["#   a file holding the TLE catalogue instead (e.g. catalogues/sample.tle); wins over SCENARIO_TLE",
            "# SCENARIO_TLE_FILE=catalogues/sample.tle"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(env_example(), end="")
