import { describe, expect, it } from 'vitest';
import { orbitPeriodS, pivotRollups, queryString, spansBelow, stepFor, windowRange } from './history.js';

describe('history helpers', () => {
  it('orbit period at 550 km matches 2*pi*sqrt(a^3/mu) = 5739.0 s to 0.1 s', () => {
    expect(orbitPeriodS(550)).toBeCloseTo(5738.99, 1); // python: 2*pi*sqrt(6928.137**3/398600.4418)
  });
  it('windows clamp at the run start', () => {
    expect(windowRange('6h', 3600, 550)).toEqual({ from: 0, to: 3600 });
    expect(windowRange('6h', 30000, 550)).toEqual({ from: 30000 - 21600, to: 30000 });
    expect(windowRange('run', 30000, 550)).toEqual({ from: 0, to: 30000 });
    expect(windowRange('orbit', 10000, 550).from).toBeCloseTo(10000 - 5738.99, 1);
  });
  it('steps give about 400 buckets and never 0', () => {
    expect(stepFor(0, 4000)).toBe(10);
    expect(stepFor(5, 5)).toBe(0.001);
  });
  it('query strings skip empty values and encode', () => {
    expect(queryString({ from: 0, to: null, kind: 'a,b' })).toBe('?from=0&kind=a%2Cb');
    expect(queryString({})).toBe('');
  });
  it('eclipse spans start at the last sunlit point and run to the end', () => {
    expect(spansBelow([0, 1, 2, 3, 4, 5], [1, 1, 0, 0, 1, 0])).toEqual([[1, 3], [4, 5]]);
    expect(spansBelow([0, 1], [1, 1])).toEqual([]);
  });
  it('rollups pivot by key on shared times, null where a key has no bucket', () => {
    const cols = { key: [0, 0, 1], sim_s: [10, 20, 20], sim_date: ['2026-03-20T00:00:10Z', '2026-03-20T00:00:20Z', '2026-03-20T00:00:20Z'],
      mean_soc_pct: [50, 60, 70] };
    const p = pivotRollups(cols, 'mean_soc_pct');
    expect(p.keys).toEqual([0, 1]);
    expect(p.series[0]).toEqual([50, 60]);
    expect(p.series[1]).toEqual([null, 70]);
    expect(p.xs[1] - p.xs[0]).toBe(10);
  });
});
