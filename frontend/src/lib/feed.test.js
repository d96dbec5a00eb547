import { describe, it, expect } from 'vitest';
import { burstText, feedRows } from './feed.js';

const ev = (id, name, now, kind = name.split('.')[0]) => ({ id, name, kind, now, simTime: id });

describe('feed rows', () => {
  it('folds a burst of one name into one row, newest first', () => {
    const events = [];
    for (let k = 0; k < 48; k++) events.push(ev(k + 1, 'sat.energy_transfer_started', 1000 + k * 200));
    events.push(ev(49, 'alert.low_energy', 12000));
    const rows = feedRows(events);
    expect(rows).toHaveLength(2);
    expect(rows[0].name).toBe('alert.low_energy');
    expect(rows[1]).toMatchObject({ burst: true, count: 48, name: 'sat.energy_transfer_started' });
    expect(burstText(rows[1].name, rows[1].count, rows[1].spanS)).toBe('48 beams started in 9 s');
  });
  it('keeps short runs as single rows and splits runs longer than the window', () => {
    const events = [ev(1, 'drone.launched', 0), ev(2, 'drone.launched', 500), ev(3, 'drone.arrived', 600)];
    expect(feedRows(events).map((r) => r.id)).toEqual([3, 2, 1]);
    const spread = [];
    for (let k = 0; k < 8; k++) spread.push(ev(k + 1, 'task.dropped', k * 3000));
    const rows = feedRows(spread);
    expect(rows.map((r) => r.count || 1)).toEqual([4, 4]);
  });
  it('folds bursts of interleaved kinds separately', () => {
    const events = [];
    for (let k = 0; k < 12; k++) events.push(ev(k + 1, k % 2 ? 'task.created' : 'task.completed', k * 100));
    events.push(ev(13, 'alert.low_energy', 1300));
    const rows = feedRows(events);
    expect(rows.map((r) => (r.burst ? `${r.name}x${r.count}` : r.name)))
      .toEqual(['alert.low_energy', 'task.created x6'.replace(' ', ''), 'task.completedx6']);
  });
  it('does not fold across a new-run marker', () => {
    const events = [ev(1, 'drone.launched', 0), ev(2, 'drone.launched', 1), ev(3, 'drone.launched', 2),
      { id: 4, name: 'run.reset', kind: 'marker', now: 3 }, ev(5, 'drone.launched', 4)];
    expect(feedRows(events).map((r) => r.id)).toEqual([5, 4, 3, 2, 1]);
  });
  it('skips filtered events but never markers', () => {
    const events = [ev(1, 'task.created', 0), { id: 2, name: 'run.reset', kind: 'marker', now: 1 }, ev(3, 'alert.overloaded', 2)];
    expect(feedRows(events, (e) => e.kind !== 'task').map((r) => r.id)).toEqual([3, 2]);
  });
  it('stops at the row limit', () => {
    const events = [];
    for (let k = 0; k < 100; k++) events.push(ev(k, k % 2 ? 'a.x' : 'b.y', k * 11000));
    expect(feedRows(events, undefined, { limit: 10 })).toHaveLength(10);
  });
});
