import { describe, it, expect } from 'vitest';
import { parseUrlState, toUrlSearch, DEFAULT_FEED } from './urlstate.js';

describe('URL view state', () => {
  it('round-trips every field', () => {
    const s = { sel: 42, follow: true, cam: { lat: 12.5, lon: -40.1, dist: 3.2 }, q: 'plane 3',
      feed: ['alert', 'task'], closed: ['kpis', 'config'], speed: 120 };
    const search = toUrlSearch(s);
    expect(search).toBe('?sel=sat-043&follow=1&cam=12.5,-40.1,3.20&q=plane+3&feed=alert,task&closed=kpis,config&speed=120');
    expect(parseUrlState(search)).toEqual(s);
  });
  it('gives defaults for an empty query and drops bad values', () => {
    expect(parseUrlState('')).toEqual({ sel: -1, follow: false, cam: null, q: '', feed: DEFAULT_FEED, closed: null, speed: null });
    const bad = parseUrlState('?sel=-3&cam=100,0,3&speed=abc&feed=alert,bogus');
    expect(bad.sel).toBe(-1);
    expect(parseUrlState('?sel=sat-007').sel).toBe(6);
    expect(parseUrlState('?sel=7').sel).toBe(6); // typed by hand: its number, as in sat-007
    expect(parseUrlState('?sel=sat-x').sel).toBe(-1);
    expect(bad.cam).toBe(null);
    expect(bad.speed).toBe(null);
    expect(bad.feed).toEqual(['alert']);
  });
  it('writes nothing for the default view', () => {
    expect(toUrlSearch({ sel: -1, feed: DEFAULT_FEED, closed: null, q: '', cam: null, speed: null })).toBe('');
  });
});
