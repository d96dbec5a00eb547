"""The engine: owns all simulation state and steps it one tick at a time.

`Engine(config, scenario, seed)`; `submit(cmd)` validates and queues a command (thread-safe);
`step()` applies queued commands in arrival order and, unless paused, advances one tick of
dt = tick_interval * time_scale simulated seconds through the five loops. Same inputs, same
state: randomness comes from one SeedSequence with a child stream per subsystem.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from . import alerts, commands, contacts, drones, views
from .beams import BeamLog, beams_step
from .build import build_world
from .delegator import SatLoad
from .params import FieldError, SimConfig
from .power import power_step, refresh_load
from .prediction import predict_energy, trough_energy
from .scenario import Scenario
from .smoke import NewTasks, SmokeState, draw_count, draw_tasks, throttled
from .policies import placement
from .state import DROPPED, NO_ELIGIBLE, PRIORITIES, RUNNING
from .sweep import delegate_queue, queue_batch
from .taskbook import TaskBook
from .ticklog import EVENT_NAMES, TickEvents
from .validation import Conflict

LEDGER_KEYS = ("solar_in", "consumed", "task_draw", "beamed_out", "beam_losses", "drone_delivered",
               "drone_reserve_spent", "ground_charged")


# Work budget of one tick, in satellite-seconds: n_satellites x dt. What a tick does per
# satellite (beams paired, tasks run and finished, drones flown, energy predicted) grows with
# the simulated time it covers; a configuration over the budget is refused (FieldError naming
# the limit), so no accepted configuration makes one tick run away (e.g. 100,000 satellites at
# dt = 1,000 s). 1e7 allows dt = 100 s at 100,000 satellites and 33,333 s at the default 300.
WORK_BUDGET_SAT_S = 1.0e7


def check_work_budget(n_satellites: int, dt: float, field: str) -> None:
    """Raise FieldError(field) when n_satellites x dt exceeds WORK_BUDGET_SAT_S."""
    work = n_satellites * dt
    if work > WORK_BUDGET_SAT_S:
        raise Conflict(field, f"{field}: work budget exceeded: n_satellites x dt = {n_satellites} x "
                         f"{dt:g} s = {work:.3g} satellite-seconds per tick, above the limit of "
                         f"{WORK_BUDGET_SAT_S:.3g}; use fewer satellites, a lower time_scale or a "
                         f"shorter tick_interval")


PHASES = ("SmokeConsumer", "TaskDelegator", "satellites", "JobOrchestrator", "BatteryOrchestrator")


class _PhaseClock:
    """Wall seconds spent per phase of one tick (reporting only: never feeds the state)."""

    def __init__(self):
        self.spent = dict.fromkeys(PHASES, 0.0)
        self._t = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.spent[phase] += now - self._t
        self._t = now


class Engine:
    """A steppable simulation; see docs/interfaces.md for the command and JSON contract."""

    def __init__(self, config: SimConfig | dict | None = None, scenario: Scenario | None = None,
                 seed: int = 0):
        self._lock = threading.Lock()
        self._inbox: deque = deque()
        self.config = config if isinstance(config, SimConfig) else SimConfig(config)
        self.base_scenario = scenario or Scenario()
        self.base_scenario.validate()
        self.rejected: deque = deque(maxlen=50)
        self.applied: dict = {}
        self.phase_s = dict.fromkeys(PHASES, 0.0)  # wall s per phase of the last step
        self.generated_last = 0  # tasks the generator made in the last step
        self._cmd_seq = 0
        self.generation = -1  # bumped by every (re)build: a reset starts a new generation
        self._build(self.base_scenario, int(seed))

    def _build(self, scenario: Scenario, seed: int) -> None:
        """(Re)create the world at its seed state."""
        self.scenario, self.seed = scenario, seed
        self.policy_memory: dict = {}  # state a non-v1 placement policy keeps between ticks
        self.generation += 1
        streams = np.random.SeedSequence(seed).spawn(3)
        self._rng_smoke = np.random.default_rng(streams[1])
        w = build_world(scenario, np.random.default_rng(streams[0]))
        self.sats, self.drones, self.stations, self.sky = w.sats, w.drones, w.stations, w.sky
        self.book = TaskBook(self._table_capacity(), self.sky.epoch_unix_s)
        self.beamlog = BeamLog(self.sats.n)
        self.risk = alerts.RiskLog(self.sats.n)
        self.smoke = SmokeState()
        self.tick, self.sim_time, self.paused, self._pending_steps = 0, 0.0, False, 0
        self.ledger = dict.fromkeys(LEDGER_KEYS, 0.0)
        self.blackouts_total = 0
        self.totals = dict.fromkeys(EVENT_NAMES, 0)
        self.last_counts = dict.fromkeys(EVENT_NAMES, 0)
        self.sky.update(self.sats, 0.0)
        self.in_contact = contacts.in_view(self.sats.pos_ecef_km, self.stations.pos_ecef_km,
                                           self.config.min_elevation_deg)  # no events at the start
        self.predicted_eu = predict_energy(self.sats, self.sky.sun_unit, 0.0, self.config.horizon_s,
                                           self.sky.propagator, self.sky.sun_at(self.config.horizon_s))
        self.sats.predicted_eu[:] = self.predicted_eu

    def _table_capacity(self) -> int:
        return self.config.queue_capacity + self.sats.n * self.config.max_queue

    @property
    def dt(self) -> float:
        """Simulated seconds per tick."""
        return self.config.tick_interval * self.config.time_scale

    # ---- commands -------------------------------------------------------------------------

    def submit(self, cmd: dict) -> dict:
        """Validate and queue a command; raises FieldError (a ValueError) and queues nothing."""
        return self.submit_numbered(cmd)[1]

    def submit_numbered(self, cmd: dict) -> tuple[int, dict]:
        """`submit`, also returning the command's sequence number (its id in `applied`)."""
        with self._lock:
            clean = commands.validate(cmd, self)
            self._check_budget(clean)
            self._cmd_seq += 1
            clean["cmd"] = self._cmd_seq
            result = {"accepted": True, "type": clean["type"], "cmd": self._cmd_seq,
                      "apply_at_tick": self.tick + 1}
            if clean["type"] == "add_task":
                clean["id"], clean["created_at"] = self.book.reserve_ids(1)[0], self.sim_time
                result = views.new_task(clean, self.sky.epoch_unix_s)
            self._inbox.append(clean)
            return self._cmd_seq, result

    def _check_budget(self, clean: dict) -> None:
        """Refuse a config or reset that would put one tick over the work budget."""
        if clean["type"] == "set_config":
            new = self.config.updated(clean["config"])
            field = "time_scale" if new.time_scale != self.config.time_scale else "tick_interval"
            check_work_budget(self.sats.n, new.tick_interval * new.time_scale, field)
        elif clean["type"] == "reset":
            check_work_budget(clean["scenario"].n_satellites, self.dt, "scenario.n_satellites")

    def _drain(self) -> list:
        with self._lock:
            cmds = list(self._inbox)
            self._inbox.clear()
            return cmds

    def _apply(self, cmd: dict, ev: TickEvents) -> None:
        self.applied[cmd["cmd"]] = None
        try:
            _APPLY[cmd["type"]](self, cmd, ev)
        except ValueError as exc:  # state moved between submit and apply (e.g. drone left)
            entry = {"cmd": cmd["cmd"], "tick": self.tick, "command": cmd["type"],
                     "field": getattr(exc, "field", None), "error": str(exc)}
            self.rejected.append(entry)
            self.applied[cmd["cmd"]] = entry

    # ---- the tick -------------------------------------------------------------------------

    def step(self) -> TickEvents:
        """Apply queued commands, then advance one tick unless paused or just reset (a step
        that resets ends at the seed state, tick 0, so its answer is the reset clock).

        `applied` maps each command this step took (by sequence number) to None, or to its
        rejection entry when applying it failed."""
        ev = TickEvents(self.tick, self.sim_time)
        self.applied = {}
        self.phase_s, self.generated_last = dict.fromkeys(PHASES, 0.0), 0
        reset = False
        for cmd in self._drain():
            self._apply(cmd, ev)
            reset |= cmd["type"] == "reset" and self.applied[cmd["cmd"]] is None
        if self.paused and self._pending_steps == 0 or reset:
            return self._close(ev)
        if self.paused:
            self._pending_steps -= 1
        self._advance(ev)
        return self._close(ev)

    def run_for(self, seconds: float) -> None:
        """Step until the clock has advanced by `seconds` simulated seconds (not paused)."""
        end = self.sim_time + seconds - 1e-9
        while self.sim_time < end:
            self.step()

    @property
    def steps_left(self) -> int:
        """Ticks still to advance for POST /api/sim/step while paused."""
        return self._pending_steps

    def _advance(self, ev: TickEvents) -> None:
        cfg, dt = self.config, self.dt
        now = self.sim_time + dt
        ev.tick, ev.sim_time = self.tick + 1, now
        clock = _PhaseClock()
        self.sky.update(self.sats, now)
        self._contacts(ev)
        clock.lap("satellites")
        self._generate(now, ev)
        clock.lap("SmokeConsumer")
        self._delegate(now, ev)
        clock.lap("TaskDelegator")
        self.blackouts_total += power_step(self.sats, self.book, cfg, dt, now, ev, self.ledger)
        refresh_load(self.sats, self.book)
        clock.lap("satellites")
        beam_rx = np.zeros(self.sats.n)
        beams_step(self.sats, self.beamlog, cfg, dt, now, ev, self.ledger, beam_rx, self._trough_pct(now))
        clock.lap("JobOrchestrator")
        drone_rx = np.zeros(self.sats.n)
        drones.drones_step(self.drones, self.sats, self.stations, self._drone_need(), cfg, dt, ev,
                           self.ledger, drone_rx)
        clock.lap("BatteryOrchestrator")
        self._expire(now, ev)
        clock.lap("TaskDelegator")
        self._predict_and_alert(now, beam_rx, drone_rx, ev)
        clock.lap("satellites")
        self.phase_s = clock.spent
        self.tick, self.sim_time = self.tick + 1, now

    def _close(self, ev: TickEvents) -> TickEvents:
        for name, n in ev.counts.items():
            self.totals[name] += n
        self.last_counts = dict(ev.counts)
        return ev

    def _contacts(self, ev: TickEvents) -> None:
        """contact.started / contact.ended: satellite x station pairs above min elevation now vs last tick."""
        now = contacts.in_view(self.sats.pos_ecef_km, self.stations.pos_ecef_km, self.config.min_elevation_deg)
        changes = contacts.contact_changes(self.in_contact, now, self.sats.pos_ecef_km, self.stations.pos_ecef_km)
        contacts.emit_contact_events(ev, changes, self.stations.names)
        self.in_contact = now

    def _generate(self, now: float, ev: TickEvents) -> None:
        n = draw_count(self._rng_smoke, self.smoke, self.config.tick_interval)
        if n:
            n = throttled(n, self.book.n_queued, self.config.queue_capacity)
        self.generated_last = n
        if n:
            new = draw_tasks(self._rng_smoke, n, self.config)
            with self._lock:
                ids = self.book.reserve_ids(n)
            self.book.add(new, ids, np.full(n, now), np.ones(n, bool), self.config.queue_capacity, ev)

    def _delegate(self, now: float, ev: TickEvents) -> None:
        s = self.sats
        if self.book.n_queued == 0 or not np.any((s.n_tasks < self.config.max_queue) & ~s.blackout):
            return  # nothing to do, or no satellite could take anything (exact skip)
        load = SatLoad(s.pos_ecef_km, s.energy_eu, s.max_energy_eu, s.committed_eu, s.backlog_work,
                       s.processing_capacity, s.n_tasks, s.blackout, s.in_service)
        if self.config.placement_policy == "v1":
            slots, sat_idx, score = delegate_queue(self.book.pending, self.book.tasks, load, self.config)
        else:
            slots, batch = queue_batch(self.book.pending, self.book.tasks)
            if batch is None:
                return
            trough = trough_energy(s, self.sky.sun_unit, now, self.sky.propagator)  # this tick's sun and orbits
            look = placement.Lookahead(self.seed, self.tick, self.predicted_eu, self.policy_memory, trough)
            sat_idx, score = placement.place(self.config.placement_policy, batch, load, self.config, look)
            got = sat_idx >= 0
            slots, sat_idx, score = slots[got], sat_idx[got], score[got]
        self.book.assign(slots, sat_idx, score, now, ev)

    def _trough_pct(self, now: float):
        """The predicted trough through each satellite's next eclipse (% of capacity), for the
        predictive beaming policy only (None otherwise: nothing else reads it)."""
        if self.config.beam_policy != "predictive":
            return None
        s = self.sats
        return 100.0 * trough_energy(s, self.sky.sun_unit, now, self.sky.propagator) / s.max_energy_eu

    def _expire(self, now: float, ev: TickEvents) -> None:
        old = self.book.pending.expired(now, self.config.max_wait_s, self.book.tasks, self.book.n_queued)
        self.book.finish(old, DROPPED, NO_ELIGIBLE, now, ev)

    def _drone_need(self) -> np.ndarray:
        """Routing weight per satellite: 1 + priorities on board where predicted below route_pct."""
        t = self.book.tasks
        run = t.with_status(RUNNING)
        prio = np.bincount(t.sat[run], weights=t.priority[run].astype(np.float64), minlength=self.sats.n)
        low = self.predicted_eu < self.config.route_pct / 100.0 * self.sats.max_energy_eu
        return np.where(low, 1.0 + prio, 0.0)

    def _predict_and_alert(self, now, beam_rx, drone_rx, ev) -> None:
        s, cfg = self.sats, self.config
        self.predicted_eu = predict_energy(s, self.sky.sun_unit, now, cfg.horizon_s, self.sky.propagator,
                                           self.sky.sun_at(now + cfg.horizon_s))
        np.clip(self.predicted_eu, 0.0, s.max_energy_eu, out=s.predicted_eu)
        alerts.low_energy(s, cfg, ev)
        alerts.overloaded(s, cfg, ev)
        alerts.blackout_avoided(s, self.risk, self.predicted_eu, beam_rx, drone_rx, ev)

    # ---- views ----------------------------------------------------------------------------

    def snapshot(self, sat_offset: int = 0, sat_limit: int | None = None, include_tasks: bool = True) -> dict:
        return views.snapshot(self, sat_offset, sat_limit, include_tasks)

    def frame(self) -> dict:
        return views.frame(self)

    def kpis(self) -> dict:
        return views.kpis(self)

    def satellite(self, i: int) -> dict | None:
        return views.satellite(self, i) if 0 <= i < self.sats.n else None

    def drone(self, j: int) -> dict | None:
        return views.drone(self, j) if 0 <= j < self.drones.n else None

    def task(self, n: int) -> dict | None:
        return self.book.record(n)


