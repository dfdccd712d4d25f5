import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
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
  it('signs in through the printed link and shows each plane served by portico serve, with no console or CSP errors', async () => {
    const served = await serve(['--data-dir', tempDir(), '--no-gateway']);
    const link = /Web UI: (\S+)/.exec(served.output())?.[1];
    if (!link) throw new Error(`no sign-in link printed:\n${served.output()}`);
    const page = await (browser as Browser).newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(link);
    await expect.poll(() => page.title()).toMatch(/Portico/);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // --no-gateway: the data plane shows as off, the admin plane as on.
    const admin = page.getByRole('switch', { name: 'Admin MCP (control plane) on or off' });
    const gateway = page.getByRole('switch', { name: 'Customer gateway (data plane) on or off' });
    await expect.poll(() => admin.getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => gateway.getAttribute('aria-checked')).toBe('false');
    await page.getByText(`${served.url}/mcp/admin`).waitFor();
    expect(problems).toEqual([]);
    await page.close();
    expect(await served.stop()).toBe(0);
  }, 30_000);

  it('runs the shared typed registry client in the page: calls through /api from its own origin', async () => {
    const served = await serve(['--data-dir', tempDir(), '--no-gateway']);
    const key = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/.exec(served.output())?.[0];
    if (!key) throw new Error(`no first admin key printed:\n${served.output()}`);
    // The client as the renderer bundles it (zod-csp first), exposed for this test only.
    const bundle = await build({
      stdin: {
        contents:
          "import '../../src/renderer/zod-csp';\nexport { httpRegistryClient } from '../../src/shared/registry';",
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      format: 'iife',
      globalName: 'PorticoShared',
      platform: 'browser',
      write: false,
    });
    const page = await (browser as Browser).newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Sign in to Portico' }).waitFor();
    await page.evaluate(bundle.outputFiles[0]?.text ?? '');
    const results = await page.evaluate(async (adminKey) => {
      type Shared = typeof import('../../src/shared/registry');
      const shared = (globalThis as { PorticoShared?: Shared }).PorticoShared;
      if (!shared) throw new Error('the client bundle did not load');
      const signedIn = shared.httpRegistryClient({ headers: { authorization: `Bearer ${adminKey}` } });
      return {
        created: await signedIn.call('create_customer', { id: 'acme', name: 'Acme Inc.' }),
        status: await signedIn.call('get_gateway_status', {}),
        invalid: await signedIn.call('create_customer', { id: 'not an id!', name: 'X' }),
        anonymous: await shared.httpRegistryClient().call('list_customers', {}),
      };
    }, key);
    expect(results.created).toEqual({
      ok: true,
      value: expect.objectContaining({ id: 'acme', name: 'Acme Inc.' }),
    });
    expect(results.status).toMatchObject({
      ok: true,
      value: {
        running: true,
        url: served.url,
        planes: { admin: true, gateway: false },
        counts: { customers: 1 },
      },
    });
    expect(results.invalid).toEqual({
      ok: false,
      error: expect.stringMatching(/^Invalid arguments for create_customer: `id`/),
    });
    expect(results.anonymous).toEqual({
      ok: false,
      error: expect.stringMatching(/^Not allowed to call list_customers \(HTTP 401\)/),
    });
    // The browser reports the refused requests themselves, and nothing else (no CSP report).
    expect(problems).toHaveLength(2);
    for (const problem of problems) expect(problem).toMatch(/^Failed to load resource: .* (400|401) /);
    await page.close();
    expect(await served.stop()).toBe(0);
  }, 30_000);
});
