"""A client that stops reading: the server's memory stays bounded, others keep their ticks, and
a client behind for longer than CLIENT_MAX_LAG_S is disconnected."""

from __future__ import annotations

import socket
import time

import pytest
import requests
import websocket

from .conftest import MODES, Recorder

STALL_S = 60.0


def stalled_client(url: str) -> websocket.WebSocket:
    """Open /ws over a raw WebSocket with a tiny receive buffer, then never read again."""
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
        sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)], timeout=10)
    assert ws.recv().startswith("0")  # engine.io open
    ws.send("40/ws,")
    assert ws.recv().startswith("40/ws,")  # namespace connected
    return ws


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_stalled_client_keeps_memory_bounded(live_server_factory, mode):
    srv = live_server_factory({"SCENARIO_N_SATELLITES": "5000", "SCENARIO_PLANES": "50",
                               "PING_TIMEOUT_S": "300", "CLIENT_MAX_LAG_S": "1000"}, async_mode=mode)
    reader = Recorder(srv.url, auth={"events": ["tick"], "sat_limit": 0}).connect()
    ws = stalled_client(srv.url)
    try:
        time.sleep(8.0)  # kernel buffers fill, then the bound takes over
        base_kb, peak_kb = srv.rss_kb(), 0
        t0 = time.monotonic()
        seq0 = reader.of("tick")[-1]["seq"]
        while time.monotonic() - t0 < STALL_S:
            time.sleep(2.0)
            peak_kb = max(peak_kb, srv.rss_kb())
        health = requests.get(srv.url + "/api/health", timeout=10).json()
        ticks = [t for t in reader.of("tick") if t["seq"] > seq0]
    finally:
        ws.close()
        reader.close()
        srv.stop()
    growth_mb = (peak_kb - base_kb) / 1024
    print(f"\n[{mode}] stalled client {STALL_S:.0f} s at 5,000 satellites: RSS {base_kb / 1024:.1f} MB "
          f"-> peak {peak_kb / 1024:.1f} MB (+{growth_mb:.1f} MB); reader got {len(ticks)} ticks; "
          f"health clients {health['clients']}")
    # Unbounded, the stalled client's queue would grow ~120 KB a tick: ~70 MB over the stall.
    assert growth_mb < 25.0
    assert health["clients"]["behind"] >= 1 and health["clients"]["skipped_events"] >= 0
    assert len(ticks) >= 0.7 * STALL_S / 0.1  # the reading client kept (most of) its 10 Hz


@pytest.mark.parametrize("mode", MODES)
def test_client_too_far_behind_is_disconnected(live_server_factory, mode):
    srv = live_server_factory({"SCENARIO_N_SATELLITES": "5000", "SCENARIO_PLANES": "50",
                               "PING_TIMEOUT_S": "300", "CLIENT_MAX_LAG_S": "2"}, async_mode=mode)
    ws = stalled_client(srv.url)
    try:
        deadline = time.monotonic() + 30
        while True:
            clients = requests.get(srv.url + "/api/health", timeout=10).json()["clients"]
            if clients["disconnected_behind"] >= 1:
                break
            assert time.monotonic() < deadline, clients
            time.sleep(0.5)
        assert clients["connected"] == 0
        fresh = Recorder(srv.url, auth={"sat_limit": 0}).connect()  # the server still serves
        fresh.wait_event("tick")
        fresh.close()
    finally:
        ws.close()
        srv.stop()