# ---- command application (one function per command type) --------------------------------

def _add_task(eng: Engine, c: dict, ev: TickEvents) -> None:
    o = c["origin"]
    new = NewTasks(np.array([c["energy_need"]]), np.array([c["processing_power_needed"]]),
                   np.array([PRIORITIES.index(c["priority"])], np.int8),
                   np.array([o["lat"] if o else 0.0]), np.array([o["lon"] if o else 0.0]))
    eng.book.add(new, np.array([c["id"]]), np.array([c["created_at"]]), np.array([o is not None]),
                 eng.config.queue_capacity, ev)


def _set_config(eng: Engine, c: dict, ev: TickEvents) -> None:
    eng.config = eng.config.updated(c["config"])
    eng.book.ensure_capacity(eng._table_capacity())


def _reset(eng: Engine, c: dict, ev: TickEvents) -> None:
    eng._build(c["scenario"], c["seed"])
    ev.tick, ev.sim_time = 0, 0.0


def _set_satellite(eng: Engine, c: dict, ev: TickEvents) -> None:
    i, s = c["sat"], eng.sats
    if "energy_pct" in c:
        s.energy_eu[i] = c["energy_pct"] / 100.0 * s.max_energy_eu[i]
    if "solar_scale" in c:
        s.solar_eu_s[i] = c["solar_scale"] * eng.scenario.solar_eu_s
    if "consumption_rate" in c:
        s.consumption_eu_s[i] = c["consumption_rate"]
    if "in_service" in c:
        s.in_service[i] = c["in_service"]


