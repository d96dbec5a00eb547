// The Arena page in real headless Chromium: the form's policy sets come from the OpenAPI document,
// a bad seed range and an out-of-range hours (the server's 400) are shown, a small job runs to the
// end with its progress, and the KPI table (means, intervals, paired differences) and the report's
// plots show what GET /api/arena/<id> reports.
//
//   node tests/e2e/arena.e2e.mjs <base url> <artifact dir>
//
// Result and exit status as every e2e script (browser.mjs runE2E).

import { runE2E, textOf, tid } from './browser.mjs';
import { fmt } from '../../frontend/src/lib/arena.js';

const DONE_WITHIN_MS = 240000; // liveness bound for a 4-run job on a loaded machine

// The refused POST of the validation phase is logged by Chromium as a failed resource load.
const expectedConsole = (e) => e.phase === 'validation' && /status of 400/.test(e.text);

await runE2E(import.meta.url, { expectedConsole }, async (t) => {
  const { page, check, shot } = t;
  await page.goto(t.url, { waitUntil: 'load' });
  await page.waitForSelector(tid('open-arena'), { timeout: 30000 });
  await page.click(tid('open-arena'));
  await page.waitForSelector(tid('arena-panel'), { timeout: 10000 });
  const doc = (await t.api('GET', '/api/openapi.json')).body;
  const names = doc.components.schemas.ArenaJobIn.properties.policies.items.enum;
  await page.waitForSelector(tid(`arena-policy-${names[names.length - 1]}`), { timeout: 10000 });
  const boxes = await page.locator(`${tid('arena-policies')} input[type=checkbox]`).count();
  check('the form lists every policy set of the API', boxes === names.length && names.includes('v1'),
    `${boxes} boxes for ${names.join(',')}`);

  t.phase = 'validation';
  await page.fill(tid('arena-seeds'), '5-1');
  await page.click(tid('arena-start'));
  const local = await textOf(page, 'arena-error');
  check('a backwards seed range is refused in the form', /backwards/.test(local), local);
  await page.fill(tid('arena-seeds'), '1-2');
  await page.fill(tid('arena-hours'), '30');
  await page.click(tid('arena-start'));
  await page.waitForFunction((sel) => /field: hours/.test(document.querySelector(sel)?.innerText || ''),
    tid('arena-error'), { timeout: 10000 }).catch(() => {});
  const server = await textOf(page, 'arena-error');
  check("the server's 400 is shown with its field", /field: hours/.test(server), server);
  const none = (await t.api('GET', '/api/arena')).body;
  check('a refused job starts nothing', none.jobs.length === 0, `${none.jobs.length} jobs`);

  t.phase = 'run';
  await page.fill(tid('arena-hours'), '0.02');
  await page.click(tid('arena-start'));
  await page.waitForSelector(tid('arena-progress'), { timeout: 10000 });
  const total = await page.locator(tid('arena-progress')).getAttribute('data-total');
  check('the job starts with its progress', total === '4', `total ${total}`);
  await shot('a01-arena-running.png');
  await page.waitForSelector(`${tid('arena-progress')}[data-state="done"]`, { timeout: DONE_WITHIN_MS });
  const done = await page.locator(tid('arena-progress')).getAttribute('data-done');
  check('the job runs to the end', done === '4', `${done} of 4 runs`);
  await page.waitForSelector(tid('arena-table'), { timeout: 10000 });
  const list = (await t.api('GET', '/api/arena')).body;
  const job = (await t.api('GET', `/api/arena/${list.jobs[0].job_id}`)).body;
  const rows = await page.locator(`${tid('arena-table')} tbody tr`).count();
  check('the table has a row per policy set', rows === job.policies.length, `${rows} rows`);
  const cell = await page.locator(`${tid('arena-row-least_loaded')} td`).nth(1).innerText();
  const s = job.summary.least_loaded.tasks_completed;
  const want = [fmt(s.all.mean), fmt(s.all.lo), fmt(s.all.hi), fmt(s.vs_baseline.mean)];
  check('the table shows the mean, the 95 % interval and the paired difference of the report',
    want.every((w) => cell.includes(w)) && cell.includes('Δ'), `${cell.replace(/\n/g, ' ')} vs ${want.join(' ')}`);
  const baseCell = await page.locator(`${tid('arena-row-v1')} td`).nth(1).innerText();
  check('the baseline row has no difference',
    !baseCell.includes('Δ') && baseCell.includes(fmt(job.summary.v1.tasks_completed.all.mean)), baseCell);
  const width = await page.locator(tid('arena-plot-kpis')).evaluate(async (img) => {
    if (!img.complete) await new Promise((r) => { img.onload = r; img.onerror = r; });
    return img.naturalWidth;
  });
  check("the report's KPI plot is shown", width > 100, `${width} px wide`);
  check('the jobs list shows the job', (await page.locator(tid(`arena-open-${job.job_id}`)).count()) === 1, job.job_id);
  await page.locator(tid('arena-table')).scrollIntoViewIfNeeded();
  await shot('a02-arena-table.png');
  await page.click(tid('arena-close'));
  check('the arena page closes', (await page.locator(tid('arena-panel')).count()) === 0);
});
