// Contacts on the globe in real headless Chromium against a running server: the selected
// satellite's orbit path, ground track, footprint and next passes; a station's panel with its
// visibility cone and pass timeline, where clicking a pass selects its satellite; drone labels.
//
//   node tests/e2e/contacts.e2e.mjs <base url> <artifact dir>
//
// Prints one JSON line {ok, checks, console_errors, screenshots} as the last line of stdout and
// exits 0 only if every check passed. Screenshots go to <artifact dir>.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const [url, artifacts = 'test-artifacts/e2e'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node tests/e2e/contacts.e2e.mjs <base url> <artifact dir>');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const checks = [];
const consoleErrors = [];
const screenshots = [];
let launching = false; // refused launches answer 409: the browser logs them

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

/** Lines of the selection overlay in the scene: {name: {points, visible}}. */
const overlayLines = (page) => page.evaluate(() => {
  const out = {};
  window.__vpp.scene.traverse((o) => {
    if (o.userData?.overlay) out[o.userData.overlay] = { points: o.geometry.attributes.position.count, visible: o.visible };
  });
  return out;
});

const { context, close } = await launch({ width: 1600, height: 900 });
let page;
try {
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error' && !(launching && m.text().includes('409'))) consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__vpp?.store?.n > 0 && window.__vpp.frames > 10, null, { timeout: 30000 });

  // 1. a selected satellite: orbit path (181 points), ground track, footprint, next passes
  await page.evaluate(() => window.__vpp.select(4));
  await page.waitForFunction(() => window.__vpp.orbitPoints === 181, null, { timeout: 15000 }).catch(() => {});
  await page.waitForTimeout(500);
  const lines = await overlayLines(page);
  check('selected satellite shows its orbit path and ground track',
    lines.orbit?.visible && lines.orbit.points === 181 && lines.track?.visible && lines.track.points === 181, JSON.stringify(lines));
  check('selected satellite shows its footprint circle', lines.footprint?.visible && lines.footprint.points === 97, JSON.stringify(lines));
  await page.waitForSelector(`${tid('sat-passes')} ${tid('pass-bar')}`, { timeout: 20000 }).catch(() => {});
  const satBars = await page.locator(`${tid('sat-passes')} ${tid('pass-bar')}`).count();
  const satApi = await page.evaluate(async () => (await (await fetch('/api/satellites/sat-005/passes?hours=6')).json()).passes.length);
  check('inspector lists the next passes of the satellite', satBars > 0 && Math.abs(satBars - satApi) <= 1, `${satBars} bars, API ${satApi}`);
  await shot(page, 'c01-satellite-orbit-footprint-passes.png');

  // 2. a station: click its label, panel with passes, visibility cone; a pass selects its satellite
  const labels = page.locator(tid('station-label'));
  let opened = false;
  for (let k = 0; k < (await labels.count()) && !opened; k++) {
    const label = labels.nth(k);
    if (!(await label.isVisible())) continue;
    await label.click({ timeout: 3000 }).catch(() => {});
    opened = await page.locator(tid('station-panel')).isVisible().catch(() => false);
  }
  check('clicking a station label opens its panel', opened);
  await page.waitForSelector(`${tid('station-passes')} ${tid('pass-bar')}`, { timeout: 90000 }).catch(() => {});
  const bars = page.locator(`${tid('station-passes')} ${tid('pass-bar')}`);
  const nBars = await bars.count();
  check('the station panel shows a timeline of upcoming passes', nBars > 0, `${nBars} passes`);
  const cone = await overlayLines(page);
  check('the station shows its visibility cone', cone['cone-ring']?.visible && cone['cone-ring'].points === 97
    && cone['cone-spokes']?.visible && cone['cone-spokes'].points === 32, JSON.stringify(cone));
  await shot(page, 'c02-station-cone-timeline.png');
  const rows = page.locator(`${tid('station-passes')} ${tid('pass-sat')}`);
  if (await rows.count() > 1) {
    const row = rows.nth(1);
    const want = await row.innerText();
    await row.scrollIntoViewIfNeeded();
    await row.click({ timeout: 10000 });
    await page.waitForTimeout(500);
    const got = await page.locator(tid('inspector-id')).innerText().catch(() => '');
    check('clicking a pass selects its satellite', got === want, `clicked ${want}, inspector ${got}`);
    const bar = bars.nth(Math.min(3, nBars - 1));
    const barSat = (await bar.getAttribute('title')).split(' ')[0];
    await bar.dispatchEvent('click'); // the bars of 300 satellites overlap: this one exactly
    await page.waitForTimeout(500);
    const got2 = await page.locator(tid('inspector-id')).innerText().catch(() => '');
    check('clicking a timeline bar selects its satellite', got2 === barSat, `clicked ${barSat}, inspector ${got2}`);
    await shot(page, 'c03-pass-selects-satellite.png');
  }

  // 3. a drone: launch one so it flies with a label, click it, inspect it
  launching = true;
  const launched = await page.evaluate(async () => {
    const v = window.__vpp; // satellites on the visible side first, so the flying drone's label shows
    const order = [...Array(v.store.n).keys()].sort((a, b) => (v.screenOf(b)?.visible ? 1 : 0) - (v.screenOf(a)?.visible ? 1 : 0));
    for (const i of order.slice(0, 40)) {
      const sat = `sat-${String(i + 1).padStart(3, '0')}`;
      await fetch(`/api/satellites/${sat}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ energy_pct: 15 }) });
      for (let j = 1; j <= 16; j++) {
        const r = await fetch(`/api/drones/bat-${String(j).padStart(3, '0')}/launch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ satellite_id: sat }) });
        if (r.ok) return `bat-${String(j).padStart(3, '0')}`;
      }
    }
    return null;
  });
  await page.waitForTimeout(300);
  launching = false;
  if (check('a drone can be launched for the drone check', launched, launched || 'every launch refused')) {
    // the label shows while the drone flies (the page polls every 1.5 s) and hides when it overlaps another
    let clicked = false;
    for (let attempt = 0; attempt < 80 && !clicked; attempt++) {
      const dls = page.locator(tid('drone-label'));
      for (let k = 0; k < (await dls.count()) && !clicked; k++) {
        if (!(await dls.nth(k).isVisible().catch(() => false))) continue;
        await dls.nth(k).click({ timeout: 2000 }).catch(() => {});
        clicked = await page.locator(tid('drone-panel')).isVisible().catch(() => false);
      }
      if (!clicked) await page.waitForTimeout(500);
    }
    const panel = await page.locator(tid('drone-panel')).isVisible().catch(() => false);
    const id = panel ? await page.locator(tid('drone-id')).innerText() : '';
    check('clicking a drone label opens its panel', panel && /^bat-\d{3}$/.test(id), id);
    await shot(page, 'c04-drone-panel.png');
  }
} catch (err) {
  check('no exception in the e2e script', false, err && err.stack ? err.stack.split('\n').slice(0, 3).join(' ') : err);
  if (page) await shot(page, 'c99-failure.png').catch(() => {});
} finally {
  await close();
}

check('no console errors', consoleErrors.length === 0, consoleErrors.slice(0, 5).join(' || '));
const ok = checks.every((c) => c.ok);
const result = { ok, checks, console_errors: consoleErrors, screenshots };
writeFileSync(join(artifacts, 'contacts.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
process.exit(ok ? 0 : 1);
