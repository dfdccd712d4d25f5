// The one fake of Electron's main-process API the desktop shell uses (src/main/desktop/electron-api.ts):
// app (single-instance lock, login items, quit with before-quit), Tray, Menu, BrowserWindow and its
// webContents and session, ipcMain (invoke with a sender frame, arguments structured-cloned as
// Electron does), shell, Notification, clipboard, safeStorage, screen and dialog. It records what
// the app did, so tests drive the real bindings and look. Plain erasable TypeScript with only
// node: imports: fake-electron-module.mjs loads this file in a child process through Node's type
// stripping, to run the built main bundle without Electron.
import { EventEmitter } from 'node:events';
import type {
  DesktopElectron,
  LoginItemSettingsIn,
  MenuItemOptions,
  MessageBoxOptions,
  NotificationOptions,
  WindowCreateOptions,
} from '../../src/main/desktop/electron-api';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent(): FakeEvent {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

/** One per "machine": the first app to ask holds it; later ones hand their argv to it. */
export class FakeInstanceLock {
  owner: FakeElectron | undefined;
}

export interface FakeOptions {
  argv?: string[];
  lock?: FakeInstanceLock;
  /** safeStorage: true (an OS keychain), false (none), or a Linux backend name. */
  encryption?: boolean | string;
  notificationsSupported?: boolean;
  /** The module variant: app.quit()/exit() end the process, as Electron's do. */
  exitProcess?: boolean;
}

class FakeSession {
  requestHandler:
    | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)
    | null = null;
  checkHandler: (() => boolean) | null = null;
  setPermissionRequestHandler(handler: FakeSession['requestHandler']): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['checkHandler']): void {
    this.checkHandler = handler;
  }
  /** What the page would get asking for `permission`. */
  request(permission: string): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.requestHandler)
        resolve(true); // Electron's default: granted
      else this.requestHandler({}, permission, resolve);
    });
  }
  check(): boolean {
    return this.checkHandler ? this.checkHandler() : true;
  }
}

export class FakeWebContents extends EventEmitter {
  readonly session: FakeSession;
  url = '';
  destroyed = false;
  readonly sent: string[] = [];
  openHandler: ((details: { url: string }) => { action: 'deny' | 'allow' }) | undefined;

