// Usability of the globe in real headless Chromium against a running server: search and
// selection (incl. a late click on a moving satellite), shareable URL state, keyboard-only use
// with visible focus, the event feed (bursts, cleared on reset), the config panel's schema,
// and the layout at 1024, 800 and 390 px.
//
//   node tests/e2e/usability.e2e.mjs <base url> <artifact dir>
//
// Result and exit status as every e2e script (browser.mjs runE2E); screenshots go to <artifact dir>.

import { clickableSatellite, globeReady, poll, runE2E, textOf, tid } from './browser.mjs';

/** The globe drawn and laid out, and a moment for the panels to settle. */
async function ready(page) {
  await globeReady(page);
  await page.waitForTimeout(800);
}

/** Where the Earth's disc is on screen: centre and radius in CSS px. */
const earthDisc = (page) => page.evaluate(() => {
  const v = window.__vpp;
  const cam = v.camera;
  const d = cam.position.length();
  const r = (window.innerHeight / 2) * Math.tan(Math.asin(1 / d)) / Math.tan((cam.fov * Math.PI) / 360);
  return { x: v.viewCentre.x, y: v.viewCentre.y, r };
});

/** Layout checks for the current viewport. */
async function layoutChecks(page, check, label) {
  const res = await page.evaluate(() => {
    const W = window.innerWidth, H = window.innerHeight;
    const off = [];
    const sel = '.topbar > *, .panel, .legend, .sheet-tabs, .sheet-tab, [data-testid="sat-search"]';
    for (const el of document.querySelectorAll(sel)) {
      if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // panels inside a scrolling column may extend below it; only sideways or above is off-screen
      if (r.left < -1 || r.right > W + 1 || r.top < -1) off.push(`${el.className || el.tagName} [${Math.round(r.left)},${Math.round(r.right)}]`);
    }
    const search = document.querySelector('[data-testid="sat-search"]').getBoundingClientRect();
    return { W, H, off, scrollW: document.documentElement.scrollWidth,
      search: { left: search.left, right: search.right, top: search.top, bottom: search.bottom, w: search.width } };
  });
  check(`${label}: nothing falls off the screen`, res.off.length === 0 && res.scrollW <= res.W,
    res.off.length ? res.off.slice(0, 4).join('; ') : `scroll width ${res.scrollW} of ${res.W}`);
  check(`${label}: the search box is reachable`, res.search.w >= 120 && res.search.left >= 0 && res.search.right <= res.W && res.search.bottom <= res.H,
    JSON.stringify(res.search));
  const disc = await earthDisc(page);
  const hits = await page.evaluate(({ x, y, r }) => {
    const pts = [[0, 0], [0.75, 0], [-0.75, 0], [0, 0.75], [0, -0.75]];
    return pts.map(([a, b]) => {
      const el = document.elementFromPoint(x + a * r, y + b * r);
      return el && el.closest('[data-floating]') ? (el.closest('[data-floating]').className || 'panel') : null;
    });
  }, disc);
  const covered = hits.filter(Boolean);
  check(`${label}: no panel covers the globe`, covered.length === 0 && disc.r > 60,
    `disc at (${disc.x.toFixed(0)}, ${disc.y.toFixed(0)}) r ${disc.r.toFixed(0)} px; covered by: ${covered.join(', ') || 'nothing'}`);
}

