"""contact.started / contact.ended on /ws from a real server, with a real Socket.IO client."""

from __future__ import annotations

import time


def test_contact_started_then_ended_and_counted(client, http):
    client.wait_event("tick")
    ack = client.call("unsubscribe", {"events": ["contact.ended"]})
    assert ack["ok"] is True and "contact.started" in ack["events"] and "contact.ended" not in ack["events"]
    since = time.monotonic()
    started = client.wait_event("contact.started", timeout=30, since=since)
    assert set(started) == {"station_id", "station", "satellite_id", "elevation_deg"}
    assert 0.0 <= started["elevation_deg"] < 10.0  # just risen above 0 deg (30 sim s a tick at most)
    names = {s["station_id"]: s["name"] for s in http.request("GET", "/api/stations").json()["stations"]}
    assert names[started["station_id"]] == started["station"]
    time.sleep(1.0)
    assert client.of("contact.ended", since) == []  # unsubscribed
    client.call("subscribe", {"events": ["contact.ended"]})
    pair = lambda d: (d["station_id"], d["satellite_id"])  # noqa: E731
    ended = client.wait_event("contact.ended", timeout=60, since=since,
                              match=lambda d: pair(d) == pair(started))
    assert -10.0 < ended["elevation_deg"] < 0.0
    got = len(client.of("contact.started"))  # every tick since connect, and the events that follow each
    counted = sum(t["counters"]["contact.started"] for t in client.of("tick"))
    assert counted >= got > 0
