// The flight recorder on the globe, in real headless Chromium against a recording server: the
// inspector's energy history (windows, eclipses shaded, a delivery marked), the KPI panel's full
// charts (fleet series, per-plane rollups) and the runs list (a reset adds a run).
//
//   node tests/e2e/history.e2e.mjs <base url> <artifact dir>
//
// Result and exit status as every e2e script (browser.mjs runE2E).

import { attr, globeReady, poll, runE2E, tid } from './browser.mjs';

const waitAttr = (page, id, name, pred) => poll(() => attr(page, id, name), pred);

/** A satellite that received a beam or a drone's charge, once the recorder has one (a drone is
 *  sent to the third satellite meanwhile). REST calls from Node: a refused launch (409) is expected. */
async function deliveredTo(t) {
  for (let d = 0; d < 4; d++) {
    const battery = `bat-${String(d + 1).padStart(3, '0')}`; // the API's battery drone ids (docs/api.md)
    const r = await t.api('POST', `/api/drones/${battery}/launch`,
      { satellite_id: await t.page.evaluate(() => window.__vpp.satId(2)) });
    if (r.status === 200) break;
  }
  const found = await poll(() => t.api('GET', '/api/runs/current/events?kind=sat.energy_transfer_started,drone.charged&limit=1'),
    (r) => r.status === 200 && r.body.events.length > 0, 60000, 500);
  return found && found.status === 200 && found.body.events.length ? found.body.events[0] : null;
}

await runE2E(import.meta.url, {}, async (t) => {
  const { page, check, shot } = t;
  await page.goto(t.url, { waitUntil: 'load' });
  await globeReady(page, { frames: 0 });
  check('page loads', true);

  t.phase = 'energy';
  const delivery = await deliveredTo(t);
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
  await shot('h01-inspector-energy.png');

  t.phase = 'charts';
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
  const reset = await t.api('POST', '/api/reset', { seed: 11 });
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
  await shot('h02-history-charts.png');
  await page.click(tid('history-close'));
  check('the charts close', (await page.locator(tid('history-panel')).count()) === 0);
});
