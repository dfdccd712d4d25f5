// The Portico window, created on demand (tray "Open Portico…", a second launch, the
// dock) and destroyed on close: the tray app keeps running without it.
import { app, BrowserWindow, screen, shell } from 'electron';
import Store from 'electron-store';
import { DEFAULT_SIZE, MIN_SIZE, restoreBounds } from './window-bounds';

export interface WindowOptions {
  preloadPath: string;
  iconPath: string;
  /** The renderer dev server (electron-vite dev), or undefined to load the built page. */
  rendererUrl: string | undefined;
  rendererFile: string;
}

export interface WindowManager {
  show(): BrowserWindow;
}

function isExternalLink(url: string): boolean {
  return url.startsWith('https://') || url.startsWith('http://');
}

export function createWindowManager(options: WindowOptions): WindowManager {
  let window: BrowserWindow | null = null;
  // Desktop-only state lives in electron-store, apart from the workspace database.
  const state = new Store<{ bounds?: unknown }>({ name: 'window-state' });

  const create = (): BrowserWindow => {
    const bounds = restoreBounds(
      state.get('bounds'),
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const win = new BrowserWindow({
      title: 'Portico',
      ...(bounds ?? DEFAULT_SIZE),
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      icon: options.iconPath,
      autoHideMenuBar: true,
      webPreferences: {
        preload: options.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
      },
    });
    win.once('ready-to-show', () => win.show());
    // The page never navigates or opens windows itself; links leave for the browser.
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (isExternalLink(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    win.webContents.on('will-navigate', (event, url) => {
      event.preventDefault();
      if (isExternalLink(url) && !url.startsWith(options.rendererUrl ?? '\0')) void shell.openExternal(url);
    });
    win.on('close', () => {
      if (!win.isMinimized() && !win.isFullScreen()) state.set('bounds', win.getBounds());
    });
    win.on('closed', () => {
      window = null;
      // A menu-bar app on macOS: the dock icon only while a window is open.
      if (process.platform === 'darwin') app.dock?.hide();
    });
    if (options.rendererUrl) void win.loadURL(options.rendererUrl);
    else void win.loadFile(options.rendererFile);
    return win;
  };

  return {
    show() {
      if (process.platform === 'darwin') void app.dock?.show();
      window ??= create();
      if (window.isMinimized()) window.restore();
      if (window.isVisible()) window.focus();
      return window;
    },
  };
}
