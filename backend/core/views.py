"""JSON views of the engine state, built only when asked for (REST, events, headless output).

The globe frame is the compact path: float32 arrays (6 values a satellite) instead of dicts.
"""

from __future__ import annotations

import numpy as np

from .dates import iso_dates, sim_iso
from .ids import battery_id, format_ids, optional_id, sat_id, station_id, task_id
from .state import ACTIVE, BLOCKED, DRONE_STATUS, GIVING_NAMES, RUNNING
from .sun import subsolar_point

SAT_FIELDS = ["lat", "lon", "alt_km", "energy_pct", "flags", "queue"]
DRONE_FIELDS = ["lat", "lon", "alt_km", "status", "target", "battery_pct"]
FLAG_SUNLIT, FLAG_BLACKOUT, FLAG_GIVING, FLAG_RECEIVING, FLAG_BLOCKED, FLAG_TOPUP = 1, 2, 4, 8, 16, 32


def sim_date(eng) -> str:
    """The simulated date now, ISO 8601."""
    return sim_iso(eng.sky.epoch_unix_s, eng.sim_time)


def sun(eng) -> dict:
    lat, lon = subsolar_point(eng.sky.epoch_unix_s + eng.sim_time)
    return {"lat": float(lat), "lon": float(lon)}


def _tasks_by_sat(eng, lo: int, hi: int) -> dict[int, list[dict]]:
    """Tasks running on satellites in [lo, hi), in task-id order, in the seed's shape:
    {task_id, energy_need (EU), started_at (ISO 8601 simulated date of assignment)}."""
    t = eng.book.tasks
    run = t.with_status(RUNNING)
    run = run[(t.sat[run] >= lo) & (t.sat[run] < hi)]
    run = run[np.lexsort((t.task_id[run], t.sat[run]))]
    started = iso_dates(eng.sky.epoch_unix_s + t.assigned_at[run]).tolist()
    out: dict[int, list[dict]] = {}
    for sat, tid, need, at in zip(t.sat[run].tolist(), format_ids("task", t.task_id[run]),
                                  t.energy_need[run].tolist(), started):
        out.setdefault(sat, []).append({"task_id": tid, "energy_need": need, "started_at": at})
    return out


def satellite(eng, i: int) -> dict:
    """One satellite as JSON, with its running tasks."""
    return satellites(eng, i, i + 1)[0]


def drone(eng, j: int) -> dict:
    """One battery drone in the seed's shape (battery_id, reserve_battery, battery, position,
    status, target {satellite_id}); drone_id repeats battery_id."""
    d = eng.drones
    target = int(d.target[j])
    return {
        "battery_id": battery_id(j), "drone_id": battery_id(j), "station_id": station_id(int(d.station[j])),
        "position": {"lat": float(d.lat_deg[j]), "lon": float(d.lon_deg[j]), "alt": float(d.alt_km[j])},
        "reserve_battery": float(d.reserve_eu[j]), "reserve_capacity": float(d.reserve_cap_eu[j]),
        "battery": float(d.battery_eu[j]), "battery_capacity": float(d.battery_cap_eu[j]),
        "status": DRONE_STATUS[d.status[j]],
        "target": {"satellite_id": sat_id(target)} if target >= 0 else None,
    }


def new_task(c: dict, epoch_unix_s: float) -> dict:
    """The answer to add_task: the task as it will enter the queue."""
    return {
        "task_id": task_id(c["id"]), "created_at": sim_iso(epoch_unix_s, c["created_at"]),
        "created_at_s": float(c["created_at"]),
        "energy_need": c["energy_need"], "processing_power_needed": c["processing_power_needed"],
        "priority": c["priority"], "origin": c["origin"], "status": "queued", "satellite_id": None,
        "assigned_at": None, "progress": 0.0, "finished_at": None, "drop_reason": None,
    }


def stations(eng) -> list[dict]:
    st = eng.stations
    return [{"station_id": station_id(k), "name": st.names[k], "lat": float(st.lat_deg[k]),
             "lon": float(st.lon_deg[k])} for k in range(st.n)]


def queues(eng) -> dict:
    queued, running = eng.book.live_counts()
    names = ("low", "medium", "high")
    return {"pending": int(queued.sum()), "running": int(running.sum()),
            "pending_by_priority": {p: int(queued[k]) for k, p in enumerate(names)},
            "capacity": int(eng.config.queue_capacity)}


def satellites(eng, lo: int, hi: int, include_tasks: bool = True) -> list[dict]:
    """Satellites [lo, hi) as dicts, built from whole columns (one tolist per field, not per item)."""
    s, cfg, sl = eng.sats, eng.config, slice(lo, hi)
    cap = s.max_energy_eu[sl]
    qs = _tasks_by_sat(eng, lo, hi) if include_tasks else {}
    cols = zip(range(lo, hi), s.plane[sl].tolist(), s.slot[sl].tolist(), s.lat_deg[sl].tolist(),
               s.lon_deg[sl].tolist(), s.alt_km[sl].tolist(), s.energy_eu[sl].tolist(), cap.tolist(),
               (100.0 * s.energy_eu[sl] / cap).tolist(), s.consumption_eu_s[sl].tolist(),
               s.solar_eu_s[sl].tolist(), s.sunlit[sl].tolist(), s.sun_fraction[sl].tolist(), s.in_service[sl].tolist(), s.blackout[sl].tolist(),
               s.processing_capacity[sl].tolist(), s.n_tasks[sl].tolist(), s.committed_eu[sl].tolist(),
               s.backlog_work[sl].tolist(), s.giving[sl].tolist(), s.beam_peer[sl].tolist(),
               s.beam_from[sl].tolist(), s.predicted_eu[sl].tolist(),
               (100.0 * s.predicted_eu[sl] / cap).tolist(),
               (s.predicted_eu[sl] < cfg.route_pct / 100.0 * cap).tolist())
    return [
        {"satellite_id": sat_id(i), "plane": pl, "slot": sl_, "position": {"lat": la, "lon": lo_, "alt": al},
         "energy_amount": e, "max_energy": c, "energy_pct": ep, "consumption_rate": cr, "solar_rate": sr,
         "sunlit": lit, "sun_fraction": sf, "in_service": ins, "blackout": bo, "processing_capacity": pc, "current_tasks": qs.get(i, []),
         "queue_length": nq, "committed_energy": ce, "backlog_work": bw, "giving_energy": GIVING_NAMES[g],
         "beam_peer": optional_id("sat", bp), "receiving_from": optional_id("sat", bf),
         "predicted_energy": pe, "predicted_pct": pp, "topup_requested": tr}
        for (i, pl, sl_, la, lo_, al, e, c, ep, cr, sr, lit, sf, ins, bo, pc, nq, ce, bw, g, bp, bf, pe, pp, tr) in cols
    ]


