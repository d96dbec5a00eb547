// The Arena page in real headless Chromium: the form's policy sets come from the OpenAPI document,
// a bad seed range and an out-of-range hours (the server's 400) are shown, a small job runs to the
// end with its progress, and the KPI table (means, intervals, paired differences) and the report's
// plots show what GET /api/arena/<id> reports.
//
//   node tests/e2e/arena.e2e.mjs <base url> <artifact dir>
//
// Prints one JSON line {ok, checks, console_errors, screenshots} as the last line of stdout and
// exits 0 only if every check passed.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.mjs';
import { fmt } from '../../frontend/src/lib/arena.js';

const [url, artifacts = 'test-artifacts/e2e'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node tests/e2e/arena.e2e.mjs <base url> <artifact dir>');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const checks = [];
const consoleErrors = [];
const screenshots = [];
let phase = 'load';
const DONE_WITHIN_MS = 240000; // liveness bound for a 4-run job on a loaded machine

function check(name, ok, detail = '') {
  checks.push({ name, ok: !!ok, detail: String(detail) });
  console.error(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  return !!ok;
}
async function shot(page, name) {
  const path = join(artifacts, name);
  await page.screenshot({ path });
  screenshots.push(path);
}
const tid = (id) => `[data-testid="${id}"]`;
async function getJson(path) {
  const r = await fetch(new URL(path, url));
  return r.json();
}
async function fill(page, id, value) {
  await page.fill(tid(id), value);
}

const { context, close } = await launch({ width: 1600, height: 900 });
let page;
try {
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push({ phase, text: m.text() }); });
  page.on('pageerror', (e) => consoleErrors.push({ phase, text: `pageerror: ${e.message}` }));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector(tid('open-arena'), { timeout: 30000 });
  await page.click(tid('open-arena'));
  await page.waitForSelector(tid('arena-panel'), { timeout: 10000 });
  const doc = await getJson('/api/openapi.json');
  const names = doc.components.schemas.ArenaJobIn.properties.policies.items.enum;
  await page.waitForSelector(tid(`arena-policy-${names[names.length - 1]}`), { timeout: 10000 });
  const boxes = await page.locator(`${tid('arena-policies')} input[type=checkbox]`).count();
  check('the form lists every policy set of the API', boxes === names.length && names.includes('v1'),
    `${boxes} boxes for ${names.join(',')}`);

  phase = 'validation';
  await fill(page, 'arena-seeds', '5-1');
  await page.click(tid('arena-start'));
  const local = await page.locator(tid('arena-error')).innerText({ timeout: 5000 }).catch(() => '');
  check('a backwards seed range is refused in the form', /backwards/.test(local), local);
  await fill(page, 'arena-seeds', '1-2');
  await fill(page, 'arena-hours', '30');
  await page.click(tid('arena-start'));
  await page.waitForFunction((sel) => /hours/.test(document.querySelector(sel)?.innerText || ''), tid('arena-error'),
    { timeout: 10000 }).catch(() => {});
  const server = await page.locator(tid('arena-error')).innerText().catch(() => '');
  check("the server's 400 is shown with its field", /field: hours/.test(server), server);
  const none = await getJson('/api/arena');
  check('a refused job starts nothing', none.jobs.length === 0, `${none.jobs.length} jobs`);

  phase = 'run';
  await fill(page, 'arena-hours', '0.02');
  await page.click(tid('arena-start'));
  await page.waitForSelector(tid('arena-progress'), { timeout: 10000 });
  const total = await page.locator(tid('arena-progress')).getAttribute('data-total');
  check('the job starts with its progress', total === '4', `total ${total}`);
  await shot(page, 'a01-arena-running.png');
  await page.waitForSelector(`${tid('arena-progress')}[data-state="done"]`, { timeout: DONE_WITHIN_MS });
  const done = await page.locator(tid('arena-progress')).getAttribute('data-done');
  check('the job runs to the end', done === '4', `${done} of 4 runs`);
  await page.waitForSelector(tid('arena-table'), { timeout: 10000 });
  const list = await getJson('/api/arena');
  const job = await getJson(`/api/arena/${list.jobs[0].job_id}`);
  const rows = await page.locator(`${tid('arena-table')} tbody tr`).count();
  check('the table has a row per policy set', rows === job.policies.length, `${rows} rows`);
  const cell = await page.locator(`${tid('arena-row-least_loaded')} td`).nth(1).innerText();
  const s = job.summary.least_loaded.tasks_completed;
  const want = [fmt(s.all.mean), fmt(s.all.lo), fmt(s.all.hi), fmt(s.vs_baseline.mean)];
  check('the table shows the mean, the 95 % interval and the paired difference of the report',
    want.every((w) => cell.includes(w)) && cell.includes('Δ'), `${cell.replace(/\n/g, ' ')} vs ${want.join(' ')}`);
  const baseCell = await page.locator(`${tid('arena-row-v1')} td`).nth(1).innerText();
  check('the baseline row has no difference', !baseCell.includes('Δ') && baseCell.includes(fmt(job.summary.v1.tasks_completed.all.mean)), baseCell);
  const width = await page.locator(tid('arena-plot-kpis')).evaluate(async (img) => {
    if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; });
    return img.naturalWidth;
  });
  check("the report's KPI plot is shown", width > 100, `${width} px wide`);
  const inList = await page.locator(tid(`arena-open-${job.job_id}`)).count();
  check('the jobs list shows the job', inList === 1, job.job_id);
  await page.locator(tid('arena-table')).scrollIntoViewIfNeeded();
  await shot(page, 'a02-arena-table.png');
  await page.click(tid('arena-close'));
  check('the arena page closes', (await page.locator(tid('arena-panel')).count()) === 0);
} catch (err) {
  check('no exception in the e2e script', false, err && err.stack ? err.stack.split('\n').slice(0, 3).join(' ') : err);
  if (page) await shot(page, 'a99-failure.png').catch(() => {});
} finally {
  await close();
}

// The refused POST of the validation phase is logged by Chromium as a failed resource load.
const unexpected = consoleErrors.filter((e) => !(e.phase === 'validation' && /status of 400/.test(e.text)))
  .map((e) => `[${e.phase}] ${e.text}`);
check('no console errors', unexpected.length === 0, unexpected.slice(0, 5).join(' || '));
const ok = checks.every((c) => c.ok);
const result = { ok, checks, console_errors: consoleErrors, screenshots };
writeFileSync(join(artifacts, 'arena.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
process.exit(ok ? 0 : 1);
