import { describe, expect, it } from 'vitest';
import { choices, fmt, jobBody, parseSeeds, tableRows, verdict } from './arena.js';

describe('parseSeeds', () => {
  it('reads ranges and lists, sorted and distinct', () => {
    expect(parseSeeds('1-3,7, 2')).toEqual({ seeds: [1, 2, 3, 7] });
    expect(parseSeeds('5')).toEqual({ seeds: [5] });
  });
  it('names what is wrong', () => {
    expect(parseSeeds('').error).toMatch(/give seeds/);
    expect(parseSeeds('3-1').error).toMatch(/backwards/);
    expect(parseSeeds('x').error).toMatch(/"x" is not a number/);
    expect(parseSeeds('-2').error).toMatch(/not a number/);
    expect(parseSeeds('1-60').error).toMatch(/at most 50/);
  });
});

describe('jobBody', () => {
  const form = { scenario: '2x', policies: ['v1', 'nearest'], seeds: '1-2', hours: '0.5', load: '100' };
  it('builds the POST body with numbers', () => {
    expect(jobBody(form)).toEqual({ body: { scenario: '2x', policies: ['v1', 'nearest'], seeds: [1, 2], hours: 0.5, load: 100 } });
  });
  it('refuses an empty policy list, bad hours and load', () => {
    expect(jobBody({ ...form, policies: [] }).error).toMatch(/at least one/);
    expect(jobBody({ ...form, hours: '0' }).error).toMatch(/hours/);
    expect(jobBody({ ...form, hours: 'abc' }).error).toMatch(/hours/);
    expect(jobBody({ ...form, load: '-1' }).error).toMatch(/load/);
  });
});

describe('verdict', () => {
  it('is better or worse only when the paired interval excludes 0, in the KPI sense', () => {
    expect(verdict({ n: 5, mean: 3, lo: 1, hi: 5 }, 1)).toBe('better');
    expect(verdict({ n: 5, mean: 3, lo: 1, hi: 5 }, -1)).toBe('worse');
    expect(verdict({ n: 5, mean: -3, lo: -5, hi: -1 }, -1)).toBe('better');
    expect(verdict({ n: 5, mean: 1, lo: -1, hi: 3 }, 1)).toBe('none');
    expect(verdict({ n: 1, mean: 1, lo: 1, hi: 1 }, 1)).toBe('none');
    expect(verdict(null, 1)).toBe('none');
  });
});

describe('tableRows', () => {
  const iv = (mean, lo, hi, n = 3) => ({ n, mean, lo, hi });
  const job = {
    policies: ['v1', 'least_loaded'], baseline: 'v1',
    summary: {
      v1: { tasks_completed: { all: iv(100, 90, 110), vs_baseline: iv(0, 0, 0) } },
      least_loaded: { tasks_completed: { all: iv(110, 100, 120), vs_baseline: iv(10, 6, 14) } },
    },
  };
  it('gives every policy its means and, off the baseline, the paired difference', () => {
    const rows = tableRows(job);
    expect(rows.map((r) => [r.policy, r.baseline])).toEqual([['v1', true], ['least_loaded', false]]);
    const [base, other] = rows.map((r) => r.cells.find((c) => c.key === 'tasks_completed'));
    expect([base.mean, base.lo, base.hi, base.diff]).toEqual([100, 90, 110, null]);
    expect([other.diff.mean, other.verdict]).toEqual([10, 'better']);
    expect(rows[0].cells.find((c) => c.key === 'drone_km').mean).toBeUndefined();
  });
  it('is empty without a summary', () => { expect(tableRows({ ...job, summary: null })).toEqual([]); });
});

describe('choices and fmt', () => {
  it('reads the names from the OpenAPI schema', () => {
    const doc = { components: { schemas: { ArenaJobIn: { properties: {
      scenario: { enum: ['default', '2x'] }, policies: { items: { enum: ['v1', 'random'] } } } } } } };
    expect(choices(doc)).toEqual({ scenarios: ['default', '2x'], policies: ['v1', 'random'] });
    expect(choices(null)).toEqual({ scenarios: [], policies: [] });
  });
  it('prints about 4 significant digits', () => {
    expect(fmt(11787.6)).toBe('11,790');
    expect(fmt(0.5)).toBe('0.5');
    expect(fmt(null)).toBe('–');
    expect(fmt(2.5e7)).toBe('2.50e+7');
  });
});