await runE2E(import.meta.url, {}, async (t) => {
  const { page, check, shot } = t;
  await t.api('GET', '/api/config').catch(() => {});
  await page.goto(t.url, { waitUntil: 'load' });
  await ready(page);
  await t.api('POST', '/api/smoke/start', { qps: 100, burst: 10 });

  // 1. search by plane: a list of matches; choosing one selects it and flies the camera there
  t.phase = 'search';
  await page.waitForFunction(() => window.__vpp.store.planesKnown, null, { timeout: 10000 });
  await page.fill(tid('sat-search'), 'plane 2');
  await page.press(tid('sat-search'), 'Enter');
  const nResults = await page.locator(tid('search-result')).count().catch(() => 0);
  check('search by plane lists its satellites', nResults > 1, `${nResults} matches for "plane 2"`);
  await shot('u01-search-plane.png');
  const firstText = nResults ? (await page.locator(tid('search-result')).first().innerText()).split(/\s/)[0] : '';
  if (nResults) await page.locator(tid('search-result')).first().click();
  await page.waitForTimeout(1600);
  const insp = await textOf(page, 'inspector-id');
  const flown = await page.evaluate(() => {
    const v = window.__vpp;
    const p = v.screenOf(v.store.selected);
    return p && { d: Math.hypot(p.x - v.viewCentre.x, p.y - v.viewCentre.y), visible: p.visible };
  });
  check('choosing a match selects it and flies the camera to it', insp === firstText && flown && flown.visible && flown.d < 90,
    `chose ${firstText}, inspector ${insp}, ${flown ? flown.d.toFixed(0) : '?'} px from the view centre`);
  await page.fill(tid('sat-search'), 'p1s3');
  await page.press(tid('sat-search'), 'Enter');
  await page.waitForTimeout(300);
  const slotSat = await page.evaluate(async () => {
    const r = await (await fetch('/api/state?fields=satellite_id,plane,slot')).json();
    return r.satellites.find((s) => s.plane === 1 && s.slot === 3)?.satellite_id;
  });
  check('search by plane and slot selects that satellite', (await textOf(page, 'inspector-id')) === slotSat, `p1s3 is ${slotSat}`);
  await page.fill(tid('sat-search'), 'sunlit');
  await page.press(tid('sat-search'), 'Enter');
  const nSunlit = await page.locator(tid('search-result')).count().catch(() => 0);
  check('search by state lists matches', nSunlit > 1, `${nSunlit} sunlit satellites listed`);
  await page.fill(tid('sat-search'), 'banana');
  await page.press(tid('sat-search'), 'Enter');
  const err = await textOf(page, 'search-error');
  await page.fill(tid('sat-search'), 'banan');
  const errGone = await page.locator(tid('search-error')).count();
  check('a bad query explains itself and the error clears when the query changes', /not understood/.test(err) && errGone === 0, err);
  await page.keyboard.press('Escape');

  // 2. a click 300 ms late still selects the moving satellite (at 120x it moves ~20 px in 300 ms,
  // more than the 9 px pick radius, so picking only where it is now would miss)
  t.phase = 'late-click';
  await t.api('POST', '/api/config', { time: { time_scale: 120 } });
  await page.waitForTimeout(1200);
  const target = await clickableSatellite(page);
  if (check('a satellite is clickable in the free view', target, JSON.stringify(target))) {
    const seen = await page.evaluate((i) => {
      const p = window.__vpp.screenOf(i);
      window.__lateClick = { seenAt: performance.now() };
      window.addEventListener('pointerup', (e) => { window.__lateClick.upAt = e.timeStamp; }, { once: true, capture: true });
      return p;
    }, target.i);
    await page.waitForTimeout(300);
    await page.mouse.click(seen.x, seen.y);
    await page.waitForTimeout(400);
    const lag = await page.evaluate((i) => {
      const c = window.__lateClick;
      return { ms: c.upAt - c.seenAt, now: window.__vpp.screenOf(i) };
    }, target.i);
    const want = await page.evaluate((i) => window.__vpp.satId(i), target.i);
    const got = await textOf(page, 'inspector-id');
    check('a click 300 ms late selects the satellite that was there', got === want,
      `aimed at ${want}; the click came ${lag.ms.toFixed(0)} ms after its position was read; inspector shows ${got}`);
  }
  await t.api('POST', '/api/config', { time: { time_scale: 30 } });

  // 3. keyboard only: shortcuts, Tab with a visible focus ring
  t.phase = 'keys';
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 5, y: 880 } }).catch(() => {});
  await page.keyboard.press('/');
  const focused = await page.evaluate(() => document.activeElement?.dataset?.testid);
  await page.keyboard.type('sat-5');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  const kInsp = await textOf(page, 'inspector-id');
  check('/ focuses the search and Enter selects', focused === 'sat-search' && /^sat-0*5$/.test(kInsp), `focus ${focused}, inspector ${kInsp}`);
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('f');
  await page.waitForTimeout(200);
  const following = await page.isChecked(tid('follow')).catch(() => false);
  await page.keyboard.press('f');
  check('f toggles follow', following, `follow ${following}`);
  const tickOf = () => page.evaluate(() => window.__vpp.store.tick);
  await page.keyboard.press(' ');
  await page.locator(tid('sim-state')).filter({ hasText: 'paused' }).waitFor({ timeout: 5000 }).catch(() => {});
  await page.waitForTimeout(500);
  const k0 = await tickOf();
  await page.keyboard.press('.');
  await page.waitForTimeout(700);
  const k1 = await tickOf();
  await page.keyboard.press(' ');
  await page.waitForTimeout(700);
  const k2 = await tickOf();
  check('Space pauses and resumes, . steps one tick', k1 === k0 + 1 && k2 > k1, `paused at ${k0}, ${k1} after '.', ${k2} after resuming`);
  await page.keyboard.press('+');
  await page.waitForTimeout(500);
  const faster = (await t.api('GET', '/api/config')).body.time.time_scale;
  await page.keyboard.press('-');
  await page.waitForTimeout(500);
  const slower = (await t.api('GET', '/api/config')).body.time.time_scale;
  check('+ and - change the speed', faster === 60 && slower === 30, `30 -> ${faster} -> ${slower}`);
  await page.keyboard.press('Escape');
  const cleared = await page.locator(tid('inspector')).count();
  check('Esc clears the selection', cleared === 0, `${cleared} inspector(s) left`);
  const ring = [];
  for (let k = 0; k < 6; k++) {
    await page.keyboard.press('Tab');
    ring.push(await page.evaluate(() => {
      const el = document.activeElement;
      const cs = getComputedStyle(el);
      const label = el.getAttribute('aria-label') || el.innerText || el.getAttribute('placeholder') || el.dataset.testid || '';
      return { tag: el.tagName, label: label.trim().slice(0, 30), outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 };
    }));
  }
  check('Tab reaches labelled controls with a visible focus ring', ring.every((r) => r.tag !== 'BODY' && r.outline && r.label),
    ring.map((r) => `${r.tag}:${r.label}${r.outline ? '' : '(no ring)'}`).join(' | '));
  await shot('u02-keyboard-focus.png');

  // 4. the event feed: bursts folded into one row; a reset clears it with a marker
  t.phase = 'feed';
  await page.click(tid('feed-filter-task'));
  await page.waitForTimeout(2500);
  const burst = await page.locator(tid('feed-burst')).first().innerText({ timeout: 5000 }).catch(() => '');
  check('bursts of one kind are folded into one row', /\d+ tasks? \w+ in (\d+ s|under 1 s)/.test(burst), burst.replace(/\n/g, ' '));
  await shot('u03-feed-bursts.png');
  await page.click(tid('feed-filter-task'));
  await t.api('POST', '/api/smoke/stop');
  await t.api('POST', '/api/reset', {});
  await page.waitForTimeout(1500);
  const feed = await page.evaluate(() => {
    const ev = window.__vpp.store.events;
    return { first: ev[0]?.kind, n: ev.length, oldTicks: ev.filter((e) => e.kind !== 'marker' && e.tick > 100).length };
  });
  const marker = await page.locator(tid('feed-marker')).count();
  check('reset clears the feed and marks it', feed.first === 'marker' && marker === 1 && feed.oldTicks === 0, JSON.stringify(feed));

  // 5. the config panel: units, ranges and descriptions from the schema; pending; defaults
  t.phase = 'config';
  if (await page.locator(tid('toggle-config')).getAttribute('aria-expanded') === 'false') await page.click(tid('toggle-config'));
  await page.getByText('Delegator weights & limits').click();
  const doc = await textOf(page, 'cfg-doc-w1');
  check('config fields show description, range and default', /weight/.test(doc) && /range 0(\.0)? – 1/.test(doc) && /default 0\.35/.test(doc), doc);
  await page.fill(tid('cfg-w2'), '0.3');
  const pending = await textOf(page, 'cfg-pending');
  check('pending changes are listed', /delegator\.w2\s+0\.25 → 0\.3/.test(pending), pending);
  await page.click(tid('cfg-apply'));
  await page.locator(tid('cfg-ok')).waitFor({ timeout: 5000 }).catch(() => {});
  await page.click(tid('cfg-defaults'));
  const restorePending = await textOf(page, 'cfg-pending');
  await page.click(tid('cfg-apply'));
  await page.waitForTimeout(600);
  const w2 = (await t.api('GET', '/api/config')).body.delegator.w2;
  check('restore defaults puts changed values back', /delegator\.w2/.test(restorePending) && w2 === 0.25, `pending "${restorePending.replace(/\n/g, '; ')}", w2 now ${w2}`);
  await page.getByText('Beaming').first().click();
  const units = await page.locator('.cfg-unit').allInnerTexts();
  check('config fields show units', units.some((u) => /EU|km|s\]/.test(u)), units.slice(0, 6).join(' '));
  await shot('u04-config-schema.png');
  await page.getByText('Policies (v1').click();
  const offered = await page.locator(`${tid('cfg-beam_policy')} option`).allInnerTexts();
  await page.selectOption(tid('cfg-beam_policy'), 'predictive');
  await page.click(tid('cfg-apply'));
  const chosen = (await poll(() => t.api('GET', '/api/config'), (r) => r.body.policy.beam_policy === 'predictive', 5000)).body.policy.beam_policy;
  check('a policy is chosen from the list the API allows', offered.includes('predictive') && offered.includes('v1') && chosen === 'predictive',
    `offered ${offered.join(', ')}; beam_policy now ${chosen}`);
  await t.api('POST', '/api/config', { policy: { beam_policy: 'v1' } });

  // 6. URL state survives a reload
  t.phase = 'url';
  await page.fill(tid('sat-search'), 'sat-7');
  await page.press(tid('sat-search'), 'Enter');
  await page.click(tid('feed-filter-drone'));
  await page.click(tid('toggle-config'));
  await page.waitForTimeout(1200);
  const before = await page.evaluate(() => ({ search: location.search, cam: window.__vpp.camera.position.toArray() }));
  await page.reload({ waitUntil: 'load' });
  await ready(page);
  const after = await page.evaluate(() => ({
    search: location.search, cam: window.__vpp.camera.position.toArray(),
    insp: document.querySelector('[data-testid="inspector-id"]')?.innerText,
    drone: document.querySelector('[data-testid="feed-filter-drone"]')?.getAttribute('aria-pressed'),
    config: document.querySelector('[data-testid="toggle-config"]')?.getAttribute('aria-expanded'),
  }));
  const camMoved = Math.hypot(...after.cam.map((c, k) => c - before.cam[k]));
  check('selection, camera, filters and panels are restored from the URL', /^sat-0*7$/.test(after.insp || '')
    && after.drone === 'false' && after.config === 'false' && camMoved < 0.05,
    `${before.search} -> inspector ${after.insp}, drone filter pressed ${after.drone}, config expanded ${after.config}, camera moved ${camMoved.toFixed(3)}`);
  await page.keyboard.press('Escape');

  // 7. narrow screens
  for (const [w, h] of [[1024, 768], [800, 900], [390, 844]]) {
    t.phase = `layout-${w}`;
    await page.setViewportSize({ width: w, height: h });
    await page.goto(t.url, { waitUntil: 'load' });
    await ready(page);
    await page.waitForTimeout(600);
    await layoutChecks(page, check, `${w} px`);
    if (w < 600) {
      const sheetTabs = await page.locator('.sheet-tab').count();
      await page.click(tid('sheet-legend'));
      const legendBox = await page.locator(`${tid('sheet-body')} ${tid('legend')}`).boundingBox().catch(() => null);
      check('390 px: panels are in a bottom sheet and the legend is reachable', sheetTabs >= 5 && legendBox && legendBox.y + 20 < h,
        `${sheetTabs} tabs, legend at ${JSON.stringify(legendBox)}`);
      await page.click(tid('sheet-events'));
      await page.waitForTimeout(300);
      const body = await page.locator(tid('sheet-body')).boundingBox();
      check('390 px: the open sheet leaves the upper globe visible', body && body.y > h * 0.35, JSON.stringify(body));
      await shot(`u05-layout-${w}-sheet.png`);
      await page.click(tid('sheet-events'));
    } else {
      const toggle = page.locator(tid('toggle-legend'));
      const box = await toggle.boundingBox();
      check(`${w} px: the legend is reachable`, box && box.x >= 0 && box.x + box.width <= w && box.y + box.height <= h, JSON.stringify(box));
    }
    await shot(`u05-layout-${w}.png`);
  }
});
