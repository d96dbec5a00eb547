// The time machine in real headless Chromium against a recording server: open the timeline,
// scrub to a past moment (the globe's positions then equal the snapshot route's answer and
// differ from live, while live ticks are held, not mixed in), play forward at 1000x (achieved
// speed shown), and back to live.
//
//   node tests/e2e/timemachine.e2e.mjs <base url> <artifact dir>
//
// Prints one JSON line {ok, checks, console_errors, screenshots} as the last line of stdout and
// exits 0 only if every check passed.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const [url, artifacts = 'test-artifacts/e2e'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node tests/e2e/timemachine.e2e.mjs <base url> <artifact dir>');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const checks = [];
const consoleErrors = [];
const screenshots = [];
let phase = 'load';
const DEG = 1e-3; // float32 positions from the route vs the page's float32 copy

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
async function get(path) {
  const r = await fetch(new URL(path, url));
  return { status: r.status, body: await r.json() };
}
const attr = (page, id, name) => page.locator(tid(id)).first().getAttribute(name, { timeout: 5000 }).catch(() => null);
async function waitFor(fn, pred, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let v = null;
  while (Date.now() < end) {
    v = await fn();
    if (v !== null && pred(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  return v;
}
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

const { context, close } = await launch({ width: 1600, height: 900 });
let page;
try {
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push({ phase, text: m.text() }); });
  page.on('pageerror', (e) => consoleErrors.push({ phase, text: `pageerror: ${e.message}` }));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__vpp?.store?.n > 0, null, { timeout: 30000 });
  check('page loads', true);
  const run = await waitFor(() => get('/api/runs/current'), (r) => r.status === 200 && r.body.last_sim_s > 1500, 40000);
  check('the recorder has a run to travel in', run.body.last_sim_s > 1500, `last_sim_s ${run.body.last_sim_s}`);

  phase = 'open';
  await page.click(tid('tm-toggle'));
  await page.waitForSelector(tid('time-machine'), { timeout: 10000 });
  const events = await get('/api/runs/current/events?kind=alert.low_energy,alert.overloaded,alert.blackout_avoided,sat.energy_transfer_started,drone.launched&limit=5000');
  const marked = await waitFor(() => attr(page, 'tm-markers', 'data-count'), (v) => Number(v) > 0, 15000);
  check('the timeline marks the run\'s alerts, blackouts, beams and drone flights', Number(marked) >= 1,
    `${marked} marks; ${events.body.events.length} marker events recorded`);
  check('live until the timeline is dragged', (await attr(page, 'time-machine', 'data-mode')) === 'live');

  phase = 'scrub';
  const max = Number(await page.locator(tid('tm-slider')).getAttribute('max'));
  const target = Math.round(max * 0.3);
  await page.locator(tid('tm-slider')).fill(String(target));
  const atAttr = await waitFor(() => attr(page, 'time-machine', 'data-at'), (v) => v !== '' && Math.abs(Number(v) - target) < 1);
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
  await shot(page, 'tm01-past.png');

  phase = 'play';
  await page.selectOption(tid('tm-speed'), '1000');
  await page.click(tid('tm-play'));
  const achieved = await waitFor(() => attr(page, 'tm-achieved', 'data-value'), (v) => Number(v) > 0, 15000);
  const after = Number(await attr(page, 'time-machine', 'data-at'));
  check('playing forward at 1000x shows the achieved speed', Number(achieved) > 0 && after > shownAt,
    `achieved ${achieved}x asked 1000x; ${shownAt} -> ${after} s`);
  await shot(page, 'tm02-playing.png');

  phase = 'live';
  await page.click(tid('tm-live'));
  const mode = await waitFor(() => attr(page, 'time-machine', 'data-mode'), (v) => v === 'live', 5000);
  const tick0 = await page.evaluate(() => window.__vpp.store.tick);
  const moving = await waitFor(() => page.evaluate(() => window.__vpp.store.tick), (t) => t > tick0, 10000);
  const nowPos = await pagePositions(page);
  const liveNow = await get('/api/state?fields=position');
  const dBack = maxDiff(nowPos, { lat: liveNow.body.satellites.map((s) => s.position.lat), lon: liveNow.body.satellites.map((s) => s.position.lon) });
  check('back to live: live ticks drawn again, positions near the live state', mode === 'live' && moving > tick0 && dBack < 10
    && !(await page.evaluate(() => !!window.__vpp.store.past)), `tick ${tick0} -> ${moving}; ${dBack.toFixed(2)} deg from /api/state`);
  await shot(page, 'tm03-back-to-live.png');
} catch (err) {
  check('no exception in the e2e script', false, err && err.stack ? err.stack.split('\n').slice(0, 3).join(' ') : err);
  if (page) await shot(page, 'tm99-failure.png').catch(() => {});
} finally {
  await close();
}

const unexpected = consoleErrors.map((e) => `[${e.phase}] ${e.text}`);
check('no console errors', unexpected.length === 0, unexpected.slice(0, 5).join(' || '));
const ok = checks.every((c) => c.ok);
const result = { ok, checks, console_errors: consoleErrors, screenshots };
writeFileSync(join(artifacts, 'timemachine.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result));
process.exit(ok ? 0 : 1);
