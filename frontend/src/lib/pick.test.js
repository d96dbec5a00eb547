import { describe, it, expect } from 'vitest';
import { projectPoint, pickNearest } from './pick.js';

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
