"""Schemathesis hooks for tests/api/test_schemathesis.py (named in schemathesis.toml).

Every generated request is sent and checked as it is. What these hooks add happens after a
case's response: when a case left the server slow for the cases that follow (a config with a
5 s tick, where every state-changing request then waits up to 5 s for its tick; a reset to
100,000 satellites, whose whole-state answer is 56 MB; the generator started at up to 20,000
tasks/s, which made 51 million tasks in one run), they put the clock, the fleet and the
generator back, so the run covers hundreds of cases per operation in a few minutes. An arena
job a case started is cancelled at once (its subprocess would compete for the machine's cores).
"""

from __future__ import annotations

import requests
import schemathesis

FAST_CLOCK = {"time": {"tick_interval": 0.02, "time_scale": 30.0}}
SMALL_FLEET = {"scenario": {"n_satellites": 120, "planes": 6, "n_drones": 16}}
SLOW_TICK_S = 0.2
BIG_FLEET = 1000
BUSY_QPS = 100.0


def _base(response) -> str:
    url = response.request.url
    return url[: url.index("/", url.index("//") + 2)]


@schemathesis.hook
def after_call(context, case, response) -> None:
    """Put back a slow clock or a big fleet that this case's (accepted) request set; cancel an
    arena job it started."""
    path = case.operation.path
    if path == "/api/arena" and response.status_code == 201:
        requests.delete(_base(response) + "/api/arena/" + response.json()["job_id"], timeout=30)
    if response.status_code != 200 or case.method.upper() != "POST":
        return
    body = response.json()
    if path == "/api/config" and body["time"]["tick_interval"] > SLOW_TICK_S:
        requests.post(_base(response) + "/api/config", json=FAST_CLOCK, timeout=30)
    elif path == "/api/reset" and body["n_satellites"] > BIG_FLEET:
        requests.post(_base(response) + "/api/reset", json=SMALL_FLEET, timeout=30)
    elif path == "/api/smoke/start" and body["qps"] > BUSY_QPS:
        requests.post(_base(response) + "/api/smoke/stop", timeout=30)
