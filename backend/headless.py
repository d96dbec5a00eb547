"""Headless run: step the engine flat out and print one JSON summary.

    python -m backend.headless --satellites 300 --drones 16 --ticks 600 --qps 50 --seed 1
    python -m backend.headless --ticks 3600 --qps 50 --record run.sqlite   # also record the run

`--qps` is tasks per nominal wall second: a tick receives qps * tick_interval tasks on average.
`--dt` sets the simulated seconds per tick (time_scale = dt / tick_interval). The same arguments
always print byte-identical output. Bad arguments exit 2 with a one-line message.
`--record FILE` writes the run to a SQLite file (or a postgresql:// URL) with the server's
recorder (backend/history): same tables, read them with pandas.read_sql or the REST routes;
`--sample-every` sets the simulated seconds between per-satellite samples (0: every tick).
"""

from __future__ import annotations

import argparse
import json
import sys

from backend.allocator import keep_heap
from backend.core.engine import Engine
from backend.core.params import SimConfig
from backend.core.scenario import Scenario
from backend.core.state import DRONE_STATUS


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        sys.stderr.write(f"headless: error: {message}\n")
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m backend.headless", description=__doc__.splitlines()[0])
    p.add_argument("--satellites", type=int, default=Scenario().n_satellites, help="constellation size")
    p.add_argument("--planes", type=int, default=None, help="orbital planes (default: scenario's)")
    p.add_argument("--drones", type=int, default=Scenario().n_drones, help="drones over all stations")
    p.add_argument("--ticks", type=int, default=600, help="ticks to run")
    p.add_argument("--qps", type=float, default=0.0, help="smoke load, tasks per wall second (0: off)")
    p.add_argument("--burst", type=int, default=10, help="largest burst of the smoke generator")
    p.add_argument("--dt", type=float, default=None, help="simulated seconds per tick")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--record", default=None, help="record the run into this SQLite file or postgresql:// URL")
    p.add_argument("--sample-every", type=float, default=60.0, help="per-satellite sample period, sim s")
    return p


def _recorder(args):
    """The recorder for --record (None without it); it waits for room rather than drop ticks."""
    if args.record is None:
        return None
    if args.sample_every < 0:
        raise ValueError(f"--sample-every(={args.sample_every}) must be >= 0")
    from pathlib import Path

    from backend.history import open_recorder

    target = args.record if "://" in args.record else str(Path(args.record).resolve())  # from the cwd
    return open_recorder(target, sample_every_s=args.sample_every, origin="headless", blocking=True)


def build_engine(args) -> Engine:
    """Engine from parsed arguments; raises ValueError with the field on bad values."""
    cfg = SimConfig()
    if args.dt is not None:
        if not args.dt > 0:
            raise ValueError(f"--dt(={args.dt}) must be > 0")
        cfg = cfg.updated({"time_scale": args.dt / cfg.tick_interval})
    overrides = {"n_satellites": args.satellites, "n_drones": args.drones}
    if args.planes is not None:
        overrides["planes"] = args.planes
    scenario = Scenario().updated(overrides)
    if args.seed < 0:
        raise ValueError(f"--seed(={args.seed}) must be >= 0")
    eng = Engine(cfg, scenario, args.seed)
    if args.qps > 0:
        eng.submit({"type": "smoke_start", "qps": args.qps, "burst": args.burst})
    elif args.qps < 0:
        raise ValueError(f"--qps(={args.qps}) must be >= 0")
    return eng


def summary(eng: Engine) -> dict:
    """The headless report: clock, task counters, energy totals, alerts, flights, latency."""
    counts = eng.totals
    return {
        "tick": eng.tick, "sim_time_s": round(eng.sim_time, 6), "satellites": eng.sats.n,
        "drones": eng.drones.n, "tasks": eng.book.counters(),
        "energy_eu": {k: round(v, 6) for k, v in eng.ledger.items()},
        "alerts": {k: v for k, v in counts.items() if k.startswith("alert.")},
        "beams_started": counts["sat.energy_transfer_started"],
        "drone_flights": counts["drone.launched"], "drone_events": {k: v for k, v in counts.items() if k.startswith("drone.")},
        "delegation_latency_s": eng.book.latency_percentiles(),
        "blackouts_now": int(eng.sats.blackout.sum()), "blackouts_total": eng.blackouts_total,
        "drone_status": {s: int((eng.drones.status == k).sum()) for k, s in enumerate(DRONE_STATUS)},
    }


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    keep_heap()
    if args.ticks < 0:
        _parser().error(f"--ticks(={args.ticks}) must be >= 0")
    try:
        eng = build_engine(args)
        recorder = _recorder(args)
    except ValueError as exc:
        _parser().error(str(exc))
    for _ in range(args.ticks):
        ev = eng.step()
        if recorder is not None:
            recorder.record(eng, ev, eng.kpis())
    if recorder is not None:
        recorder.close()
    print(json.dumps(summary(eng), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
