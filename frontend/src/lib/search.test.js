import { describe, it, expect } from 'vitest';
import { parseQuery, searchSatellites } from './search.js';
import { FLAG_BLACKOUT, FLAG_GIVING, FLAG_SUNLIT } from './protocol.js';

function fakeStore() {
  // 6 satellites in 2 planes of 3
  return {
    n: 6,
    flags: Float32Array.from([FLAG_SUNLIT, FLAG_BLACKOUT, FLAG_SUNLIT | FLAG_GIVING, 0, FLAG_SUNLIT, FLAG_SUNLIT]),
    energy: Float32Array.from([80, 0, 90, 20, 10, 50]),
    plane: Int32Array.from([0, 0, 0, 1, 1, 1]),
    slot: Int32Array.from([0, 1, 2, 0, 1, 2]),
    planesKnown: true,
  };
}

describe('search queries', () => {
  it.each([
    ['sat-043', { kind: 'id', index: 42 }], ['SAT-007', { kind: 'id', index: 6 }], [' 12 ', { kind: 'id', index: 11 }],
    ['sat-43', { kind: 'id', index: 42 }], ['sat-0', { kind: 'invalid' }],
    ['plane 3', { kind: 'plane', plane: 3 }], ['p3', { kind: 'plane', plane: 3 }],
    ['p3s5', { kind: 'slot', plane: 3, slot: 5 }], ['plane 3 slot 5', { kind: 'slot', plane: 3, slot: 5 }],
    ['3/5', { kind: 'slot', plane: 3, slot: 5 }], ['Blackout', { kind: 'state', state: 'blackout' }],
    ['', { kind: 'empty' }], ['banana', { kind: 'invalid' }],
  ])('%j', (text, want) => expect(parseQuery(text)).toEqual(want));
});

describe('searchSatellites', () => {
  const s = fakeStore();
  it('finds by id and says when an id is out of range', () => {
    expect(searchSatellites(s, 'sat-003').matches).toEqual([2]);
    expect(searchSatellites(s, 'sat-010').error).toMatch(/no satellite sat-010: there are 6/);
  });
  it('finds a plane and a slot', () => {
    expect(searchSatellites(s, 'plane 1').matches).toEqual([3, 4, 5]);
    expect(searchSatellites(s, 'p1s2').matches).toEqual([5]);
    expect(searchSatellites(s, 'p4').error).toBe('no plane 4');
  });
  it('finds by state', () => {
    expect(searchSatellites(s, 'blackout').matches).toEqual([1]);
    expect(searchSatellites(s, 'low').matches).toEqual([3, 4]);
    expect(searchSatellites(s, 'beaming').matches).toEqual([2]);
    expect(searchSatellites(s, 'eclipse').matches).toEqual([1, 3]);
  });
  it('caps the list but counts every match', () => {
    const r = searchSatellites(s, 'sunlit', 2);
    expect(r.matches).toEqual([0, 2]);
    expect(r.total).toBe(4);
  });
  it('explains a query it does not understand', () => {
    expect(searchSatellites(s, 'banana').error).toMatch(/not understood.*plane 3/);
  });
});
