import { describe, it, expect } from 'vitest';
import { createStore, pickNumber, kpiLatencyMs, eventSatellite } from './store.js';
import { decodeFrame } from './frame.js';
import { latLonAltToVector3 } from './geo.js';

function frame(sats, { drones = [], beams = [] } = {}) {
  return decodeFrame({
    n_satellites: sats.length / 6,
    n_drones: drones.length / 6,
    n_beams: beams.length / 3,
    sun: { lat: 5, lon: 6 },
    sats: Float32Array.from(sats),
    drones: Float32Array.from(drones),
    beams: Float32Array.from(beams),
  });
}

describe('store.applyFrame', () => {
  it('snaps on the first frame and converts positions to scene coordinates', () => {
    const s = createStore();
    s.applyFrame(frame([0, 0, 0, 50, 1, 0, 0, 90, 0, 10, 2, 1]), 1000);
    expect(s.n).toBe(2);
    Array.from(s.prevPos.slice(0, 3)).forEach((c, i) => expect(c).toBeCloseTo([1, 0, 0][i], 6));
    Array.from(s.nextPos.slice(0, 3)).forEach((c, i) => expect(c).toBeCloseTo([1, 0, 0][i], 6));
    expect(s.energy[1]).toBeCloseTo(10);
    expect(s.derived.blackouts).toBe(1);
    expect(s.derived.eclipsed).toBe(1);
    expect(s.derived.meanSoc).toBeCloseTo(30);
    expect(s.sun).toEqual({ lat: 5, lon: 6 });
    expect(s.version).toBe(1);
  });

  it('interpolates between ticks and carries the drawn position into the next segment', () => {
    const s = createStore();
    s.applyFrame(frame([0, 0, 0, 50, 1, 0]), 1000);
    s.interval = 100;
    s.applyFrame(frame([0, 10, 0, 50, 1, 0]), 1100); // interval becomes 0.8*100+0.2*100 = 100
    const out = [0, 0, 0];
    const end = latLonAltToVector3(0, 10, 0);
    s.satPosition(0, 1100, out); // alpha 0: still at lon 0
    expect(out[0]).toBeCloseTo(1, 6);
    s.satPosition(0, 1200, out); // alpha 1: at lon 10
    out.forEach((c, i) => expect(c).toBeCloseTo(end[i], 6));
    s.satPosition(0, 1150, out); // halfway, on the sphere (radius kept)
    expect(Math.hypot(...out)).toBeCloseTo(1, 6);
    // a new frame half-way through starts from the half-way point, so nothing jumps
    const mid = [...out];
    s.applyFrame(frame([0, 20, 0, 50, 1, 0]), 1150);
    const p = s.prevPos;
    // prev holds the linear (un-normalised) mix; its direction equals the drawn point's
    const r = Math.hypot(p[0], p[1], p[2]);
    expect(p[0] / r).toBeCloseTo(mid[0], 6);
    expect(p[2] / r).toBeCloseTo(mid[2], 6);
  });

  it('snaps instead of sweeping when the constellation size changes', () => {
    const s = createStore();
    s.applyFrame(frame([0, 0, 0, 50, 1, 0]), 1000);
    const lv = s.layoutVersion;
    s.applyFrame(frame([0, 90, 0, 50, 1, 0, 0, 0, 0, 50, 1, 0]), 1050);
    expect(s.layoutVersion).toBeGreaterThan(lv);
    expect(s.prevPos[2]).toBeCloseTo(-1, 6);
  });

  it('reads drones and beams, counts flights', () => {
    const s = createStore();
    s.applyFrame(frame([0, 0, 0, 90, 1, 0, 0, 5, 0, 10, 1, 0], {
      drones: [51.5, 0, 0, 2, 1, 80, 40, 0, 0, 0, -1, 100],
      beams: [0, 1, 4],
    }), 0);
    expect(s.nDrones).toBe(2);
    expect(s.dStatus[0]).toBe(2);
    expect(s.dTarget[0]).toBe(1);
    expect(s.dTarget[1]).toBe(-1);
    expect(s.derived.flights).toBe(1);
    expect(s.nBeams).toBe(1);
    expect(s.beamFrom[0]).toBe(0);
    expect(s.beamTo[0]).toBe(1);
    expect(s.beamRate[0]).toBe(4);
  });

  it('records the selected satellite energy history', () => {
    const s = createStore();
    s.applyFrame(frame([0, 0, 0, 50, 1, 0]), 0);
    s.select(0);
    s.applyFrame(frame([0, 0, 0, 49, 1, 0]), 100);
    expect(s.selectedHistory.toArray()).toEqual([50, 49]);
  });
});

