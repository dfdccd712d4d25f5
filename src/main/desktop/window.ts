// The Portico window: created on demand (tray "Open Portico…", a second launch, a portico:// link,
// the dock), hidden to the tray on close, destroyed only on quit. Locked down: isolated, sandboxed,
// no Node, our own page only — links to the web leave for the OS browser, everything else is
// refused, and the page gets no permissions. The decisions are pure functions, tested in Node.
import type { DesktopElectron, WebPreferences, WindowApi, WindowCreateOptions } from './electron-api';
import { DEFAULT_SIZE, MIN_SIZE, restoreBounds } from './window-bounds';

/** The window's web preferences: every isolation Electron offers, nothing opened up. */
export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Whether `url` is our page (any route in its fragment): same scheme, host and path. */
export function isOwnPage(url: string, pageUrl: string): boolean {
  const page = parse(url);
  const own = parse(pageUrl);
  if (!page || !own) return false;
  return page.protocol === own.protocol && page.host === own.host && page.pathname === own.pathname;
}

export type NavigationDecision =
  | { action: 'allow' }
  | { action: 'external'; url: string }
  | { action: 'deny' };

/**
 * What to do when the page navigates or opens a window to `url`: our own page (a route) is
 * allowed; http(s) — a docs link, an OAuth provider's consent page — opens in the OS browser;
 * anything else (file:, javascript:, data:, custom schemes) is refused.
 */
export function handleNavigation(url: string, pageUrl: string): NavigationDecision {
  if (isOwnPage(url, pageUrl)) return { action: 'allow' };
  const target = parse(url);
  if (target && (target.protocol === 'https:' || target.protocol === 'http:') && !target.username) {
    return { action: 'external', url: target.href };
  }
  return { action: 'deny' };
}

/** `pageUrl` showing `route` (e.g. "customers/acme"), or the page as is for no route. */
export function pageAt(pageUrl: string, route: string | undefined): string {
  const base = pageUrl.split('#')[0] ?? pageUrl;
  return route === undefined ? base : `${base}#/${route.replace(/^\/+/, '')}`;
}

export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface WindowDeps {
  electron: Pick<DesktopElectron, 'BrowserWindow' | 'shell' | 'screen' | 'app'>;
  preloadPath: string;
  iconPath: string;
  /** The page: the built renderer's file:// URL, or the dev server's. */
  pageUrl: string;
  /** Where the window's bounds are kept between runs. */
  state: KeyValueStore;
  platform: NodeJS.Platform;
  log: (line: string) => void;
  /** Called after the window is shown (the app shows a start problem's dialog over it). */
  onShown?: (window: WindowApi) => void;
}

export interface WindowManager {
  /** Shows (creating if needed) and focuses the window, at `route` if given. */
  show(route?: string): WindowApi;
  /** The window, if one exists. */
  current(): WindowApi | null;
  /** From now on, closing the window destroys it (the app is quitting). */
  setQuitting(): void;
}

export function windowOptions(
  deps: WindowDeps,
  bounds: ReturnType<typeof restoreBounds>,
): WindowCreateOptions {
  return {
    title: 'Portico',
    ...(bounds ?? DEFAULT_SIZE),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    icon: deps.iconPath,
    autoHideMenuBar: true,
    webPreferences: webPreferences(deps.preloadPath),
  };
}

export function createWindowManager(deps: WindowDeps): WindowManager {
  const { BrowserWindow, shell, screen, app } = deps.electron;
  let window: WindowApi | null = null;
  let quitting = false;
  const mac = deps.platform === 'darwin';

  const openExternal = (url: string) =>
    void shell
      .openExternal(url)
      .catch((error: unknown) => deps.log(`Could not open ${url}: ${String(error)}`));

  const create = (url: string): WindowApi => {
    const bounds = restoreBounds(
      deps.state.get('bounds'),
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const win = new BrowserWindow(windowOptions(deps, bounds));
    const contents = win.webContents;
    // No permission (camera, notifications, clipboard-read, …) is ever granted to the page.
    contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    contents.session.setPermissionCheckHandler(() => false);
    contents.setWindowOpenHandler(({ url: target }) => {
      const decision = handleNavigation(target, deps.pageUrl);
      if (decision.action === 'external') openExternal(decision.url);
      else if (decision.action === 'deny') deps.log(`Refused to open ${target.slice(0, 200)}`);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, target) => {
      const decision = handleNavigation(target, deps.pageUrl);
      if (decision.action === 'allow') return;
      event.preventDefault();
      if (decision.action === 'external') openExternal(decision.url);
      else deps.log(`Refused to navigate to ${target.slice(0, 200)}`);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    win.once('ready-to-show', () => {
      win.show();
      deps.onShown?.(win);
    });
    win.on('close', (event) => {
      if (!win.isMinimized() && !win.isFullScreen()) deps.state.set('bounds', win.getBounds());
      if (quitting) return;
      // A tray app: closing the window hides it; Quit (tray, menu, OS) ends the app.
      event.preventDefault();
      win.hide();
      if (mac) app.dock?.hide();
    });
    win.on('closed', () => {
      if (window === win) window = null;
    });
    void win.loadURL(url).catch((error: unknown) => deps.log(`Could not load the window: ${String(error)}`));
    return win;
  };

  return {
    show(route) {
      if (mac) void app.dock?.show();
      if (!window || window.isDestroyed()) {
        window = create(pageAt(deps.pageUrl, route));
        return window;
      }
      // A route on the page already loaded is a same-document (fragment) navigation.
      if (route !== undefined) void window.loadURL(pageAt(deps.pageUrl, route)).catch(() => {});
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      deps.onShown?.(window);
      return window;
    },
    current: () => (window && !window.isDestroyed() ? window : null),
    setQuitting() {
      quitting = true;
    },
  };
}
