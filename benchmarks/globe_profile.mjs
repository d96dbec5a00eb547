// Where the globe's main thread spends its time: a 5 s CPU profile (Chrome DevTools protocol) of
// the built page at N satellites (camera at rest), self time by function, top 25.
//
//   node benchmarks/globe_profile.mjs [N=10000]      (after `cd frontend && npx vite build`)
//
// Starts `python -m backend` (recording off, generator at 50 qps) like fps.mjs; prints the frame
// rate during the profile, then milliseconds and shares. '(program)' is native work (raster,
// compositing), not the page's JavaScript.
import { spawn } from 'node:child_process';
import { launch } from '../tests/e2e/browser.mjs';
const ROOT = new URL('..', import.meta.url).pathname;
const n = Number(process.argv[2] || 10000);
const env = { ...process.env, HOST: '127.0.0.1', PORT: '0', DOTENV_PATH: '', LOG_LEVEL: 'WARNING', HISTORY_URL: 'off',
  SCENARIO_N_SATELLITES: String(n), SMOKE_AUTOSTART: '1', SMOKE_QPS: '50', SMOKE_BURST: '5' };
const proc = spawn(ROOT + '.venv/bin/python', ['-m', 'backend'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
const url = await new Promise((res) => { let out = ''; const on = (d) => { out += d; const m = /listening on (http:\/\/\S+)/.exec(out); if (m) res(m[1].replace('localhost', '127.0.0.1')); }; proc.stdout.on('data', on); proc.stderr.on('data', on); });
const { context, close } = await launch({ width: 1280, height: 720 });
try {
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(url + '/');
  await page.waitForFunction((n) => window.__vpp?.store?.n === n && window.__vpp.frames > 10, n, { timeout: 60000 });
  await page.waitForTimeout(3000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const f0 = await page.evaluate(() => window.__vpp.frames);
  await cdp.send('Profiler.start');
  await page.waitForTimeout(5000);
  const { profile } = await cdp.send('Profiler.stop');
  const f1 = await page.evaluate(() => window.__vpp.frames);
  console.log('fps', (f1 - f0) / 5);
  const self = new Map();
  const dt = profile.timeDeltas; const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const counts = new Map();
  profile.samples.forEach((id, k) => counts.set(id, (counts.get(id) || 0) + (dt[k] || 0)));
  for (const [id, us] of counts) {
    const nd = byId.get(id); const cf = nd.callFrame;
    const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`;
    self.set(key, (self.get(key) || 0) + us);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, v]) => console.log((v / 1000).toFixed(0).padStart(6), 'ms', (100 * v / total).toFixed(1).padStart(5), '%', k));
} finally { await close(); proc.kill('SIGTERM'); }
