// The flight recorder's data for the charts: query strings, time windows, eclipse spans and
// per-plane pivots of GET /api/runs/... answers (see docs/history.md). Pure functions.

const MU_KM3_S2 = 398600.4418; // Earth's gravitational parameter
const EARTH_RADIUS_KM = 6378.137;
export const SIX_HOURS_S = 6 * 3600;
export const TARGET_POINTS = 400; // buckets asked for per series (the chart is a few hundred px wide)

/** `?a=1&b=x` from an object, skipping null/undefined values. */
export function queryString(params) {
  const parts = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Circular-orbit period in simulated seconds at `altKm` above the equatorial radius. */
export function orbitPeriodS(altKm) {
  const a = EARTH_RADIUS_KM + (Number.isFinite(altKm) ? altKm : 550);
  return 2 * Math.PI * Math.sqrt((a * a * a) / MU_KM3_S2);
}

/** {from, to} simulated seconds of a window: 'orbit' (the last one), '6h', 'run' (all). */
export function windowRange(kind, nowS, altKm) {
  const now = Math.max(0, nowS || 0);
  const span = kind === 'orbit' ? orbitPeriodS(altKm) : kind === '6h' ? SIX_HOURS_S : Infinity;
  return { from: Number.isFinite(span) ? Math.max(0, now - span) : 0, to: now };
}

/** A bucket width giving about `points` buckets over [from, to] (seconds, rounded up to 1 ms). */
export function stepFor(from, to, points = TARGET_POINTS) {
  return Math.max(0.001, Math.ceil(((to - from) / points) * 1000) / 1000);
}

/** Unix seconds of ISO dates (uPlot's x axis). */
export function unixSeconds(dates) {
  return (dates || []).map((d) => Date.parse(d) / 1000);
}

/** Spans [[x0, x1], ...] where `fraction[i] < 0.5` (e.g. sunlit fraction: the eclipses). */
export function spansBelow(xs, fraction, threshold = 0.5) {
  const out = [];
  let start = null;
  for (let i = 0; i < xs.length; i++) {
    const below = fraction[i] < threshold;
    if (below && start === null) start = i > 0 ? xs[i - 1] : xs[i];
    if (!below && start !== null) { out.push([start, xs[i - 1]]); start = null; }
  }
  if (start !== null) out.push([start, xs[xs.length - 1]]);
  return out;
}

/** Rollup columns -> {xs, keys, series: {key: values aligned on xs (null where missing)}}. */
export function pivotRollups(columns, field) {
  const times = [...new Set(columns.sim_s)].sort((a, b) => a - b);
  const at = new Map(times.map((t, i) => [t, i]));
  const dateOf = new Map(columns.sim_s.map((t, i) => [t, columns.sim_date[i]]));
  const series = {};
  columns.key.forEach((key, i) => {
    if (!series[key]) series[key] = new Array(times.length).fill(null);
    series[key][at.get(columns.sim_s[i])] = columns[field][i];
  });
  const keys = Object.keys(series).map(Number).sort((a, b) => a - b);
  return { xs: unixSeconds(times.map((t) => dateOf.get(t))), keys, series };
}

/** A colour per series index (evenly spread hues). */
export function seriesColor(i, n) {
  return `hsl(${Math.round((360 * i) / Math.max(1, n))}, 70%, 62%)`;
}
