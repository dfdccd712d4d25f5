// Launches the built desktop app under Playwright and checks its window. Needs a real
// Electron binary and a display, which many machines (and this project's CI) lack:
// then it is skipped with one line saying why, rather than failing or downloading.
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
  }, 120_000);

  afterAll(async () => {
    await electronApp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a window titled Portico that shows the running gateway', async () => {
    electronApp = await _electron.launch({
      // Always explicit: without it Playwright requires the `electron` package, which downloads.
      executablePath: decision.electronPath,
      args: [join(root, 'out', 'main', 'index.js')],
      cwd: root,
      env: { ...env, PORTICO_DATA_DIR: dataDir, PORTICO_PORT: '0' },
    });
    const page = await electronApp.firstWindow();
    await page.locator('h1', { hasText: 'Portico' }).waitFor();
    expect(await page.title()).toBe('Portico');
    // The status comes through the preload's IPC from the core started by main.
    await page.getByText(/Listening on http:\/\/127\.0\.0\.1:\d+/).waitFor();
    // This tsconfig has no DOM lib, hence globalThis rather than window.
    const bridged = await page.evaluate(
      () => typeof (globalThis as { portico?: { getStatus?: unknown } }).portico?.getStatus,
    );
    expect(bridged).toBe('function');
    // userData is the core's data dir, so the desktop app and the CLI share a workspace.
    expect(await electronApp.evaluate(({ app }) => app.getPath('userData'))).toBe(dataDir);
  });

  it('quits cleanly, closing the core', async () => {
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
