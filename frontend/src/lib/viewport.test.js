import { describe, it, expect } from 'vitest';
import { centreShift, fitDistance, freeRect } from './viewport.js';

const rect = (left, top, right, bottom) => ({ left, top, right, bottom, width: right - left, height: bottom - top });

describe('free screen area', () => {
  it('is what the columns and bars leave', () => {
    const f = freeRect([rect(0, 0, 1600, 44), rect(10, 52, 272, 836), rect(1250, 52, 1590, 836), rect(600, 820, 1000, 890)], 1600, 900);
    expect(f).toEqual({ left: 272, top: 44, right: 1250, bottom: 900 });
    expect(centreShift(f, 1600, 900)).toEqual({ x: -39, y: 22 });
  });
  it('ignores small folded panels and gives up when nothing sensible is left', () => {
    expect(freeRect([rect(10, 52, 150, 80)], 800, 900)).toEqual({ left: 0, top: 0, right: 800, bottom: 900 });
    expect(freeRect([rect(0, 60, 390, 600), rect(0, 0, 390, 84)], 390, 844).left).toBe(0);
  });
});

describe('fit distance', () => {
  it('puts a sphere of the asked size on screen', () => {
    const d = fitDistance(300, 900, 42, 1);
    // angular radius asin(1/d) projects to 300 px on a 450 px half-height with tan(21 deg)
    expect(Math.tan(Math.asin(1 / d)) / Math.tan((21 * Math.PI) / 180) * 450).toBeCloseTo(300, 6);
    expect(fitDistance(150, 900, 42, 1)).toBeGreaterThan(d);
  });
});
