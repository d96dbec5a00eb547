// End-to-end check of the globe in real headless Chromium against a running server.
//
//   node tests/e2e/globe.e2e.mjs <base url> <artifact dir>
//
// Result and exit status as every e2e script (browser.mjs runE2E); screenshots go to <artifact dir>.

import { clickableSatellite, globeReady, runE2E, textOf } from './browser.mjs';
import { decodePng, pictureStats } from './png.mjs';

const numberIn = (s) => Number(String(s).replace(/[^0-9.]/g, '')) || 0;

/** Pixel statistics of what the user sees in the globe area (between the side panels). */
async function globeStats(page) {
  const img = decodePng(await page.screenshot({ type: 'png' }));
  return pictureStats(img, { x0: 300, x1: img.width - 400, y0: 60, y1: img.height - 100 });
}

/** Pixel statistics of the live (transparent) WebGL canvas alone, read right after a render. */
async function liveLayerStats(page) {
  return page.evaluate(() => {
    const { gl, scene, camera } = window.__vpp;
    gl.render(scene, camera);
    const ctx = gl.getContext();
    const w = ctx.drawingBufferWidth, h = ctx.drawingBufferHeight;
    const px = new Uint8Array(w * h * 4);
    ctx.readPixels(0, 0, w, h, ctx.RGBA, ctx.UNSIGNED_BYTE, px);
    let drawn = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) drawn++;
    return { w, h, drawn };
  });
}

