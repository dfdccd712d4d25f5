// Electron main process: lifecycle only. Everything the app does is in src/main/desktop (with
// Electron passed in, so it is tested in Node against a fake) around the headless core
// (src/main/core); this file hands it the real Electron, the paths and the desktop-only store.
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as electron from 'electron';
import Store from 'electron-store';
import { defaultClientContext } from './core/clients';
import { defaultDataDir } from './core/util/paths';
import { type DesktopApp, startDesktop } from './desktop/desktop-app';
import { trayIconFiles } from './desktop/tray-icons';

const here = import.meta.dirname; // out/main once built
const resourcesDir = join(here, '../../resources');
const rendererDir = join(here, '../renderer');
const rendererUrl = process.env.ELECTRON_RENDERER_URL;

function log(line: string): void {
  console.error(`Portico: ${line}`);
}

/** How the OS starts this app again (login item, portico:// links): in development, `electron <app dir>`. */
function launcher(): { execPath: string; appArgs: string[] } {
  const appPath = process.defaultApp
    ? process.argv.find((arg, i) => i > 0 && !arg.startsWith('-'))
    : undefined;
  return {
    execPath: process.execPath,
    appArgs: appPath ? [isAbsolute(appPath) ? appPath : resolve(appPath)] : [],
  };
}

/**
 * PORTICO_E2E=1 only: what Playwright (test/e2e/electron-app.test.ts) reaches through
 * electronApp.evaluate — the ready URL, and the tray's items clicked as a user would. Set before
 * anything async, so it exists as soon as the app is.
 */
interface E2eHook {
  ready(): Promise<string>;
  clickTray(id: string): boolean;
}
let desktop: DesktopApp | undefined;
let announceReady: (url: string) => void = () => {};
if (process.env.PORTICO_E2E === '1') {
  const ready = new Promise<string>((resolve) => {
    announceReady = resolve;
  });
  const hook: E2eHook = { ready: () => ready, clickTray: (id) => desktop?.tray?.click(id) ?? false };
  Object.assign(globalThis, { __porticoE2E: hook });
}

async function main(): Promise<void> {
  // Quit drains the gateway, also when the OS or a terminal asks.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => electron.app.quit());
  const dataDir = defaultDataDir();
  // Desktop-only state (window bounds, a port picked after a clash), beside the workspace.
  const store = new Store<Record<string, unknown>>({ name: 'desktop-state', cwd: dataDir });
  desktop = await startDesktop({
    electron,
    dataDir,
    argv: process.argv,
    env: process.env,
    platform: process.platform,
    resourcesDir,
    trayIcon: (state) => join(resourcesDir, trayIconFiles(state, process.platform).file),
    pageUrl: rendererUrl ?? pathToFileURL(join(rendererDir, 'index.html')).href,
    preloadPath: join(here, '../preload/index.cjs'),
    staticDir: rendererDir,
    state: { get: (key) => store.get(key), set: (key, value) => store.set(key, value) },
    launcher: launcher(),
    // Not from tests: it would make the test build the OS's handler for portico:// links.
    registerProtocol: process.env.PORTICO_E2E !== '1',
    core: { clientConfigs: defaultClientContext() },
    log,
    ready: (url) => {
      // The one line scripts wait for.
      console.log(`Portico ready ${url}`);
      announceReady(url);
    },
  });
}

main().catch((error: unknown) => {
  log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  electron.app.exit(1);
});
