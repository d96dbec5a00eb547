import { describe, expect, it } from 'vitest';
import { achievedSpeed, advance, base64ToFloat32, bucketMarkers, markerKind, pastFrame } from './timemachine.js';

const b64 = (arr) => Buffer.from(new Float32Array(arr).buffer).toString('base64');

describe('time machine helpers', () => {
  it('decodes the snapshot route frame into the live frame shape', () => {
    const sats = [10, 20, 550, 55.5, 3, 2, -10, -170, 551, 80, 1, 0];
    const f = pastFrame({ frame: { n_satellites: 2, n_drones: 0, n_beams: 0, sat_fields: ['lat', 'lon', 'alt_km', 'energy_pct', 'flags', 'queue'],
      sats: b64(sats), drones: '', beams: '' } });
    expect(f.n).toBe(2);
    expect(Array.from(f.sats)).toEqual(sats);
    expect(f.sat.idx.energy_pct).toBe(3);
    expect(base64ToFloat32('').length).toBe(0);
  });

  it('refuses a frame whose array is shorter than its count', () => {
    expect(() => pastFrame({ frame: { n_satellites: 3, sats: b64([1, 2, 3, 4, 5, 6]) } })).toThrow();
  });

  it('buckets events by kind and marks blackout spans', () => {
    const events = [
      { event: 'alert.low_energy', sim_s: 0 }, { event: 'alert.overloaded', sim_s: 99 },
      { event: 'sat.energy_transfer_started', sim_s: 50 }, { event: 'sat.energy_transfer_ended', sim_s: 51 },
      { event: 'drone.launched', sim_s: 100 }, { event: 'task.created', sim_s: 10 },
    ];
    const m = bucketMarkers(events, 100, 10, { sim_s: [5, 45, 95], blackout: [0, 2, 1] });
    expect(Array.from(m.alert)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(m.beam[5]).toBe(1);
    expect(m.beam.reduce((a, b) => a + b)).toBe(1);
    expect(m.drone[9]).toBe(1);
    expect(Array.from(m.blackout)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(markerKind('task.created')).toBe(null);
  });

  it('advances playback at the asked speed and stops at the end', () => {
    expect(advance(100, 10, 500, 1000)).toEqual({ at: 105, ended: false });
    expect(advance(999, 1000, 100, 1000)).toEqual({ at: 1000, ended: true });
  });

  it('measures the achieved speed over the frames shown', () => {
    expect(achievedSpeed([{ at: 0, wall: 0 }])).toBeNaN();
    expect(achievedSpeed([{ at: 0, wall: 0 }, { at: 40, wall: 500 }, { at: 100, wall: 1000 }])).toBe(100);
  });
});

describe('store past view', async () => {
  const { createStore } = await import('./store.js');
  const { decodeFrame } = await import('./frame.js');
  const frame = (lat, e) => decodeFrame({ n_satellites: 2, n_drones: 1, sats: new Float32Array([lat, 0, 550, e, 1, 0, -lat, 10, 550, e, 1, 0]),
    drones: new Float32Array([0, 0, 0, 1, -1, 50]) });

  it('draws a past frame, then restores the live arrays on leaving', () => {
    const store = createStore();
    store.applyFrame(frame(10, 80), 0);
    store.simTime = 5000;
    store.showPast(pastFrame({ frame: { n_satellites: 2, sats: b64([40, 0, 550, 20, 1, 0, -40, 10, 550, 20, 1, 0]) } }),
      { atS: 1200, sample: { sim_s: 1140 } }, 10);
    expect(store.past.atS).toBe(1200);
    expect(store.simTime).toBe(1200);
    expect(store.lat[0]).toBe(40);
    expect(store.nDrones).toBe(0);
    store.heldTick = [{ tick: 9 }, []];
    const held = store.leavePast();
    expect(held.tick[0].tick).toBe(9);
    expect(store.past).toBe(null);
    expect(store.lat[0]).toBe(10);
    expect(store.energy[1]).toBe(80);
    expect(store.nDrones).toBe(1);
    expect(store.dNext.length).toBe(3);
    expect(store.simTime).toBe(5000);
  });
});