// Expected noise: the 400s of the bad-config step, failed requests while offline.
const expectedConsole = (e) => (e.phase === 'bad-config' && /status of 400/.test(e.text))
  || (['offline', 'reconnect'].includes(e.phase) && /ERR_INTERNET_DISCONNECTED|net::ERR_|WebSocket|socket\.io|\/api\//.test(e.text));

await runE2E(import.meta.url, { failedRequests: true, expectedConsole }, async (t) => {
  const { page, check, shot, url } = t;

  // 1. the page loads, connects and draws
  const response = await page.goto(url, { waitUntil: 'load' });
  check('page loads', response && response.ok(), `HTTP ${response && response.status()}`);
  await globeReady(page, { frames: 20 });
  await page.locator('[data-testid="connection"]').filter({ hasText: 'live' }).waitFor({ timeout: 15000 });
  check('connection indicator says live', true);
  await page.waitForTimeout(2500); // earth texture, a few ticks
  const info = await page.evaluate(() => ({ n: window.__vpp.store.n, drones: window.__vpp.store.nDrones,
    stations: window.__vpp.store.groundStations.length, tick: window.__vpp.store.tick }));
  check('satellites arrive from the server', info.n > 0, JSON.stringify(info));
  await shot('01-loaded.png');

  // 2. the WebGL canvases are not blank: the Earth below, satellites drawn on the live layer
  const stats = await globeStats(page);
  check('WebGL canvas shows a picture', stats.std > 8 && stats.litFraction > 0.05 && stats.colours > 40,
    `globe area: mean ${stats.mean.toFixed(1)} std ${stats.std.toFixed(1)} lit ${(stats.litFraction * 100).toFixed(1)}% colours ${stats.colours}`);
  const live = await liveLayerStats(page);
  check('live layer draws satellites', live.drawn > 200, `${live.drawn} pixels drawn on the ${live.w}x${live.h} live canvas`);
  const earthFrames = await page.evaluate(() => window.__vpp.earthFrames || 0);
  check('Earth layer rendered', earthFrames > 0, `${earthFrames} Earth redraws`);

  // 3. positions move between ticks (interpolated, not frozen)
  const p0 = await page.evaluate(() => window.__vpp.screenOf(0));
  await page.waitForTimeout(700);
  const p1 = await page.evaluate(() => window.__vpp.screenOf(0));
  check('satellites move', p0 && p1 && Math.hypot(p1.x - p0.x, p1.y - p0.y) > 0.5,
    p0 && p1 ? `sat-0 moved ${Math.hypot(p1.x - p0.x, p1.y - p0.y).toFixed(1)} px in 0.7 s` : 'no position');

  // 4. starting the generator from the UI makes the HUD counters rise
  const totalLine = async (id) => numberIn((await textOf(page, id)).split('\n').find((l) => l.includes('total')) || '0');
  const before = await totalLine('hud-created');
  await page.fill('[data-testid="smoke-qps"]', '200');
  await page.fill('[data-testid="smoke-burst"]', '20');
  await page.click('[data-testid="smoke-start"]');
  await page.locator('[data-testid="smoke-state"]').filter({ hasText: 'running' }).waitFor({ timeout: 10000 });
  let rate = 0, total = 0;
  for (let k = 0; k < 20; k++) {
    await page.waitForTimeout(500);
    rate = numberIn(await textOf(page, 'hud-created-value'));
    total = await totalLine('hud-created');
    if (rate > 0 && total > 0) break;
  }
  await page.waitForTimeout(1500);
  const total2 = await totalLine('hud-created');
  const completed = await totalLine('hud-completed');
  check('generator start makes HUD counters rise', rate > 0 && total2 > total && total2 > before,
    `created/s ${rate}, total ${before} -> ${total} -> ${total2}, completed ${completed}`);
  await shot('02-generator-running.png');

  // 5. clicking a satellite opens its inspector with its id
  const target = await clickableSatellite(page);
  if (check('a satellite is clickable on screen', target, JSON.stringify(target))) {
    const at = await page.evaluate((i) => window.__vpp.screenOf(i), target.i);
    await page.mouse.move(at.x, at.y);
    await page.mouse.click(at.x, at.y);
    const want = await page.evaluate((i) => window.__vpp.satId(i), target.i);
    let got = '';
    try {
      await page.locator('[data-testid="inspector-id"]').waitFor({ timeout: 5000 });
      got = await textOf(page, 'inspector-id');
    } catch { got = '(no inspector)'; }
    check('clicking a satellite opens its inspector', got === want, `clicked ${want}, inspector shows ${got}`);
    const label = await page.locator('[data-testid="sat-label"]').first().innerText({ timeout: 3000 }).catch(() => '');
    check('the selected satellite is labelled on the globe', label.includes(want), label.replace(/\n/g, ' | '));
    await page.waitForTimeout(1200); // let the REST details fill in
    const queue = await textOf(page, 'inspector-queue').catch(() => '');
    check('inspector shows tasks on board', /^\d+$/.test(queue.trim()), `tasks on board: ${queue}`);
    // hover another satellite: tooltip
    const other = await clickableSatellite(page, target.i);
    if (other) {
      // the satellite keeps moving and a slow machine may pick a frame later: aim at where it is now, a few times
      let tip = '';
      let seen = null;
      for (let attempt = 0; attempt < 4 && !/sat-\d+/.test(tip); attempt++) {
        const o = await page.evaluate((i) => window.__vpp.screenOf(i), other.i);
        await page.mouse.move(o.x + 1, o.y + 1);
        await page.mouse.move(o.x, o.y);
        tip = await page.locator('[data-testid="sat-tooltip"]').first().innerText({ timeout: 1500 }).catch(() => '');
        seen = await page.evaluate(({ x, y }) => {
          const el = document.elementFromPoint(x, y);
          return { at: [Math.round(x), Math.round(y)], under: el ? `${el.tagName}.${el.className}` : null, hovered: window.__vpp.store.hovered };
        }, o);
      }
      check('hovering a satellite shows a tooltip', /sat-\d+/.test(tip),
        /sat-\d+/.test(tip) ? tip.replace(/\n/g, ' | ') : `aimed at sat index ${other.i}; last aim ${JSON.stringify(seen)}`);
    }
    await shot('03-inspector.png');
  }

  // 5b. follow: the camera turns until the selected satellite sits in the middle of the view
  await page.check('[data-testid="follow"]');
  await page.waitForTimeout(2500);
  const centred = await page.evaluate(() => {
    const v = window.__vpp;
    const p = v.screenOf(v.store.selected);
    const r = v.gl.domElement.getBoundingClientRect();
    const c = v.viewCentre || { x: r.width / 2, y: r.height / 2 }; // the middle of the space the panels leave
    return p && { dx: p.x - (r.left + c.x), dy: p.y - (r.top + c.y) };
  });
  check('follow keeps the selected satellite in view', centred && Math.hypot(centred.dx, centred.dy) < 80,
    centred ? `${Math.hypot(centred.dx, centred.dy).toFixed(0)} px from the centre` : 'no position');
  await page.uncheck('[data-testid="follow"]');

  // 6. search by id
  await page.fill('[data-testid="sat-search"]', 'sat-3');
  await page.press('[data-testid="sat-search"]', 'Enter');
  await page.locator('[data-testid="inspector-id"]').filter({ hasText: /^sat-0*3$/ }).waitFor({ timeout: 5000 })
    .then(() => check('search by id selects the satellite', true, 'sat-3'))
    .catch(async () => check('search by id selects the satellite', false, await textOf(page, 'inspector-id').catch(() => 'none')));

  // 7. a bad config value shows the server's error message (Chromium logs the 400s: expected)
  t.phase = 'bad-config';
  const serverSays = await page.evaluate(async () => {
    const r = await fetch('/api/config', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ delegator: { w1: 5 } }) });
    return { status: r.status, body: await r.json() };
  });
  await page.getByText('Delegator weights & limits').click();
  await page.fill('[data-testid="cfg-w1"]', '5');
  await page.click('[data-testid="cfg-apply"]');
  const shown = await page.locator('[data-testid="cfg-error"]').innerText({ timeout: 5000 }).catch(() => '');
  const message = serverSays.body?.error?.message || '(none)';
  check('bad config value shows the server error', serverSays.status === 400 && shown.includes(message),
    `server ${serverSays.status} "${message}"; UI shows "${shown}"`);
  const w1 = await page.evaluate(async () => (await (await fetch('/api/config')).json()).delegator.w1);
  check('rejected config changed nothing', w1 >= 0 && w1 <= 1, `w1 = ${w1}`);
  t.phase = 'run';
  await shot('04-config-error.png');

  // 7b. pause, single step, resume; time scale
  const tickNow = () => page.evaluate(() => window.__vpp.store.tick);
  await page.click('[data-testid="pause"]');
  await page.locator('[data-testid="sim-state"]').filter({ hasText: 'paused' }).waitFor({ timeout: 5000 }).catch(() => {});
  await page.waitForTimeout(600);
  const t0 = await tickNow();
  await page.waitForTimeout(800);
  const t1 = await tickNow();
  await page.fill('input[aria-label="ticks per step"]', '5');
  await page.click('[data-testid="step"]');
  await page.waitForTimeout(1000);
  const t2 = await tickNow();
  check('pause stops the clock and step advances it', t1 === t0 && t2 === t1 + 5, `paused at ${t0}, ${t1} after 0.8 s, ${t2} after stepping 5`);
  await page.click('[data-testid="resume"]');
  await page.waitForTimeout(800);
  const t3 = await tickNow();
  check('resume restarts the clock', t3 > t2, `tick ${t2} -> ${t3}`);
  await page.selectOption('[data-testid="time-scale"]', '120');
  await page.waitForTimeout(500);
  const scale = await page.evaluate(async () => (await (await fetch('/api/config')).json()).time.time_scale);
  check('speed control sets time_scale', scale === 120, `time_scale = ${scale}`);
  await page.selectOption('[data-testid="time-scale"]', '30');

  // 8. the event feed lists events, alerts highlighted when present
  const feedRows = await page.locator('.feed-list .ev').count();
  check('event feed shows events', feedRows > 0, `${feedRows} rows`);

  // 9. connection loss is visible, and the page recovers with fresh state
  t.phase = 'offline';
  await t.context.setOffline(true);
  await page.evaluate(() => window.__vpp.socket.io.engine.close()); // drop the live websocket too
  const downSeen = await page.locator('[data-testid="connection"]').filter({ hasText: /reconnecting|server down/ })
    .waitFor({ timeout: 15000 }).then(() => true).catch(() => false);
  await page.waitForTimeout(2500);
  await shot('05-offline.png');
  await t.context.setOffline(false);
  t.phase = 'reconnect';
  const tickBefore = await page.evaluate(() => window.__vpp.store.tick);
  const back = await page.locator('[data-testid="connection"]').filter({ hasText: 'live' })
    .waitFor({ timeout: 20000 }).then(() => true).catch(() => false);
  await page.waitForTimeout(1500);
  const tickAfter = await page.evaluate(() => window.__vpp.store.tick);
  check('connection loss is shown and the page reconnects', downSeen && back && tickAfter > tickBefore,
    `down shown ${downSeen}, reconnected ${back}, tick ${tickBefore} -> ${tickAfter}`);
  await shot('06-reconnected.png');
  t.phase = 'end';

  // 10. reset from the UI puts the simulation back at its seed state
  await page.click('[data-testid="smoke-stop"]').catch(() => {});
  const beforeReset = await tickNow();
  await page.click('[data-testid="reset"]');
  await page.click('[data-testid="reset-confirm"]');
  await page.waitForTimeout(1500);
  const afterReset = await tickNow();
  check('reset restarts the simulation', afterReset < beforeReset && afterReset < 60, `tick ${beforeReset} -> ${afterReset}`);
  await shot('07-after-reset.png');
});
