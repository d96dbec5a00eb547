"""GET /api/runs/... against a real server recording into SQLite and into PostgreSQL: answers
agree with the engine's own counters and with SQL on the tables; bad input is a 4xx that
names the parameter; exports read back equal to the tables."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest
import requests
import sqlalchemy as sa

from tests.api.conftest import assert_error

from .recorded import reader

N_SATS = 120


class Client:
    def __init__(self, url: str, db_url: str):
        self.url, self.db_url = url, db_url

    def get(self, path: str, **kw):
        return requests.get(self.url + path, timeout=30, **kw)

    def ok(self, path: str) -> dict:
        resp = self.get(path)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def post(self, path: str, body=None) -> dict:
        resp = requests.post(self.url + path, json=body, timeout=30)
        assert resp.status_code < 300, resp.text
        return resp.json()

    def run_until(self, sim_time_s: float, timeout_s: float = 60.0) -> None:
        """Wait until the simulated clock has reached sim_time_s (s)."""
        deadline = time.monotonic() + timeout_s
        while self.ok("/api/state?sat_limit=0")["sim_time"] < sim_time_s:
            assert time.monotonic() < deadline, f"the clock did not reach {sim_time_s} s"
            time.sleep(0.1)

    def caught_up(self, timeout_s: float = 20.0) -> dict:
        """The paused state once the recorder has written its last tick."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.ok("/api/state?sat_limit=0")
            run = self.get("/api/runs/current")
            if run.status_code == 200 and run.json()["last_tick"] == state["tick"] \
                    and self.ok("/api/health")["recorder"]["queued"] == 0:
                return state
            time.sleep(0.1)
        raise AssertionError("the recorder did not catch up")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def srv(request, live_server_factory, tmp_path_factory):
    """A server that recorded ~60 ticks under load, then paused, with one config change."""
    if request.param == "sqlite":
        db_url = str(tmp_path_factory.mktemp("rec") / "history.sqlite")
    else:
        db_url = request.getfixturevalue("pg_cluster").fresh_database(f"routes{id(request)}")
    server = live_server_factory({"HISTORY_URL": db_url, "HISTORY_FLUSH_S": "0.2", "HISTORY_SAMPLE_EVERY_S": "0",
                                  "SIM_TICK_INTERVAL": "0.05", "SIM_TIME_SCALE": "60",
                                  "SCENARIO_N_SATELLITES": str(N_SATS), "SCENARIO_PLANES": "6"})
    c = Client(server.url, db_url)
    c.post("/api/smoke/start", {"qps": 400, "burst": 20})
    c.run_until(90.0)  # by the simulated clock, not wall time: a loaded machine ticks slower
    c.post("/api/config", {"delegator": {"w1": 0.4}})
    c.run_until(180.0)
    c.post("/api/sim/pause")
    c.state = c.caught_up()
    yield c
    server.stop()


@pytest.fixture(scope="module")
def db(srv):
    return reader(srv.db_url)


def test_runs_list_and_detail_name_the_current_run(srv):
    runs = srv.ok("/api/runs")
    assert runs["current"] == runs["runs"][0]["run_id"] and runs["runs"][0]["current"] is True
    detail = srv.ok("/api/runs/current")
    assert detail == srv.ok(f"/api/runs/{runs['current']}")
    assert detail["seed"] == 0 and detail["n_satellites"] == N_SATS and detail["ended_wall"] is None
    assert detail["config"]["time"]["time_scale"] == 60
    [change] = detail["config_changes"]
    assert change["config"]["delegator"]["w1"] == 0.4 and 0 < change["tick"] <= srv.state["tick"]
    assert change["sim_date"].startswith("2026-")


def test_kpi_buckets_add_up_to_the_engine_counters(srv):
    state = srv.state
    series = srv.ok("/api/runs/current/kpis?step=10")
    cols = series["columns"]
    assert series["step_s"] == 10 and series["points"] == len(cols["sim_s"]) == len(cols["sim_date"])
    assert sum(cols["ticks"]) == state["tick"]
    tasks = state["counters"]["tasks"]
    assert sum(cols["tasks_created"]) == tasks["created"]
    assert sum(cols["tasks_completed"]) == tasks["completed"]
    assert cols["sim_s"][-1] == state["sim_time"]
    assert cols["solar_in_eu"][-1] == pytest.approx(state["energy"]["solar_in"], rel=1e-12)


