"""GET /api/health (loops alive, last tick age, overruns; 503 when unhealthy) and GET /metrics."""

from __future__ import annotations

import time

from flask import Blueprint, Response

from backend.utils.errors import json_response

from .common import svc

bp = Blueprint("health", __name__)


def _loop_report(state, window_s: float, max_restarts: int) -> tuple[dict, list]:
    recent = state.restarts_within(window_s)
    problems = []
    if not state.alive:
        problems.append(f"{state.name} loop down")
    if recent >= max_restarts:
        problems.append(f"{state.name} loop restarted {recent} times in {window_s:g} s")
    return {"alive": state.alive, "restarts": state.restarts, "restarts_recent": recent,
            "last_error": state.last_error}, problems


def health_report() -> tuple[dict, int]:
    """The health body and its status: 503 while a loop is down, flapping, or ticks are stale."""
    s = svc()
    st = s.settings
    pub = s.rt.latest
    age_s = time.time() - pub.wall_time
    loops, problems = {}, []
    for name, state in s.loops.state.items():
        loops[name], found = _loop_report(state, st.HEALTH_RESTART_WINDOW_S, st.HEALTH_MAX_RESTARTS)
        problems += found
    if age_s > st.HEALTH_STALE_S:
        problems.append(f"last tick {age_s:.1f} s ago (limit {st.HEALTH_STALE_S:g} s)")
    body = {"status": "unhealthy" if problems else "ok", "problems": problems, "loops": loops,
            "last_tick_age_s": round(age_s, 4), "tick": pub.tick, "seq": pub.seq,
            "sim_time": pub.sim_time, "paused": pub.paused, "overruns": s.loops.overruns,
            "last_tick_ms": round(s.loops.last_tick_ms, 3), "fanout_dropped": s.loops.bundles_dropped,
            "clients": s.hub.summary(), "async_mode": st.ASYNC_MODE}
    return body, 503 if problems else 200


@bp.get("/api/health")
def health():
    body, status = health_report()
    return json_response(body, status)


@bp.get("/metrics")
def metrics():
    s = svc()
    queues = s.rt.latest.kpis
    s.metrics.queue_depth.set(queues.get("pending", 0) if isinstance(queues, dict) else 0)
    return Response(s.metrics.render(), mimetype="text/plain; version=0.0.4")
