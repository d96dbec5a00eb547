import { describe, it, expect } from 'vitest';
import { projectPoint, pickNearest, interpolateAll } from './pick.js';

// Orthographic-like matrix: identity view-projection (column-major), so NDC = scene x, y.
const I = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

describe('projectPoint', () => {
  it('maps NDC to CSS pixels with y down', () => {
    const out = [0, 0];
    expect(projectPoint(I, 0, 0, 0, 200, 100, out)).toBe(true);
    expect(out).toEqual([100, 50]);
    projectPoint(I, 1, 1, 0, 200, 100, out);
    expect(out).toEqual([200, 0]);
  });
  it('rejects points behind the camera', () => {
    const m = [...I];
    m[15] = -1;
    expect(projectPoint(m, 0, 0, 0, 10, 10, [0, 0])).toBe(false);
  });
});

describe('pickNearest', () => {
  const camPos = [0, 0, 5];
  it('finds the nearest point within the radius', () => {
    const pos = Float32Array.from([0, 0, 1.1, 0.5, 0, 1.1, -0.5, 0, 1.1]);
    expect(pickNearest(pos, 3, I, camPos, 200, 200, 152, 100, 10)).toBe(1);
    expect(pickNearest(pos, 3, I, camPos, 200, 200, 100, 100, 10)).toBe(0);
    expect(pickNearest(pos, 3, I, camPos, 200, 200, 20, 20, 10)).toBe(-1);
  });
  it('skips a point hidden behind the Earth', () => {
    const pos = Float32Array.from([0, 0, -1.1, 0.02, 0, 1.1]);
    expect(pickNearest(pos, 2, I, camPos, 200, 200, 100, 100, 10)).toBe(1);
  });
});

describe('picking a moving satellite', () => {
  const camPos = [0, 0, 5];
  it('hits a point along the path it swept since the click was aimed', () => {
    const now = Float32Array.from([0.5, 0, 1.1, -0.5, 0.5, 1.1]);
    const before = Float32Array.from([0, 0, 1.1, -0.5, 0.5, 1.1]);
    // aimed at (100, 100) where sat 0 was; it is now 50 px to the right
    expect(pickNearest(now, 2, I, camPos, 200, 200, 100, 100, 10)).toBe(-1);
    expect(pickNearest(now, 2, I, camPos, 200, 200, 100, 100, 10, before)).toBe(0);
  });
  it('prefers the satellite under the pointer now over one whose trail passes there', () => {
    const now = Float32Array.from([0, 0, 1.1, 0.06, 0, 1.1]);
    const before = Float32Array.from([0, 0, 1.1, -0.06, 0, 1.1]);
    expect(pickNearest(now, 2, I, camPos, 200, 200, 100, 100, 10, before)).toBe(0);
  });
  it('extends the chord backwards for an earlier time', () => {
    const store = { n: 1, frameTime: 1000, interval: 100, prevPos: Float32Array.from([0, 0, 1]), nextPos: Float32Array.from([1, 0, 1]) };
    const out = new Float32Array(3);
    expect(interpolateAll(store, 1050, out)[0]).toBeCloseTo(0.5);
    expect(interpolateAll(store, 800, out)[0]).toBeCloseTo(0);
    expect(interpolateAll(store, 800, out, -5)[0]).toBeCloseTo(-2);
  });
});
