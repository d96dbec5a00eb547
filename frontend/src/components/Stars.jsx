// A fixed starfield far behind the globe (one Points draw call, seeded, no texture).

import * as THREE from 'three';

function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A THREE.Points of `count` stars on a sphere of `radius`. */
export function makeStars(count = 1800, radius = 60) {
  const geometry = (() => {
    const rnd = mulberry32(7);
    const pos = new Float32Array(count * 3);
    const col = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      const u = rnd() * 2 - 1, t = rnd() * Math.PI * 2, s = Math.sqrt(1 - u * u);
      pos.set([radius * s * Math.cos(t), radius * u, radius * s * Math.sin(t)], i * 3);
      const b = 0.25 + 0.6 * rnd() ** 3;
      col.set([b * 0.9, b * 0.95, b], i * 3);
    }
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    g.setAttribute('color', new THREE.BufferAttribute(col, 3));
    return g;
  })();
  const points = new THREE.Points(geometry,
    new THREE.PointsMaterial({ size: 1.4, sizeAttenuation: false, vertexColors: true, depthWrite: false }));
  points.frustumCulled = false;
  return points;
}
