// Electron main process: lifecycle only. Everything the app does is in src/main/desktop (with
// Electron passed in, so it is tested in Node against a fake) around the headless core
// (src/main/core); this file hands it the real Electron, the paths and the desktop-only store.
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as electron from 'electron';
import Store from 'electron-store';
import { defaultClientContext } from './core/clients';
import { defaultDataDir } from './core/util/paths';
import { startDesktop } from './desktop/desktop-app';
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

async function main(): Promise<void> {
  const dataDir = defaultDataDir();
  // Desktop-only state (window bounds, a port picked after a clash), beside the workspace.
  const store = new Store<Record<string, unknown>>({ name: 'desktop-state', cwd: dataDir });
  const desktop = await startDesktop({
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
    registerProtocol: process.env.PORTICO_E2E !== '1',
    core: { clientConfigs: defaultClientContext() },
    log,
    // The one line tests and scripts wait for.
    ready: (url) => console.log(`Portico ready ${url}`),
  });
  if (!desktop.primary) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => electron.app.quit());
  // Playwright (test/e2e/electron-app.test.ts) clicks tray items through this, only when asked for.
  if (process.env.PORTICO_E2E === '1') {
    Object.assign(globalThis, { __porticoE2E: { clickTray: (id: string) => desktop.tray?.click(id) } });
  }
}

main().catch((error: unknown) => {
  log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  electron.app.exit(1);
});
