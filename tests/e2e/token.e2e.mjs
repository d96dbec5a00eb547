// The globe against a server started with API_TOKEN, in real headless Chromium: it asks for
// the token once (the Socket.IO connect is refused with 401), then streams; REST controls send
// the token too; a reload in the same session does not ask again (sessionStorage).
//
//   node tests/e2e/token.e2e.mjs <base url> <artifact dir> <token>
//
// Result and exit status as every e2e script (browser.mjs runE2E).

import { globeReady, runE2E, tid } from './browser.mjs';

const streaming = (page) => globeReady(page, { frames: 3 }).then(() => true, () => false);
const serverPaused = (page) => page.evaluate(async () => (await (await fetch('/api/state?sat_limit=0')).json()).paused);

await runE2E(import.meta.url, {
  width: 1280, height: 800, args: ['token'],
  expectedConsole: (e) => /401|UNAUTHORIZED/i.test(e.text), // the refused connect and the first 401 ask for the token
}, async (t) => {
  const { page, check, shot } = t;
  const { token } = t.args;
  let prompts = 0;
  await page.goto(t.url, { waitUntil: 'load' });
  const asked = await page.locator(tid('token-prompt')).waitFor({ timeout: 20000 }).then(() => true, () => false);
  check('the globe asks for the token when the server needs one', asked);
  if (asked) prompts++;
  check('nothing streams before the token', (await page.evaluate(() => window.__vpp?.store?.n || 0)) === 0);
  await shot('token-prompt.png');

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
});
