"""Contact check benchmark: the per-tick contact.started / contact.ended work, full table vs prefilter.

    python -m benchmarks.contacts [--sizes 10000 100000] [--stations 8 100 1000] [--repeats 30] [--no-write]

One tick's contact work as the engine does it (contacts.in_view on the tick's Earth-fixed
positions, contact_changes against the tick before) on a Walker constellation (550 km, 53 deg)
and stations at random places (the default 8 first), 1 s apart. Each row times the full (N, S)
table (`prefilter=False`: the computation before the prefilter) and the grid prefilter
(`prefilter=True`) alternately, median over --repeats, and their ratio; both give the same pairs
(checked each run; the full table is not run above FULL_TABLE_MAX pairs: "-"). The engine picks the prefilter above contacts.PREFILTER_PAIRS pairs.
Results go between markers in benchmarks/RESULTS.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from backend.core import contacts
from backend.core.frames import earth_rotation_angle_rad, eci_to_ecef, geodetic_to_ecef
from backend.core.kinematics import place_orbits
from backend.core.orbits import CircularPropagator
from backend.core.scenario import DEFAULT_STATIONS, Scenario
from backend.core.state import Satellites

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- contacts:start -->", "<!-- contacts:end -->"
EPOCH_UNIX_S = 1_773_964_800.0  # 2026-03-20T00:00Z
FULL_TABLE_MAX = 20_000_000  # pairs: above, the (N, S) float64 table and its temporaries are GBs (not run)


def positions(n_sats: int, t_s: float) -> np.ndarray:
    """Earth-fixed positions (N, 3) km of a Walker constellation at t_s."""
    sc = Scenario().updated({"n_satellites": n_sats, "planes": max(1, min(72, n_sats // 20))})
    s = Satellites(n_sats)
    place_orbits(s, sc)
    prop = CircularPropagator(s.sma_km, s.inc_rad, s.raan0_rad, s.u0_rad, s.arglat_rate_rad_s, s.raan_dot_rad_s)
    return eci_to_ecef(prop.positions(t_s), earth_rotation_angle_rad(EPOCH_UNIX_S + t_s))


def stations(n: int) -> np.ndarray:
    """The default stations, then random ones, Earth-fixed km."""
    lat = [s[1] for s in DEFAULT_STATIONS]
    lon = [s[2] for s in DEFAULT_STATIONS]
    rng = np.random.default_rng(5)
    extra = max(0, n - len(lat))
    lat = np.concatenate([lat, np.degrees(np.arcsin(rng.uniform(-1, 1, extra)))])[:n]
    lon = np.concatenate([lon, rng.uniform(-180, 180, extra)])[:n]
    return geodetic_to_ecef(lat, lon, np.zeros(n))


def tick_ms(before_pos, now_pos, st, prefilter: bool) -> tuple[float, np.ndarray]:
    """Wall ms of one tick's contact work and the pairs in view."""
    before = contacts.in_view(before_pos, st, 0.0, prefilter=prefilter)  # last tick's (kept by the engine)
    t0 = time.perf_counter()
    now = contacts.in_view(now_pos, st, 0.0, prefilter=prefilter)
    contacts.contact_changes(before, now, now_pos, st)
    return (time.perf_counter() - t0) * 1e3, now.key


def row(n_sats: int, n_st: int, repeats: int) -> dict:
    before, now, st = positions(n_sats, 600.0), positions(n_sats, 601.0), stations(n_st)
    with_full = n_sats * n_st <= FULL_TABLE_MAX
    full, fast = [], []
    for _ in range(repeats):
        ms_fast, k_fast = tick_ms(before, now, st, True)
        fast.append(ms_fast)
        if with_full:
            ms_full, k_full = tick_ms(before, now, st, False)
            assert np.array_equal(k_full, k_fast), "prefilter and full table disagree"
            full.append(ms_full)
    f, p = (statistics.median(full) if full else float("nan")), statistics.median(fast)
    return {"sats": n_sats, "stations": n_st, "full": f, "pref": p, "ratio": f / p, "in_view": len(k_fast),
            "engine": "prefilter" if n_sats * n_st > contacts.PREFILTER_PAIRS else "full table"}


def table(rows: list[dict]) -> str:
    out = ["| satellites | stations | pairs in view | full table ms | prefilter ms | full / prefilter | engine uses |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    num = lambda v: "-" if v != v else f"{v:.2f}"  # noqa: E731 (nan: not run)
    out += [f"| {r['sats']:,} | {r['stations']:,} | {r['in_view']:,} | {num(r['full'])} | {r['pref']:.2f} | "
            f"{num(r['ratio'])} | {r['engine']} |" for r in rows]
    return "\n".join(out)


def write(text: str) -> None:
    doc = RESULTS.read_text()
    if START in doc:
        doc = doc[:doc.index(START)] + text + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(doc)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--stations", type=int, nargs="+", default=[8, 100, 1000])
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    rows = [row(n, s, a.repeats) for n in a.sizes for s in a.stations]
    print(table(rows))
    load = os.getloadavg()[0]
    command = " ".join(["python -m benchmarks.contacts", *sys.argv[1:]])
    text = (f"{START}\n## Contact check per tick (benchmarks/contacts.py)\n\n`{command}` on "
            f"{platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, load {load:.1f}, median of {a.repeats} ticks each.\n\n{table(rows)}\n{END}")
    if not a.no_write:
        write(text)


if __name__ == "__main__":
    main()
