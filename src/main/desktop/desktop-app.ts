// The desktop app's lifecycle, with Electron passed in (src/main/index.ts passes the real one,
// tests a fake): one instance per user (a second launch — with or without a portico:// link — is
// handed to the first), the tray, the window (hidden to the tray on close), notifications, the core
// (restartable on another port), secrets through safeStorage when the OS offers it, and Quit that
// drains the gateway.
import { join } from 'node:path';
import type { StartOptions } from '../core/app';
import { startPortico } from '../core/app';
import type { KeyProvider } from '../core/store/secrets';
import { watchApprovals } from './approval-alerts';
import { watchConnections } from './connection-alerts';
import { CoreHost } from './core-host';
import { linkFromArgv, PROTOCOL, parseLink } from './deep-link';
import type { DesktopElectron } from './electron-api';
import { registerIpc, throttle } from './ipc';
import { loginItem, startedHidden } from './login-item';
import { createNotifier, type Notify, secretsFallbackNotice, startFailedNotice } from './notifications';
import { SafeStorageKeyProvider } from './safe-storage-key';
import { problemChoices, problemHeadline } from './start-problem';
import { watchToolChanges } from './tool-change-alerts';
import { createTray, type PorticoTray } from './tray';
import { createTrayActions, type TrayActions } from './tray-actions';
import type { TraySnapshot } from './tray-menu';
import { readRunningView } from './tray-snapshot';
import { createWindowManager, isOwnPage, type KeyValueStore, type WindowManager } from './window';

/** Longest Quit waits for the core to drain before the app exits anyway. */
export const CLOSE_TIMEOUT_MS = 8_000;
/** At most one tray refresh per this many ms for workspace changes (state changes refresh at once). */
export const TRAY_REFRESH_MS = 500;

export interface DesktopOptions {
  electron: DesktopElectron;
  dataDir: string;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Where icons live (resources/). */
  resourcesDir: string;
  /** The tray icon file for a state (tray-icons.ts resolved against resourcesDir). */
  trayIcon: (state: 'running' | 'plane-off' | 'error') => string;
  /** The window's page: the built renderer's file:// URL, or the dev server's. */
  pageUrl: string;
  preloadPath: string;
  /** The built renderer, also served as the web UI. */
  staticDir?: string;
  /** Desktop-only state: the window's bounds, the port picked after a clash, notices shown. */
  state: KeyValueStore;
  /** The command that starts this app (login items, the protocol handler): binary and leading args. */
  launcher: { execPath: string; appArgs: string[] };
  /** Register as the OS's handler for portico:// links (off in tests: it changes the user's OS settings). */
  registerProtocol: boolean;
  /** Passed through to startPortico (tests: host). */
  core?: Pick<StartOptions, 'host' | 'clientConfigs' | 'log'>;
  log: (line: string) => void;
  /** Told the URL each time the gateway is up (the app prints `Portico ready URL`). */
  ready: (url: string) => void;
}

export interface DesktopApp {
  /** False for a second launch: it handed its arguments to the first and is quitting. */
  readonly primary: boolean;
  readonly core: CoreHost | null;
  readonly tray: PorticoTray | null;
  readonly windows: WindowManager | null;
  readonly actions: TrayActions | null;
  /** Settles when the app has finished quitting (the core drained). */
  readonly closed: Promise<void>;
}

function portFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.PORTICO_PORT;
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : undefined;
}

function savedPort(state: KeyValueStore): number | undefined {
  const port = state.get('port');
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65_535 ? port : undefined;
}

