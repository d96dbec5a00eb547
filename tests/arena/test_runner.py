"""The arena runner: byte-identical reports for the same inputs, locally and on a real Dask cluster."""

from __future__ import annotations

import json

import pytest

from backend.arena import report, runner
from backend.arena.__main__ import main, seed_list

POLICIES = ["v1", "least_loaded"]


def _cells():
    return runner.specs("default", POLICIES, [1, 2], 0.05, 100.0)


def _json(runs) -> str:
    return json.dumps(report.build(runs, POLICIES, {"scenario": "default"}), sort_keys=True)


@pytest.fixture(scope="module")
def serial_runs():
    return runner.run_matrix(_cells(), workers=1)


def test_same_inputs_give_byte_identical_json_in_processes(serial_runs):
    assert _json(runner.run_matrix(_cells(), workers=2)) == _json(serial_runs)


def test_common_random_numbers_same_tasks_for_every_policy(serial_runs):
    by = {(r["spec"]["policy"], r["spec"]["seed"]): r["kpis"] for r in serial_runs}
    created = {p: [by[p, s]["tasks_completed"] + by[p, s]["tasks_dropped"] for s in (1, 2)] for p in POLICIES}
    assert serial_runs[0]["kpis"]["tasks_completed"] > 0
    # the same stream: created tasks differ only by those still queued or running at the end
    assert all(abs(a - b) <= 300 * 8 for a, b in zip(created["v1"], created["least_loaded"]))


def test_paired_difference_against_itself_is_zero(serial_runs):
    rep = report.build(serial_runs, POLICIES, {})
    d = rep["summary"]["v1"]["tasks_completed"]["vs_baseline"]
    assert (d["n"], d["mean"], d["lo"], d["hi"]) == (2, 0.0, 0.0, 0.0)


def test_dask_local_cluster_gives_the_same_json(serial_runs):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        assert _json(runner.run_matrix(_cells(), dask=cl.scheduler_address)) == _json(serial_runs)


def test_cli_writes_the_report_folder(tmp_path, capsys):
    assert main(["--scenario", "failing_panels", "--policies", "v1,round_robin", "--seeds", "3", "--hours", "0.02",
                 "--load", "20", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"results.json", "table.csv", "kpis.png", "soc.png"}
    assert "| round_robin |" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--scenario", "nope"], ["--policies", "v1,bogus"], ["--seeds", "5-2"],
                                  ["--hours", "0"]])
def test_bad_arguments_exit_2(tmp_path, argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--out", str(tmp_path)])
    assert exc.value.code == 2 and "arena: error:" in capsys.readouterr().err


def test_seed_list():
    assert seed_list("1-3,7") == [1, 2, 3, 7]


def test_every_scenario_but_10k_runs():
    for name in ("default", "2x", "failing_panels", "tle"):
        r = runner.run_one(runner.RunSpec(name, "lookahead", 1, 0.01, 20.0))
        assert r["kpis"]["tasks_completed"] >= 0 and r["soc_pct"], name
