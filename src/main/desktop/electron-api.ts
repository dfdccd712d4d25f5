// The part of Electron's main-process API the desktop shell uses, as plain structural types. The
// real `electron` module is passed in by src/main/index.ts (the compiler checks it fits); tests
// pass test/helpers/fake-electron.ts. Nothing in src/main/desktop imports 'electron' at runtime.

export interface PreventableEvent {
  preventDefault(): void;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LoginItemSettingsIn {
  openAtLogin?: boolean;
  args?: string[];
}

export interface AppApi {
  requestSingleInstanceLock(): boolean;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  whenReady(): Promise<void>;
  quit(): void;
  exit(exitCode?: number): void;
  getPath(name: 'userData'): string;
  setPath(name: 'userData', path: string): void;
  setName(name: string): void;
  setAppUserModelId(id: string): void;
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
  setLoginItemSettings(settings: LoginItemSettingsIn): void;
  readonly dock?: { show(): Promise<void>; hide(): void } | undefined;
  on(event: 'second-instance', listener: (event: PreventableEvent, argv: string[]) => void): unknown;
  on(event: 'open-url', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed' | 'activate', listener: () => void): unknown;
}

export interface MenuItemOptions {
  id?: string;
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  checked?: boolean;
  enabled?: boolean;
  submenu?: MenuItemOptions[];
  click?: () => void;
}

/** A built menu: opaque to us, handed back to the tray. */
export type MenuHandle = object;

export interface TrayApi {
  setImage(image: string): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: MenuHandle | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface SessionApi {
  setPermissionRequestHandler(
    handler:
      | ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void)
      | null,
  ): void;
  setPermissionCheckHandler(handler: (() => boolean) | null): void;
}

export interface WebContentsApi {
  readonly session: SessionApi;
  getURL(): string;
  isDestroyed(): boolean;
  send(channel: string): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
}

export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
}

export interface WindowCreateOptions {
  title: string;
  width: number;
  height: number;
  x?: number;
  y?: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  icon: string;
  autoHideMenuBar: boolean;
  webPreferences: WebPreferences;
}

export interface WindowApi {
  readonly webContents: WebContentsApi;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isFullScreen(): boolean;
  isDestroyed(): boolean;
  getBounds(): Rect;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export interface MessageBoxOptions {
  type?: 'none' | 'info' | 'error' | 'question' | 'warning';
  title?: string;
  message: string;
  detail?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
  noLink?: boolean;
}

export interface SafeStorageApi {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface NotificationOptions {
  title: string;
  body: string;
  /** Buttons (shown on macOS and Windows; elsewhere only a click on the notification works). */
  actions?: { type: 'button'; text: string }[];
}

/** Electron's main-process modules, as far as the desktop shell uses them. */
export interface DesktopElectron {
  app: AppApi;
  Tray: new (image: string) => TrayApi;
  Menu: { buildFromTemplate(template: MenuItemOptions[]): MenuHandle };
  BrowserWindow: new (options: WindowCreateOptions) => WindowApi;
  ipcMain: {
    handle(
      channel: string,
      listener: (
        event: { senderFrame: { parent: unknown; url: string } | null },
        ...args: unknown[]
      ) => unknown,
    ): void;
    removeHandler(channel: string): void;
  };
  shell: { openExternal(url: string): Promise<void> };
  Notification: { isSupported(): boolean } & (new (
    options: NotificationOptions,
  ) => {
    show(): void;
    on(event: 'click', listener: () => void): unknown;
    /** A button of `actions` was clicked (macOS, Windows): its index, in `details` (and, deprecated, after it). */
    on(
      event: 'action',
      listener: (details: { actionIndex?: number } | undefined, actionIndex?: number) => void,
    ): unknown;
  });
  clipboard: { writeText(text: string): void };
  safeStorage: SafeStorageApi;
  screen: { getAllDisplays(): { workArea: Rect }[] };
  dialog: { showMessageBox(options: MessageBoxOptions): Promise<{ response: number }> };
}
