// The window through the fake Electron: its security settings, the navigation handler (our page
// stays, the web goes to the OS browser, anything else is refused), no permissions, hide to the tray
// on close (destroyed only when quitting), routes, and bounds kept between runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createWindowManager,
  handleNavigation,
  isOwnPage,
  type KeyValueStore,
  pageAt,
  webPreferences,
} from '../../src/main/desktop/window';
import { createFakeElectron, fakeEvent } from '../helpers/fake-electron';

const PAGE = 'file:///opt/Portico/resources/app.asar/out/renderer/index.html';

function memoryStore(
  initial: Record<string, unknown> = {},
): KeyValueStore & { data: Record<string, unknown> } {
  const data = { ...initial };
  return {
    data,
    get: (key) => data[key],
    set: (key, value) => {
      data[key] = value;
    },
  };
}

function setUp(platform: NodeJS.Platform = 'linux', state = memoryStore()) {
  const fake = createFakeElectron();
  const logs: string[] = [];
  const shown: number[] = [];
  const windows = createWindowManager({
    electron: fake.api(),
    preloadPath: '/opt/Portico/out/preload/index.cjs',
    iconPath: '/opt/Portico/resources/icon.png',
    pageUrl: PAGE,
    state,
    platform,
    log: (line) => logs.push(line),
    onShown: () => shown.push(1),
  });
  return { fake, windows, logs, shown, state };
}

describe('the window’s security settings', () => {
  it('isolates the page: context isolation, sandbox, no Node, web security, no webviews', () => {
    const { fake, windows } = setUp();
    windows.show();
    const win = fake.window();
    expect(win?.options.webPreferences).toEqual(webPreferences('/opt/Portico/out/preload/index.cjs'));
    expect(win?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(win?.options).toMatchObject({
      title: 'Portico',
      show: false,
      icon: '/opt/Portico/resources/icon.png',
    });
    const attach = fakeEvent();
    win?.webContents.emit('will-attach-webview', attach);
    expect(attach.defaultPrevented).toBe(true);
  });

  it('denies every permission the page asks for', async () => {
    const { fake, windows } = setUp();
    windows.show();
    const session = fake.window()?.webContents.session;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(await session?.request(permission), permission).toBe(false);
    }
    expect(session?.check()).toBe(false);
  });
});

describe('the page’s Content-Security-Policy', () => {
  it('allows only our own bundled script and styles: no inline script, no eval, no remote origin', () => {
    const html = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script element
  });
});

describe('navigation', () => {
  it('decides: our page stays, http(s) goes to the OS browser, anything else is refused', () => {
    expect(handleNavigation(`${PAGE}#/customers/acme`, PAGE)).toEqual({ action: 'allow' });
    expect(handleNavigation('https://github.com/login/oauth/authorize?x=1', PAGE)).toEqual({
      action: 'external',
      url: 'https://github.com/login/oauth/authorize?x=1',
    });
    expect(handleNavigation('http://127.0.0.1:7430/connect?token=t', PAGE)).toMatchObject({
      action: 'external',
    });
    for (const url of [
      'file:///etc/passwd',
      'file:///opt/Portico/resources/app.asar/out/renderer/other.html',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'portico://open',
      'smb://host/share',
      'https://user:pw@example.com/',
      'not a url',
    ]) {
      expect(handleNavigation(url, PAGE), url).toEqual({ action: 'deny' });
    }
    // Development: the renderer dev server is our page.
    expect(isOwnPage('http://localhost:5173/#/clients', 'http://localhost:5173')).toBe(true);
    expect(isOwnPage('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(pageAt(`${PAGE}#/old`, 'customers/acme')).toBe(`${PAGE}#/customers/acme`);
    expect(pageAt(PAGE, undefined)).toBe(PAGE);
  });

  it('holds the page to our page and hands web links to the OS browser', () => {
    const { fake, windows, logs } = setUp();
    windows.show();
    const contents = fake.window()!.webContents;
    expect(contents.navigate(`${PAGE}#/activity`)).toBe(true);
    expect(contents.navigate('https://docs.example.com/mcp')).toBe(false);
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.navigate('javascript:alert(1)')).toBe(false);
    expect(contents.getURL()).toBe(`${PAGE}#/activity`);
    // window.open: never a new Electron window; an OAuth consent page opens in the browser.
    expect(contents.open('https://accounts.example.com/o/oauth2/auth?client_id=x')).toBe('deny');
    expect(contents.open('file:///tmp/x.html')).toBe('deny');
    expect(fake.opened).toEqual([
      'https://docs.example.com/mcp',
      'https://accounts.example.com/o/oauth2/auth?client_id=x',
    ]);
    expect(logs).toEqual([
      'Refused to navigate to file:///etc/passwd',
      'Refused to navigate to javascript:alert(1)',
      'Refused to open file:///tmp/x.html',
    ]);
  });
});

describe('show, hide to the tray, quit', () => {
  it('opens at a route, and an open window moves to another route and comes to the front', async () => {
    const { fake, windows, shown } = setUp();
    windows.show('customers/acme');
    const win = fake.window()!;
    expect(win.loads).toEqual([`${PAGE}#/customers/acme`]);
    await Promise.resolve(); // ready-to-show
    expect(win.visible).toBe(true);
    expect(shown).toHaveLength(1);
    windows.show('clients');
    expect(fake.windows).toHaveLength(1);
    expect(win.loads.at(-1)).toBe(`${PAGE}#/clients`);
    expect(win.focused).toBe(1);
    windows.show();
    expect(win.loads).toHaveLength(2); // no route: the page stays where it is
  });

  it('closing hides the window (the app stays in the tray); once quitting, closing destroys it', async () => {
    const { fake, windows, state } = setUp('darwin');
    windows.show();
    const win = fake.window()!;
    await Promise.resolve();
    expect(fake.app.dockVisible).toBe(true);
    expect(win.close()).toBe(false);
    expect(win.visible).toBe(false);
    expect(win.destroyed).toBe(false);
    expect(fake.app.dockVisible).toBe(false);
    expect(state.data.bounds).toEqual({ x: 10, y: 10, width: 960, height: 680 });
    expect(windows.show()).toBe(win); // the same window again
    expect(win.visible).toBe(true);
    windows.setQuitting();
    expect(win.close()).toBe(true);
    expect(windows.current()).toBeNull();
  });

  it('reopens where it was left, if that is still on a screen', () => {
    const { fake, windows } = setUp(
      'linux',
      memoryStore({ bounds: { x: 100, y: 50, width: 1000, height: 700 } }),
    );
    windows.show();
    expect(fake.window()?.options).toMatchObject({ x: 100, y: 50, width: 1000, height: 700 });
    const other = setUp('linux', memoryStore({ bounds: { x: 5000, y: 5000, width: 1000, height: 700 } }));
    other.windows.show();
    expect(other.fake.window()?.options).toMatchObject({ width: 960, height: 680 });
    expect(other.fake.window()?.options.x).toBeUndefined();
  });
});
