"""Alerts with hysteresis: low energy, overload, and blackouts avoided thanks to help.

- alert.low_energy: charge crosses below `low_watermark_pct`; re-armed only above the mark
  plus `low_hysteresis_pct`, so a satellite hovering at the mark does not alert every tick.
- alert.overloaded: tasks on board reach `overload_queue_frac` of `max_queue` (or backlog of
  `max_backlog_s`); re-armed below three quarters of that.
- alert.blackout_avoided: a satellite predicted to reach 0 within the horizon is no longer
  predicted to, and received beam or drone energy since it went at risk ("by" names the
  larger source).
"""

from __future__ import annotations

import numpy as np

from .ids import sat_id
from .state import Satellites
from .ticklog import TickEvents


def _fire(ev: TickEvents, name: str, idx: np.ndarray, build) -> None:
    for i in idx:
        ev.emit(name, build(int(i)))


def _pct(eu, cap_eu) -> float:
    """Charge as a percentage of capacity (one satellite, same operations as the array form)."""
    return float(100.0 * eu / cap_eu)


def low_energy(sats: Satellites, cfg, ev: TickEvents) -> None:
    """Fire on charge crossing below the low watermark; re-arm above it plus the hysteresis."""
    pct = 100.0 * sats.energy_eu / sats.max_energy_eu
    fire = np.flatnonzero(sats.low_armed & (pct < cfg.low_watermark_pct))
    sats.low_armed[fire] = False
    sats.low_armed |= pct > cfg.low_watermark_pct + cfg.low_hysteresis_pct
    _fire(ev, "alert.low_energy", fire, lambda i: {
        "satellite_id": sat_id(i), "energy_pct": float(pct[i]),
        "predicted_pct": _pct(sats.predicted_eu[i], sats.max_energy_eu[i])})


def overloaded(sats: Satellites, cfg, ev: TickEvents) -> None:
    backlog_s = sats.backlog_work / sats.processing_capacity
    load = np.maximum(sats.n_tasks / cfg.max_queue, backlog_s / cfg.max_backlog_s)
    fire = np.flatnonzero(sats.overload_armed & (load >= cfg.overload_queue_frac))
    sats.overload_armed[fire] = False
    sats.overload_armed |= load < 0.75 * cfg.overload_queue_frac
    _fire(ev, "alert.overloaded", fire, lambda i: {
        "satellite_id": sat_id(i), "queue_length": int(sats.n_tasks[i]), "backlog_s": float(backlog_s[i])})


class RiskLog:
    """Energy received from beams and drones since each satellite went at risk (EU)."""

    def __init__(self, n: int):
        self.from_beam = np.zeros(n)
        self.from_drone = np.zeros(n)


def blackout_avoided(sats: Satellites, risk: RiskLog, predicted_eu: np.ndarray,
                     beam_rx: np.ndarray, drone_rx: np.ndarray, ev: TickEvents) -> None:
    """Update at-risk flags from the raw prediction and alert when help removed the risk."""
    at_risk_now = (predicted_eu <= 0.0) | sats.blackout
    np.add(risk.from_beam, beam_rx, out=risk.from_beam, where=sats.at_risk)
    np.add(risk.from_drone, drone_rx, out=risk.from_drone, where=sats.at_risk)
    cleared = np.flatnonzero(sats.at_risk & ~at_risk_now)
    saved = cleared[(risk.from_beam[cleared] > 0) | (risk.from_drone[cleared] > 0)]
    _fire(ev, "alert.blackout_avoided", saved, lambda i: {
        "satellite_id": sat_id(i), "by": "beam" if risk.from_beam[i] >= risk.from_drone[i] else "drone"})
    risk.from_beam[cleared] = 0.0
    risk.from_drone[cleared] = 0.0
    sats.at_risk[:] = at_risk_now
