// Launch Debian's Chromium through playwright-core (no browser download), headless, with
// software WebGL (SwiftShader), and the frame every e2e script runs in (runE2E): its command
// line, the checks and their JSON result, screenshots, console errors, the globe being ready.
// Shared by the e2e scripts and the frame-rate benchmarks.

import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// playwright-core is a dev dependency of frontend/ (`npm install` there installs it).
const require = createRequire(new URL('../../frontend/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-unsafe-swiftshader',
];

/** A persistent context in a throw-away profile; call close() when done. */
export async function launch({ width = 1600, height = 900, extraArgs = [] } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'vpp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, ...extraArgs],
    viewport: { width, height },
    deviceScaleFactor: 1,
  });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** The selector of a data-testid. */
export const tid = (id) => `[data-testid="${id}"]`;

/** The text of the first element with that test id, '' if there is none within 5 s. */
export const textOf = (page, id) => page.locator(tid(id)).first().innerText({ timeout: 5000 }).catch(() => '');

/** An attribute of the first element with that test id, null if there is none within 5 s. */
export const attr = (page, id, name) => page.locator(tid(id)).first().getAttribute(name, { timeout: 5000 }).catch(() => null);

/** Call fn every everyMs until pred holds for a non-null answer or timeoutMs pass; the last answer. */
export async function poll(fn, pred, timeoutMs = 20000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let v = null;
  while (Date.now() < end) {
    v = await fn();
    if (v !== null && pred(v)) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return v;
}

/** Wait until the globe streams and draws: satellites arrived, more than `frames` frames, laid out. */
export const globeReady = (page, { frames = 10, timeout = 30000 } = {}) => page.waitForFunction(
  (min) => window.__vpp?.store?.n > 0 && window.__vpp.frames > min && !!window.__vpp.gl && !!window.__vpp.viewCentre,
  frames, { timeout });

/** A visible satellite inside the free middle of the view (the panels' gap, inset), far from its
 *  neighbours: {i, x, y, clearance} in page px, or null. */
export const clickableSatellite = (page, exclude = -1) => page.evaluate((exclude) => {
  const v = window.__vpp;
  const f = v.viewCentre.free;
  const pts = [];
  for (let i = 0; i < v.store.n; i++) {
    const p = v.screenOf(i);
    if (p && p.visible) pts.push({ i, x: p.x, y: p.y });
  }
  let best = null;
  for (const p of pts) {
    if (p.i === exclude || p.x < f.left + 60 || p.x > f.right - 60 || p.y < f.top + 60 || p.y > f.bottom - 80) continue;
    // a label (station, drone, the selected satellite's) over it would take the pointer instead of the globe
    if (document.elementFromPoint(p.x, p.y)?.tagName !== 'CANVAS') continue;
    let nearest = Infinity;
    for (const q of pts) if (q !== p) nearest = Math.min(nearest, Math.hypot(q.x - p.x, q.y - p.y));
    if (!best || nearest > best.clearance) best = { ...p, clearance: nearest };
  }
  return best;
}, exclude);

/** The command line of tests/e2e/<name>.e2e.mjs: <base url> <artifact dir> then `more` named values. */
function commandLine(script, more) {
  const [url, artifacts = 'test-artifacts/e2e', ...rest] = process.argv.slice(2);
  if (!url || rest.length < more.length) {
    console.error(`usage: node tests/e2e/${script} <base url> <artifact dir>${more.map((m) => ` <${m}>`).join('')}`);
    process.exit(2);
  }
  mkdirSync(artifacts, { recursive: true });
  return { url, artifacts, args: Object.fromEntries(more.map((m, k) => [m, rest[k]])) };
}

/**
 * Run the body of an e2e script in headless Chromium and exit with its verdict.
 *
 *   node tests/e2e/<name>.e2e.mjs <base url> <artifact dir> [<arg>...]
 *
 * body(t) gets t = {url, artifacts, args, context, page, phase, check, shot, api}: check(name, ok,
 * detail) records a check (PASS/FAIL on stderr), shot(file) a screenshot in <artifact dir>,
 * api(method, path, body) calls the server's REST API from Node ({status, body}; not the page, so
 * an expected 4xx is no console error); setting t.phase tags the console errors that follow.
 * An exception is a failed check (with a <name>-failure.png). Then 'no console errors' is
 * checked (page console errors and uncaught exceptions, failed requests too with
 * failedRequests; expectedConsole({phase, text}) names the expected ones), the result
 * {ok, checks, console_errors, screenshots} goes to <artifact dir>/<name>.json and, as one
 * JSON line, last on stdout; the exit status is 0 only if every check passed.
 */
export async function runE2E(scriptUrl, options, body) {
  const { width = 1600, height = 900, args: more = [], expectedConsole = () => false, failedRequests = false } = options;
  const script = basename(fileURLToPath(scriptUrl));
  const name = script.replace(/\.e2e\.mjs$/, '');
  const { url, artifacts, args } = commandLine(script, more);
  const checks = [];
  const consoleErrors = []; // {phase, text}
  const screenshots = [];
  const check = (label, ok, detail = '') => {
    checks.push({ name: label, ok: !!ok, detail: String(detail) });
    console.error(`${ok ? 'PASS' : 'FAIL'} ${label}${detail ? `: ${detail}` : ''}`);
    return !!ok;
  };
  const { context, close } = await launch({ width, height });
  const page = context.pages()[0] || (await context.newPage());
  const t = {
    url, artifacts, args, context, page, phase: 'load', check,
    async shot(file) {
      const path = join(artifacts, file);
      await page.screenshot({ path });
      screenshots.push(path);
    },
    async api(method, path, payload) {
      const r = await fetch(new URL(path, url), { method, headers: { 'Content-Type': 'application/json' },
        body: payload ? JSON.stringify(payload) : undefined });
      return { status: r.status, body: await r.json() };
    },
  };
  const logged = (text) => consoleErrors.push({ phase: t.phase, text });
  page.on('console', (m) => { if (m.type() === 'error') logged(m.text()); });
  page.on('pageerror', (e) => logged(`pageerror: ${e.message}`));
  if (failedRequests) page.on('requestfailed', (r) => logged(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  try {
    await body(t);
  } catch (err) {
    check('no exception in the e2e script', false, err && err.stack ? err.stack.split('\n').slice(0, 3).join(' ') : err);
    await t.shot(`${name}-failure.png`).catch(() => {});
  } finally {
    await close();
  }
  const unexpected = consoleErrors.filter((e) => !expectedConsole(e)).map((e) => `[${e.phase}] ${e.text}`);
  check('no console errors', unexpected.length === 0, unexpected.slice(0, 5).join(' || '));
  const ok = checks.every((c) => c.ok);
  const result = { ok, checks, console_errors: consoleErrors, screenshots };
  writeFileSync(join(artifacts, `${name}.json`), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  process.exit(ok ? 0 : 1);
}
