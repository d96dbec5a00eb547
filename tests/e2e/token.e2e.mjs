// The globe against a server started with API_TOKEN, in real headless Chromium: it asks for
// the token once (the Socket.IO connect is refused with 401), then streams; REST controls send
// the token too; a reload in the same session does not ask again (sessionStorage).
//
//   node tests/e2e/token.e2e.mjs <base url> <artifact dir> <token>
//
// Prints one JSON line {ok, checks, console_errors, screenshots} as the last line of stdout and
// exits 0 only if every check passed.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const [url, artifacts = 'test-artifacts/e2e', token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node tests/e2e/token.e2e.mjs <base url> <artifact dir> <token>');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const checks = [];
const consoleErrors = [];
const screenshots = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok: !!ok, detail: String(detail) });
  console.error(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  return !!ok;
}
const tid = (id) => `[data-testid="${id}"]`;
const streaming = (page) => page.waitForFunction(() => window.__vpp?.store?.n > 0 && window.__vpp.frames > 3,
  null, { timeout: 30000 }).then(() => true, () => false);
const serverPaused = (page) => page.evaluate(async () => (await (await fetch('/api/state?sat_limit=0')).json()).paused);

const { context, close } = await launch({ width: 1280, height: 800 });
try {
  const page = context.pages()[0] || (await context.newPage());
  let prompts = 0;
  page.on('console', (msg) => {
    // the refused connect and the first 401 are the server asking for the token
    if (msg.type() === 'error' && !/401|UNAUTHORIZED/i.test(msg.text())) consoleErrors.push(msg.text());
  });
  await page.goto(url, { waitUntil: 'load' });
  const asked = await page.locator(tid('token-prompt')).waitFor({ timeout: 20000 }).then(() => true, () => false);
  check('the globe asks for the token when the server needs one', asked);
  if (asked) prompts++;
  check('nothing streams before the token', (await page.evaluate(() => window.__vpp?.store?.n || 0)) === 0);
  const shot = join(artifacts, 'token-prompt.png');
  await page.screenshot({ path: shot });
  screenshots.push(shot);

  await page.fill(tid('token-input'), token);
  await page.click(tid('token-submit'));
  check('with the token the Socket.IO connection streams', await streaming(page));
  check('the token is kept in sessionStorage',
    (await page.evaluate(() => sessionStorage.getItem('vpp.apiToken'))) === token);

  const wasPaused = await serverPaused(page);
  await page.click(tid(wasPaused ? 'resume' : 'pause'));
  await page.waitForTimeout(1000);
  check('a REST control sends the token (the server changed)', (await serverPaused(page)) === !wasPaused);
  if (await page.locator(tid('token-prompt')).isVisible()) prompts++;

  await page.reload({ waitUntil: 'load' });
  check('after a reload in the same session it streams again', await streaming(page));
  if (await page.locator(tid('token-prompt')).isVisible()) prompts++;
  check('asked exactly once in the session', prompts === 1, `${prompts} prompt(s)`);
  check('no console errors', consoleErrors.length === 0, consoleErrors.slice(0, 3).join(' | '));
} catch (err) {
  check('script ran to the end', false, err && err.stack);
} finally {
  await close();
}
const ok = checks.every((c) => c.ok);
console.log(JSON.stringify({ ok, checks, console_errors: consoleErrors, screenshots }));
process.exit(ok ? 0 : 1);
