"""App factory: Flask + Flask-SocketIO around the engine.

`socketio` is created at module level and bound in `create_app` with `init_app`; the async mode
is chosen here, once, from configuration (ASYNC_MODE: gevent by default, threading, eventlet).
The entry point (`python -m backend`) monkey-patches for gevent/eventlet before importing this.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
from flask import Flask
from flask_socketio import SocketIO

from backend import config as config_mod
from backend import security
from backend.core.engine import Engine
from backend.core.params import SimConfig
from backend.core.scenario import Scenario
from backend.events import Hub, serialize_sends
from backend.history import open_recorder
from backend.loops import Loops
from backend.metrics import Metrics
from backend.routes import register as register_routes
from backend.routes.web import NotApiConverter
from backend.runtime import Runtime
from backend.transport import patch_websocket_send
from backend.utils.errors import register_error_handlers
from backend.ws import VppNamespace

log = logging.getLogger(__name__)

socketio = SocketIO()


class OrjsonForSocketIO:
    """The json module python-socketio uses for packets: orjson (10k satellites in ~1 ms)."""

    @staticmethod
    def dumps(obj, **_kwargs) -> str:
        return orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY).decode()

    @staticmethod
    def loads(text, **_kwargs):
        return orjson.loads(text)


@dataclass
class Services:
    """What the routes, the namespace and the loops share (app.extensions["vpp"])."""

    settings: config_mod.Settings
    rt: Runtime
    hub: Hub
    loops: Loops
    metrics: Metrics
    recorder: object = None  # backend.history.Recorder, None when HISTORY_URL=off


def build_engine(settings: config_mod.Settings) -> Engine:
    """The engine from SIM_* / SCENARIO_* overrides and SEED; bad values fail at start."""
    return Engine(config=SimConfig(settings.sim), scenario=Scenario().updated(settings.scenario),
                  seed=settings.SEED)


def build_recorder(st: config_mod.Settings):
    """The flight recorder from HISTORY_* settings (None when HISTORY_URL=off)."""
    return open_recorder(st.HISTORY_URL, flush_s=st.HISTORY_FLUSH_S, queue_ticks=st.HISTORY_QUEUE_TICKS,
                         queue_bytes=int(st.HISTORY_QUEUE_MB * 1e6),
                         sample_every_s=st.HISTORY_SAMPLE_EVERY_S, retain_sim_s=st.HISTORY_RETAIN_SIM_S,
                         max_bytes=int(st.HISTORY_MAX_MB * 1e6))


def _services(st: config_mod.Settings, hub: Hub, metrics: Metrics) -> Services:
    """The engine, its loops and the recorder here (ROLE single or engine), or the engine behind
    Redis (ROLE=web: no engine, no recorder)."""
    if st.ROLE == "web":
        from backend.scaleout.web import web_services

        return web_services(Services, socketio, st, hub, metrics)
    rt = Runtime(build_engine(st), socketio.server.eio.create_event, st.QUERY_TIMEOUT_S, st.ASYNC_MODE)
    svc = Services(st, rt, hub, Loops(socketio, rt, hub, metrics, st), metrics, build_recorder(st))
    svc.loops.recorder = svc.recorder
    metrics.watch_recorder(svc.recorder)
    return svc


def _init_socketio(app: Flask, st: config_mod.Settings) -> None:
    socketio.init_app(app, async_mode=st.ASYNC_MODE, json=OrjsonForSocketIO,
                      cors_allowed_origins=security.socketio_origins(st), ping_interval=st.PING_INTERVAL_S,
                      ping_timeout=st.PING_TIMEOUT_S, max_http_buffer_size=st.MAX_BODY_BYTES)


def create_app(test_config: dict | None = None) -> Flask:
    """Defaults, then environment / .env, then `test_config`; starts the loops once."""
    st = config_mod.load(test_config)
    logging.basicConfig(level=st.LOG_LEVEL.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no per-request access log
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=st.MAX_BODY_BYTES, SETTINGS=st)
    app.url_map.converters["notapi"] = NotApiConverter
    patch_websocket_send()
    security.install(app, st)
    _init_socketio(app, st)
    app.wsgi_app = security.HostCheck(app.wsgi_app, st.allowed_hosts())  # outermost: covers /socket.io
    metrics = Metrics()
    serialize_sends(socketio.server)
    hub = Hub(socketio.server, st, metrics)
    svc = _services(st, hub, metrics)
    app.extensions["vpp"] = svc
    register_error_handlers(app)
    register_routes(app, test_hooks=st.TEST_HOOKS)
    socketio.on_namespace(VppNamespace(svc))
    if st.SMOKE_AUTOSTART and st.ROLE != "web":
        svc.rt.submit({"type": "smoke_start", "qps": st.SMOKE_QPS, "burst": st.SMOKE_BURST})
    if st.ROLE == "engine":
        from backend.scaleout.engine import EngineLink

        EngineLink(svc, socketio).attach()
    svc.loops.start()
    log.info("app ready: role=%s, async_mode=%s, %s", st.ROLE, socketio.server.eio.async_mode,
             st.scenario or "default scenario")
    return app
