import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

// Debian's Chromium (npm test installs it when missing); never a downloaded browser.
const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.log(`web UI e2e skipped: no Chromium at ${CHROMIUM}`);

let browser: Browser | undefined;
beforeAll(async () => {
  if (!available) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(() => browser?.close());

describe.skipIf(!available)('the web UI in real Chromium', () => {
  it('shows the gateway status served by portico serve, with no console or CSP errors', async () => {
    const served = await serve(['--data-dir', tempDir(), '--no-gateway']);
    const page = await (browser as Browser).newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(served.url);
    await expect.poll(() => page.title()).toMatch(/Portico/);
    await page.getByText(`Listening on ${served.url}`).waitFor();
    // --no-gateway: the data plane shows as off, the admin plane as on.
    const text = (await page.locator('dl.status').textContent()) ?? '';
    expect(text).toMatch(/Admin MCP \(control plane\)\s*On/);
    expect(text).toMatch(/Customer gateway \(data plane\)\s*Off/);
    expect(problems).toEqual([]);
    await page.close();
    expect(await served.stop()).toBe(0);
  }, 30_000);
});
