"""A Python client for a running Satellite VPP server: every REST route with typed results, and
the live Socket.IO feed with the binary globe frames decoded into numpy arrays.

    from backend.client import VppClient

    vpp = VppClient("http://localhost:5000", token=None)  # token: the server's API_TOKEN
    vpp.pause()
    clock = vpp.step(5)                       # Clock(tick=..., sim_time=..., ...)
    with vpp.live(events=["tick"]) as feed:   # connected, subscribed
        tick = feed.wait_event("tick")
        tick["frame"].sats[:, 3]              # energy_pct of every satellite (float32)

REST answers are the pydantic models of backend/routes/models.py (the same ones the OpenAPI
document is generated from). An error answer raises `ApiError` with the server's code, message
and field; a command whose step did not come in time raises `Pending` (202) with where to poll.

Why not a plain python-socketio client: python-engineio's client handles each message in a
new thread, so a binary event's header and its attachments can be put together out of order
(an attachment then arrives where a string was expected, frames of the wrong length). `LiveFeed`
handles messages on the reading thread, in arrival order.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, fields

import engineio
import numpy as np
import requests
import socketio

from backend.core.params import ConfigView
from backend.routes.arena import ArenaJob, ArenaJobList
from backend.routes.models import Clock, CommandEntry, Drone, Health, Satellite, Smoke, Snapshot, Task
from backend.routes.runs import EventPage, RunDetail, RunList, Series, TaskPage

NS = "/ws"
FRAME_ARRAYS = {"sats": "sat_fields", "drones": "drone_fields", "beams": None}
BEAM_FIELDS = ("from", "to", "rate_eu_per_s")


class ApiError(Exception):
    """An error answer: HTTP status, the server's code, message and offending field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, body=None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.field, self.body = status, code, message, field, body


class Pending(ApiError):
    """202: the command is queued but its step did not come in time; poll `command_id`."""

    def __init__(self, body: dict):
        super().__init__(202, "pending", f"command {body['command_id']} is queued", None, body)
        self.command_id = body["command_id"]


@dataclass(frozen=True, eq=False)
class Frame:
    """One globe frame. sats (N, 6) and drones (D, 6) float32 rows in the order of sat_fields /
    drone_fields (lat, lon deg; alt_km; ...), beams (B, 3): giver index, receiver index, EU/s."""

    n_satellites: int
    n_drones: int
    n_beams: int
    sim_date: str
    sun: dict
    sat_fields: tuple
    drone_fields: tuple
    sats: np.ndarray
    drones: np.ndarray
    beams: np.ndarray

    def __eq__(self, other) -> bool:
        """Equal when every field is: arrays element by element (same shape and values)."""
        if not isinstance(other, Frame):
            return NotImplemented
        return all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
                   for a, b in ((getattr(self, f.name), getattr(other, f.name)) for f in fields(Frame)))

    __hash__ = None  # mutable numpy contents: not hashable

    def sat(self, name: str) -> np.ndarray:
        """One column of `sats` by field name, e.g. frame.sat("energy_pct")."""
        return self.sats[:, self.sat_fields.index(name)]

    def drone(self, name: str) -> np.ndarray:
        return self.drones[:, self.drone_fields.index(name)]


def decode_frame(payload: dict) -> Frame:
    """A frame as sent (arrays as little-endian float32 bytes) -> `Frame` with numpy arrays."""
    arrays = {}
    for key, fields_key in FRAME_ARRAYS.items():
        width = len(payload[fields_key]) if fields_key else len(BEAM_FIELDS)
        raw = payload[key]
        if not isinstance(raw, (bytes, bytearray)):
            raise TypeError(f"frame {key}: expected bytes, got {type(raw).__name__}")
        arrays[key] = np.frombuffer(raw, dtype="<f4").reshape(-1, width)
    return Frame(payload["n_satellites"], payload["n_drones"], payload["n_beams"], payload["sim_date"],
                 payload["sun"], tuple(payload["sat_fields"]), tuple(payload["drone_fields"]), **arrays)


def decode_event(name: str, data):
    """A live event with its frame decoded: `tick` carries the frame's keys at the top level,
    `state` under "frame"; both come out with "frame" holding a `Frame` (or None)."""
    if name == "tick" and isinstance(data, dict) and "sats" in data:
        header = {k: v for k, v in data.items() if k not in FRAME_ARRAYS}
        return {**header, "frame": decode_frame(data)}
    if name == "state" and isinstance(data, dict) and data.get("frame"):
        return {**data, "frame": decode_frame(data["frame"])}
    return data


