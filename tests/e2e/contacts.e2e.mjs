// Contacts on the globe in real headless Chromium against a running server: the selected
// satellite's orbit path, ground track, footprint and next passes; a station's panel with its
// visibility cone and pass timeline, where clicking a pass selects its satellite; drone labels.
//
//   node tests/e2e/contacts.e2e.mjs <base url> <artifact dir>
//
// Result and exit status as every e2e script (browser.mjs runE2E); screenshots go to <artifact dir>.

import { globeReady, runE2E, tid } from './browser.mjs';

/** Lines of the selection overlay in the scene: {name: {points, visible}}. */
const overlayLines = (page) => page.evaluate(() => {
  const out = {};
  window.__vpp.scene.traverse((o) => {
    if (o.userData?.overlay) out[o.userData.overlay] = { points: o.geometry.attributes.position.count, visible: o.visible };
  });
  return out;
});

/** The open station panel's passes once loaded (the route takes seconds on a busy machine):
 *  'passes', 'none' (it says "no pass in the window") or 'timeout'. */
const stationPasses = (page) => page.waitForFunction(() => {
  const list = document.querySelector('[data-testid="station-passes"]');
  if (list?.querySelector('[data-testid="pass-bar"]')) return 'passes';
  return /no pass in the window/.test(list?.textContent || '') ? 'none' : null;
}, null, { timeout: 90000 }).then((h) => h.jsonValue(), () => 'timeout');

/** Launch a battery drone to a low satellite (satellites on the visible side first): its id, or null. */
const launchDrone = (page) => page.evaluate(async () => {
  const v = window.__vpp;
  const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const order = [...Array(v.store.n).keys()].sort((a, b) => (v.screenOf(b)?.visible ? 1 : 0) - (v.screenOf(a)?.visible ? 1 : 0));
  for (const i of order.slice(0, 40)) {
    const sat = v.satId(i);
    await post(`/api/satellites/${sat}`, { energy_pct: 15 });
    for (let j = 1; j <= 16; j++) {
      const drone = `bat-${String(j).padStart(3, '0')}`;
      if ((await post(`/api/drones/${drone}/launch`, { satellite_id: sat })).ok) return drone;
    }
  }
  return null;
});

/** Keep the camera on the line from the Earth's centre through drone j, every frame, so the
 *  drone stays in the middle of the free view and in front of the Earth; aimAt(page, -1) stops. */
const aimAt = (page, j) => page.evaluate((j) => {
  const v = window.__vpp;
  v.aimedDrone = j;
  const p = [0, 0, 0];
  const aim = () => {
    if (v.aimedDrone !== j || j < 0) return;
    v.store.dronePosition(j, performance.now(), p);
    const r = Math.hypot(p[0], p[1], p[2]);
    if (r > 0) v.camera.position.set(p[0], p[1], p[2]).multiplyScalar(v.camera.position.length() / r);
    requestAnimationFrame(aim);
  };
  requestAnimationFrame(aim);
}, j);

/** Click drone `id`'s label on the globe: the camera aimed at the drone, wait until its label
 *  shows (hidden while it overlaps its station's label, right after launch), then pause the
 *  simulation so the label stands still for the click. The drone panel's id, '' if none opened. */
async function clickDroneLabel(t, id) {
  const { page } = t;
  const label = page.locator(tid('drone-label')).filter({ hasText: id });
  await aimAt(page, Number(id.slice(4)) - 1); // bat-001 is drone 0
  let shown = '';
  for (let attempt = 0; attempt < 3 && !shown; attempt++) {
    await label.waitFor({ state: 'visible', timeout: 45000 }).catch(() => {});
    await t.api('POST', '/api/sim/pause');
    await page.waitForTimeout(800); // the last tick's interpolation ends: the drone stops
    await label.click({ timeout: 5000 }).catch(() => {});
    const opened = await page.locator(tid('drone-panel')).waitFor({ timeout: 3000 }).then(() => true, () => false);
    shown = opened ? await page.locator(tid('drone-id')).innerText() : '';
    await t.api('POST', '/api/sim/resume');
  }
  await aimAt(page, -1);
  return shown;
}

await runE2E(import.meta.url, {
  expectedConsole: (e) => e.phase === 'launch' && e.text.includes('409'), // refused launches: the browser logs them
}, async (t) => {
  const { page, check, shot } = t;
  await page.goto(t.url, { waitUntil: 'load' });
  await globeReady(page);

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
  await shot('c01-satellite-orbit-footprint-passes.png');

  // 2. a station: click its label, panel with passes, visibility cone; a pass selects its satellite.
  // A station the fleet never passes (Svalbard, 78 deg N, under 53 deg orbits) says "no pass in
  // the window": its panel is closed and the next visible label clicked.
  const labels = page.locator(tid('station-label'));
  const closeStation = page.locator('button[aria-label="close station"]');
  const tried = [];
  let passes = 'not opened';
  for (let k = 0; k < (await labels.count()) && passes !== 'passes'; k++) {
    const label = labels.nth(k);
    if (!(await label.isVisible())) continue;
    if (await closeStation.isVisible()) await closeStation.click();
    await label.click({ timeout: 3000 }).catch(() => {});
    if (!(await page.locator(tid('station-panel')).isVisible().catch(() => false))) continue;
    passes = await stationPasses(page);
    tried.push(`${await page.locator(tid('station-id')).innerText()}: ${passes}`);
  }
  check('clicking a station label opens its panel', tried.length > 0, tried.join(', '));
  const bars = page.locator(`${tid('station-passes')} ${tid('pass-bar')}`);
  const nBars = await bars.count();
  check('the station panel shows a timeline of upcoming passes', nBars > 0, `${nBars} passes; ${tried.join(', ')}`);
  const cone = await overlayLines(page);
  check('the station shows its visibility cone', cone['cone-ring']?.visible && cone['cone-ring'].points === 97
    && cone['cone-spokes']?.visible && cone['cone-spokes'].points === 32, JSON.stringify(cone));
  await shot('c02-station-cone-timeline.png');
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
    await shot('c03-pass-selects-satellite.png');
  }

  // 3. a drone: launch one so it flies with a label, click the label, inspect the drone
  await page.evaluate(() => window.__vpp.select(-1)); // no selected satellite's label over the drone's
  t.phase = 'launch';
  const launched = await launchDrone(page);
  await page.waitForTimeout(300);
  t.phase = 'drone';
  if (check('a drone can be launched for the drone check', launched, launched || 'every launch refused')) {
    const id = await clickDroneLabel(t, launched);
    check('clicking a drone label opens its panel', id === launched, `clicked ${launched}, panel shows ${id || 'nothing'}`);
    await shot('c04-drone-panel.png');
  }
});
