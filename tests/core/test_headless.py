"""The headless command: one JSON object, byte-identical for the same arguments, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["--satellites", "80", "--drones", "4", "--ticks", "150", "--qps", "300", "--seed", "5", "--burst", "4"]


def run(*args):
    return subprocess.run([sys.executable, "-m", "backend.headless", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_output_is_one_json_object_and_deterministic():
    a, b = run(*ARGS), run(*ARGS)
    assert a.returncode == 0 and b.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    out = json.loads(a.stdout)
    assert out["tick"] == 150 and out["satellites"] == 80
    assert out["sim_time_s"] == pytest.approx(150 * 3.0)
    t = out["tasks"]
    assert t["created"] == t["queued"] + t["running"] + t["completed"] + t["dropped"] > 0
    for key in ("solar_in", "consumed", "beamed_out", "beam_losses", "drone_delivered"):
        assert key in out["energy_eu"]
    assert set(out["delegation_latency_s"]) >= {"p50", "p99"}
    c = run(*ARGS[:-3], "6", "--burst", "4")
    assert c.stdout != a.stdout  # another seed, another run


def test_dt_sets_simulated_seconds_per_tick():
    out = json.loads(run("--satellites", "10", "--drones", "1", "--ticks", "4", "--dt", "2.5").stdout)
    assert out["sim_time_s"] == pytest.approx(10.0)


@pytest.mark.parametrize("args, needle", [
    (["--satellites", "0"], "n_satellites"),
    (["--satellites", "ten"], "--satellites"),
    (["--qps", "-5"], "--qps"),
    (["--dt", "0"], "--dt"),
    (["--ticks", "-1"], "--ticks"),
    (["--seed", "-2"], "--seed"),
    (["--bogus"], "unrecognized"),
])
def test_bad_arguments_exit_nonzero_with_one_line(args, needle):
    r = run(*args)
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
