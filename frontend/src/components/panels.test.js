import { describe, it, expect } from 'vitest';
import { parseValue } from './ConfigPanel.jsx';
import { describe as describeEvent } from './EventFeed.jsx';
import { fmt, fmtInt, fmtSimTime, fmtDuration } from './format.js';
import { pointSizeFor } from './Satellite.jsx';

describe('config input parsing', () => {
  it.each([
    ['0.4', 0.4], [' 12 ', 12], ['1e3', 1000], ['true', true], ['false', false],
    ['abc', 'abc'], ['', ''], ['NaN', 'NaN'], ['Infinity', 'Infinity'],
  ])('%j -> %j', (text, want) => expect(parseValue(text)).toEqual(want));
});

describe('event descriptions', () => {
  it('describes each kind in one line', () => {
    expect(describeEvent('task.dropped', { task_id: 'task-1', reason: 'queue_full', satellite_id: null }))
      .toBe('task-1 queue_full');
    expect(describeEvent('sat.energy_transfer_started', { from: 'sat-002', to: 'sat-003', distance_km: 1234.4 }))
      .toBe('sat-002 ⇒ sat-003 · 1234 km');
    expect(describeEvent('alert.low_energy', { satellite_id: 'sat-010', energy_pct: 24.44, predicted_pct: 10 }))
      .toBe('sat-010 at 24.4%, predicted 10.0%');
    expect(describeEvent('drone.launched', { battery_id: 'bat-001', station_id: 'gs-002', satellite_id: 'sat-004' }))
      .toBe('bat-001 from gs-002 → sat-004');
  });
  it('falls back to JSON for unknown names', () => {
    expect(describeEvent('x.y', { a: 1 })).toBe('{"a":1}');
  });
});

describe('formatting', () => {
  it('formats numbers, times and durations', () => {
    expect(fmt(NaN)).toBe('–');
    expect(fmt(12345)).toBe('12.3k');
    expect(fmt(2.5e6)).toBe('2.50M');
    expect(fmtInt(1234567)).toBe('1,234,567');
    expect(fmtSimTime(90061)).toBe('1d 01:01:01');
    expect(fmtDuration(0.25)).toBe('250 ms');
    expect(fmtDuration(null)).toBe('–');
  });
});

describe('satellite point size', () => {
  it('shrinks as the constellation grows, within bounds', () => {
    expect(pointSizeFor(300)).toBe(5.5);
    expect(pointSizeFor(10000)).toBeLessThan(pointSizeFor(1000));
    expect(pointSizeFor(1e6)).toBe(2.5);
  });
});