  constructor(session: FakeSession) {
    super();
    this.session = session;
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string): void {
    this.sent.push(channel);
    this.emit('sent', channel);
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** The page asks to navigate (a link, location.href = …): true when it went ahead. */
  navigate(url: string): boolean {
    const event = fakeEvent();
    this.emit('will-navigate', event, url);
    if (!event.defaultPrevented) this.url = url;
    return !event.defaultPrevented;
  }
  /** The page calls window.open(url): what the handler answered ('allow' when none is set). */
  open(url: string): 'deny' | 'allow' {
    return this.openHandler ? this.openHandler({ url }).action : 'allow';
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly fake: FakeElectron;
  readonly options: WindowCreateOptions;
  readonly webContents: FakeWebContents;
  visible = false;
  destroyed = false;
  minimized = false;
  focused = 0;
  readonly loads: string[] = [];

  constructor(fake: FakeElectron, options: WindowCreateOptions) {
    super();
    this.fake = fake;
    this.options = options;
    this.webContents = new FakeWebContents(fake.defaultSession);
    fake.windows.push(this);
  }
  loadURL(url: string): Promise<void> {
    const first = this.loads.length === 0;
    this.loads.push(url);
    this.webContents.url = url;
    this.fake.changed('load');
    if (first) queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
    this.fake.changed('show');
  }
  hide(): void {
    this.visible = false;
    this.fake.changed('hide');
  }
  focus(): void {
    this.focused += 1;
    this.fake.changed('focus');
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFullScreen(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getBounds() {
    return {
      x: this.options.x ?? 10,
      y: this.options.y ?? 10,
      width: this.options.width,
      height: this.options.height,
    };
  }
  /** The user (or the OS) closes the window: true when it was destroyed, false when kept (hidden). */
  close(): boolean {
    const event = fakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
    return true;
  }
}

export class FakeMenu {
  readonly items: MenuItemOptions[];
  constructor(items: MenuItemOptions[]) {
    this.items = items;
  }
  find(id: string, items: MenuItemOptions[] = this.items): MenuItemOptions | undefined {
    for (const item of items) {
      if (item.id === id) return item;
      const inner = item.submenu && this.find(id, item.submenu);
      if (inner) return inner;
    }
    return undefined;
  }
  /** Clicks an item as the user would; throws when it is missing or has no click handler. */
  click(id: string): void {
    const item = this.find(id);
    if (!item?.click) throw new Error(`no clickable menu item ${id}`);
    item.click();
  }
}

export class FakeTray extends EventEmitter {
  readonly fake: FakeElectron;
  image: string;
  toolTip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  readonly images: string[] = [];
  constructor(fake: FakeElectron, image: string) {
    super();
    this.fake = fake;
    this.image = image;
    this.images.push(image);
    fake.trays.push(this);
  }
  setImage(image: string): void {
    this.image = image;
    this.images.push(image);
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  setContextMenu(menu: object | null): void {
    this.menu = menu instanceof FakeMenu ? menu : null;
    this.fake.changed('menu');
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class FakeApp extends EventEmitter {
  readonly fake: FakeElectron;
  name = 'Electron';
  readonly paths = new Map<string, string>();
  readonly protocols: { protocol: string; path?: string; args?: string[] }[] = [];
  loginItem: LoginItemSettingsIn = { openAtLogin: false };
  wasOpenedAtLogin = false;
  quitRequests = 0;
  quitted = false;
  exitCode: number | undefined;
  dockVisible = false;
  readonly dock = {
    show: async () => {
      this.dockVisible = true;
    },
    hide: () => {
      this.dockVisible = false;
    },
  };

  constructor(fake: FakeElectron) {
    super();
    this.fake = fake;
  }
  requestSingleInstanceLock(): boolean {
    const lock = this.fake.lock;
    if (!lock.owner || lock.owner === this.fake) {
      lock.owner = this.fake;
      return true;
    }
    // Electron hands the second launch's argv to the first instance.
    const first = lock.owner;
    const argv = [...this.fake.argv];
    setImmediate(() => first.app.emit('second-instance', fakeEvent(), argv, process.cwd()));
    return false;
  }
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    this.protocols.push({ protocol, ...(path ? { path } : {}), ...(args ? { args } : {}) });
    return true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  quit(): void {
    this.quitRequests += 1;
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    this.quitted = true;
    this.emit('will-quit', fakeEvent());
    this.emit('quit');
    if (this.fake.exitProcess) process.exit(0);
  }
  exit(code = 0): void {
    this.exitCode = code;
    if (this.fake.exitProcess) process.exit(code);
  }
  getPath(name: string): string {
    return this.paths.get(name) ?? `/tmp/fake-electron-${name}`;
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  getVersion(): string {
    return '45.0.0-fake';
  }
  setName(name: string): void {
    this.name = name;
  }
  setAppUserModelId(_id: string): void {}
  getLoginItemSettings(options?: { args?: string[] }) {
    const sameArgs = JSON.stringify(options?.args ?? []) === JSON.stringify(this.loginItem.args ?? []);
    return {
      openAtLogin: Boolean(this.loginItem.openAtLogin) && sameArgs,
      wasOpenedAtLogin: this.wasOpenedAtLogin,
    };
  }
  setLoginItemSettings(settings: LoginItemSettingsIn): void {
    this.loginItem = { ...settings };
  }
}

type Handler = (
  event: { senderFrame: { parent: unknown; url: string } | null },
  ...args: unknown[]
) => unknown;

export class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** ipcRenderer.invoke from a frame: the arguments are structured-cloned, as Electron does. */
  async invoke(
    frame: { url: string; parent?: unknown } | null,
    channel: string,
    ...args: unknown[]
  ): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const senderFrame = frame ? { url: frame.url, parent: frame.parent ?? null } : null;
    return handler({ senderFrame }, ...structuredClone(args));
  }
}

export interface FakeNotification {
  title: string;
  body: string;
  /** The buttons asked for (macOS and Windows show them). */
  actions: { type: 'button'; text: string }[];
  shown: boolean;
  click(): void;
  /** The user clicks the button at `index`, as Electron reports it. */
  action(index: number): void;
}

export class FakeElectron {
  readonly argv: string[];
  readonly lock: FakeInstanceLock;
  readonly exitProcess: boolean;
  readonly app: FakeApp;
  readonly ipcMain = new FakeIpcMain();
  readonly defaultSession = new FakeSession();
  readonly trays: FakeTray[] = [];
  readonly windows: FakeBrowserWindow[] = [];
  readonly notifications: FakeNotification[] = [];
  readonly opened: string[] = [];
  readonly dialogs: MessageBoxOptions[] = [];
  /** How the next message boxes are answered (button index); default: the cancel button. */
  readonly dialogAnswers: number[] = [];
  clipboardText = '';
  notificationsSupported: boolean;
  encryption: boolean | string;
  readonly events = new EventEmitter();

  constructor(options: FakeOptions = {}) {
    this.argv = options.argv ?? ['electron', '.'];
    this.lock = options.lock ?? new FakeInstanceLock();
    this.exitProcess = options.exitProcess ?? false;
    this.notificationsSupported = options.notificationsSupported ?? true;
    this.encryption = options.encryption ?? true;
    this.app = new FakeApp(this);
  }

  /** The Electron modules, shaped as the desktop shell wants them. */
  api(): DesktopElectron & Record<string, unknown> {
    const fake = this;
    const Notification = class {
      readonly record: FakeNotification;
      static isSupported(): boolean {
        return fake.notificationsSupported;
      }
      readonly #listeners = new EventEmitter();
      constructor(options: NotificationOptions) {
        const listeners = this.#listeners;
        this.record = {
          title: options.title,
          body: options.body,
          actions: options.actions ?? [],
          shown: false,
          click: () => listeners.emit('click'),
          action: (index: number) => {
            const event = { ...fakeEvent(), actionIndex: index, selectionIndex: -1 };
            listeners.emit('action', event, index);
          },
        };
      }
      on(event: 'click' | 'action', listener: (...args: never[]) => void): unknown {
        return this.#listeners.on(event, listener as (...args: unknown[]) => void);
      }
      show(): void {
        this.record.shown = true;
        fake.notifications.push(this.record);
        fake.changed('notification');
      }
    };
    return {
      app: this.app,
      Tray: class extends FakeTray {
        constructor(image: string) {
          super(fake, image);
        }
      },
      Menu: { buildFromTemplate: (template: MenuItemOptions[]) => new FakeMenu(template) },
      BrowserWindow: class extends FakeBrowserWindow {
        constructor(options: WindowCreateOptions) {
          super(fake, options);
        }
        static getAllWindows() {
          return fake.windows.filter((w) => !w.destroyed);
        }
      },
      ipcMain: this.ipcMain,
      shell: {
        openExternal: async (url: string) => {
          fake.opened.push(url);
          fake.changed('open-external');
        },
      },
      Notification,
      clipboard: {
        writeText: (text: string) => {
          fake.clipboardText = text;
          fake.changed('clipboard');
        },
      },
      safeStorage: {
        isEncryptionAvailable: () => fake.encryption !== false,
        getSelectedStorageBackend: () =>
          typeof fake.encryption === 'string'
            ? fake.encryption
            : fake.encryption
              ? 'gnome_libsecret'
              : 'unknown',
        encryptString: (plain: string) => {
          if (fake.encryption === false) throw new Error('Encryption is not available.');
          return Buffer.from(`fake-os-sealed:${Buffer.from(plain).toString('base64')}`);
        },
        decryptString: (sealed: Buffer) => {
          const text = sealed.toString();
          if (!text.startsWith('fake-os-sealed:'))
            throw new Error('Error while decrypting the ciphertext provided');
          return Buffer.from(text.slice('fake-os-sealed:'.length), 'base64').toString();
        },
      },
      screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
      dialog: {
        showMessageBox: async (options: MessageBoxOptions) => {
          fake.dialogs.push(options);
          fake.changed('dialog');
          return { response: fake.dialogAnswers.shift() ?? options.cancelId ?? 0 };
        },
      },
    };
  }

  /** Something observable happened (a menu built, a notification shown…): `until` checks again. */
  changed(kind: string): void {
    this.events.emit('change', kind);
  }

  /**
   * Resolves with `check()`'s first truthy answer, checking now and after every observable change
   * (no polling); rejects naming `what` if that does not come within `timeoutMs`.
   */
  until<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const test = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = check();
        } catch {
          value = undefined;
        }
        if (!value) return false;
        this.events.off('change', test);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.events.off('change', test);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      if (!test()) this.events.on('change', test);
    });
  }

  /** The tray's current menu (throws when there is none). */
  menu(): FakeMenu {
    const menu = this.trays.at(-1)?.menu;
    if (!menu) throw new Error('the tray has no menu');
    return menu;
  }

  /** The newest window that is not destroyed. */
  window(): FakeBrowserWindow | undefined {
    return this.windows.filter((w) => !w.destroyed).at(-1);
  }
}

export function createFakeElectron(options: FakeOptions = {}): FakeElectron {
  return new FakeElectron(options);
}