class _InOrderEio(engineio.Client):
    """Handle each engine.io message on the reading thread, so binary events stay whole."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class _InOrderSio(socketio.Client):
    def _engineio_client_class(self):
        return _InOrderEio


class LiveFeed:
    """A Socket.IO connection to /ws that decodes and records events (name, data, arrival time).

    `events`: initial subscriptions (default: every event); `sat_limit`: satellites listed as
    JSON in the connect-time `state`; `on_event(name, data)`: called for each event as it
    arrives; `keep`: how many events to keep (oldest dropped)."""

    def __init__(self, url: str, token: str | None = None, events: list | None = None,
                 sat_limit: int | None = None, max_per_tick: int | None = None, on_event=None,
                 keep: int = 100_000, auth: dict | None = None):
        self.url = url
        self.auth = {k: v for k, v in {"token": token, "events": events, "sat_limit": sat_limit,
                                       "max_per_tick": max_per_tick}.items() if v is not None}
        self.auth.update(auth or {})
        self.on_event = on_event
        self.sio = _InOrderSio(reconnection=False)
        self.events: collections.deque = collections.deque(maxlen=keep)
        self._cond = threading.Condition()
        self.sio.on("*", self._record, namespace=NS)

    def _record(self, name, data=None) -> None:
        data = decode_event(name, data)
        with self._cond:
            self.events.append((name, data, time.monotonic()))
            self._cond.notify_all()
        if self.on_event is not None:
            self.on_event(name, data)

    def connect(self, timeout_s: float = 10.0, transports: tuple = ("websocket",)) -> "LiveFeed":
        """Connect over `transports` (Engine.IO names: "websocket", "polling")."""
        self.sio.connect(self.url, namespaces=[NS], transports=list(transports), auth=self.auth or None,
                         wait_timeout=timeout_s)
        return self

    def close(self) -> None:
        self.sio.disconnect()

    def __enter__(self) -> "LiveFeed":
        return self if self.sio.connected else self.connect()

    def __exit__(self, *exc) -> None:
        self.close()

    def call(self, event: str, data=None, timeout: float = 5.0):
        """Emit `event` and return the server's acknowledgement."""
        return self.sio.call(event, data, namespace=NS, timeout=timeout)

    def subscribe(self, events: list, max_per_tick: int | None = None) -> dict:
        body = {"events": events, **({} if max_per_tick is None else {"max_per_tick": max_per_tick})}
        return self.call("subscribe", body)

    def unsubscribe(self, events: list) -> dict:
        return self.call("unsubscribe", {"events": events})

    def stats(self) -> dict:
        return self.call("stats")

    def request_state(self, sat_limit: int | None = None) -> dict:
        """Ask for a fresh `state` event (the answer is the ack; the state follows as an event)."""
        return self.call("state", {} if sat_limit is None else {"sat_limit": sat_limit})

    def of(self, name: str, since: float = 0.0) -> list:
        """Data of the recorded `name` events that arrived at or after `since` (monotonic s)."""
        with self._cond:
            return [d for n, d, t in self.events if n == name and t >= since]

    def wait_for(self, pred, timeout: float = 15.0, what: str = "condition"):
        """Block until pred(recorded events) is truthy; return its value (AssertionError on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = pred(self.events)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    names = sorted({n for n, _, _ in self.events})
                    raise AssertionError(f"timed out waiting for {what}; got {names}")
                self._cond.wait(min(left, 0.2))

    def wait_event(self, name: str, match=None, timeout: float = 15.0, since: float = 0.0):
        """The first recorded `name` event since `since` for which match(data) holds."""
        def found(events):
            for n, d, t in events:
                if n == name and t >= since and (match is None or match(d)):
                    return d
            return None
        return self.wait_for(found, timeout, name)


class VppClient:
    """Every REST route of the server, with typed results; `live()` opens the Socket.IO feed."""

    def __init__(self, url: str, token: str | None = None, timeout_s: float = 30.0):
        self.url, self.token, self.timeout_s = url.rstrip("/"), token, timeout_s
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    # -- plumbing -------------------------------------------------------------------------
    def request(self, method: str, path: str, body: dict | None = None, params: dict | None = None,
                ok=(200, 201)) -> requests.Response:
        """Send one request; an answer outside `ok` raises ApiError (Pending for a 202)."""
        kw = {"json": body} if body is not None else {}
        resp = self.session.request(method, self.url + path, params=params, timeout=self.timeout_s, **kw)
        if resp.status_code in ok:
            return resp
        if resp.status_code == 202:
            raise Pending(resp.json())
        raise _error(resp)

    def _get(self, model, path: str, params: dict | None = None, ok=(200,)):
        return model.model_validate(self.request("GET", path, params=params, ok=ok).json())

    def _post(self, model, path: str, body: dict | None = None):
        return model.model_validate(self.request("POST", path, body).json())

    # -- clock ----------------------------------------------------------------------------
    def pause(self) -> Clock:
        return self._post(Clock, "/api/sim/pause")

    def resume(self) -> Clock:
        return self._post(Clock, "/api/sim/resume")

    def step(self, ticks: int = 1) -> Clock:
        """Advance the paused clock by `ticks`; answers after the last of them."""
        return self._post(Clock, "/api/sim/step", {"ticks": ticks})

    def reset(self, seed: int | None = None, scenario: dict | None = None) -> Clock:
        body = {k: v for k, v in {"seed": seed, "scenario": scenario}.items() if v is not None}
        return self._post(Clock, "/api/reset", body)

    # -- state and config -----------------------------------------------------------------
    def state(self, sat_offset: int = 0, sat_limit: int | None = None, fields: list | None = None) -> Snapshot:
        params = {"sat_offset": sat_offset} if sat_offset else {}
        if sat_limit is not None:
            params["sat_limit"] = sat_limit
        if fields:
            params["fields"] = ",".join(fields)
        return self._get(Snapshot, "/api/state", params)

    def config(self) -> ConfigView:
        return self._get(ConfigView, "/api/config")

    def set_config(self, patch: dict | None = None, **flat) -> ConfigView:
        """Change part of the config: nested groups ({"beam": {...}}) and/or flat keys."""
        return self._post(ConfigView, "/api/config", {**(patch or {}), **flat})

    # -- tasks, satellites, drones, load generator ----------------------------------------
    def create_task(self, energy_need: float, processing_power_needed: float, priority: str = "medium",
                    origin: dict | None = None) -> Task:
        body = {"energy_need": energy_need, "processing_power_needed": processing_power_needed,
                "priority": priority, **({"origin": origin} if origin is not None else {})}
        return self._post(Task, "/api/tasks", body)

    def task(self, task_id: str) -> Task:
        return self._get(Task, f"/api/tasks/{task_id}")

    def satellite(self, sat_id: str) -> Satellite:
        return self._get(Satellite, f"/api/satellites/{sat_id}")

    def set_satellite(self, sat_id: str, **fields) -> Satellite:
        """What-if hook: energy_pct, solar_scale and/or consumption_rate."""
        return self._post(Satellite, f"/api/satellites/{sat_id}", fields)

    def drone(self, battery_id: str) -> Drone:
        """One battery drone, e.g. bat-001."""
        return self._get(Drone, f"/api/drones/{battery_id}")

    def launch(self, battery_id: str, satellite_id: str) -> Drone:
        return self._post(Drone, f"/api/drones/{battery_id}/launch", {"satellite_id": satellite_id})

    def recall(self, battery_id: str) -> Drone:
        return self._post(Drone, f"/api/drones/{battery_id}/recall")

    def smoke_start(self, qps: float, burst: int = 1) -> Smoke:
        return self._post(Smoke, "/api/smoke/start", {"qps": qps, "burst": burst})

    def smoke_stop(self) -> Smoke:
        return self._post(Smoke, "/api/smoke/stop")

    def command(self, command_id: str) -> CommandEntry:
        """What became of a command (after a Pending)."""
        return self._get(CommandEntry, f"/api/commands/{command_id}")

    # -- the flight recorder (docs/history.md); run_id: a number or "current" ---------------
    # Query parameters as the routes name them: from / to (sim s or ISO dates), step, limit,
    # cursor, kind, satellite, outcome, priority (`from_` for `from`).
    def runs(self, limit: int = 50, cursor: int | None = None) -> RunList:
        return self._get(RunList, "/api/runs", _params(limit=limit, cursor=cursor))

    def run(self, run_id="current") -> RunDetail:
        return self._get(RunDetail, f"/api/runs/{run_id}")

    def run_kpis(self, run_id="current", **query) -> Series:
        return self._get(Series, f"/api/runs/{run_id}/kpis", _params(**query))

    def run_rollups(self, run_id="current", group: str = "plane", **query) -> Series:
        return self._get(Series, f"/api/runs/{run_id}/rollups", _params(group=group, **query))

    def satellite_history(self, sat_id: str, run_id="current", **query) -> Series:
        return self._get(Series, f"/api/runs/{run_id}/satellites/{sat_id}/history", _params(**query))

    def run_events(self, run_id="current", **query) -> EventPage:
        return self._get(EventPage, f"/api/runs/{run_id}/events", _params(**query))

    def run_tasks(self, run_id="current", **query) -> TaskPage:
        return self._get(TaskPage, f"/api/runs/{run_id}/tasks", _params(**query))

    def export(self, table: str, run_id="current", format: str = "csv", **query) -> bytes:
        """One table of a run as CSV or Parquet bytes."""
        return self.request("GET", f"/api/runs/{run_id}/export",
                            params=_params(table=table, format=format, **query)).content

    # -- policy arena jobs (docs/arena.md) ---------------------------------------------------
    def arena_start(self, policies: list, seeds: list, hours: float, scenario: str = "default",
                    load: float = 50.0) -> ArenaJob:
        """Start an arena job (ApiError 409 arena_too_large, 429 arena_busy)."""
        body = {"scenario": scenario, "policies": list(policies), "seeds": list(seeds), "hours": hours, "load": load}
        return ArenaJob.model_validate(self.request("POST", "/api/arena", body, ok=(201,)).json())

    def arena_jobs(self) -> ArenaJobList:
        return self._get(ArenaJobList, "/api/arena")

    def arena_job(self, job_id: str) -> ArenaJob:
        return self._get(ArenaJob, f"/api/arena/{job_id}")

    def arena_wait(self, job_id: str, timeout_s: float = 600.0, poll_s: float = 0.5) -> ArenaJob:
        """The job once it is no longer running (TimeoutError after timeout_s wall s)."""
        deadline = time.monotonic() + timeout_s
        while (job := self.arena_job(job_id)).state == "running":
            if time.monotonic() > deadline:
                raise TimeoutError(f"arena job {job_id} still running after {timeout_s} s")
            time.sleep(poll_s)
        return job

    def arena_report(self, job_id: str) -> dict:
        """The finished job's results.json (ApiError 409 arena_not_done before)."""
        return self.request("GET", f"/api/arena/{job_id}/report").json()

    def arena_file(self, job_id: str, name: str) -> bytes:
        """One report file: results.json, table.csv, kpis.png or soc.png."""
        return self.request("GET", f"/api/arena/{job_id}/report/{name}").content

    def arena_cancel(self, job_id: str) -> ArenaJob:
        return ArenaJob.model_validate(self.request("DELETE", f"/api/arena/{job_id}").json())

    # -- operations -----------------------------------------------------------------------
    def health(self) -> Health:
        """Health, also when the server answers 503 (status "unhealthy")."""
        return self._get(Health, "/api/health", ok=(200, 503))

    def metrics(self) -> str:
        """The Prometheus text exposition."""
        return self.request("GET", "/metrics").text

    def openapi(self) -> dict:
        return self.request("GET", "/api/openapi.json").json()

    # -- test hooks (servers started with TEST_HOOKS=1) -----------------------------------
    def inject_loop_fault(self, loop: str, times: int = 1) -> dict:
        """Make the `tick` or `fanout` loop raise `times` times in a row."""
        return self.request("POST", "/api/_test/fault", {"loop": loop, "times": times}).json()

    def slow_ticks(self, ticks: int, seconds: float) -> dict:
        """Make each of the next `ticks` ticks burn `seconds` of extra CPU (0 ticks: stop)."""
        return self.request("POST", "/api/_test/slow", {"ticks": ticks, "seconds": seconds}).json()

    def live(self, **options) -> LiveFeed:
        """A LiveFeed on this server with this client's token (connect it, or use `with`)."""
        return LiveFeed(self.url, token=self.token, **options)


def _params(**query) -> dict:
    """Query parameters without the unset ones; `from_` is sent as `from`."""
    return {("from" if k == "from_" else k): v for k, v in query.items() if v is not None}


def _error(resp: requests.Response) -> ApiError:
    try:
        err = resp.json()["error"]
        return ApiError(resp.status_code, err["code"], err["message"], err["field"], resp.json())
    except (ValueError, KeyError, TypeError):
        return ApiError(resp.status_code, "http_error", resp.text[:200] or resp.reason)