def _set_paused(value: bool):
    def apply(eng: Engine, c: dict, ev: TickEvents) -> None:
        eng.paused = value
        eng._pending_steps = 0
    return apply


def _smoke_start(eng, c, ev):
    eng.smoke = SmokeState(True, c["qps"], c["burst"])


def _smoke_stop(eng, c, ev):
    eng.smoke = SmokeState(False, eng.smoke.qps, eng.smoke.burst)


def _step(eng, c, ev):
    if not eng.paused:
        raise FieldError("ticks", "step works while paused; pause first")
    eng._pending_steps += c["ticks"]


_APPLY = {
    "add_task": _add_task,
    "smoke_start": _smoke_start,
    "smoke_stop": _smoke_stop,
    "set_config": _set_config,
    "reset": _reset,
    "pause": _set_paused(True),
    "resume": _set_paused(False),
    "step": _step,
    "launch_drone": lambda eng, c, ev: drones.launch(eng.drones, eng.sats, eng.stations, c["drone"], c["sat"],
                                                     eng.config, ev),
    "recall_drone": lambda eng, c, ev: drones.recall(eng.drones, c["drone"], "manual", ev),
    "set_satellite": _set_satellite,
    "inject_fault": lambda eng, c, ev: drones.inject_fault(eng.drones, c["drone"]),
}
