import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_KM, vector3ToLatLonAlt } from './geo.js';
import { circleAround, destination, footprint, footprintHalfAngleRad, timelineBars, trackPoints, visibilityCone } from './orbitGeom.js';

const DEG = Math.PI / 180;

function elevationDeg(g, s) {
  // elevation of scene point s over ground point g (spherical up), an independent formula
  const d = [s[0] - g[0], s[1] - g[1], s[2] - g[2]];
  const gl = Math.hypot(...g), dl = Math.hypot(...d);
  return Math.asin((g[0] * d[0] + g[1] * d[1] + g[2] * d[2]) / (gl * dl)) / DEG;
}

describe('footprintHalfAngleRad', () => {
  it('is arccos(R / (R + h)) at 0 deg: 23.00 deg at 550 km', () => {
    expect(footprintHalfAngleRad(550, 0) / DEG).toBeCloseTo(Math.acos(6371 / 6921) / DEG, 9);
    expect(footprintHalfAngleRad(550, 0) / DEG).toBeCloseTo(23.0, 2);
  });
  it('puts the satellite at the minimum elevation seen from the circle', () => {
    for (const e of [0, 10, 25]) {
      const lam = footprintHalfAngleRad(550, e);
      const r = 1 + 550 / EARTH_RADIUS_KM;
      const sat = [r, 0, 0];
      const ground = [Math.cos(lam), Math.sin(lam), 0];
      expect(elevationDeg(ground, sat)).toBeCloseTo(e, 6);
    }
  });
  it('shrinks with the elevation and is 0 at 90 deg', () => {
    expect(footprintHalfAngleRad(550, 10)).toBeLessThan(footprintHalfAngleRad(550, 0));
    expect(footprintHalfAngleRad(550, 90)).toBeCloseTo(0, 12);
  });
});

describe('destination and circles', () => {
  it('goes north along a meridian and east along the equator', () => {
    expect(destination(0, 0, 10 * DEG, 0)).toMatchObject({ lat: expect.closeTo(10, 9), lon: expect.closeTo(0, 9) });
    const east = destination(0, 170, 20 * DEG, Math.PI / 2);
    expect(east.lat).toBeCloseTo(0, 9);
    expect(east.lon).toBeCloseTo(-170, 9); // wrapped into [-180, 180)
  });
  it('keeps every circle point at the same central angle from its centre', () => {
    const c = circleAround(60, 20, 15 * DEG, 0, 36);
    expect(c.length).toBe(37 * 3);
    const centre = [Math.cos(60 * DEG) * Math.cos(20 * DEG), Math.sin(60 * DEG), -Math.cos(60 * DEG) * Math.sin(20 * DEG)];
    for (let k = 0; k < 37; k++) {
      const p = [c[3 * k], c[3 * k + 1], c[3 * k + 2]];
      const cos = (p[0] * centre[0] + p[1] * centre[1] + p[2] * centre[2]) / Math.hypot(...p);
      expect(Math.acos(Math.min(1, cos)) / DEG).toBeCloseTo(15, 4); // float32 storage: 1e-4 deg
    }
  });
  it('footprint: a satellite overhead the centre is at the min elevation from its rim', () => {
    const f = footprint(-30, 140, 550, 10, 24);
    const r = 1 + 550 / EARTH_RADIUS_KM;
    const c = [r * Math.cos(-30 * DEG) * Math.cos(140 * DEG), r * Math.sin(-30 * DEG), -r * Math.cos(-30 * DEG) * Math.sin(140 * DEG)];
    for (let k = 0; k < 24; k++) {
      const p = [f[3 * k], f[3 * k + 1], f[3 * k + 2]];
      const g = p.map((v) => v / Math.hypot(...p)); // on the surface under the drawn rim
      expect(elevationDeg(g, c)).toBeCloseTo(10, 2);
    }
  });
  it('visibility cone: ring at the altitude, spokes from the station to it', () => {
    const { ring, spokes } = visibilityCone(45, -75, 550, 5, 48, 8);
    const ll = vector3ToLatLonAlt(ring[0], ring[1], ring[2]);
    expect(ll.altKm).toBeCloseTo(550, 0);
    expect(spokes.length).toBe(8 * 6);
    const base = vector3ToLatLonAlt(spokes[0], spokes[1], spokes[2]);
    expect(base.lat).toBeCloseTo(45, 4);
    const station = [spokes[0], spokes[1], spokes[2]];
    for (let s = 0; s < 8; s++) {
      expect(elevationDeg(station, [spokes[s * 6 + 3], spokes[s * 6 + 4], spokes[s * 6 + 5]])).toBeCloseTo(5, 1);
    }
  });
});

describe('trackPoints', () => {
  it('converts the orbit columns, or pins them to an altitude for the ground track', () => {
    const orbit = { lat: [0, 10], lon: [0, 90], alt_km: [550, 550] };
    const p = trackPoints(orbit);
    expect(Math.hypot(p[0], p[1], p[2])).toBeCloseTo(1 + 550 / EARTH_RADIUS_KM, 6);
    const g = trackPoints(orbit, 0);
    expect(vector3ToLatLonAlt(g[3], g[4], g[5])).toMatchObject({ lat: expect.closeTo(10, 4), lon: expect.closeTo(90, 4), altKm: expect.closeTo(0, 2) });
  });
});

describe('timelineBars', () => {
  it('places passes proportionally, clipped to the window, at least minPx wide', () => {
    const bars = timelineBars([{ aos_s: 100, los_s: 400 }, { aos_s: -50, los_s: 10 }, { aos_s: 900, los_s: 900.5 }], 0, 1000, 500, 3);
    expect(bars[0]).toEqual({ left: 50, width: 150 });
    expect(bars[1]).toEqual({ left: 0, width: 5 });
    expect(bars[2]).toEqual({ left: 450, width: 3 });
  });
});
