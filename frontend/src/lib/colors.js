// Colour scales shared by the globe, the legend and the inspector.

/** State-of-charge stops: percent -> [r, g, b] in 0..1. Red is empty, teal is full. */
export const SOC_STOPS = [
  [0, [0.93, 0.16, 0.22]],
  [15, [0.98, 0.36, 0.16]],
  [30, [0.99, 0.68, 0.16]],
  [50, [0.96, 0.91, 0.32]],
  [70, [0.45, 0.88, 0.42]],
  [100, [0.2, 0.86, 0.86]],
];

/** [r, g, b] (0..1) for a state of charge in percent; values outside 0..100 are clamped, NaN is grey. */
export function socColor(pct, out = null, o = 0) {
  const t = out || [0, 0, 0];
  if (!Number.isFinite(pct)) {
    t[o] = t[o + 1] = t[o + 2] = 0.5;
    return t;
  }
  const p = Math.min(100, Math.max(0, pct));
  let i = 1;
  while (i < SOC_STOPS.length - 1 && p > SOC_STOPS[i][0]) i++;
  const [p0, c0] = SOC_STOPS[i - 1];
  const [p1, c1] = SOC_STOPS[i];
  const f = p1 === p0 ? 0 : (p - p0) / (p1 - p0);
  t[o] = c0[0] + (c1[0] - c0[0]) * f;
  t[o + 1] = c0[1] + (c1[1] - c0[1]) * f;
  t[o + 2] = c0[2] + (c1[2] - c0[2]) * f;
  return t;
}

/** CSS `rgb()` of socColor(pct). */
export function socCss(pct) {
  const [r, g, b] = socColor(pct);
  return `rgb(${Math.round(r * 255)}, ${Math.round(g * 255)}, ${Math.round(b * 255)})`;
}

/** A CSS linear-gradient matching the SoC scale, for the legend. */
export function socGradientCss(direction = 'to right') {
  const stops = SOC_STOPS.map(([p]) => `${socCss(p)} ${p}%`).join(', ');
  return `linear-gradient(${direction}, ${stops})`;
}

/** Drone status colours (CSS hex), indexed like DRONE_STATUSES. */
export const DRONE_STATUS_COLORS = {
  charging: '#7f8ea3',
  standby: '#b6c2d1',
  enroute: '#ff9f1c',
  docking: '#ff4fd8',
  returning: '#5ad1ff',
  out_of_service: '#ff3b3b',
};

/** Beam colour by rate: dim blue at 0, bright yellow-white at/above `maxRate`. */
export function beamColor(rate, maxRate, out = null, o = 0) {
  const t = out || [0, 0, 0];
  const f = maxRate > 0 && Number.isFinite(rate) ? Math.min(1, Math.max(0, rate / maxRate)) : 0.5;
  t[o] = 0.35 + 0.65 * f;
  t[o + 1] = 0.75 + 0.2 * f;
  t[o + 2] = 1.0 - 0.55 * f;
  return t;
}

/** Parse '#rrggbb' into [r, g, b] in 0..1. */
export function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}
