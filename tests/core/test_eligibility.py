"""One eligibility mask (Satellites.in_service): an out-of-service satellite that would be the
best choice of the delegator, of a beam (giver or receiver) or of a drone is skipped, and the
next best is chosen exactly as if it were not there."""

from __future__ import annotations

import numpy as np

from backend.core import drones as dr
from backend.core.beams import BeamLog, beams_step
from backend.core.constants import EARTH_RADIUS_KM
from backend.core.delegator import SatLoad, TaskBatch, delegate
from backend.core.engine import Engine
from backend.core.frames import geodetic_to_ecef
from backend.core.ids import sat_id
from backend.core.params import SimConfig
from backend.core.scenario import Scenario
from backend.core.state import ACTIVE, Drones, Satellites, Stations
from backend.core.ticklog import TickEvents

R_KM = EARTH_RADIUS_KM + 550.0


def _load(energy, in_service=None) -> SatLoad:
    """Three satellites 550 km up at lon 0, 1, 2 deg on the equator, empty queues."""
    n = len(energy)
    pos = geodetic_to_ecef(np.zeros(n), np.arange(n, dtype=float), np.full(n, 550.0))
    return SatLoad(pos, np.array(energy, dtype=float), np.full(n, 100.0), np.zeros(n), np.zeros(n),
                   np.full(n, 10.0), np.zeros(n, dtype=np.int32), np.zeros(n, dtype=bool), in_service)


def _one_task() -> TaskBatch:
    return TaskBatch(np.zeros((1, 3)), np.array([False]), np.array([5.0]), np.array([10.0]),
                     np.array([1], dtype=np.int8))


def test_delegator_skips_the_best_satellite_out_of_service():
    # Most energy is the best score with no origin: sat-002 (90 EU) first, then sat-003 (80 EU).
    best, _ = delegate(_one_task(), _load([50.0, 90.0, 80.0]), SimConfig())
    assert best.tolist() == [1]
    skipped, _ = delegate(_one_task(), _load([50.0, 90.0, 80.0], np.array([True, False, True])), SimConfig())
    assert skipped.tolist() == [2]
    none, score = delegate(_one_task(), _load([50.0, 90.0, 80.0], np.zeros(3, dtype=bool)), SimConfig())
    assert none.tolist() == [-1] and np.isnan(score[0])


def _beam_sats(pct) -> Satellites:
    """Satellites on a 550 km equatorial shell at 0, 5, 10, ... deg; charge in % of 1000 EU."""
    s = Satellites(len(pct))
    ang = np.radians(5.0 * np.arange(len(pct)))
    s.pos_eci_km[:] = np.stack([R_KM * np.cos(ang), R_KM * np.sin(ang), np.zeros_like(ang)], axis=1)
    s.max_energy_eu[:] = 1000.0
    s.energy_eu[:] = 10.0 * np.asarray(pct, dtype=float)
    return s


def _beams_started(s: Satellites) -> list[str]:
    ev = TickEvents(0, 1.0)
    beams_step(s, BeamLog(s.n), SimConfig(), 1.0, 1.0, ev, {"beamed_out": 0.0, "beam_losses": 0.0}, np.zeros(s.n))
    return [f"{p['from']}>{p['to']}" for n, p in ev.records() if n == "sat.energy_transfer_started"]


def test_beam_giver_out_of_service_is_skipped_for_the_next_nearest():
    # Receiver sat-001 (10 %) at 0 deg; givers sat-002 at 5 deg (nearest) and sat-003 at 10 deg.
    assert _beams_started(_beam_sats([10.0, 90.0, 90.0])) == ["sat-002>sat-001"]
    s = _beam_sats([10.0, 90.0, 90.0])
    s.in_service[1] = False
    assert _beams_started(s) == ["sat-003>sat-001"]
    assert s.giving[1] != ACTIVE and s.giving[2] == ACTIVE


def test_beam_receiver_out_of_service_is_skipped_for_the_next_urgent():
    # Receivers sat-001 (5 %, most urgent) and sat-003 (10 %) share the one giver sat-002 between them.
    assert _beams_started(_beam_sats([5.0, 90.0, 10.0])) == ["sat-002>sat-001"]
    s = _beam_sats([5.0, 90.0, 10.0])
    s.in_service[0] = False
    assert _beams_started(s) == ["sat-002>sat-003"]


def _drone_world():
    """One station at (0, 0) with one full standby drone; satellites above lon 1 and 2 deg."""
    st = Stations(["st0"], [0.0], [0.0])
    d = Drones(1)
    dr.init_drones(d, st, reserve_cap_eu=200.0, battery_cap_eu=300.0)
    sats = Satellites(2)
    sats.sma_km[:] = R_KM
    sats.arglat_rate_rad_s[:] = np.sqrt(398600.4418 / R_KM**3)
    sats.max_energy_eu[:] = 1000.0
    sats.energy_eu[:] = 100.0
    sats.pos_ecef_km[:] = geodetic_to_ecef(np.zeros(2), np.array([1.0, 2.0]), np.full(2, 550.0))
    return d, sats, st


def _drone_targets(d, sats, st, need) -> list[str]:
    ev = TickEvents(0, 0.0)
    dr.drones_step(d, sats, st, np.asarray(need, dtype=float), SimConfig(), 1.0, ev, {}, np.zeros(sats.n))
    return [p["satellite_id"] for n, p in ev.records() if n == "drone.launched"]


def test_drone_skips_the_neediest_satellite_out_of_service():
    assert _drone_targets(*_drone_world(), need=[3.0, 1.0]) == ["sat-001"]
    d, sats, st = _drone_world()
    sats.in_service[0] = False
    assert _drone_targets(d, sats, st, need=[3.0, 1.0]) == ["sat-002"]


def test_manual_drone_launch_to_an_out_of_service_satellite_is_refused():
    d, sats, st = _drone_world()
    sats.in_service[0] = False
    assert dr.launch_refusal(d, sats, st, 0, 0, SimConfig()) == "sat-001 is out of service"
    assert dr.launch_refusal(d, sats, st, 0, 1, SimConfig()) is None


def _engine_choice(fail: bool) -> tuple:
    """(Satellites given one task in the tick that fails sat-005 (when `fail`), sat-005 the fullest, engine)."""
    eng = Engine(scenario=Scenario(n_satellites=12, planes=3, n_drones=0), seed=3)
    eng.sats.energy_eu[:] = 0.5 * eng.sats.max_energy_eu
    eng.sats.energy_eu[4] = eng.sats.max_energy_eu[4]
    if fail:
        eng.submit({"type": "set_satellite", "satellite_id": sat_id(4), "in_service": False})
    eng.submit({"type": "add_task", "energy_need": 1.0, "processing_power_needed": 1.0, "priority": "high"})
    eng.step()
    return eng.book.tasks.sat[eng.book.tasks.active].tolist(), eng


def test_engine_set_satellite_out_of_service_takes_no_task_and_goes_dark():
    assert _engine_choice(fail=False)[0] == [4]
    on, eng = _engine_choice(fail=True)
    assert len(on) == 1 and on != [4]
    assert not eng.sats.in_service[4] and eng.sats.blackout[4] and eng.sats.sun_fraction[4] == 0.0
    eng.submit({"type": "set_satellite", "satellite_id": sat_id(4), "in_service": True})
    eng.step()
    assert eng.sats.in_service[4]
