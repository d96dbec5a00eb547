"""Native threads and sleeps under any async mode.

The recorder's writer must be a real OS thread: under gevent or eventlet `threading.Thread`
and `time.sleep` are patched into greenlet versions, and a greenlet doing SQLite or PostgreSQL
I/O would hold the event loop (the tick, HTTP and Socket.IO) while it runs.
"""

from __future__ import annotations

import sys
import threading
import time


def _gevent_original(module: str, name: str):
    if "gevent" not in sys.modules:
        return None
    from gevent import monkey

    return monkey.get_original(module, name) if monkey.is_module_patched(module) else None


def _eventlet_original(module: str, name: str):
    if "eventlet" not in sys.modules:
        return None
    from eventlet import patcher

    return getattr(patcher.original(module), name) if patcher.is_monkey_patched(module) else None


def _original(module: str, name: str, default):
    return _gevent_original(module, name) or _eventlet_original(module, name) or default


def start_thread(target, name: str) -> None:
    """Run target() in a new OS thread (daemon: it never keeps the process alive)."""
    start = _original("_thread", "start_new_thread", None)
    if start is None:
        threading.Thread(target=target, name=name, daemon=True).start()
    else:
        start(target, ())


def sleep(seconds: float) -> None:
    """Block this OS thread (never yields to an event loop)."""
    _original("time", "sleep", time.sleep)(seconds)


def lock():
    """A lock that works between OS threads whatever the async mode (the original, unpatched one)."""
    return _original("_thread", "allocate_lock", threading.Lock)()