/** safeStorage's key provider, or undefined (the headless key store) with the reason said once. */
function pickKeyProvider(o: DesktopOptions, notify: Notify): { provider?: KeyProvider; warning?: string } {
  try {
    return { provider: new SafeStorageKeyProvider(o.electron.safeStorage, o.log, o.platform) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    o.log(`${reason}. Secrets use the headless key store (the OS keyring or a mode-0600 key file) instead.`);
    // Said once per reason, not at every start; the tray keeps a line about it.
    if (o.state.get('secretsNotice') !== reason) {
      notify(secretsFallbackNotice(reason));
      o.state.set('secretsNotice', reason);
    }
    return { warning: 'Secrets: no OS keychain — using the headless key store' };
  }
}

export async function startDesktop(o: DesktopOptions): Promise<DesktopApp> {
  const { app } = o.electron;
  app.setName('Portico');
  if (o.platform === 'win32') app.setAppUserModelId('dev.portico.app');
  // The desktop app and the `portico` CLI share one workspace: userData is the core's data dir.
  app.setPath('userData', o.dataDir);

  if (!app.requestSingleInstanceLock()) {
    // The first instance hears 'second-instance' with this argv (and any portico:// link in it).
    o.log('Portico is already running; handing over to it.');
    app.quit();
    return {
      primary: false,
      core: null,
      tray: null,
      windows: null,
      actions: null,
      closed: Promise.resolve(),
    };
  }
  if (o.registerProtocol) app.setAsDefaultProtocolClient(PROTOCOL, o.launcher.execPath, o.launcher.appArgs);

  // Links can arrive (macOS 'open-url') before the window exists: the last one waits.
  let windows: WindowManager | null = null;
  let pendingRoute: string | null | undefined;
  const openLink = (link: string) => {
    const target = parseLink(link);
    if (!target.ok) return o.log(`Ignored the link ${link.slice(0, 200)}: ${target.reason}.`);
    if (windows) windows.show(target.route ?? undefined);
    else pendingRoute = target.route;
  };
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openLink(url);
  });
  // A second launch: its link, or just the window (shown once it exists).
  app.on('second-instance', (_event, argv) => {
    const link = linkFromArgv(argv);
    if (link) openLink(link);
    else if (windows) windows.show();
    else pendingRoute ??= null;
  });
  // A tray app outlives its window: a listener here cancels the default quit.
  app.on('window-all-closed', () => {});

  await app.whenReady();

  const notify = createNotifier(o.electron, o.log, (route) => windows?.show(route));
  const secrets = pickKeyProvider(o, notify);
  const host = new CoreHost({
    dataDir: o.dataDir,
    start: (port) =>
      startPortico({
        dataDir: o.dataDir,
        port,
        keyProvider: secrets.provider,
        staticDir: o.staticDir,
        ...o.core,
      }),
  });
  const login = loginItem({
    app,
    platform: o.platform,
    execPath: o.launcher.execPath,
    appArgs: o.launcher.appArgs,
    env: o.env,
  });

  let tray: PorticoTray | null = null;
  const actions = createTrayActions({
    electron: o.electron,
    host,
    dataDir: o.dataDir,
    notify,
    login,
    windows: () => windows,
    refresh: () => void tray?.refresh(),
    configuredPort: () => portFromEnv(o.env) ?? savedPort(o.state),
    rememberPort: (port) => o.state.set('port', port),
    log: o.log,
  });
  windows = createWindowManager({
    electron: o.electron,
    preloadPath: o.preloadPath,
    iconPath: join(o.resourcesDir, 'icon.png'),
    pageUrl: o.pageUrl,
    state: o.state,
    platform: o.platform,
    log: o.log,
    onShown: () => actions.offerProblem(),
  });
  const disposeIpc = registerIpc({
    core: () => host.current(),
    onChange: (listener) => {
      const offChange = host.onChange(listener);
      const offState = host.onState(listener);
      return () => {
        offChange();
        offState();
      };
    },
    isTrustedUrl: (url) => isOwnPage(url, o.pageUrl),
    ipcMain: o.electron.ipcMain,
    targets: () => {
      const window = windows?.current();
      return window ? [window.webContents] : [];
    },
  });

  const clientsCache: { clients?: { id: string; name: string }[] } = {};
  const snapshot = async (): Promise<TraySnapshot> => {
    const state = host.state;
    const base: TraySnapshot = {
      phase: state.phase,
      url: null,
      planes: { admin: false, gateway: false },
      today: null,
      clients: clientsCache.clients ?? [],
      customers: [],
      moreCustomers: false,
      approvals: [],
      startAtLogin: { supported: login.supported, enabled: login.supported && login.enabled() },
      ...(secrets.warning ? { secretsWarning: secrets.warning } : {}),
    };
    if (state.phase === 'failed') {
      return {
        ...base,
        problem: { headline: problemHeadline(state.problem), choices: problemChoices(state.problem) },
      };
    }
    if (state.phase !== 'running') return base;
    const view = await readRunningView(state.app.client('tray', { pageView: true }), clientsCache);
    return { ...base, ...view };
  };
  tray = createTray({
    electron: o.electron,
    iconFor: o.trayIcon,
    snapshot,
    dispatch: actions.dispatch,
    openOnClick: o.platform === 'win32',
    log: o.log,
  });

  let stopWatching: (() => void) | undefined;
  host.onState(() => {
    stopWatching?.();
    stopWatching = undefined;
    const state = host.state;
    if (state.phase === 'running') {
      const offConnections = watchConnections(state.app, notify);
      const offApprovals = watchApprovals(state.app, notify);
      const offToolChanges = watchToolChanges(state.app, notify);
      stopWatching = () => {
        offConnections();
        offApprovals();
        offToolChanges();
      };
      o.log(`listening on ${state.app.url} (data dir ${o.dataDir})`);
      o.ready(state.app.url);
    } else if (state.phase === 'failed') {
      notify(startFailedNotice(state.problem));
      if (windows?.current()?.isVisible()) actions.offerProblem();
    }
    void tray?.refresh();
  });
  // Workspace changes and recorded calls come up to 10 times a second under load: the menu needs less.
  const refreshOnChange = throttle(() => void tray?.refresh(), TRAY_REFRESH_MS);
  host.onChange(refreshOnChange);

  app.on('activate', () => windows?.show());

  // Quit (tray, OS, signal): drain the core (in-flight calls finish; at most CLOSE_TIMEOUT_MS), then quit.
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let phase: 'open' | 'draining' | 'done' = 'open';
  app.on('before-quit', (event) => {
    if (phase === 'done') return;
    event.preventDefault();
    if (phase === 'draining') return;
    phase = 'draining';
    refreshOnChange.cancel();
    windows?.setQuitting();
    stopWatching?.();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
    void Promise.race([host.close().catch((error: unknown) => o.log(String(error))), timeout]).finally(() => {
      phase = 'done';
      disposeIpc();
      tray?.destroy();
      resolveClosed();
      app.quit();
    });
  });

  const firstLink = linkFromArgv(o.argv);
  if (firstLink) openLink(firstLink);
  if (pendingRoute !== undefined) windows.show(pendingRoute ?? undefined);
  else if (!startedHidden({ app, platform: o.platform }, o.argv)) windows.show();
  pendingRoute = undefined;

  await host.start(portFromEnv(o.env) ?? savedPort(o.state));
  await tray.refresh();
  return { primary: true, core: host, tray, windows, actions, closed };
}