describe('store.applyTick', () => {
  it('samples rates from cumulative totals once per wall second', () => {
    const s = createStore();
    s.applyTick({ seq: 1, tick: 10, sim_time: 30, counters: {}, totals: { 'task.created': 100 },
      kpis: { queue_depth: 7, delegation_latency_ms: 12 } }, 0);
    expect(s.history.created.length).toBe(0);
    s.applyTick({ seq: 2, tick: 15, totals: { 'task.created': 150 }, kpis: {} }, 500);
    expect(s.history.created.length).toBe(0);
    s.applyTick({ seq: 3, tick: 20, totals: { 'task.created': 300, 'task.completed': 40,
      'alert.low_energy': 2 }, kpis: { queue_depth: 9, delegation_latency_s: 0.02 } }, 2000);
    expect(s.history.created.last()).toBe(100); // 200 tasks in 2 s
    expect(s.history.completed.last()).toBe(20);
    expect(s.history.alerts.last()).toBe(1);
    expect(s.history.tickHz.last()).toBe(5);
    expect(s.history.queue.last()).toBe(9);
    expect(s.history.latencyMs.last()).toBeCloseTo(20);
    expect(s.tick).toBe(20);
    expect(s.seq).toBe(3);
    s.applyTick({ tick: 21, totals: {}, smoke: { running: true, qps: 50, burst: 5 }, kpis: { tick_ms: 2.5 } }, 2100);
    expect(s.smoke).toEqual({ running: true, qps: 50, burst: 5 });
  });

  it('clears history when the tick goes backwards (a reset)', () => {
    const s = createStore();
    s.applyTick({ tick: 10, totals: {} }, 0);
    s.applyTick({ tick: 20, totals: {} }, 1500);
    expect(s.history.tickHz.length).toBe(1);
    s.applyTick({ tick: 0, totals: {} }, 2000);
    expect(s.history.tickHz.length).toBe(0);
  });
});

describe('events and snapshot', () => {
  it('keeps a bounded event log and counts alerts', () => {
    const s = createStore();
    for (let i = 0; i < 1000; i++) s.pushEvent('alert.low_energy', { satellite_id: 'sat-002' }, i);
    expect(s.events.length).toBeLessThanOrEqual(500);
    expect(s.events.at(-1).id).toBe(1000);
    expect(s.alertsTotal).toBe(1000);
  });
  it('finds the satellite an event is about', () => {
    expect(eventSatellite({ satellite_id: 'sat-008' })).toBe(7);
    expect(eventSatellite({ from: 'sat-004', to: 'sat-005' })).toBe(3);
    expect(eventSatellite({ battery_id: 'bat-002' })).toBe(-1);
  });
  it('takes ground stations and totals from a snapshot', () => {
    const s = createStore();
    s.applySnapshot({ tick: 4, ground_stations: [{ station_id: 'gs-001', lat: 1, lon: 2 }],
      counters: { events: { 'task.created': 5 } }, queues: { pending: 3 }, paused: true });
    expect(s.groundStations.length).toBe(1);
    expect(s.totals['task.created']).toBe(5);
    expect(s.paused).toBe(true);
  });
});

describe('helpers', () => {
  it('pickNumber reads dotted paths and skips non-numbers', () => {
    expect(pickNumber({ a: { b: 2 }, c: 'x' }, 'c', 'a.b')).toBe(2);
    expect(pickNumber({ a: NaN }, 'a')).toBe(undefined);
  });
  it('kpiLatencyMs converts seconds', () => {
    expect(kpiLatencyMs({ delegation_latency_s: 0.5 })).toBe(500);
    expect(kpiLatencyMs({ delegation_latency_ms: 3 })).toBe(3);
    expect(kpiLatencyMs({ delegation_latency_s: { p50: 0.25, p99: 1, mean: 0.3 } })).toBe(250);
    expect(kpiLatencyMs({ delegation_latency_s: { p50: null } })).toBe(undefined);
    expect(kpiLatencyMs({})).toBe(undefined);
  });
});
