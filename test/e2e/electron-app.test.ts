// Launches the built desktop app under Playwright: a temp data dir, tray only (--hidden), waits for
// the ready event the app emits, opens the window through the tray's "Open Portico…" item, and
// drives the Overview page's plane switch. Needs a real Electron binary (node_modules/electron/dist
// or ELECTRON_OVERRIDE_DIST_PATH) and a display, which many machines (and this project's CI) lack:
// then it prints one line saying why it skipped, rather than failing or downloading.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideLaunch } from '../../scripts/launch-decision.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// PORTICO_HEADLESS chooses what `npm start` runs; it says nothing about whether Electron can.
const { PORTICO_HEADLESS: _ignored, ...env } = process.env;
const decision = decideLaunch({
  env,
  platform: process.platform,
  electronDir: join(root, 'node_modules', 'electron'),
});
const skip = decision.mode !== 'electron';
if (skip) console.log(`electron e2e skipped: ${decision.reason}`);

/** What src/main/index.ts exposes to this test (PORTICO_E2E=1), in the main process's globalThis. */
interface E2eHook {
  ready(): Promise<string>;
  clickTray(id: string): boolean;
}
type WithHook = { __porticoE2E: E2eHook };

describe.skipIf(skip)('desktop app (Electron)', () => {
  let dataDir: string;
  let electronApp: ElectronApplication | undefined;

  beforeAll(() => {
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs')], {
      cwd: root,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
    dataDir = mkdtempSync(join(tmpdir(), 'portico-e2e-'));
  }, 180_000);

  afterAll(async () => {
    await electronApp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts in the tray, opens the window from the tray, and switches a plane from the Overview', async () => {
    electronApp = await _electron.launch({
      // Always explicit: without it Playwright requires the `electron` package, which downloads.
      executablePath: decision.electronPath,
      args: [join(root, 'out', 'main', 'index.js'), '--hidden'],
      cwd: root,
      env: { ...env, PORTICO_DATA_DIR: dataDir, PORTICO_PORT: '0', PORTICO_E2E: '1' },
    });
    const app = electronApp;
    // The ready event: the core listens (the app also prints `Portico ready URL`).
    // (Functions passed to evaluate run in the main process: they may use nothing from this file.)
    const url = await app.evaluate(() => (globalThis as unknown as WithHook).__porticoE2E.ready());
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.windows()).toEqual([]); // --hidden: tray only
    // userData is the core's data dir, so the desktop app and the CLI share a workspace.
    expect(await app.evaluate(({ app: electronMain }) => electronMain.getPath('userData'))).toBe(dataDir);

    const opened = app.waitForEvent('window');
    expect(await app.evaluate(() => (globalThis as unknown as WithHook).__porticoE2E.clickTray('open'))).toBe(
      true,
    );
    const page = await opened;
    expect(await page.title()).toBe('Portico');
    // Only the typed registry client and the change subscription cross the bridge.
    const bridged = await page.evaluate(() =>
      Object.keys((globalThis as { portico?: object }).portico ?? {}).sort(),
    );
    expect(bridged).toEqual(['onChange', 'registry']);

    const gateway = page.getByRole('switch', { name: 'Customer gateway (data plane) on or off' });
    await gateway.waitFor();
    expect(await gateway.getAttribute('aria-checked')).toBe('true');
    await gateway.click();
    await page
      .getByRole('switch', { name: 'Customer gateway (data plane) on or off', checked: false })
      .waitFor();
    const health = (await (await fetch(`${url}/healthz`)).json()) as { planes: { gateway: boolean } };
    expect(health.planes.gateway).toBe(false);
    await gateway.click();
    await page
      .getByRole('switch', { name: 'Customer gateway (data plane) on or off', checked: true })
      .waitFor();
  });

  it('quits cleanly, draining the core', async () => {
    const app = electronApp!;
    const child = app.process();
    const exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await app.close();
    await exited;
    electronApp = undefined;
    // The core releases its claim on the data dir when it closes.
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
  });
});
