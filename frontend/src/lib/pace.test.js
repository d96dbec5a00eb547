import { describe, it, expect } from 'vitest';
import { notePace, paceWarnings } from './pace.js';

describe('pace', () => {
  it('warns when the server runs slower than requested', () => {
    const p = notePace({}, { real_time_factor: 0.42, tick_wall_time: 100 }, 100_050);
    expect(paceWarnings(p)).toEqual(['running at 0.4x requested speed']);
    notePace(p, { real_time_factor: 1.0, tick_wall_time: 101 }, 101_050);
    expect(paceWarnings(p)).toEqual([]);
  });

  it('says how far the page is behind, whatever the clock offset', () => {
    const p = {};
    notePace(p, { tick_wall_time: 1000 }, 5_000_000); // browser clock 4000 s ahead
    notePace(p, { tick_wall_time: 1001 }, 5_001_000);
    expect(paceWarnings(p)).toEqual([]);
    notePace(p, { tick_wall_time: 1002 }, 5_007_000); // handled 5 s late
    expect(paceWarnings(p)).toEqual(['this page is 5 s behind']);
  });

  it('says nothing while paused (no factor)', () => {
    expect(paceWarnings(notePace({}, { real_time_factor: null }, 0))).toEqual([]);
  });
});
