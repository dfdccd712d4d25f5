// Electron main process: lifecycle only. The gateway itself is the headless core
// (src/main/core); this file adds the single-instance lock, the tray, the window and
// OS-protected secrets around it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain } from 'electron';
import { type PorticoApp, startPortico } from './core/app';
import { defaultClientContext } from './core/clients';
import type { KeyProvider } from './core/store/secrets';
import { defaultDataDir } from './core/util/paths';
import { clientsAddFor } from './desktop/clients-add';
import { registerIpc } from './desktop/ipc';
import { SafeStorageKeyProvider } from './desktop/safe-storage-key';
import { createTray, type PorticoTray } from './desktop/tray';
import { createWindowManager } from './desktop/window';

const here = import.meta.dirname; // out/main once built
const resourcesDir = join(here, '../../resources');
const rendererDir = join(here, '../renderer');
const rendererFile = join(rendererDir, 'index.html');
const rendererUrl = process.env.ELECTRON_RENDERER_URL;

/** Longest we wait for the core to drain on quit before exiting anyway. */
const CLOSE_TIMEOUT_MS = 8_000;

function log(line: string): void {
  console.error(`Portico: ${line}`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Our own renderer page, and nothing else, may use the IPC surface. */
function isTrustedUrl(url: string): boolean {
  const page = new URL(url);
  const expected = new URL(rendererUrl ?? pathToFileURL(rendererFile).href);
  return (
    page.origin === expected.origin && (rendererUrl !== undefined || page.pathname === expected.pathname)
  );
}

function pickKeyProvider(): KeyProvider | undefined {
  try {
    return new SafeStorageKeyProvider(log);
  } catch (error) {
    // Say which protection secrets get instead; get_gateway_status reports it too.
    log(
      `${errorText(error)}. Secrets use the headless key store (a mode-0600 key file in the data dir) instead.`,
    );
    return undefined;
  }
}

function portFromEnv(): number | undefined {
  const raw = process.env.PORTICO_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined;
}

async function main(dataDir: string): Promise<void> {
  const windows = createWindowManager({
    preloadPath: join(here, '../preload/index.cjs'),
    iconPath: join(resourcesDir, 'icon.png'),
    rendererUrl,
    rendererFile,
  });
  let core: PorticoApp | null = null;
  let coreError: string | undefined;
  let tray: PorticoTray | null = null;

  // A tray app outlives its window: registering this listener cancels the default quit.
  app.on('window-all-closed', () => {});
  await app.whenReady();
  // Windows can only be created once ready, so these come after it.
  app.on('second-instance', () => windows.show());
  app.on('activate', () => windows.show());
  // safeStorage answers only after 'ready'.
  const corePromise = startPortico({
    dataDir,
    port: portFromEnv(),
    keyProvider: pickKeyProvider(),
    staticDir: rendererDir,
    clientConfigs: defaultClientContext(),
  });
  corePromise.catch(() => {}); // failures are handled below; this keeps them from being "unhandled"
  registerIpc({
    core: corePromise,
    isTrustedUrl,
    ipcMain,
    // The window, when open, hears of workspace changes (throttled in registerIpc).
    targets: () => BrowserWindow.getAllWindows().map((window) => window.webContents),
  });

  let closed = false;
  let closing = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    const drain = corePromise
      .then((running) => running.close())
      .catch((error: unknown) => log(errorText(error)));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
    void Promise.race([drain, timeout]).finally(() => {
      closed = true;
      tray?.destroy();
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  tray = createTray({
    resourcesDir,
    core: () => core,
    error: () => coreError,
    openWindow: () => windows.show(),
    quit: () => app.quit(),
    runClientsAdd: clientsAddFor(() => core),
  });
  // `--hidden` is for starting at login: tray only, no window.
  if (!process.argv.includes('--hidden')) windows.show();

  try {
    core = await corePromise;
    log(`listening on ${core.url} (data dir ${dataDir})`);
    core.onChange(() => tray?.refresh());
  } catch (error) {
    coreError = errorText(error);
    log(`the gateway did not start: ${coreError}`);
  }
  tray.refresh();
}

app.setName('Portico');
if (process.platform === 'win32') app.setAppUserModelId('dev.portico.app');
// The desktop app and the `portico` CLI share one workspace: userData is the core's data dir.
const dataDir = defaultDataDir();
app.setPath('userData', dataDir);

if (!app.requestSingleInstanceLock()) {
  // The running instance gets 'second-instance' and shows its window.
  app.quit();
} else {
  main(dataDir).catch((error: unknown) => {
    log(`could not start: ${errorText(error)}`);
    app.exit(1);
  });
}
