import { describe, it, expect } from 'vitest';
import { latLonAltToVector3, vector3ToLatLonAlt, occludedByEarth, EARTH_RADIUS_KM } from './geo.js';

const close = (a, b, eps = 1e-9) => expect(Math.abs(a - b)).toBeLessThan(eps);

describe('latLonAltToVector3', () => {
  it.each([
    [0, 0, 0, [1, 0, 0]],
    [90, 0, 0, [0, 1, 0]],
    [-90, 0, 0, [0, -1, 0]],
    [0, 90, 0, [0, 0, -1]],
    [0, -90, 0, [0, 0, 1]],
    [0, 180, 0, [-1, 0, 0]],
  ])('lat %d lon %d alt %d -> %j', (lat, lon, alt, want) => {
    const v = latLonAltToVector3(lat, lon, alt);
    v.forEach((c, i) => close(c, want[i]));
  });

  it('puts altitude in Earth radii', () => {
    const v = latLonAltToVector3(10, 20, 550);
    close(Math.hypot(...v), 1 + 550 / EARTH_RADIUS_KM);
  });

  it('matches the equirectangular texture of THREE.SphereGeometry (u = (lon+180)/360)', () => {
    // SphereGeometry: x = -cos(2*pi*u) sin(theta), y = cos(theta), z = sin(2*pi*u) sin(theta)
    for (const [lat, lon] of [[12, -45], [-33, 151], [60, 100]]) {
      const u = (lon + 180) / 360;
      const theta = ((90 - lat) * Math.PI) / 180;
      const want = [-Math.cos(2 * Math.PI * u) * Math.sin(theta), Math.cos(theta),
        Math.sin(2 * Math.PI * u) * Math.sin(theta)];
      latLonAltToVector3(lat, lon, 0).forEach((c, i) => close(c, want[i], 1e-12));
    }
  });

  it('writes into a typed array at an offset', () => {
    const out = new Float32Array(6);
    latLonAltToVector3(0, 0, 0, out, 3);
    Array.from(out).forEach((c, i) => close(c, [0, 0, 0, 1, 0, 0][i]));
  });

  it('round-trips through vector3ToLatLonAlt', () => {
    const v = latLonAltToVector3(-41.5, 173.25, 1200);
    const g = vector3ToLatLonAlt(...v);
    close(g.lat, -41.5, 1e-9);
    close(g.lon, 173.25, 1e-9);
    close(g.altKm, 1200, 1e-6);
  });
});

describe('occludedByEarth', () => {
  const cam = [3, 0, 0];
  it('hides a point on the far side', () => expect(occludedByEarth(cam, -1.1, 0, 0)).toBe(true));
  it('shows a point on the near side', () => expect(occludedByEarth(cam, 1.1, 0, 0)).toBe(false));
  it('shows a point off the limb', () => expect(occludedByEarth(cam, -0.5, 2.0, 0)).toBe(false));
});

import { earthImageShiftPx } from './geo.js';

describe('earthImageShiftPx', () => {
  it('is zero for the same camera', () => expect(earthImageShiftPx([3, 0, 0], [3, 0, 0], 42, 900)).toBe(0));
  it('grows with the rotation angle', () => {
    const a = 0.001;
    const s = earthImageShiftPx([3, 0, 0], [3 * Math.cos(a), 3 * Math.sin(a), 0], 42, 900);
    const f = 450 / Math.tan((21 * Math.PI) / 180);
    expect(s).toBeCloseTo((f * a) / 2, 2);
  });
  it('counts a zoom by the change of the disc radius', () => {
    const f = 450 / Math.tan((21 * Math.PI) / 180);
    expect(earthImageShiftPx([3, 0, 0], [2.9, 0, 0], 42, 900))
      .toBeCloseTo(f / Math.sqrt(2.9 ** 2 - 1) - f / Math.sqrt(8), 6);
  });
  it('is infinite for a camera inside the Earth', () => expect(earthImageShiftPx([0.5, 0, 0], [3, 0, 0], 42, 900)).toBe(Infinity));
});
