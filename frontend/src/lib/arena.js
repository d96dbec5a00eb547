// The Arena page's pure helpers: the form's seed list, the job body and the KPI table rows from a
// job's summary (mean, 95 % interval, paired difference against the baseline).

export const KPIS = [
  ['tasks_completed', 'tasks completed', 'tasks', 1],
  ['tasks_dropped', 'tasks dropped', 'tasks', -1],
  ['blackout_sat_s', 'blackout', 'sat·s', -1],
  ['latency_p50_s', 'latency p50', 's', -1],
  ['latency_p99_s', 'latency p99', 's', -1],
  ['beam_loss_eu', 'beam losses', 'EU', -1],
  ['drone_km', 'drone distance', 'km', -1],
  ['drone_delivered_eu', 'drone delivered', 'EU', 1],
]; // [key, label, unit, +1 if more is better / -1 if less is]

export const MAX_SEEDS = 50;

/** '1-5' or '1,3,7' or '2' -> {seeds: [sorted distinct]} or {error}. */
export function parseSeeds(text) {
  const out = new Set();
  const parts = String(text).split(',').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return { error: 'give seeds, e.g. 1-5 or 1,3,7' };
  for (const part of parts) {
    const m = /^(\d{1,10})(?:\s*-\s*(\d{1,10}))?$/.exec(part);
    if (!m) return { error: `seeds: ${JSON.stringify(part)} is not a number or a range a-b` };
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return { error: `seeds: ${part} runs backwards` };
    if (hi - lo >= MAX_SEEDS) return { error: `seeds: at most ${MAX_SEEDS}` };
    for (let s = lo; s <= hi; s++) out.add(s);
  }
  if (out.size > MAX_SEEDS) return { error: `seeds: at most ${MAX_SEEDS}, got ${out.size}` };
  return { seeds: [...out].sort((a, b) => a - b) };
}

/** The POST /api/arena body from the form, or {error} naming what to fix. */
export function jobBody(form) {
  if (!form.policies.length) return { error: 'choose at least one policy set' };
  const seeds = parseSeeds(form.seeds);
  if (seeds.error) return seeds;
  const hours = Number(form.hours);
  const load = Number(form.load);
  if (!(hours > 0)) return { error: 'hours: a number above 0' };
  if (!(load >= 0)) return { error: 'load: a number, 0 or more' };
  return { body: { scenario: form.scenario, policies: [...form.policies], seeds: seeds.seeds, hours, load } };
}

/** Number with about 4 significant digits, or '–'. */
export function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** Paired difference against the baseline: 'better' / 'worse' when its interval excludes 0. */
export function verdict(diff, sense) {
  if (!diff || diff.n < 2 || diff.lo === null || diff.hi === null) return 'none';
  if (diff.lo > 0) return sense > 0 ? 'better' : 'worse';
  if (diff.hi < 0) return sense > 0 ? 'worse' : 'better';
  return 'none';
}

/** Table rows: per policy, per KPI {mean, lo, hi, diff, verdict}. */
export function tableRows(job) {
  if (!job || !job.summary) return [];
  return job.policies.map((policy) => ({
    policy,
    baseline: policy === job.baseline,
    cells: KPIS.map(([key, , , sense]) => {
      const s = job.summary[policy]?.[key];
      const all = s?.all || {};
      const diff = policy === job.baseline ? null : s?.vs_baseline;
      return { key, mean: all.mean, lo: all.lo, hi: all.hi, n: all.n, diff, verdict: verdict(diff, sense) };
    }),
  }));
}

/** Scenario and policy-set names from the OpenAPI document's ArenaJobIn schema. */
export function choices(doc) {
  const props = doc?.components?.schemas?.ArenaJobIn?.properties || {};
  const pick = (p) => p?.enum || p?.anyOf?.find((x) => x.enum)?.enum || [];
  return { scenarios: pick(props.scenario), policies: pick(props.policies?.items) };
}