def snapshot(eng, sat_offset: int = 0, sat_limit: int | None = None, include_tasks: bool = True) -> dict:
    """Whole state; satellites paged by [sat_offset, sat_offset + sat_limit); task lists optional."""
    lo = max(0, int(sat_offset))
    hi = eng.sats.n if sat_limit is None else min(eng.sats.n, lo + max(0, int(sat_limit)))
    hi = max(lo, hi)  # an offset past the end is an empty page, not a negative one
    return {
        "tick": eng.tick, "sim_time": eng.sim_time, "sim_date": sim_date(eng), "paused": eng.paused,
        "dt": eng.dt, "seed": eng.seed, "sun": sun(eng),
        "n_satellites": eng.sats.n, "n_drones": eng.drones.n, "sat_offset": lo, "sat_limit": hi - lo,
        "satellites": satellites(eng, lo, hi, include_tasks),
        "drones": [drone(eng, j) for j in range(eng.drones.n)],
        "ground_stations": stations(eng), "queues": queues(eng),
        "counters": {"tasks": eng.book.counters(), "events": dict(eng.totals)},
        "energy": {k: float(v) for k, v in eng.ledger.items()},
        "smoke": eng.smoke.to_dict(), "kpis": kpis(eng),
        "rejected_commands": list(eng.rejected),
    }


def _sat_flags(eng) -> np.ndarray:
    s = eng.sats
    topup = s.predicted_eu < eng.config.route_pct / 100.0 * s.max_energy_eu
    return (s.sunlit * FLAG_SUNLIT + s.blackout * FLAG_BLACKOUT + (s.giving == ACTIVE) * FLAG_GIVING
            + (s.beam_from >= 0) * FLAG_RECEIVING + (s.giving == BLOCKED) * FLAG_BLOCKED + topup * FLAG_TOPUP)


def frame(eng) -> dict:
    """Globe frame: header plus little-endian float32 arrays (6 floats a satellite / drone)."""
    s, d = eng.sats, eng.drones
    sats = np.empty((s.n, 6), dtype="<f4")
    sats[:, 0], sats[:, 1], sats[:, 2] = s.lat_deg, s.lon_deg, s.alt_km
    sats[:, 3] = 100.0 * s.energy_eu / s.max_energy_eu
    sats[:, 4], sats[:, 5] = _sat_flags(eng), s.n_tasks
    dr = np.empty((d.n, 6), dtype="<f4")
    dr[:, 0], dr[:, 1], dr[:, 2] = d.lat_deg, d.lon_deg, d.alt_km
    dr[:, 3], dr[:, 4] = d.status, d.target
    dr[:, 5] = 100.0 * d.battery_eu / np.maximum(d.battery_cap_eu, 1e-12)
    g = np.flatnonzero(s.giving == ACTIVE)
    beams = np.empty((len(g), 3), dtype="<f4")
    beams[:, 0], beams[:, 1], beams[:, 2] = g, s.beam_peer[g], eng.beamlog.rate_eu_s[g]
    return {"n_satellites": s.n, "n_drones": d.n, "n_beams": len(g), "sun": sun(eng),
            "sim_date": sim_date(eng), "sat_fields": SAT_FIELDS, "drone_fields": DRONE_FIELDS,
            "sats": sats.reshape(-1), "drones": dr.reshape(-1), "beams": beams.reshape(-1)}


def kpis(eng) -> dict:
    """Headline numbers for the HUD: this tick's flows, live totals, latency, energy."""
    s, d, c = eng.sats, eng.drones, eng.last_counts
    queued, running = eng.book.live_counts()
    flying = np.isin(d.status, [2, 3, 4])  # enroute, docking, returning
    return {
        "tasks_created": c["task.created"], "tasks_completed": c["task.completed"],
        "tasks_dropped": c["task.dropped"], "pending": int(queued.sum()), "running": int(running.sum()),
        "delegation_latency_s": eng.book.latency_percentiles(),
        "mean_energy_pct": float(np.mean(100.0 * s.energy_eu / s.max_energy_eu)) if s.n else 0.0,
        "sunlit": int(s.sunlit.sum()), "blackout": int(s.blackout.sum()),
        "blackouts_total": eng.blackouts_total,
        "low_energy": int(np.count_nonzero(s.energy_eu < eng.config.low_watermark_pct / 100.0 * s.max_energy_eu)),
        "active_beams": int(np.count_nonzero(s.giving == ACTIVE)), "drones_flying": int(flying.sum()),
        "energy": {k: float(v) for k, v in eng.ledger.items()},
    }
