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

  // 3. a drone: launch one so it flies with a label, click it, inspect it
  t.phase = 'launch';
  const launched = await launchDrone(page);
  await page.waitForTimeout(300);
  t.phase = 'drone';
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
    await shot('c04-drone-panel.png');
  }
});
