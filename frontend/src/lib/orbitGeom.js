// Geometry of the selection overlays: orbit path and ground track from the server's Earth-fixed
// samples, the footprint (horizon circle at a minimum elevation) and a station's visibility cone,
// and the layout of a pass timeline. Pure functions on arrays; scene units as in geo.js (Earth
// radius 1). Spherical Earth, as the server's model.

import { EARTH_RADIUS_KM, latLonAltToVector3 } from './geo.js';

const DEG = Math.PI / 180;

/**
 * Earth-central half-angle (rad) of the region that sees a satellite at `altKm` above
 * `minElevationDeg`: lambda = arccos(R cos(e) / (R + h)) - e (law of sines in the triangle
 * Earth centre, ground point, satellite). 0 when the satellite is never that high.
 */
export function footprintHalfAngleRad(altKm, minElevationDeg = 0) {
  const e = minElevationDeg * DEG;
  const ratio = (EARTH_RADIUS_KM * Math.cos(e)) / (EARTH_RADIUS_KM + altKm);
  return Math.max(0, Math.acos(Math.min(1, Math.max(-1, ratio))) - e);
}

/**
 * Point at great-circle distance `angleRad` from (lat, lon) in direction `bearingRad` (from
 * north, clockwise), as {lat, lon} in degrees.
 */
export function destination(latDeg, lonDeg, angleRad, bearingRad) {
  const p1 = latDeg * DEG, l1 = lonDeg * DEG;
  const sp = Math.sin(p1) * Math.cos(angleRad) + Math.cos(p1) * Math.sin(angleRad) * Math.cos(bearingRad);
  const p2 = Math.asin(Math.max(-1, Math.min(1, sp)));
  const l2 = l1 + Math.atan2(Math.sin(bearingRad) * Math.sin(angleRad) * Math.cos(p1), Math.cos(angleRad) - Math.sin(p1) * sp);
  return { lat: p2 / DEG, lon: ((((l2 / DEG) + 540) % 360) - 180) };
}

/** Closed circle of `n` points (n + 1 with the repeat) at angle `angleRad` around (lat, lon), at altKm: Float32Array of scene xyz. */
export function circleAround(latDeg, lonDeg, angleRad, altKm = 0, n = 96) {
  const out = new Float32Array((n + 1) * 3);
  for (let k = 0; k <= n; k++) {
    const p = destination(latDeg, lonDeg, angleRad, (2 * Math.PI * k) / n);
    latLonAltToVector3(p.lat, p.lon, altKm, out, k * 3);
  }
  return out;
}

/** The footprint of a satellite at (lat, lon, altKm): its horizon circle at minElevationDeg, drawn just above the ground. */
export function footprint(latDeg, lonDeg, altKm, minElevationDeg, n = 96) {
  return circleAround(latDeg, lonDeg, footprintHalfAngleRad(altKm, minElevationDeg), 10, n);
}

/**
 * A station's visibility cone for satellites at `altKm`: the ring where a satellite at that
 * altitude is at minElevationDeg, and `spokes` segments from the station up to it. Returns
 * {ring: Float32Array (line strip), spokes: Float32Array (segment pairs)}.
 */
export function visibilityCone(latDeg, lonDeg, altKm, minElevationDeg, n = 96, spokes = 12) {
  const ring = circleAround(latDeg, lonDeg, footprintHalfAngleRad(altKm, minElevationDeg), altKm, n);
  const base = latLonAltToVector3(latDeg, lonDeg, 0);
  const out = new Float32Array(spokes * 6);
  for (let s = 0; s < spokes; s++) {
    const k = Math.round((s * n) / spokes) * 3;
    out.set(base, s * 6);
    out.set(ring.subarray(k, k + 3), s * 6 + 3);
  }
  return { ring, spokes: out };
}

/**
 * Scene points of the server's orbit samples ({lat, lon, alt_km} columns); `altKm` given: all at
 * that altitude (the ground track at a few km above the surface).
 */
export function trackPoints(orbit, altKm = null) {
  const n = orbit?.lat?.length || 0;
  const out = new Float32Array(n * 3);
  for (let k = 0; k < n; k++) latLonAltToVector3(orbit.lat[k], orbit.lon[k], altKm ?? orbit.alt_km[k], out, k * 3);
  return out;
}

/**
 * Bars of a pass timeline from `fromS` to `toS` (sim s) over `widthPx`: {left, width} in px per
 * pass (at least `minPx` wide so a short pass stays clickable), clipped to the window.
 */
export function timelineBars(passes, fromS, toS, widthPx, minPx = 3) {
  const span = Math.max(1e-9, toS - fromS);
  return passes.map((p) => {
    const a = Math.max(fromS, p.aos_s), b = Math.min(toS, p.los_s);
    const left = ((a - fromS) / span) * widthPx;
    return { left, width: Math.max(minPx, ((b - a) / span) * widthPx) };
  });
}
