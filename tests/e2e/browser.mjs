// Launch Debian's Chromium through playwright-core (no browser download), headless, with
// software WebGL (SwiftShader). Shared by the e2e test and the frame-rate benchmark.

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
