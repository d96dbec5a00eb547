// The time machine in real headless Chromium against a recording server: open the timeline,
// scrub to a past moment (the globe's positions then equal the snapshot route's answer and
// differ from live, while live ticks are held, not mixed in), play forward at 1000x (achieved
// speed shown), and back to live.
//
//   node tests/e2e/timemachine.e2e.mjs <base url> <artifact dir>
//
// Result and exit status as every e2e script (browser.mjs runE2E).

import { attr, globeReady, poll, runE2E, tid } from './browser.mjs';

const DEG = 1e-3; // float32 positions from the route vs the page's float32 copy

/** lat/lon columns of the snapshot route's frame (base64 float32 LE, 6 values a satellite). */
function routePositions(body) {
  const buf = Buffer.from(body.frame.sats, 'base64');
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const stride = body.frame.sat_fields.length;
  const lat = [], lon = [];
  for (let i = 0; i < body.frame.n_satellites; i++) { lat.push(f[i * stride]); lon.push(f[i * stride + 1]); }
  return { lat, lon };
}
const lonDiff = (a, b) => Math.abs(((a - b + 540) % 360) - 180);
function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.lat.length; i++) m = Math.max(m, Math.abs(a.lat[i] - b.lat[i]), lonDiff(a.lon[i], b.lon[i]));
  return m;
}
const pagePositions = (page) => page.evaluate(() => {
  const s = window.__vpp.store;
  return { lat: Array.from(s.lat.subarray(0, s.n)), lon: Array.from(s.lon.subarray(0, s.n)) };
});

await runE2E(import.meta.url, {}, async (t) => {
  const { page, check, shot } = t;
  const get = (path) => t.api('GET', path);
  await page.goto(t.url, { waitUntil: 'load' });
  await globeReady(page, { frames: 0 });
  check('page loads', true);
  const run = await poll(() => get('/api/runs/current'), (r) => r.status === 200 && r.body.last_sim_s > 1500, 40000);
  check('the recorder has a run to travel in', run.body.last_sim_s > 1500, `last_sim_s ${run.body.last_sim_s}`);

  t.phase = 'open';
  await page.click(tid('tm-toggle'));
  await page.waitForSelector(tid('time-machine'), { timeout: 10000 });
  const events = await get('/api/runs/current/events?kind=alert.low_energy,alert.overloaded,alert.blackout_avoided,sat.energy_transfer_started,drone.launched&limit=5000');
  const marked = await poll(() => attr(page, 'tm-markers', 'data-count'), (v) => Number(v) > 0, 15000);
  check('the timeline marks the run\'s alerts, blackouts, beams and drone flights', Number(marked) >= 1,
    `${marked} marks; ${events.body.events.length} marker events recorded`);
  check('live until the timeline is dragged', (await attr(page, 'time-machine', 'data-mode')) === 'live');

  t.phase = 'scrub';
  const max = Number(await page.locator(tid('tm-slider')).getAttribute('max'));
  const target = Math.round(max * 0.3);
  await page.locator(tid('tm-slider')).fill(String(target));
  const atAttr = await poll(() => attr(page, 'time-machine', 'data-at'), (v) => v !== '' && Math.abs(Number(v) - target) < 1);
  check('dragging the timeline shows a past moment', atAttr !== null && Math.abs(Number(atAttr) - target) < 1,
    `asked ${target} s of ${max} s, showing ${atAttr}`);
  const shownAt = Number(atAttr);
  const past = await pagePositions(page);
  const route = await get(`/api/runs/current/snapshot?at=${shownAt.toFixed(3)}`);
  const dRoute = maxDiff(past, routePositions(route.body));
  check('the globe\'s past positions are the snapshot route\'s answer', dRoute < DEG, `max ${dRoute.toExponential(2)} deg`);
  const live = await get('/api/state?fields=position');
  const livePos = { lat: live.body.satellites.map((s) => s.position.lat), lon: live.body.satellites.map((s) => s.position.lon) };
  const dLive = maxDiff(past, livePos);
  check('past positions differ from live', dLive > 1, `max ${dLive.toFixed(1)} deg from live`);
  const info = await page.locator(tid('tm-info')).innerText();
  check('the UI names the sample the energies come from', /sample at T\+/.test(info) && /every 60 s/.test(info), info);
  await page.waitForTimeout(1500);
  const held = await page.evaluate(() => ({ n: window.__vpp.store.liveTicksHeld, past: !!window.__vpp.store.past }));
  const still = maxDiff(past, await pagePositions(page));
  check('live ticks keep arriving but are held, not mixed into the past view', held.past && held.n > 0 && still < 1e-9,
    `${held.n} ticks held, positions moved ${still}`);
  await shot('tm01-past.png');

  t.phase = 'play';
  await page.selectOption(tid('tm-speed'), '1000');
  await page.click(tid('tm-play'));
  const achieved = await poll(() => attr(page, 'tm-achieved', 'data-value'), (v) => Number(v) > 0, 15000);
  const after = Number(await attr(page, 'time-machine', 'data-at'));
  check('playing forward at 1000x shows the achieved speed', Number(achieved) > 0 && after > shownAt,
    `achieved ${achieved}x asked 1000x; ${shownAt} -> ${after} s`);
  await shot('tm02-playing.png');

  t.phase = 'live';
  await page.click(tid('tm-live'));
  const mode = await poll(() => attr(page, 'time-machine', 'data-mode'), (v) => v === 'live', 5000);
  const tick0 = await page.evaluate(() => window.__vpp.store.tick);
  const moving = await poll(() => page.evaluate(() => window.__vpp.store.tick), (k) => k > tick0, 10000);
  const nowPos = await pagePositions(page);
  const liveNow = await get('/api/state?fields=position');
  const dBack = maxDiff(nowPos, { lat: liveNow.body.satellites.map((s) => s.position.lat), lon: liveNow.body.satellites.map((s) => s.position.lon) });
  check('back to live: live ticks drawn again, positions near the live state', mode === 'live' && moving > tick0 && dBack < 10
    && !(await page.evaluate(() => !!window.__vpp.store.past)), `tick ${tick0} -> ${moving}; ${dBack.toFixed(2)} deg from /api/state`);
  await shot('tm03-back-to-live.png');
});
