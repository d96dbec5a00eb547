// Globe frame rate in headless Chromium (software WebGL, SwiftShader) at several constellation sizes.
//
//   node benchmarks/fps.mjs [--sizes 1000,10000] [--modes static,rotate] [--runs 3] [--seconds 5]
//                           [--width 1280 --height 720] [--append]
//
// For each size it starts `python -m backend` with SCENARIO_N_SATELLITES=<size> (generator on),
// opens the built globe (frontend/dist, `npm run build` first) in a fresh page per run, waits for
// the constellation and a warm-up, then counts frames drawn (requestAnimationFrame through
// react-three-fiber) over --seconds. Mode `static`: the camera rests (the Earth layer is redrawn
// only when the sun moves); `rotate`: the camera auto-rotates, so the Earth is redrawn every frame
// too. Prints the median per size and mode; --append writes the table and the command to
// benchmarks/RESULTS.md under "## Globe frame rate".

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, CHROMIUM } from '../tests/e2e/browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  // the usage is the comment at the top of this file
  const head = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const usage = head.slice(0, head.findIndex((line) => !line.startsWith('//')));
  console.log(usage.map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] && !args[i + 1].startsWith('--') ? args[i + 1] : dflt;
};
const SIZES = opt('sizes', '1000,10000').split(',').map(Number);
const MODES = opt('modes', 'static,rotate').split(',');
const RUNS = Number(opt('runs', 3));
const SECONDS = Number(opt('seconds', 5));
const WIDTH = Number(opt('width', 1280));
const HEIGHT = Number(opt('height', 720));
const APPEND = args.includes('--append');
const PYTHON = process.env.PYTHON || join(ROOT, '.venv/bin/python');

if (!existsSync(join(ROOT, 'frontend/dist/index.html'))) {
  console.error('frontend/dist is missing: run `npm run build` in frontend/ first');
  process.exit(2);
}

function startServer(n) {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env, HOST: '127.0.0.1', PORT: '0', DOTENV_PATH: '', LOG_LEVEL: 'WARNING',
      SCENARIO_N_SATELLITES: String(n), SMOKE_AUTOSTART: '1', SMOKE_QPS: '50', SMOKE_BURST: '5',
    };
    const proc = spawn(PYTHON, ['-m', 'backend'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`server did not start:\n${out}`)); }, 60000);
    const onData = (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1].replace('localhost', '127.0.0.1') }); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${out}`)); });
  });
}

async function stopServer(s) {
  s.proc.removeAllListeners('exit');
  await new Promise((res) => { s.proc.once('exit', res); s.proc.kill('SIGTERM'); setTimeout(res, 5000); });
}

async function measure(url, n, mode) {
  const { context, close } = await launch({ width: WIDTH, height: HEIGHT });
  try {
    const page = context.pages()[0] || (await context.newPage());
    await page.goto(url);
    await page.waitForFunction((n) => window.__vpp?.store?.n === n && window.__vpp.frames > 10, n, { timeout: 60000 });
    if (mode === 'rotate') await page.check('[data-testid="auto-rotate"]');
    await page.waitForTimeout(4000); // texture drawn, interpolation settled
    const a = await page.evaluate(() => ({ f: window.__vpp.frames, t: performance.now(), tick: window.__vpp.store.tick }));
    await page.waitForTimeout(SECONDS * 1000);
    const b = await page.evaluate(() => ({ f: window.__vpp.frames, t: performance.now(), tick: window.__vpp.store.tick }));
    const earth = await page.evaluate(() => window.__vpp.earthFrames || 0);
    return { fps: (b.f - a.f) / ((b.t - a.t) / 1000), ticks: b.tick - a.tick, earth };
  } finally {
    await close();
  }
}

const median = (xs) => { const s = [...xs].sort((p, q) => p - q); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const rows = [];
for (const n of SIZES) {
  const server = await startServer(n);
  try {
    for (const mode of MODES) {
      const fps = [];
      for (let r = 0; r < RUNS; r++) {
        const m = await measure(server.url + '/', n, mode);
        fps.push(m.fps);
        console.error(`n=${n} ${mode} run ${r + 1}/${RUNS}: ${m.fps.toFixed(1)} fps (${m.ticks} ticks received, ${m.earth} Earth redraws)`);
      }
      rows.push({ n, mode, median: median(fps), min: Math.min(...fps), max: Math.max(...fps), runs: fps });
    }
  } finally {
    await stopServer(server);
  }
}

const load = loadavg().map((x) => x.toFixed(2)).join(' ');
const command = `node benchmarks/fps.mjs --sizes ${SIZES.join(',')} --modes ${MODES.join(',')} --runs ${RUNS} --seconds ${SECONDS} --width ${WIDTH} --height ${HEIGHT}`;
const table = [
  '| satellites | camera | median fps | min | max | runs |',
  '| ---: | --- | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.n.toLocaleString('en-US')} | ${r.mode} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${r.runs.map((x) => x.toFixed(1)).join(', ')} |`),
].join('\n');
console.log(table);
console.log(`load average after the run: ${load} (${cpus().length} cores)`);

if (APPEND) {
  const file = join(ROOT, 'benchmarks/RESULTS.md');
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const section = `## Globe frame rate

Headless Chromium (${CHROMIUM}, software WebGL through SwiftShader, no GPU), ${WIDTH}x${HEIGHT}
viewport at device pixel ratio 1, the full dashboard (globe, HUD, panels, labels), the server
running on the same ${cpus().length}-core machine with the task generator on at 50 qps. Frames
counted through react-three-fiber's render loop over ${SECONDS} s after a 4 s warm-up, one fresh
page per run, median of ${RUNS} runs. Chromium caps requestAnimationFrame at 60 fps.
Targets: >= 55 fps at 1,000 satellites, >= 30 fps at 10,000.

\`static\`: the camera rests, as on a wall display; the Earth sits on its own canvas and is
redrawn only when the sun has moved about 0.1 degree, while satellites, beams and drones are
redrawn every frame. \`rotate\`: the camera auto-rotates, so the Earth is redrawn too, whenever
its last image would be half a pixel off (about every second frame for a slow rotation;
every frame while the globe is dragged). The load average is printed because the machine may be
shared with other work; the min column is the worst run.

Command (after \`cd frontend && npm run build\`):

    ${command}

${table}

Measured ${date} UTC; load average after the run ${load}.
`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf('## Globe frame rate');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 5);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    text = `${text.replace(/\s*$/, '')}\n\n${section}`;
  }
  writeFileSync(file, text);
  console.error(`wrote ${file}`);
}
