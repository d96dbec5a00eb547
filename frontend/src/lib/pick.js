// Screen-space picking of satellites: project every interpolated position once per pointer move.
//
// One pass over a Float32Array is far cheaper than raycasting 10,000 points through Three.js.

import { occludedByEarth } from './geo.js';

/**
 * Project scene point (x, y, z) with the column-major 4x4 view-projection matrix `m`
 * into CSS pixels of a `width` x `height` viewport. Returns false if it is behind the camera.
 */
export function projectPoint(m, x, y, z, width, height, out) {
  const w = m[3] * x + m[7] * y + m[11] * z + m[15];
  if (w <= 0) return false;
  const nx = (m[0] * x + m[4] * y + m[8] * z + m[12]) / w;
  const ny = (m[1] * x + m[5] * y + m[9] * z + m[13]) / w;
  out[0] = (nx * 0.5 + 0.5) * width;
  out[1] = (1 - (ny * 0.5 + 0.5)) * height;
  return true;
}

/**
 * Index of the satellite drawn nearest to pixel (px, py) within `maxPx`, skipping those hidden
 * behind the Earth; -1 if none. `positions` holds n scene points (x, y, z).
 */
export function pickNearest(positions, n, viewProj, camPos, width, height, px, py, maxPx = 10) {
  let best = -1;
  let bestD2 = maxPx * maxPx;
  const s = [0, 0];
  for (let i = 0; i < n; i++) {
    const k = i * 3;
    const x = positions[k], y = positions[k + 1], z = positions[k + 2];
    if (!projectPoint(viewProj, x, y, z, width, height, s)) continue;
    const dx = s[0] - px, dy = s[1] - py;
    const d2 = dx * dx + dy * dy;
    if (d2 < bestD2 && !occludedByEarth(camPos, x, y, z)) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
}

/** Fill `out` (n*3) with every satellite's interpolated position at wall time `now`. */
export function interpolateAll(store, now, out) {
  const a = store.alpha(now);
  const P = store.prevPos, Q = store.nextPos;
  for (let k = 0; k < store.n * 3; k++) out[k] = P[k] + (Q[k] - P[k]) * a;
  return out;
}
