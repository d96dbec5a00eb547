"""python -m backend.arena: run policies x seeds on a scenario and write the report folder.

    python -m backend.arena --scenario 2x --policies v1,lookahead --seeds 1-10 --hours 1 --load 50 --out out/
    ... --workers 2                      # local processes (default 1: in this process)
    ... --dask tcp://127.0.0.1:8786      # a Dask distributed scheduler instead
    ... --record arena.sqlite            # also record every run with the flight recorder
    ... --progress p.json --nice 10      # runs done/total into p.json; lower this process's priority

Prints the Markdown table and the throughput (simulated satellite-hours per wall second) on stderr.
Bad arguments exit 2 with a one-line message.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import report, runner, scenarios
from backend.core.policies import sets


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write(f"arena: error: {message}\n")
        sys.exit(2)


def seed_list(text: str) -> list:
    """'1-10' or '1,2,5' or '3' -> sorted distinct seeds (>= 0)."""
    out: set = set()
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        a, b = int(lo), int(hi) if hi else int(lo)
        if a < 0 or b < a:
            raise ValueError(f"--seeds: bad range {part!r}")
        out.update(range(a, b + 1))
    return sorted(out)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m backend.arena", description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default="default", help=f"one of {', '.join(scenarios.SCENARIOS)}")
    p.add_argument("--policies", default="v1,lookahead", help=f"comma list from {', '.join(sets.NAMES)}; first = baseline")
    p.add_argument("--seeds", default="1-3", help="e.g. 1-10 or 1,4,7")
    p.add_argument("--hours", type=float, default=1.0, help="simulated hours per run")
    p.add_argument("--load", type=float, default=50.0, help="smoke load, tasks per nominal wall second")
    p.add_argument("--out", required=True, help="report folder")
    p.add_argument("--workers", type=int, default=1, help="local worker processes")
    p.add_argument("--dask", default=None, help="Dask scheduler address (tcp://host:8786)")
    p.add_argument("--record", default=None, help="record every run into this SQLite file or postgresql:// URL")
    p.add_argument("--no-plots", action="store_true", help="skip the PNGs")
    p.add_argument("--progress", default=None, help="keep {done, total} runs in this JSON file (the server's jobs)")
    p.add_argument("--nice", type=int, default=0, help="add this to the process's niceness (workers inherit it)")
    return p


def write_progress(path: str | None, done: int, total: int) -> None:
    """{done, total} into `path`, replaced atomically so a reader never sees half a file."""
    if path is None:
        return
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps({"done": done, "total": total}))
    os.replace(tmp, path)


def main(argv=None) -> int:
    p = _parser()
    args = p.parse_args(argv)
    try:
        policies = [x.strip() for x in args.policies.split(",") if x.strip()]
        if not policies:
            raise ValueError("--policies: give at least one")
        if not args.hours > 0 or args.load < 0 or args.workers < 1 or args.nice < 0:
            raise ValueError("--hours must be > 0, --load >= 0, --workers >= 1, --nice >= 0")
        record = args.record
        if record is not None and "://" not in record:
            record = str(Path(record).resolve())
        cells = runner.specs(args.scenario, policies, seed_list(args.seeds), args.hours, args.load, record)
    except ValueError as exc:
        p.error(str(exc))
    from tqdm import tqdm

    if args.nice:
        os.nice(args.nice)
    t0 = time.perf_counter()
    write_progress(args.progress, 0, len(cells))
    with tqdm(total=len(cells), desc="arena", unit="run", file=sys.stderr) as bar:
        def progress(done, total):
            bar.update(done - bar.n)
            write_progress(args.progress, done, total)

        runs = runner.run_matrix(cells, args.workers, args.dask, progress)
    wall = time.perf_counter() - t0
    meta = {"scenario": args.scenario, "hours": args.hours, "load_qps": args.load, "seeds": seed_list(args.seeds)}
    rep = report.build(runs, policies, meta)
    report.write(args.out, rep, plots=not args.no_plots)
    sat_h = sum(r["sat_hours"] for r in runs)
    print(report.markdown(rep))
    sys.stderr.write(f"arena: {len(runs)} runs, {sat_h:.1f} satellite-hours in {wall:.1f} s wall: "
                     f"{sat_h / wall:.1f} sat-h / s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
