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

/** Squared distance from (px, py) to the segment (ax, ay)-(bx, by). */
function segmentDist2(px, py, ax, ay, bx, by) {
  const vx = bx - ax, vy = by - ay;
  const len2 = vx * vx + vy * vy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((px - ax) * vx + (py - ay) * vy) / len2)) : 0;
  const dx = ax + vx * t - px, dy = ay + vy * t - py;
  return dx * dx + dy * dy;
}

/**
 * Index of the satellite drawn nearest to pixel (px, py) within `maxPx`, skipping those hidden
 * behind the Earth; -1 if none. `positions` holds n scene points (x, y, z) where the satellites
 * are drawn now. With `earlier` (where they were drawn a moment ago, same layout), a satellite
 * is hit anywhere along the path it swept since, so a click that lags a moving point still
 * lands; a twentieth of the distance to its current position breaks ties, so of two candidates
 * the one under the pointer now wins.
 */
export function pickNearest(positions, n, viewProj, camPos, width, height, px, py, maxPx = 10, earlier = null) {
  let best = -1;
  let bestD = maxPx;
  const s = [0, 0], e = [0, 0];
  for (let i = 0; i < n; i++) {
    const k = i * 3;
    const x = positions[k], y = positions[k + 1], z = positions[k + 2];
    if (!projectPoint(viewProj, x, y, z, width, height, s)) continue;
    const dNow = Math.hypot(s[0] - px, s[1] - py);
    let d = dNow;
    if (earlier && projectPoint(viewProj, earlier[k], earlier[k + 1], earlier[k + 2], width, height, e)) {
      const dSwept = Math.sqrt(segmentDist2(px, py, e[0], e[1], s[0], s[1]));
      d = dSwept + 0.05 * dNow;
    }
    if (d < bestD && !occludedByEarth(camPos, x, y, z)) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/**
 * Fill `out` (n*3) with every satellite's position at wall time `t` along its current chord.
 * Before the last tick (t < frameTime) the chord is extended backwards, down to `minAlpha`
 * tick intervals, which is where the point was drawn a moment ago to within its curvature.
 */
export function interpolateAll(store, t, out, minAlpha = 0) {
  const a = Math.min(1, Math.max(minAlpha, (t - store.frameTime) / store.interval));
  const P = store.prevPos, Q = store.nextPos;
  for (let k = 0; k < store.n * 3; k++) out[k] = P[k] + (Q[k] - P[k]) * a;
  return out;
}
