import { describe, it, expect } from 'vitest';
import { socColor, socCss, socGradientCss, SOC_STOPS, beamColor } from './colors.js';

describe('socColor', () => {
  it('returns the stop colours at the stops', () => {
    for (const [p, c] of SOC_STOPS) socColor(p).forEach((v, i) => expect(v).toBeCloseTo(c[i], 12));
  });
  it('is red when empty and teal when full', () => {
    const [r0, g0] = socColor(0);
    expect(r0).toBeGreaterThan(0.8);
    expect(g0).toBeLessThan(0.3);
    const [r1, g1, b1] = socColor(100);
    expect(r1).toBeLessThan(0.3);
    expect(g1).toBeGreaterThan(0.8);
    expect(b1).toBeGreaterThan(0.8);
  });
  it('interpolates between stops', () => {
    const mid = socColor(22.5); // halfway from 15 to 30
    const a = socColor(15), b = socColor(30);
    mid.forEach((c, i) => expect(c).toBeCloseTo((a[i] + b[i]) / 2, 10));
  });
  it('clamps out-of-range values and greys out NaN', () => {
    expect(socColor(-20)).toEqual(socColor(0));
    expect(socColor(150)).toEqual(socColor(100));
    expect(socColor(NaN)).toEqual([0.5, 0.5, 0.5]);
  });
  it('red channel falls monotonically from 30% to full', () => {
    let prev = Infinity;
    for (let p = 30; p <= 100; p += 5) {
      const r = socColor(p)[0];
      expect(r).toBeLessThanOrEqual(prev + 1e-12);
      prev = r;
    }
  });
  it('writes into a typed array at an offset', () => {
    const out = new Float32Array(6);
    socColor(100, out, 3);
    expect(out[3]).toBeCloseTo(SOC_STOPS.at(-1)[1][0], 6);
  });
  it('has CSS helpers', () => {
    expect(socCss(0)).toBe('rgb(237, 41, 56)');
    expect(socGradientCss()).toMatch(/^linear-gradient\(to right, rgb/);
  });
});

describe('beamColor', () => {
  it('gets brighter yellow with rate', () => {
    const lo = beamColor(0, 4), hi = beamColor(4, 4);
    expect(hi[0]).toBeGreaterThan(lo[0]);
    expect(hi[2]).toBeLessThan(lo[2]);
  });
});
