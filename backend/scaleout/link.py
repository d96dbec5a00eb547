"""The Redis connection both roles share: key names, back-off after a failure, health.

`RedisLink.call(fn)` runs `fn(redis)`; a connection error marks the link down and starts a
back-off (REDIS_BACKOFF_BASE_S doubling up to REDIS_BACKOFF_MAX_S) during which calls fail at
once with `LinkDown` instead of waiting on a dead socket. The first call after the back-off is
the reconnection attempt (redis-py reconnects a pooled connection on its next command).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from urllib.parse import urlsplit, urlunsplit

import redis

log = logging.getLogger(__name__)

COMMANDS = "vpp:commands"  # stream: web -> engine, one entry per command (JSON)
OUT = "vpp:out"  # stream: engine -> web, ticks and command replies in the engine's order
VIEW = "vpp:view"  # string: the engine's latest read view (seq, view), replaced every tick
CLAIM = "vpp:claim:"  # + idempotency key: who took the command (the engine's reply, or "abandoned")
OUT_MAXLEN = 256  # entries kept in vpp:out (about 25 s of ticks at 10 Hz)
COMMANDS_MAXLEN = 10_000
CLAIM_TTL_S = 3600
BLOCK_MS = 1000  # XREAD wait before looping (checks for shutdown)
REDIS_BACKOFF_BASE_S = 0.1
REDIS_BACKOFF_MAX_S = 5.0


class LinkDown(Exception):
    """Redis is unreachable (or in back-off after a failure)."""


@dataclass
class LinkState:
    """Up or down, since when, failures in a row, when to try again."""

    up: bool = False
    since: float = 0.0  # monotonic
    failures: int = 0
    retry_at: float = 0.0  # monotonic
    last_error: str | None = None
    reconnects: int = 0


def redacted(url: str) -> str:
    """The URL without its password (health shows it)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


class RedisLink:
    """One Redis client (connection pool) with back-off; `call(fn)` or LinkDown."""

    def __init__(self, url: str, sleep):
        self.url = url
        self.sleep = sleep
        self.redis = redis.Redis.from_url(url, socket_timeout=BLOCK_MS / 1000 + 4, socket_connect_timeout=1.0,
                                          health_check_interval=0)
        self.state = LinkState(since=time.monotonic())

    def call(self, fn):
        """fn(redis), or LinkDown when Redis fails or the link is backing off."""
        st = self.state
        if not st.up and time.monotonic() < st.retry_at:
            raise LinkDown(f"redis unreachable ({st.last_error}); retrying in {st.retry_at - time.monotonic():.1f} s")
        try:
            out = fn(self.redis)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            self._failed(exc)
            raise LinkDown(f"redis unreachable: {exc}") from None
        if not st.up:
            self._recovered()
        return out

    def _failed(self, exc: BaseException) -> None:
        st = self.state
        if st.up or st.failures == 0:
            log.warning("redis %s unreachable: %s; reconnecting with back-off", redacted(self.url), exc)
            st.since = time.monotonic()
        st.up = False
        st.failures += 1
        st.last_error = f"{type(exc).__name__}: {exc}"
        st.retry_at = time.monotonic() + min(REDIS_BACKOFF_MAX_S, REDIS_BACKOFF_BASE_S * 2 ** (st.failures - 1))

    def _recovered(self) -> None:
        st = self.state
        if st.failures:
            st.reconnects += 1
            log.warning("redis %s reachable again after %.1f s", redacted(self.url), time.monotonic() - st.since)
        st.up, st.failures, st.since, st.last_error = True, 0, time.monotonic(), None

    def wait_retry(self) -> None:
        """Sleep until the next attempt is due (loops call this after a LinkDown)."""
        self.sleep(max(0.01, self.state.retry_at - time.monotonic()))

    def reason(self) -> str | None:
        """'redis: ...' while down, for health's degraded reasons."""
        st = self.state
        if st.up:
            return None
        return f"redis: unreachable for {time.monotonic() - st.since:.1f} s ({st.last_error or 'not connected yet'})"

    def report(self) -> dict:
        st = self.state
        return {"url": redacted(self.url), "redis_up": st.up, "redis_failures": st.failures, "redis_reconnects": st.reconnects,
                "redis_last_error": st.last_error}