def test_times_as_iso_dates_equal_times_as_seconds(srv):
    by_s = srv.ok("/api/runs/current/kpis?from=30&to=120&step=15")
    by_date = srv.ok("/api/runs/current/kpis?from=2026-03-20T00:00:30Z&to=2026-03-20T00:02:00%2B00:00&step=15")
    assert by_s == by_date
    assert by_s["from_date"] == "2026-03-20T00:00:30Z" and min(by_s["columns"]["sim_s"]) >= 30


def test_rollups_per_plane_and_band_cover_the_fleet(srv, db):
    planes = srv.ok("/api/runs/current/rollups?group=plane&step=30")
    cols = planes["columns"]
    assert sorted(set(cols["key"])) == list(range(6))
    assert all(c == N_SATS / 6 for c in cols["count"])
    bands = srv.ok("/api/runs/current/rollups?group=band&step=1000000")
    assert sum(bands["columns"]["count"]) == pytest.approx(N_SATS)  # one bucket: mean count per band
    assert all(k % 10 == 0 and -90 <= k < 90 for k in bands["columns"]["key"])


def test_satellite_history_ends_at_the_satellite_state(srv):
    hist = srv.ok("/api/runs/current/satellites/sat-006/history?step=3")  # one tick per bucket
    sat = srv.ok("/api/satellites/sat-006")
    cols = hist["columns"]
    assert hist["satellite_id"] == "sat-006" and cols["samples"] == [1] * len(cols["sim_s"])
    assert cols["energy_eu"][-1] == pytest.approx(sat["energy_amount"], rel=1e-12)
    assert cols["sunlit"][-1] == (1.0 if sat["sunlit"] else 0.0)
    assert len(cols["sim_s"]) == srv.state["tick"]


def _all_pages(srv, path: str, key: str, limit: int) -> list:
    out, cursor = [], None
    for _ in range(10_000):
        after = "" if cursor is None else f"&cursor={cursor}"
        page = srv.ok(f"{path}{'&' if '?' in path else '?'}limit={limit}{after}")
        assert len(page[key]) <= limit
        out += page[key]
        if page["next_cursor"] is None:
            return out
        cursor = page["next_cursor"]
    raise AssertionError("paging did not end")


def test_event_pages_hold_every_event_once(srv):
    events = _all_pages(srv, "/api/runs/current/events", "events", 997)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
    counts = pd.Series([e["kind"] for e in events]).value_counts().to_dict()
    assert counts == {k: v for k, v in srv.state["counters"]["events"].items() if v}
    assigned = next(e for e in events if e["kind"] == "task.assigned")
    assert set(assigned["payload"]) == {"task_id", "satellite_id", "latency_s"}
    only = srv.ok(f"/api/runs/current/events?kind=task.assigned&satellite={assigned['satellite_id']}&limit=5000")
    assert only["events"] and all(e["kind"] == "task.assigned" and e["satellite_id"] == assigned["satellite_id"]
                                  for e in only["events"])


