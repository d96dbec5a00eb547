"""GET /api/health and GET /metrics: answered from published figures, never waiting on a tick.

Status: "unhealthy" (503) only while a loop is down: failed and backing off, restarted
HEALTH_MAX_RESTARTS times within HEALTH_RESTART_WINDOW_S, or the tick loop not ticking (last tick
older than HEALTH_STALE_S with no step running). "degraded" (200, with `reasons`) while the
simulation runs slower than asked: real_time_factor below 0.9 for the whole 10 s window, or a
step running longer than HEALTH_STALE_S. Otherwise "ok".
"""

from __future__ import annotations

import time

from flask import Blueprint, Response

from backend.loops import DEGRADED_RTF, WINDOW_S
from backend.utils.errors import json_response
from backend.utils.schema import TEXT, api

from .common import svc
from .models import Health

bp = Blueprint("health", __name__)


def _loop_report(state, window_s: float, max_restarts: int) -> tuple[dict, list]:
    recent = state.restarts_within(window_s)
    report = {**state.report(), "restarts_recent": recent}
    problems = []
    if not state.alive:
        problems.append(f"{state.name} loop down after {state.burst_failures} failure(s) in a row "
                        f"({state.last_error}); restarting in {report['restart_in_s'] or 0:.2f} s")
    if recent >= max_restarts:
        problems.append(f"{state.name} loop restarted {recent} times in {window_s:g} s")
    return report, problems


def _lateness(s, age_s: float) -> tuple[list, list]:
    """(problems, reasons) from the tick loop's pace."""
    st, loops = s.settings, s.loops
    running_s = None if loops.step_started_at is None else time.monotonic() - loops.step_started_at
    if running_s is not None and running_s > st.HEALTH_STALE_S:
        return [], [f"a tick has been running for {running_s:.1f} s (limit {st.HEALTH_STALE_S:g} s)"]
    if running_s is None and age_s > st.HEALTH_STALE_S and loops.state["tick"].alive:
        return [f"last tick {age_s:.1f} s ago (limit {st.HEALTH_STALE_S:g} s)"], []
    return [], []


def _recorder_report(recorder, reasons: list) -> dict:
    """The flight recorder's status; a write error or dropped ticks add a `recorder:` reason."""
    if recorder is None:
        return {"enabled": False}
    report = recorder.status()
    if report["error"]:
        reasons.append(f"recorder: cannot write ({report['error']}) for {report['error_for_s']} s; "
                       f"records lost so far: {sum(report['lost'].values())}")
    elif report["dropped_ticks"]:
        reasons.append(f"recorder: {report['dropped_ticks']} ticks dropped (queue full), "
                       f"{report['dropped_records']} records lost")
    return report


def health_report() -> tuple[dict, int]:
    """The health body and its HTTP status."""
    s = svc()
    st = s.settings
    pub = s.rt.latest
    age_s = time.time() - pub.wall_time
    loops, problems = {}, []
    for name, state in s.loops.state.items():
        loops[name], found = _loop_report(state, st.HEALTH_RESTART_WINDOW_S, st.HEALTH_MAX_RESTARTS)
        problems += found
    late_problems, reasons = _lateness(s, age_s)
    link_reasons, link = s.loops.link_health()  # ROLE=engine / web: Redis and the engine
    explained = link_reasons and st.ROLE == "web"  # no ticks because Redis or the engine is away
    problems += [] if explained else late_problems
    reasons += link_reasons
    requested = pub.smoke.get("qps", 0.0) if pub.smoke.get("running") else 0.0
    window = s.loops.window.report(requested)
    slow_s = s.loops.window.degraded_for_s()
    if slow_s >= WINDOW_S:
        reasons.append(f"real_time_factor {window['real_time_factor']} below {DEGRADED_RTF} for "
                       f"{slow_s:.0f} s: the simulation runs at {window['real_time_factor']}x the requested "
                       f"speed (tick {window['tick_ms_mean']:.0f} ms mean, {window['tick_rate_hz']} ticks/s)")
    recorder = _recorder_report(s.recorder, reasons)
    status = "unhealthy" if problems else "degraded" if reasons else "ok"
    body = {"status": status, "problems": problems, "reasons": reasons, "loops": loops,
            **window,
            "last_tick_age_s": round(age_s, 4), "tick": pub.tick, "seq": pub.seq,
            "sim_time": pub.sim_time, "paused": pub.paused, "overruns": s.loops.overruns,
            "last_tick_ms": round(s.loops.last_tick_ms, 3), "fanout_dropped": s.loops.bundles_dropped,
            "commands_pending": s.rt.commands.pending(), "clients": s.hub.summary(),
            "async_mode": st.ASYNC_MODE, "recorder": recorder, "role": st.ROLE}
    if link is not None:
        body["link"] = link
    return body, 503 if problems else 200


@bp.get("/api/health")
@api("Loops alive, last tick age, overruns (503 when unhealthy)", responses={200: Health, 503: Health})
def health():
    body, status = health_report()
    return json_response(body, status)


@bp.get("/metrics")
@api("Prometheus text exposition", responses={200: TEXT})
def metrics():
    s = svc()
    kpis = s.rt.latest.kpis
    s.metrics.queue_depth.set(kpis.get("pending", 0) if isinstance(kpis, dict) else 0)
    return Response(s.metrics.render(), mimetype="text/plain; version=0.0.4")
