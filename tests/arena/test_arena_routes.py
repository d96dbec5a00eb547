"""Arena jobs over REST against a real server: the life cycle (start, progress on /ws, done, the
report equal byte for byte to a CLI run of the same inputs), one job at a time, the size limit,
bad inputs, cancel. Every refusal changes nothing (the job list stays as it was)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from backend.arena.__main__ import main as arena_cli
from backend.client import ApiError, LiveFeed, VppClient
from backend.routes.arena import ArenaJob

TINY = {"scenario": "default", "policies": ["v1", "least_loaded"], "seeds": [1, 2], "hours": 0.02, "load": 50.0}
CAP_SAT_HOURS = 2000  # the test server's ARENA_MAX_SAT_HOURS
DONE_WITHIN_S = 300  # liveness bound on a loaded 2-core machine, not a timing assertion


@pytest.fixture(scope="module")
def jobs_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("arena-jobs")


@pytest.fixture(scope="module")
def srv(live_server_factory, jobs_dir):
    server = live_server_factory({"SCENARIO_N_SATELLITES": "60", "SCENARIO_PLANES": "6", "SMOKE_AUTOSTART": "0",
                                  "HISTORY_URL": "off", "ARENA_MAX_SAT_HOURS": str(CAP_SAT_HOURS),
                                  "ARENA_DIR": str(jobs_dir)})
    yield server
    server.stop()


def post(srv, body) -> requests.Response:
    return requests.post(srv.url + "/api/arena", json=body, timeout=30)


def get(srv, path: str) -> requests.Response:
    return requests.get(srv.url + path, timeout=30)


def job_ids(srv) -> list:
    return [j["job_id"] for j in get(srv, "/api/arena").json()["jobs"]]


def wait_finished(srv, job_id: str) -> dict:
    deadline = time.monotonic() + DONE_WITHIN_S
    while time.monotonic() < deadline:
        job = get(srv, f"/api/arena/{job_id}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.5)
    raise AssertionError(f"{job_id} still running after {DONE_WITHIN_S} s")


def assert_error(resp, status: int, code: str, field=None) -> None:
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert err["code"] == code, err
    if field is not None:
        assert err["field"] == field, err


def test_job_life_cycle_gives_the_cli_report(srv, tmp_path):
    with LiveFeed(srv.url, events=["arena.progress", "arena.finished"]) as feed:
        resp = post(srv, TINY)
        assert resp.status_code == 201, resp.text
        job = resp.json()
        assert resp.headers["Location"] == f"/api/arena/{job['job_id']}"
        assert (job["state"], job["progress"], job["baseline"]) == ("running", {"done": 0, "total": 4}, "v1")
        assert job["sat_hours"] == pytest.approx(2 * 2 * 300 * 0.02)  # the arena's default world: 300 satellites
        # one job at a time: a second is refused while the first runs, and nothing is added
        busy = post(srv, {**TINY, "seeds": [3]})
        assert_error(busy, 429, "arena_busy")
        assert int(busy.headers["Retry-After"]) >= 1
        assert job_ids(srv) == [job["job_id"]]
        done = wait_finished(srv, job["job_id"])
        finished = feed.wait_for(lambda ev: [d for n, d, _ in ev if n == "arena.finished"], timeout=30,
                                 what="arena.finished")
        progress = [d for d in feed.of("arena.progress") if d["job_id"] == job["job_id"]]
    assert done["state"] == "done", done
    assert done["progress"] == {"done": 4, "total": 4}
    assert finished[0] == {"job_id": job["job_id"], "state": "done", "error": None, "done": 4, "total": 4}
    assert progress and progress[0]["total"] == 4 and [p["done"] for p in progress] == sorted(p["done"] for p in progress)
    assert done["files"] == ["results.json", "table.csv", "kpis.png", "soc.png"]
    report = get(srv, done["report"])
    assert report.status_code == 200 and report.headers["Content-Type"].startswith("application/json")
    # determinism: the CLI with the same inputs writes the same results.json, byte for byte
    assert arena_cli(["--scenario", "default", "--policies", "v1,least_loaded", "--seeds", "1,2", "--hours", "0.02",
                      "--load", "50", "--out", str(tmp_path), "--no-plots"]) == 0
    assert report.content == (tmp_path / "results.json").read_bytes()
    assert done["summary"] == report.json()["summary"]
    assert done["summary"]["v1"]["tasks_completed"]["all"]["n"] == 2
    assert done["summary"]["v1"]["tasks_completed"]["vs_baseline"]["mean"] == 0.0
    png = get(srv, f"/api/arena/{job['job_id']}/report/kpis.png")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    table = get(srv, f"/api/arena/{job['job_id']}/report/table.csv")
    assert table.text.splitlines()[0].startswith("policy,kpi,n,mean,ci95_lo,ci95_hi")
    assert get(srv, "/api/arena").json()["running"] is None


@pytest.mark.parametrize("name", ["log.txt", "progress.json", "..%2Fresults.json", "results.json.tmp", "KPIS.PNG"])
def test_only_the_report_files_are_served(srv, name):
    ids = job_ids(srv) or [None]
    assert get(srv, f"/api/arena/{ids[0] or 'arena-1'}/report/{name}").status_code == 404


def test_a_job_over_the_limit_is_409_and_starts_nothing(srv):
    before = job_ids(srv)
    # 2 policies x 4 seeds x 300 satellites x 1 h = 2,400 satellite-hours > 2,000
    resp = post(srv, {**TINY, "seeds": [1, 2, 3, 4], "hours": 1.0})
    assert_error(resp, 409, "arena_too_large", "hours")
    assert "2,400 satellite-hours" in resp.json()["error"]["message"]
    resp = post(srv, {"scenario": "10k", "policies": ["v1"], "seeds": [1], "hours": 0.25})  # 2,500
    assert_error(resp, 409, "arena_too_large", "hours")
    assert job_ids(srv) == before


@pytest.mark.parametrize("body,field", [
    ({**TINY, "policies": ["v1", "bogus"]}, "policies[1]"),
    ({**TINY, "policies": []}, "policies"),
    ({**TINY, "policies": ["v1", "v1"]}, "policies"),
    ({**TINY, "seeds": [1, 1]}, "seeds"),
    ({**TINY, "seeds": [-1]}, "seeds[0]"),
    ({**TINY, "seeds": list(range(51))}, "seeds"),
    ({**TINY, "hours": 0}, "hours"),
    ({**TINY, "hours": 25}, "hours"),
    ({**TINY, "hours": "1"}, "hours"),
    ({**TINY, "load": -1}, "load"),
    ({**TINY, "scenario": "nope"}, "scenario"),
    ({**TINY, "workers": 8}, "workers"),
    ({k: v for k, v in TINY.items() if k != "seeds"}, "seeds"),
])
def test_bad_inputs_are_400_naming_the_field_and_start_nothing(srv, body, field):
    before = job_ids(srv)
    resp = post(srv, body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["field"] == field, resp.json()
    assert job_ids(srv) == before


def test_unknown_job_is_404(srv):
    for path in ("/api/arena/arena-999", "/api/arena/arena-999/report", "/api/arena/arena-999/report/kpis.png",
                 "/api/arena/nope"):
        assert_error(get(srv, path), 404, "not_found")
    assert_error(requests.delete(srv.url + "/api/arena/arena-999", timeout=30), 404, "not_found")


def test_cancel_stops_a_running_job(srv, jobs_dir):
    vpp = VppClient(srv.url)
    job = vpp.arena_start(["v1"], [5], 6.0)  # 1,800 sat-h: minutes of work
    assert isinstance(job, ArenaJob) and job.state == "running"
    with pytest.raises(ApiError) as caught:
        vpp.arena_report(job.job_id)
    assert (caught.value.status, caught.value.code) == (409, "arena_not_done")
    assert _job_processes(jobs_dir / job.job_id)
    assert vpp.arena_cancel(job.job_id).state == "cancelled"
    assert _job_processes(jobs_dir / job.job_id) == []  # the CLI is gone, not only marked
    assert vpp.arena_job(job.job_id).state == "cancelled"
    assert vpp.arena_jobs().running is None
    assert_error(get(srv, f"/api/arena/{job.job_id}/report"), 409, "arena_not_done")
    # the slot is free again: a new job starts (and is cancelled at once)
    again = vpp.arena_start(["v1"], [6], 0.02)
    assert vpp.arena_cancel(again.job_id).state in ("cancelled", "done")


def _job_processes(folder) -> list:
    """Pids whose command line names the job's folder (the CLI and its workers), from /proc."""
    out = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(folder).encode() in (proc / "cmdline").read_bytes():
                out.append(int(proc.name))
        except OSError:
            continue
    return out


def test_server_exit_stops_its_running_job(live_server_factory, tmp_path):
    jobs_dir = tmp_path / "jobs"
    server = live_server_factory({"SMOKE_AUTOSTART": "0", "HISTORY_URL": "off", "ARENA_DIR": str(jobs_dir)})
    resp = post(server, {**TINY, "policies": ["v1"], "seeds": [7], "hours": 6.0})
    assert resp.status_code == 201, resp.text
    folder = jobs_dir / resp.json()["job_id"]
    assert _job_processes(folder), "the job's process did not start"
    server.stop()  # SIGTERM, as Docker and the test fixtures stop it
    deadline = time.monotonic() + 30
    while _job_processes(folder) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _job_processes(folder) == []
