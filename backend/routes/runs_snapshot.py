"""GET /api/runs/<run_id>/snapshot?at=...: the constellation at a past moment of a recorded run.

The globe's time machine draws this exactly as a live tick: the answer's `frame` has the live
globe frame's header and the same float32 layout (6 values a satellite: lat, lon, alt_km,
energy_pct, flags, queue), each array base64 of little-endian float32 instead of a binary
attachment. Positions (and sunlit) are recomputed from the run's scenario at `at` by the
engine's own propagation (backend/core/replay.py); charge, blackout, beam flags and tasks on
board are the recorder's per-satellite sample at or before `at` (one every
HISTORY_SAMPLE_EVERY_S simulated seconds, 60 by default: `sample` says which). Beams are the
transfers started and not yet ended at `at`, from the recorded events (exact to the tick).
Drones are not recorded per tick, so the frame has none.
"""

from __future__ import annotations

import base64

import numpy as np
import orjson
import sqlalchemy as sa
from flask import Blueprint
from pydantic import Field

from backend.core.replay import positions_at
from backend.core.scenario import Scenario
from backend.core.sun import subsolar_point
from backend.core.views import DRONE_FIELDS, FLAG_SUNLIT, SAT_FIELDS
from backend.history import ids, schema
from backend.utils.errors import ApiError, json_response
from backend.utils.schema import QueryModel, api

from .common import svc
from .runs import TIME_DOC, Open, RunRef, SimTime, _read, _run, _run_id, _sim_s

bp = Blueprint("runs_snapshot", __name__)

ENCODING = "base64 float32 little-endian"


class SnapshotQuery(QueryModel):
    at: SimTime = Field(..., description=f"the moment to show, within the run: {TIME_DOC}")


class PastSnapshot(Open):
    """The constellation at `at_s`: a globe frame plus which recorder sample gave its energies."""

    run_id: int
    at_s: float
    at_date: str
    sample: dict = Field(description="tick, sim_s, sim_date of the per-satellite sample used, and every_s")
    frame: dict = Field(description="the live globe frame's header; sats / drones / beams base64 float32 LE")


def _b64(arr: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(arr, dtype="<f4").tobytes()).decode()


def _sample(conn, run_id: int, at_s: float):
    """(tick, sim_s) of the per-satellite sample at or before at_s (the first one if none is), or None."""
    s = schema.samples.c
    base = sa.select(s.tick, s.sim_s).where(s.run_id == run_id, s.sat == 0)
    row = conn.execute(base.where(s.sim_s <= at_s + 1e-6).order_by(s.tick.desc()).limit(1)).first()
    return row or conn.execute(base.order_by(s.tick).limit(1)).first()


def _beams_at(conn, run_id: int, at_s: float) -> np.ndarray:
    """(k, 3) giver index, receiver index, rate EU/s of the beams active at at_s (started at or
    before it and not ended by then), replayed from the recorded beam events in order."""
    e = schema.events.c
    rows = conn.execute(sa.select(e.kind, e.payload).where(
        e.run_id == run_id, e.kind.in_(("sat.energy_transfer_started", "sat.energy_transfer_ended")),
        e.sim_s <= at_s + 1e-6).order_by(e.seq)).all()
    active: dict[int, tuple[int, float]] = {}
    for kind, payload in rows:
        body = orjson.loads(payload or "{}")
        giver, receiver = ids.sat_index(body.get("from", "")), ids.sat_index(body.get("to", ""))
        if giver is None or receiver is None:
            continue
        if kind == "sat.energy_transfer_started":
            active[giver] = (receiver, float(body.get("rate_eu_per_s") or np.nan))
        else:
            active.pop(giver, None)
    return np.array([(g, r, rate) for g, (r, rate) in sorted(active.items())], dtype=np.float64).reshape(-1, 3)


def _read_past(conn, ref: str, rid: int, query: SnapshotQuery) -> dict:
    run = _run(conn, ref, rid)
    at_s = _sim_s(run, query.at)
    if not 0.0 <= at_s <= run.last_sim_s + 1e-6:
        # a valid time, but not one this run has recorded: 409 like the other state-dependent refusals
        raise ApiError(409, "out_of_range", f"at: {at_s:g} s is outside the run's recorded range "
                       f"[0, {run.last_sim_s:g}] s", "at")
    r = schema.runs.c
    scenario = Scenario.model_validate(orjson.loads(conn.execute(
        sa.select(r.scenario).where(r.run_id == rid)).scalar_one()))
    sample = _sample(conn, rid, at_s)
    if sample is None:
        raise ApiError(404, "not_found", "no per-satellite sample is recorded for this run yet")
    s = schema.samples.c
    rows = conn.execute(sa.select(s.sat, s.soc_pct, s.flags, s.tasks)
                        .where(s.run_id == rid, s.tick == sample.tick)).all()
    return {"run": run, "scenario": scenario, "at_s": at_s, "sample": sample, "beams": _beams_at(conn, rid, at_s),
            "cols": np.array(rows, dtype=np.float64).reshape(-1, 4)}


def _frame(past: dict) -> dict:
    """The globe frame at past['at_s']: propagated positions, sampled energies and flags."""
    run, at_s, cols = past["run"], past["at_s"], past["cols"]
    pos = positions_at(past["scenario"], at_s)
    n = run.n_satellites
    sats = np.zeros((n, len(SAT_FIELDS)), dtype="<f4")
    sats[:, 0], sats[:, 1], sats[:, 2] = pos.lat_deg, pos.lon_deg, pos.alt_km
    sats[:, 3] = np.nan  # satellites without a sample (none unless the fleet grew)
    idx = cols[:, 0].astype(np.intp)
    sats[idx, 3] = cols[:, 1]
    flags = np.zeros(n, dtype=np.int64)
    flags[idx] = cols[:, 2].astype(np.int64) & ~FLAG_SUNLIT
    sats[:, 4] = flags | pos.sunlit.astype(np.int64) * FLAG_SUNLIT
    sats[idx, 5] = cols[:, 3]
    lat, lon = subsolar_point(run.epoch_unix_s + at_s)
    beams = past["beams"]
    return {"n_satellites": n, "n_drones": 0, "n_beams": len(beams), "sun": {"lat": float(lat), "lon": float(lon)},
            "sim_date": run.date(at_s), "sat_fields": SAT_FIELDS, "drone_fields": DRONE_FIELDS,
            "encoding": ENCODING, "sats": _b64(sats), "drones": "", "beams": _b64(beams)}


@bp.get("/api/runs/<run_id>/snapshot")
@api("The constellation at a past moment of a run (positions recomputed, energies sampled)",
     query=SnapshotQuery, path={"run_id": RunRef}, responses={200: PastSnapshot}, errors=(400, 404, 409))
def run_snapshot(run_id: str, query: SnapshotQuery):
    rid = _run_id(run_id)
    past = _read(lambda c: _read_past(c, run_id, rid, query))
    run, sample = past["run"], past["sample"]
    frame = svc().rt.offload(lambda: _frame(past))
    return json_response({
        "run_id": run.run_id, "at_s": past["at_s"], "at_date": run.date(past["at_s"]),
        "sample": {"tick": int(sample.tick), "sim_s": float(sample.sim_s), "sim_date": run.date(sample.sim_s),
                   "every_s": float(svc().settings.HISTORY_SAMPLE_EVERY_S)},
        "frame": frame,
    })
