// Geo helpers: Earth-fixed lat/lon/alt to scene coordinates.
//
// The globe is a unit sphere (1 scene unit = EARTH_RADIUS_KM). Axes match THREE.SphereGeometry's
// default UV layout so an equirectangular texture needs no rotation:
//   lat 0, lon 0   -> +x
//   north pole     -> +y
//   lat 0, lon 90E -> -z
export const EARTH_RADIUS_KM = 6371.0;
const DEG = Math.PI / 180;

/**
 * Scene position of a point at `lat`, `lon` (degrees) and `altKm` above the surface.
 * Writes into `out` (array-like, offset `o`) when given, else returns a new [x, y, z].
 */
export function latLonAltToVector3(lat, lon, altKm = 0, out = null, o = 0) {
  const r = 1 + altKm / EARTH_RADIUS_KM;
  const phi = lat * DEG;
  const lam = lon * DEG;
  const c = Math.cos(phi);
  const target = out || [0, 0, 0];
  target[o] = r * c * Math.cos(lam);
  target[o + 1] = r * Math.sin(phi);
  target[o + 2] = -r * c * Math.sin(lam);
  return target;
}

/** Inverse of latLonAltToVector3: {lat, lon, altKm} of a scene point. */
export function vector3ToLatLonAlt(x, y, z) {
  const r = Math.hypot(x, y, z);
  return {
    lat: Math.asin(Math.max(-1, Math.min(1, y / r))) / DEG,
    lon: Math.atan2(-z, x) / DEG,
    altKm: (r - 1) * EARTH_RADIUS_KM,
  };
}

/** Unit vector toward the sun from its subsolar point (the sun is effectively at infinity). */
export function sunDirection(sun) {
  if (!sun || !Number.isFinite(sun.lat) || !Number.isFinite(sun.lon)) return [1, 0, 0];
  return latLonAltToVector3(sun.lat, sun.lon, 0);
}

/**
 * True if the straight segment from `cam` to `p` passes through the unit sphere
 * (the point is hidden behind the Earth). Both are [x, y, z] scene points.
 */
export function occludedByEarth(cam, px, py, pz) {
  const dx = px - cam[0], dy = py - cam[1], dz = pz - cam[2];
  const len2 = dx * dx + dy * dy + dz * dz;
  if (len2 === 0) return false;
  // Closest approach of the segment to the origin, t in [0, 1].
  const t = -(cam[0] * dx + cam[1] * dy + cam[2] * dz) / len2;
  if (t <= 0 || t >= 1) return false;
  const cx = cam[0] + t * dx, cy = cam[1] + t * dy, cz = cam[2] + t * dz;
  return cx * cx + cy * cy + cz * cz < 0.998; // a hair under 1 so limb points stay visible
}

/**
 * How far (CSS px, at most) the Earth's image moves when a camera that looks at the Earth's
 * centre goes from p0 to p1 (scene points, outside the unit sphere), for a vertical field of
 * view `fovDeg` over `heightPx`. The point under the camera moves the most: an arc of angle
 * theta at range (d - 1); a zoom changes the disc's radius f / sqrt(d^2 - 1).
 */
export function earthImageShiftPx(p0, p1, fovDeg, heightPx) {
  const d0 = Math.hypot(p0[0], p0[1], p0[2]);
  const d1 = Math.hypot(p1[0], p1[1], p1[2]);
  if (!(d0 > 1 && d1 > 1)) return Infinity;
  const f = heightPx / 2 / Math.tan((fovDeg * Math.PI) / 360);
  const cos = (p0[0] * p1[0] + p0[1] * p1[1] + p0[2] * p1[2]) / (d0 * d1);
  const theta = Math.acos(Math.min(1, Math.max(-1, cos)));
  const rotate = (f * theta) / (Math.min(d0, d1) - 1);
  const zoom = Math.abs(f / Math.sqrt(d1 * d1 - 1) - f / Math.sqrt(d0 * d0 - 1));
  return rotate + zoom;
}
