"""Entry point: monkey-patch for the configured async mode, build the app, serve HOST:PORT.

With PORT=0 the OS picks a free port; the chosen one is printed as `listening on http://...`
(the test fixture reads it).
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL_S = 0.001
SHUTDOWN_FLUSH_S = 8.0  # wall s the recorder gets to write its queue on SIGTERM (Docker waits 10)


def _patch(mode: str) -> None:
    """gevent/eventlet need the standard library patched before anything else is imported."""
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()


def _bind(host: str, port: int):
    """A listening socket (port 0: a free one), created here so the real port is known."""
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this on Linux: without it gevent's pywsgi writes headers and
    # body separately and Nagle + delayed ACK add ~40 ms to every small response.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(512)
    return sock


def _serve(app, host: str, port: int, mode: str) -> None:
    sock = _bind(host, port)
    url = f"http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{sock.getsockname()[1]}"
    print(f"listening on {url} (async_mode={mode})", flush=True)
    if mode == "gevent":
        from gevent import pywsgi

        pywsgi.WSGIServer(sock, app, log=None).serve_forever()
    elif mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(sock, app, log_output=False)
    else:
        from werkzeug.serving import make_server

        make_server(host, sock.getsockname()[1], app, threaded=True, fd=sock.fileno()).serve_forever()


def _refuse_open(settings) -> None:
    """A non-loopback bind needs API_TOKEN, or ALLOW_OPEN=1 to say it is meant."""
    from backend.config import LOOPBACK, SettingsError

    if settings.HOST not in LOOPBACK and not settings.API_TOKEN and not settings.ALLOW_OPEN:
        raise SettingsError(f"HOST={settings.HOST!r}: a non-loopback address needs API_TOKEN "
                            "(or ALLOW_OPEN=1 to serve it without a token)")


def _stop_on_signals(app) -> None:
    """SIGTERM and SIGINT end the process cleanly: the recorder writes what it holds and the
    current run's `ended_wall` (within SHUTDOWN_FLUSH_S), arena jobs are stopped, then the
    process exits with 0.

    It exits with os._exit, not sys.exit: a Python signal handler runs in whichever greenlet the
    main thread is running at that moment (gevent, eventlet), so a SystemExit raised there goes
    through that greenlet's error handling and then the interpreter's shutdown, which waits for
    the greenlets and threads still running. The work that must outlive a signal is done here.
    """
    import logging
    import os
    import signal

    def stop(signum, _frame):
        ext = app.extensions
        recorder = ext["vpp"].recorder
        if recorder is not None:
            recorder.close(timeout_s=SHUTDOWN_FLUSH_S)
        jobs = ext.get("arena")
        if jobs is not None:
            jobs.shutdown()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)


def main() -> None:
    from backend.envfile import async_mode_from_env

    mode = async_mode_from_env()
    _patch(mode)  # before anything else is imported (pydantic-settings imports asyncio, ssl)
    from backend.config import SettingsError, load

    try:
        settings = load()
        _refuse_open(settings)
    except SettingsError as err:
        print(f"config error: {err}", file=sys.stderr)
        sys.exit(2)
    from backend.allocator import keep_heap
    from backend.app import create_app

    keep_heap()
    # The tick runs in a native thread; its pure-Python stretches hold the GIL until CPython's
    # switch interval asks for it (default 5 ms). A shorter interval hands it to the event loop
    # (HTTP, Socket.IO) sooner; the cost is a few more GIL hand-offs per tick.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = create_app()
    _stop_on_signals(app)
    _serve(app, settings.HOST, settings.PORT, mode)
