// The flight recorder on the globe, in real headless Chromium against a recording server: the
// inspector's energy history (windows, eclipses shaded, a delivery marked), the KPI panel's full
// charts (fleet series, per-plane rollups) and the runs list (a reset adds a run).
//
//   node tests/e2e/history.e2e.mjs <base url> <artifact dir>
//
// Prints one JSON line {ok, checks, console_errors, screenshots} as the last line of stdout and
// exits 0 only if every check passed.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const [url, artifacts = 'test-artifacts/e2e'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node tests/e2e/history.e2e.mjs <base url> <artifact dir>');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const checks = [];
const consoleErrors = [];
const screenshots = [];
let phase = 'load';

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
// REST calls from Node, not the page: a refused launch (409) is expected and is no console error.
async function api(_page, method, path, body) {
  const r = await fetch(new URL(path, url), { method, headers: { 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json() };
}
const attr = (page, id, name) => page.locator(tid(id)).first().getAttribute(name, { timeout: 5000 }).catch(() => null);

async function waitAttr(page, id, name, pred, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let v = null;
  while (Date.now() < end) {
    v = await attr(page, id, name);
    if (v !== null && pred(v)) return v;
    await page.waitForTimeout(250);
  }
  return v;
}

/** A satellite that received a beam or a drone's charge, once the recorder has one (a drone is
 *  sent to the third satellite meanwhile). */
async function deliveredTo(page) {
  for (let d = 0; d < 4; d++) {
    const battery = `bat-${String(d + 1).padStart(3, '0')}`; // the API's battery drone ids (docs/api.md)
    const r = await api(page, 'POST', `/api/drones/${battery}/launch`,
      { satellite_id: await page.evaluate(() => window.__vpp.satId(2)) });
    if (r.status === 200) break;
  }
  const end = Date.now() + 60000;
  while (Date.now() < end) {
    const r = await api(page, 'GET', '/api/runs/current/events?kind=sat.energy_transfer_started,drone.charged&limit=1');
    if (r.status === 200 && r.body.events.length) return r.body.events[0];
    await page.waitForTimeout(500);
  }
  return null;
}

const { context, close } = await launch({ width: 1600, height: 900 });
let page;
try {
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push({ phase, text: m.text() }); });
  page.on('pageerror', (e) => consoleErrors.push({ phase, text: `pageerror: ${e.message}` }));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__vpp?.store?.n > 0, null, { timeout: 30000 });
  check('page loads', true);

  phase = 'energy';
  const delivery = await deliveredTo(page);
  check('the recorder has a beam or drone delivery', delivery, JSON.stringify(delivery));
  const satId = delivery ? delivery.satellite_id : await page.evaluate(() => window.__vpp.satId(2));
  const index = await page.evaluate((id) => {
    for (let i = 0; i < window.__vpp.store.n; i++) if (window.__vpp.satId(i) === id) return i;
    return -1;
  }, satId);
  await page.evaluate((i) => window.__vpp.select(i), index);
  await page.waitForSelector(tid('energy-history'), { timeout: 10000 });
  await page.click(tid('energy-window-run'));
  const points = await waitAttr(page, 'energy-history', 'data-points', (v) => Number(v) > 5);
  check('the inspector charts the satellite over the whole run', Number(points) > 5, `${satId}: ${points} points`);
  const eclipses = await waitAttr(page, 'energy-history', 'data-eclipses', (v) => Number(v) >= 1);
  check('eclipse spans are shaded', Number(eclipses) >= 1, `${eclipses} spans`);
  const marks = await waitAttr(page, 'energy-history', 'data-deliveries', (v) => Number(v) >= 1);
  check('deliveries are marked', Number(marks) >= 1, `${marks} marks for ${satId}`);
  const canvas = await page.locator(`${tid('energy-history')} canvas`).count();
  check('the energy chart is a uPlot canvas with axes', canvas >= 1
    && (await page.locator(`${tid('energy-history')} .u-axis`).count()) >= 2, `${canvas} canvas`);
  await page.click(tid('energy-window-orbit'));
  const win = await waitAttr(page, 'energy-history', 'data-window', (v) => v === 'orbit');
  check('the last-orbit window can be chosen', win === 'orbit', win);
  await shot(page, 'h01-inspector-energy.png');

  phase = 'charts';
  await page.click(tid('open-history'));
  await page.waitForSelector(tid('history-panel'), { timeout: 10000 });
  const kpiPoints = await waitAttr(page, 'kpi-chart-mean_energy_pct', 'data-points', (v) => Number(v) > 5);
  check('the KPI panel opens into full charts', Number(kpiPoints) > 5, `${kpiPoints} points`);
  const planes = await waitAttr(page, 'plane-chart', 'data-series', (v) => Number(v) === 15);
  check('per-plane rollups are charted, one series a plane', Number(planes) === 15, `${planes} series`);
  await page.click(tid('history-range-600'));
  const narrowed = await waitAttr(page, 'kpi-chart-mean_energy_pct', 'data-points', (v) => Number(v) > 0);
  check('a time range can be chosen', Number(narrowed) > 0, `${narrowed} points in 10 min`);
  const before = await page.locator(`${tid('runs-list')} tbody tr`).count();
  const reset = await api(page, 'POST', '/api/reset', { seed: 11 });
  check('reset accepted', reset.status === 200, reset.status);
  const end = Date.now() + 20000;
  let after = before;
  while (Date.now() < end && after <= before) {
    await page.waitForTimeout(500);
    after = await page.locator(`${tid('runs-list')} tbody tr`).count();
  }
  const seedCell = await page.locator(`${tid('runs-list')} tbody tr`).first().locator('td').nth(1).innerText().catch(() => '');
  check('the runs list shows the new run with its seed', after === before + 1 && seedCell === '11',
    `${before} -> ${after} rows, newest seed ${seedCell}`);
  await shot(page, 'h02-history-charts.png');
  await page.click(tid('history-close'));
  check('the charts close', (await page.locator(tid('history-panel')).count()) === 0);
} catch (err) {
  check('no exception in the e2e script', false, err && err.stack ? err.stack.split('\n').slice(0, 3).join(' ') : err);
  if (page) await shot(page, 'h99-failure.png').catch(() => {});
} finally {
  await close();
}

const unexpected = consoleErrors.map((e) => `[${e.phase}] ${e.text}`);
check('no console errors', unexpected.length === 0, unexpected.slice(0, 5).join(' || '));
const ok = checks.every((c) => c.ok);
const result = { ok, checks, console_errors: consoleErrors, screenshots };
writeFileSync(join(artifacts, 'history.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
process.exit(ok ? 0 : 1);