def test_task_records_filter_by_outcome_priority_and_time(srv):
    tasks = _all_pages(srv, "/api/runs/current/tasks", "tasks", 500)
    counters = srv.state["counters"]["tasks"]
    assert len(tasks) == counters["completed"] + counters["dropped"]
    high = srv.ok("/api/runs/current/tasks?outcome=completed&priority=high&limit=5000")["tasks"]
    assert len(high) == counters["by_priority"]["high"]["completed"]
    middle = round(sorted(t["finished_s"] for t in tasks)[len(tasks) // 2], 3)  # the route takes <= 9 decimals
    late = srv.ok(f"/api/runs/current/tasks?from={middle}&limit=5000")["tasks"]
    assert late == [t for t in tasks if t["finished_s"] >= middle]
    done = high[0]
    assert done["latency_s"] == done["assigned_s"] - done["created_s"] and done["satellite_id"].startswith("sat-")


@pytest.mark.parametrize("table", ["kpis", "rollups", "samples", "events", "tasks"])
def test_exports_read_back_equal_to_the_table(srv, db, table):
    run_id = srv.ok("/api/runs/current")["run_id"]
    keys = {"kpis": "tick", "rollups": "grp, tick, key", "samples": "tick, sat", "events": "seq", "tasks": "task"}
    with db.connect() as conn:
        expected = pd.read_sql(sa.text(f"SELECT * FROM {table} WHERE run_id = :r ORDER BY {keys[table]}"), conn,
                               params={"r": run_id})
    csv = srv.get(f"/api/runs/current/export?table={table}&format=csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    parquet = srv.get(f"/api/runs/{run_id}/export?table={table}&format=parquet")
    assert parquet.status_code == 200 and "attachment" in parquet.headers["Content-Disposition"]
    from_csv = pd.read_csv(io.StringIO(csv.text), keep_default_na=False, na_values=[""])
    from_parquet = pd.read_parquet(io.BytesIO(parquet.content))
    assert len(expected) > 0
    for got in (from_csv, from_parquet):
        assert list(got.columns) == list(expected.columns)
        pd.testing.assert_frame_equal(_plain(got), _plain(expected), check_dtype=False)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as Python objects, every missing value as None (CSV, Parquet and SQL spell NULL apart)."""
    return frame.astype(object).where(frame.notna(), None)


BAD = [
    ("/api/runs?limit=0", 400, "out_of_range", "limit"),
    ("/api/runs?limit=ten", 400, None, "limit"),
    ("/api/runs?foo=1", 400, "unknown_field", "foo"),
    ("/api/runs?limit=1&limit=2", 400, "duplicate_key", "limit"),
    ("/api/runs/999999", 404, "not_found", None),
    ("/api/runs/abc", 404, "not_found", None),
    ("/api/runs/999999/kpis", 404, "not_found", None),
    ("/api/runs/current/kpis?step=-1", 400, None, "step"),
    ("/api/runs/current/kpis?step=nan", 400, None, "step"),
    ("/api/runs/current/kpis?step=0", 400, "invalid_value", "step"),
    ("/api/runs/current/kpis?step=0.000001", 409, "invalid_value", "step"),  # too many buckets
    ("/api/runs/current/kpis?from=yesterday", 400, None, "from"),
    ("/api/runs/current/kpis?from=1e3", 400, None, "from"),
    ("/api/runs/current/kpis?from=10&to=5", 409, "invalid_value", "to"),  # each valid, not together
    ("/api/runs/current/rollups", 400, "missing_field", "group"),
    ("/api/runs/current/rollups?group=country", 400, None, "group"),
    ("/api/runs/current/satellites/sat-99999/history", 404, "not_found", None),
    ("/api/runs/current/satellites/bogus/history", 404, "not_found", None),
    ("/api/runs/current/events?kind=task.nope", 400, "invalid_value", "kind"),
    ("/api/runs/current/events?limit=5001", 400, "out_of_range", "limit"),
    ("/api/runs/current/events?satellite=sat-x", 400, None, "satellite"),
    ("/api/runs/current/events?cursor=-1", 400, None, "cursor"),
    ("/api/runs/current/tasks?outcome=lost", 400, None, "outcome"),
    ("/api/runs/current/tasks?priority=urgent", 400, None, "priority"),
    ("/api/runs/current/export?table=runs", 400, None, "table"),
    ("/api/runs/current/export?table=kpis&format=xlsx", 400, None, "format"),
    ("/api/runs/current/export", 400, "missing_field", "table"),
]


@pytest.mark.parametrize("path,status,code,field", BAD)
def test_bad_queries_are_refused_with_the_parameter_named(srv, path, status, code, field):
    assert_error(srv.get(path), status, code, field)


def test_paging_runs_after_a_reset(srv):
    first = srv.ok("/api/runs/current")["run_id"]
    srv.post("/api/reset", {"seed": 5})
    srv.post("/api/sim/pause")  # a reset un-pauses (docs/api.md): pause so the recorder can catch up
    srv.caught_up()
    runs = srv.ok("/api/runs?limit=1")
    assert runs["current"] == runs["runs"][0]["run_id"] == first + 1 and runs["runs"][0]["seed"] == 5
    older = srv.ok(f"/api/runs?limit=1&cursor={runs['next_cursor']}")
    assert older["runs"][0]["run_id"] == first and older["runs"][0]["ended_wall"] is not None


def test_recording_off_answers_404(live_server_factory):
    server = live_server_factory({"HISTORY_URL": "off"})
    resp = requests.get(server.url + "/api/runs", timeout=10)
    assert_error(resp, 404, "not_found", None)
    assert requests.get(server.url + "/api/health", timeout=10).json()["recorder"] == {"enabled": False}
    server.stop()
