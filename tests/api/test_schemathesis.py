"""Schemathesis over the whole OpenAPI document, against a live server: every operation, every
check (`--checks all`: server errors, status codes, content types, headers, response-schema
conformance, positive and negative data, unsupported methods, and the stateful checks along
the document's links), all four phases (examples, coverage, fuzzing, stateful), a fixed seed,
200 cases per body-taking operation and 50 per other (tests/api/schemathesis.toml). 0 failures.

The figures of the run (operations, cases, failures, seconds) are printed and, on failure,
the report of each failure with a curl line to replay it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONFIG = HERE / "schemathesis.toml"
RUN_TIMEOUT_S = 1200


def figures(output: str, seconds: float) -> dict:
    """Operations tested, cases generated and failures, read from schemathesis's summary."""
    ops = re.search(r"Tested:\s+(\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) found (\d+) unique failures?", output)
    return {"operations": int(ops.group(1)) if ops else None,
            "cases": int(cases.group(1)) if cases else None,
            "failures": int(failures.group(2)) if failures else 0, "seconds": round(seconds, 1)}


@pytest.mark.slow
def test_schemathesis_finds_no_failure(live_server_factory, tmp_path):
    # the recorder on, so the /api/runs routes answer from a real history; arena jobs small
    # (the hooks cancel each one started)
    server = live_server_factory({"SIM_TICK_INTERVAL": "0.02", "TEST_HOOKS": "0",
                                  "HISTORY_URL": str(tmp_path / "history.sqlite"), "ARENA_MAX_SAT_HOURS": "10",
                                  "ARENA_DIR": str(tmp_path / "arena")})
    cmd = [sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(CONFIG), "run",
           server.url + "/api/openapi.json", "--checks", "all"]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    out = proc.stdout + proc.stderr
    found = figures(out, time.monotonic() - t0)
    print(f"schemathesis: {found}")
    assert proc.returncode == 0, f"{found}\n{out[-20000:]}"
    doc = requests.get(server.url + "/api/openapi.json", timeout=10).json()
    described = sum(len(ops) for ops in doc["paths"].values())
    assert found["failures"] == 0 and found["operations"] >= described - 1, (found, described)
