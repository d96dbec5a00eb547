"""The arena report: results.json, table.csv and matplotlib PNGs in one folder.

results.json holds the specs, every run's KPIs and SoC series, and per policy and KPI the mean,
95 % interval and the paired difference against the baseline (the first policy). It is a pure
function of the runs: the same runs give byte-identical JSON (no wall times in it).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from . import stats

KPIS = ("tasks_completed", "tasks_dropped", "dropped_queue_full", "dropped_no_eligible_satellite",
        "dropped_blackout", "latency_p50_s", "latency_p99_s", "blackout_sat_s", "beam_loss_eu",
        "drone_km", "drone_delivered_eu")


def summarise(runs: list, policies: list) -> dict:
    """Per policy and KPI: interval over seeds and paired difference against policies[0]."""
    by = {p: [r for r in runs if r["spec"]["policy"] == p] for p in policies}
    base = by[policies[0]]
    table = {}
    for p in policies:
        rows = {}
        for k in KPIS:
            vals = [r["kpis"][k] for r in by[p]]
            rows[k] = {"all": stats.interval(vals).as_dict(),
                       "vs_baseline": stats.paired(vals, [r["kpis"][k] for r in base]).as_dict()}
        table[p] = rows
    return table


def build(runs: list, policies: list, meta: dict) -> dict:
    return {"meta": meta, "baseline": policies[0], "policies": policies, "summary": summarise(runs, policies),
            "runs": runs}


def write(out_dir: str, report: dict, plots: bool = True) -> Path:
    """Write results.json, table.csv and (plots) kpis.png and soc.png into out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, sort_keys=True, indent=1) + "\n")
    with open(out / "table.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["policy", "kpi", "n", "mean", "ci95_lo", "ci95_hi", "diff_vs_baseline", "diff_lo", "diff_hi"])
        for p in report["policies"]:
            for k in KPIS:
                a, d = report["summary"][p][k]["all"], report["summary"][p][k]["vs_baseline"]
                w.writerow([p, k, a["n"], a["mean"], a["lo"], a["hi"], d["mean"], d["lo"], d["hi"]])
    if plots:
        _plots(out, report)
    return out


def markdown(report: dict, kpis=("tasks_completed", "blackout_sat_s", "latency_p99_s", "beam_loss_eu",
                                 "drone_km", "drone_delivered_eu")) -> str:
    """The table as Markdown: mean [95 % CI] and the paired difference against the baseline."""
    head = "| policy | " + " | ".join(kpis) + " |\n|---" * 1 + "|---" * len(kpis) + "|\n"
    lines = []
    for p in report["policies"]:
        cells = []
        for k in kpis:
            a, d = report["summary"][p][k]["all"], report["summary"][p][k]["vs_baseline"]
            if a["mean"] is None:
                cells.append("-")
                continue
            cell = f"{a['mean']:.6g} [{a['lo']:.6g}, {a['hi']:.6g}]"
            if p != report["baseline"] and d["mean"] is not None:
                cell += f"<br>Δ {d['mean']:+.4g} [{d['lo']:+.4g}, {d['hi']:+.4g}]"
            cells.append(cell)
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def _plots(out: Path, report: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pols = report["policies"]
    shown = ("tasks_completed", "blackout_sat_s", "latency_p99_s", "beam_loss_eu", "drone_km", "drone_delivered_eu")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    for ax, k in zip(axes.flat, shown):
        iv = [report["summary"][p][k]["all"] for p in pols]
        m = [x["mean"] or 0.0 for x in iv]
        err = [[(x["mean"] - x["lo"]) if x["mean"] is not None else 0 for x in iv],
               [(x["hi"] - x["mean"]) if x["mean"] is not None else 0 for x in iv]]
        ax.bar(range(len(pols)), m, yerr=err, capsize=4, color="#4a7fb5")
        ax.set_xticks(range(len(pols)), pols, rotation=30, ha="right")
        ax.set_title(k)
    fig.suptitle(f"{report['meta'].get('scenario')}: mean over seeds, 95 % CI")
    fig.tight_layout()
    fig.savefig(out / "kpis.png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for p in pols:
        runs = [r for r in report["runs"] if r["spec"]["policy"] == p]
        if runs:
            t = [x / 3600.0 for x in runs[0]["soc_t_s"]]
            n = min(len(r["soc_pct"]) for r in runs)
            ax.plot(t[:n], [sum(r["soc_pct"][i] for r in runs) / len(runs) for i in range(n)], label=p)
    ax.set_xlabel("simulated hours")
    ax.set_ylabel("fleet mean state of charge, %")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "soc.png", dpi=90, metadata={"Software": None})
    plt.close(fig)
