"""backend/config.py: environment overrides, and .env.example lists every key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backend import config
from backend.core.params import FLAT_KEYS
from backend.core.scenario import Scenario

EXAMPLE = (Path(__file__).resolve().parents[2] / ".env.example").read_text()


def test_env_example_lists_every_key():
    keys = {line.lstrip("# ").split("=", 1)[0] for line in EXAMPLE.splitlines() if "=" in line}
    expected = set(config.SETTINGS) | {f"SIM_{k.upper()}" for k in FLAT_KEYS} | {
        f"SCENARIO_{name.upper()}" for name in Scenario.model_fields}
    assert expected - keys == set(), "regenerate: python -m backend.config > .env.example"


def test_defaults_then_env_then_test_config():
    st = config.load(env={})
    assert (st.PORT, st.ASYNC_MODE, st.SMOKE_AUTOSTART) == (5000, "gevent", True)
    st = config.load(env={"PORT": "6001", "SIM_W1": "0.5", "SCENARIO_N_SATELLITES": "900",
                          "SMOKE_AUTOSTART": "off", "SCENARIO_EPOCH": "2026-01-01T00:00:00Z"})
    assert (st.PORT, st.SMOKE_AUTOSTART) == (6001, False)
    assert st.sim == {"w1": 0.5}
    assert st.scenario == {"n_satellites": 900, "epoch": "2026-01-01T00:00:00Z"}
    st = config.load({"PORT": 7000, "sim": {"w2": 0.1}}, env={"PORT": "6001", "SIM_W1": "0.5"})
    assert st.PORT == 7000 and st.sim == {"w1": 0.5, "w2": 0.1}


@pytest.mark.parametrize("env,name", [
    ({"PORT": "http"}, "PORT"), ({"ASYNC_MODE": "asyncio"}, "ASYNC_MODE"),
    ({"SMOKE_AUTOSTART": "maybe"}, "SMOKE_AUTOSTART"), ({"CLIENT_MAX_LAG_S": "x"}, "CLIENT_MAX_LAG_S"),
])
def test_bad_environment_names_the_key(env, name):
    with pytest.raises(ValueError, match=name):
        config.load(env=env)


def test_unknown_test_config_key():
    with pytest.raises(ValueError, match="NOPE"):
        config.load({"NOPE": 1}, env={})


def test_dotenv_file_is_read_and_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=6100\nSIM_W3=0.3\n")
    monkeypatch.setenv("SIM_W3", "0.1")
    merged = config.environment(env_file)
    assert merged["PORT"] == "6100" and merged["SIM_W3"] == "0.1"


@pytest.mark.parametrize("env,start", [
    ({"SIM_W9": "0.1"}, "SIM_W9='0.1': unknown key; expected one of SIM_"),
    ({"SCENARIO_N_PLANES": "20"}, "SCENARIO_N_PLANES='20': unknown key"),
    ({"SIM_W1": "2"}, "SIM_W1=2: input should be less than or equal to 1"),
    ({"SIM_W1": "abc"}, "SIM_W1='abc': input should be a valid number"),
    ({"SIM_MAX_QUEUE": "2.5"}, "SIM_MAX_QUEUE=2.5: input should be a valid integer"),
    ({"SCENARIO_N_SATELLITES": "0"}, "SCENARIO_N_SATELLITES=0: input should be greater than or equal to 1"),
    ({"SCENARIO_EPOCH": "yesterday"}, "SCENARIO_EPOCH='yesterday': expected an ISO 8601 UTC time"),
    ({"PORT": "70000"}, "PORT='70000': input should be less than or equal to 65535"),
    ({"SMOKE_QPS": "fast"}, "SMOKE_QPS='fast': input should be a valid number"),
])
def test_bad_key_or_value_is_one_line_naming_key_value_and_expectation(env, start):
    with pytest.raises(config.SettingsError) as info:
        config.load(env=env)
    assert str(info.value).startswith(start), str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("env,needle", [
    ({"SIM_NOPE": "1"}, "config error: SIM_NOPE='1': unknown key"),
    ({"SCENARIO_PLANES": "-3"}, "config error: SCENARIO_PLANES=-3: input should be greater than or equal to 1"),
    ({"HOST": "0.0.0.0"}, "config error: HOST='0.0.0.0': a non-loopback address needs API_TOKEN"),
])
def test_start_up_stops_with_one_line_and_no_traceback(env, needle):
    full = {"PATH": "/usr/bin:/bin", "DOTENV_PATH": "", "PORT": "0", **env}
    out = subprocess.run([sys.executable, "-m", "backend"], cwd=Path(__file__).resolve().parents[2],
                         env=full, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [out.stderr.strip()], out.stderr
    assert out.stderr.startswith(needle), out.stderr
    assert "Traceback" not in out.stderr
