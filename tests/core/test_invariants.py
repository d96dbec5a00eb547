"""DESIGN.md section 2 invariants after every tick of random command sequences (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as hs
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from backend.core.ids import battery_id, sat_id
from backend.core.policies import sets
from backend.core.state import OUT_OF_SERVICE, PRIORITIES

from .conftest import small_engine

LEDGER_TOL_EU = 1e-6

priorities = hs.sampled_from(PRIORITIES)
pct = hs.floats(0.0, 100.0)


class EngineMachine(RuleBasedStateMachine):
    """Random commands and ticks; the invariants hold after each one."""

    def __init__(self):
        super().__init__()
        self.eng = small_engine(seed=11, n_satellites=40, n_drones=4)
        self.faulted = set()
        self.ledger_ok = True
        self.last_error = 0.0

    def _tick(self, ticks=1):
        for _ in range(ticks):
            e0 = self.eng.sats.energy_eu.sum()
            l0 = dict(self.eng.ledger)
            n0 = self.eng.sats.n
            self.eng.step()
            if self.ledger_ok and self.eng.sats.n == n0:
                d = {k: self.eng.ledger[k] - l0[k] for k in l0}
                flows = d["solar_in"] - d["consumed"] - d["task_draw"] - d["beam_losses"] + d["drone_delivered"]
                self.last_error = abs(self.eng.sats.energy_eu.sum() - e0 - flows)
                assert self.last_error < LEDGER_TOL_EU, (self.last_error, d)
            self.ledger_ok = True

    @rule(ticks=hs.integers(1, 15))
    def run(self, ticks):
        self._tick(ticks)

    @rule(qps=hs.floats(1.0, 3000.0), burst=hs.integers(1, 50))
    def smoke_start(self, qps, burst):
        self.eng.submit({"type": "smoke_start", "qps": qps, "burst": burst})

    @rule()
    def smoke_stop(self):
        self.eng.submit({"type": "smoke_stop"})

    @rule(energy=hs.floats(0.0, 400.0), work=hs.floats(0.1, 5000.0), priority=priorities,
          lat=hs.one_of(hs.none(), hs.floats(-90, 90)), lon=hs.floats(-180, 180))
    def add_task(self, energy, work, priority, lat, lon):
        origin = None if lat is None else {"lat": lat, "lon": lon}
        self.eng.submit({"type": "add_task", "energy_need": energy, "processing_power_needed": work,
                         "priority": priority, "origin": origin})

    @rule(sat=hs.integers(0, 39), energy=pct, solar=hs.floats(0.0, 3.0))
    def set_satellite(self, sat, energy, solar):
        self.eng.submit({"type": "set_satellite", "satellite_id": sat_id(sat), "energy_pct": energy,
                         "solar_scale": solar})
        self.ledger_ok = False  # a what-if edit moves energy outside the flows

    @rule(w=hs.floats(0.0, 1.0), queue=hs.integers(1, 20), scale=hs.floats(5.0, 300.0),
          rate=hs.floats(0.0, 50.0), eff=hs.floats(0.0, 1.0))
    def set_config(self, w, queue, scale, rate, eff):
        self.eng.submit({"type": "set_config", "config": {
            "delegator": {"w1": w, "max_queue": queue}, "time": {"time_scale": scale},
            "beam": {"rate_eu_per_s": rate, "efficiency": eff}}})

    @rule(name=hs.sampled_from(sets.NAMES))
    def set_policy(self, name):
        self.eng.submit({"type": "set_config", "config": sets.patch(name)})

    @rule(drone=hs.integers(0, 3), sat=hs.integers(0, 39))
    def launch(self, drone, sat):
        self.eng.submit({"type": "launch_drone", "battery_id": battery_id(drone), "satellite_id": sat_id(sat)})

    @rule(drone=hs.integers(0, 3))
    def recall(self, drone):
        self.eng.submit({"type": "recall_drone", "battery_id": battery_id(drone)})

    @rule(drone=hs.integers(0, 3))
    def fault(self, drone):
        self.eng.submit({"type": "inject_fault", "battery_id": battery_id(drone)})
        self.faulted.add(drone)

    @rule()
    def pause_step_resume(self):
        self.eng.submit({"type": "pause"})
        self.eng.submit({"type": "step", "ticks": 2})
        self._tick(3)
        self.eng.submit({"type": "resume"})

    @invariant()
    def tasks_conserved_per_priority(self):
        c = self.eng.book.counters()
        for block in [c, *c["by_priority"].values()]:
            assert block["created"] == block["queued"] + block["running"] + block["completed"] + block["dropped"]

    @invariant()
    def energy_within_bounds(self):
        s, d = self.eng.sats, self.eng.drones
        assert np.all(s.energy_eu >= 0) and np.all(s.energy_eu <= s.max_energy_eu + 1e-9)
        assert np.all(d.battery_eu >= 0) and np.all(d.battery_eu <= d.battery_cap_eu + 1e-9)
        assert np.all(d.reserve_eu >= 0) and np.all(d.reserve_eu <= d.reserve_cap_eu + 1e-9)

    @invariant()
    def no_stranded_drone_without_fault(self):
        stranded = set(np.flatnonzero(self.eng.drones.status == OUT_OF_SERVICE).tolist())
        assert stranded <= self.faulted

    @invariant()
    def load_matches_live_table(self):
        t = self.eng.book.tasks
        running = np.bincount(t.sat[t.status == 2], minlength=self.eng.sats.n)
        assert np.array_equal(running, self.eng.sats.n_tasks)


EngineMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
test_engine_invariants = EngineMachine.TestCase


@pytest.mark.parametrize("policy", sets.NAMES)
def test_long_loaded_run_keeps_invariants(policy):
    """A fixed-seed hour under heavy load, checked every tick (covers beams, drones, blackouts),
    under every policy set."""
    m = EngineMachine()
    m.eng.submit({"type": "set_config", "config": sets.patch(policy)})
    m.eng.submit({"type": "smoke_start", "qps": 800.0, "burst": 20})
    for _ in range(40):
        m._tick(10)
        m.tasks_conserved_per_priority()
        m.energy_within_bounds()
        m.no_stranded_drone_without_fault()
    t = m.eng.totals
    assert t["task.completed"] > 0 and t["sat.energy_transfer_started"] > 0
