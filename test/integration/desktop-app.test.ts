// The desktop app's real bindings (startDesktop: tray, window, IPC, notifications, lifecycle)
// driven through the fake Electron, on a REAL core and real clients: clicks reach the registry as
// the tray, a plane toggle makes an MCP SDK client get 503 and then service again, "Add to …"
// writes the client's file and says so, a second launch hands its portico:// link over, a taken
// port or a running `portico serve` is said and can be got out of, Quit drains the core.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import { type DesktopApp, startDesktop } from '../../src/main/desktop/desktop-app';
import { NOT_OUR_WINDOW } from '../../src/main/desktop/ipc';
import { IPC_CHANNELS } from '../../src/preload/channels';
import { serve } from '../helpers/cli';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { createFakeElectron, type FakeElectron, FakeInstanceLock } from '../helpers/fake-electron';
import { bearer, connectClient, initializeBody, rawPost } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

const PAGE = 'file:///opt/Portico/out/renderer/index.html';

interface Launch {
  fake: FakeElectron;
  desktop: DesktopApp;
  logs: string[];
  ready: string[];
  dataDir: string;
  state: Map<string, unknown>;
  quit(): Promise<void>;
}

const running: Launch[] = [];
afterEach(async () => {
  for (const launch of running.splice(0)) await launch.quit();
});

async function launch(
  options: {
    dataDir?: string;
    argv?: string[];
    env?: NodeJS.ProcessEnv;
    lock?: FakeInstanceLock;
    encryption?: boolean | string;
    state?: Map<string, unknown>;
    before?: (fake: FakeElectron) => void;
  } = {},
): Promise<Launch> {
  const fake = createFakeElectron({
    argv: options.argv ?? ['portico', '--hidden'],
    lock: options.lock,
    encryption: options.encryption,
  });
  options.before?.(fake);
  const logs: string[] = [];
  const ready: string[] = [];
  const dataDir = options.dataDir ?? tempDir();
  const state = options.state ?? new Map<string, unknown>();
  const desktop = await startDesktop({
    electron: fake.api(),
    dataDir,
    argv: fake.argv,
    env: options.env ?? { PORTICO_PORT: '0', XDG_CONFIG_HOME: join(dataDir, 'xdg') },
    platform: 'linux',
    resourcesDir: '/opt/Portico/resources',
    trayIcon: (icon) => `/opt/Portico/resources/tray-${icon}.png`,
    pageUrl: PAGE,
    preloadPath: '/opt/Portico/out/preload/index.cjs',
    state: {
      get: (key) => state.get(key),
      set: (key, value) => {
        state.set(key, value);
        fake.changed('state');
      },
    },
    launcher: { execPath: '/opt/Portico/portico', appArgs: [] },
    registerProtocol: true,
    core: { host: '127.0.0.1', log: (line) => logs.push(line) },
    log: (line) => {
      logs.push(line);
      fake.changed('log');
    },
    ready: (url) => {
      ready.push(url);
      fake.changed('ready');
    },
  });
  let quitting: Promise<void> | undefined;
  const result: Launch = {
    fake,
    desktop,
    logs,
    ready,
    dataDir,
    state,
    quit: () => {
      quitting ??= (async () => {
        if (!desktop.primary) return;
        fake.app.quit();
        await desktop.closed;
      })();
      return quitting;
    },
  };
  running.push(result);
  return result;
}

const label = (fake: FakeElectron, id: string) => fake.menu().find(id)?.label;
const checked = (fake: FakeElectron, id: string) => fake.menu().find(id)?.checked;

function coreOf(l: Launch) {
  const app = l.desktop.core?.app;
  if (!app) throw new Error('the core is not running');
  return app;
}

async function call(l: Launch, name: string, args: unknown) {
  const result = await coreOf(l).callTool(name, args, 'internal');
  if (!result.ok) throw new Error(result.error);
  return result.value as Record<string, unknown>;
}

/** A port some other program listens on. */
async function occupiedPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the tray on a real core', () => {
  it('shows where it runs, and its plane toggle switches the data plane for a real MCP client', async () => {
    const l = await launch();
    const { fake } = l;
    const app = coreOf(l);
    expect(l.ready).toEqual([app.url]);
    await fake.until('the running menu', () => label(fake, 'status') === `Running at ${app.url}`);
    expect(fake.trays[0]?.image).toBe('/opt/Portico/resources/tray-running.png');
    expect(fake.trays[0]?.toolTip).toBe(`Portico — ${app.url}`);
    expect(fake.windows).toEqual([]); // started with --hidden: tray only

    await call(l, 'create_customer', { id: 'acme', name: 'Acme Corp' });
    await fake.until('acme in the tray', () => fake.menu().find('customer:acme'));
    const key = app.store.mutate((ws) => mintKey(ws, { name: 'sdk', scope: 'gateway' })).key;
    const gatewayUrl = `${app.url}/mcp/gateway?customer_id=acme`;
    const client: Client = await connectClient(gatewayUrl, bearer(key));
    await client.listTools();

    fake.menu().click('plane:gateway');
    await fake.until('the gateway plane off', () => checked(fake, 'plane:gateway') === false);
    expect(fake.trays[0]?.image).toBe('/opt/Portico/resources/tray-plane-off.png');
    await expect(client.listTools()).rejects.toThrow(/The customer gateway \(data plane\) is switched off/);
    const fresh = await rawPost(gatewayUrl, initializeBody, bearer(key));
    expect(fresh.status).toBe(503);

    fake.menu().click('plane:gateway');
    await fake.until('the gateway plane on', () => checked(fake, 'plane:gateway') === true);
    expect((await client.listTools()).tools).toEqual([]);
    await client.close();

    // The clicks reached the registry as the tray; the menu's own reads are not activity.
    const tray = await call(l, 'list_activity', { entry_point: 'tray' });
    expect((tray.entries as { tool: string }[]).map((e) => e.tool)).toEqual([
      'set_plane_enabled',
      'set_plane_enabled',
    ]);
    expect(app.planes()).toEqual({ admin: true, gateway: true });
  });

  it('counts calls and errors today, lists every client and customer, copies the admin URL, opens the window', async () => {
    const l = await launch();
    const { fake } = l;
    const app = coreOf(l);
    const admin = await connectClient(
      `${app.url}/mcp/admin`,
      bearer(app.store.mutate((ws) => mintKey(ws, { name: 'a', scope: 'admin' })).key),
    );
    await admin.callTool({ name: 'list_customers', arguments: {} });
    const failed = await admin.callTool({ name: 'get_customer', arguments: { customer_id: 'nobody' } });
    expect(failed.isError).toBe(true);
    await admin.close();
    await fake.until('the stats line', () =>
      /^Today: \d+ calls, 1 error$/.test(label(fake, 'status:today') ?? ''),
    );

    // Every client Portico can configure, as list_client_configs gives them — no list of our own.
    const listed = await call(l, 'list_client_configs', {});
    const ids = (listed.clients as { client: string }[]).map((c) => c.client);
    expect(
      fake
        .menu()
        .find('add:admin')
        ?.submenu?.map((i) => i.id),
    ).toEqual(ids.map((id) => `add:admin:${id}`));

    fake.menu().click('copy-admin-url');
    expect(fake.clipboardText).toBe(`${app.url}/mcp/admin`);

    fake.menu().click('open');
    const win = await fake.until('the window', () => fake.window()?.visible && fake.window());
    expect(win.loads).toEqual([PAGE]);
    expect(win.close()).toBe(false); // hidden to the tray
    expect(win.visible).toBe(false);
    expect(l.desktop.core?.state.phase).toBe('running');
  });

  it('"Add to Cursor" for the admin plane and a customer writes the file through add_client_config and says so', async () => {
    const l = await launch();
    const { fake } = l;
    const config = join(tempDir(), 'cursor', 'mcp.json');
    const saved = process.env.PORTICO_CURSOR_CONFIG;
    process.env.PORTICO_CURSOR_CONFIG = config;
    try {
      await call(l, 'create_customer', { id: 'acme', name: 'Acme Corp' });
      await fake.until('acme in the tray', () => fake.menu().find('add:gateway:acme:cursor'));
      fake.menu().click('add:admin:cursor');
      const added = await fake.until('a notification', () => fake.notifications[0]);
      expect(added.title).toBe('Added to Cursor');
      expect(added.body).toContain(`portico-admin in ${config} with a new key.`);
      expect(added.body).not.toMatch(/ptc_/);
      fake.menu().click('add:gateway:acme:cursor');
      const second = await fake.until('a second notification', () => fake.notifications[1]);
      expect(second.body).toContain(`portico-acme in ${config}`);
      const servers = JSON.parse(readFileSync(config, 'utf8')).mcpServers;
      expect(Object.keys(servers).sort()).toEqual(['portico-acme', 'portico-admin']);
      const client = await connectClient(servers['portico-admin'].url, servers['portico-admin'].headers);
      expect((await client.listTools()).tools.length).toBeGreaterThan(10);
      await client.close();

      // A file Portico cannot parse is left alone, and the failure is the notification.
      writeFileSync(config, '{ "mcpServers": ');
      fake.menu().click('add:admin:cursor');
      const failed = await fake.until('a failure notification', () => fake.notifications[2]);
      expect(failed.title).toBe('Could not add Portico to Cursor');
      expect(readFileSync(config, 'utf8')).toBe('{ "mcpServers": ');
      const activity = await call(l, 'list_activity', { entry_point: 'tray', tool: 'add_client_config' });
      expect(activity.entries).toHaveLength(3);
    } finally {
      if (saved === undefined) delete process.env.PORTICO_CURSOR_CONFIG;
      else process.env.PORTICO_CURSOR_CONFIG = saved;
    }
  });

  it('Start at login: off by default, toggled from the tray, starting hidden', async () => {
    const l = await launch();
    const { fake } = l;
    const file = join(l.dataDir, 'xdg', 'autostart', 'portico.desktop');
    expect(checked(fake, 'start-at-login')).toBe(false);
    fake.menu().click('start-at-login');
    await fake.until('start at login on', () => checked(fake, 'start-at-login') === true);
    expect(readFileSync(file, 'utf8')).toContain('Exec=/opt/Portico/portico --hidden');
    fake.menu().click('start-at-login');
    await fake.until('start at login off', () => checked(fake, 'start-at-login') === false);
    expect(existsSync(file)).toBe(false);
  });

  it('the window calls the registry over IPC from our page only, and hears changes', async () => {
    const l = await launch({ argv: ['portico'] });
    const { fake } = l;
    const win = await fake.until('the window', () => fake.window()?.visible && fake.window());
    const frame = { url: win.webContents.getURL() };
    expect(
      await fake.ipcMain.invoke(frame, IPC_CHANNELS.callTool, 'create_customer', { id: 'w', name: 'W' }),
    ).toMatchObject({
      ok: true,
    });
    await fake.until('a change event', () => win.webContents.sent.includes(IPC_CHANNELS.changed));
    await expect(
      fake.ipcMain.invoke({ url: frame.url, parent: frame }, IPC_CHANNELS.callTool, 'list_customers', {}),
    ).rejects.toThrow(NOT_OUR_WINDOW);
    await expect(
      fake.ipcMain.invoke({ url: 'https://evil.example/' }, IPC_CHANNELS.callTool, 'list_customers', {}),
    ).rejects.toThrow(NOT_OUR_WINDOW);
  });

  it('Quit drains the core: the data dir is released and the port closed', async () => {
    const l = await launch();
    const app = coreOf(l);
    expect(existsSync(join(l.dataDir, 'server.json'))).toBe(true);
    await l.quit();
    expect(l.fake.app.quitted).toBe(true);
    expect(l.desktop.core?.state.phase).toBe('stopped');
    expect(existsSync(join(l.dataDir, 'server.json'))).toBe(false);
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
    expect(l.fake.trays[0]?.destroyed).toBe(true);
  });
});

describe('single instance', () => {
  it('a second launch hands its portico:// link to the first, which shows that page; then quits', async () => {
    const lock = new FakeInstanceLock();
    const first = await launch({ lock });
    expect(first.fake.app.protocols).toEqual([
      { protocol: 'portico', path: '/opt/Portico/portico', args: [] },
    ]);
    const second = await launch({ lock, argv: ['portico', 'portico://open/customers/acme'] });
    expect(second.desktop.primary).toBe(false);
    expect(second.fake.app.quitRequests).toBe(1);
    expect(second.fake.trays).toEqual([]);
    const win = await first.fake.until(
      'the window at the link',
      () => first.fake.window()?.visible && first.fake.window(),
    );
    expect(win.loads).toEqual([`${PAGE}#/customers/acme`]);

    // A plain second launch focuses it; macOS hands links over with 'open-url'.
    await launch({ lock, argv: ['portico'] });
    await first.fake.until('focused', () => win.focused > 0);
    first.fake.app.emit('open-url', { preventDefault() {} }, 'portico://open?page=activity');
    expect(win.loads.at(-1)).toBe(`${PAGE}#/activity`);
    await launch({ lock, argv: ['portico', 'portico://delete/all'] });
    await first.fake.until('the refusal', () =>
      first.logs.find((line) => line.startsWith('Ignored the link portico://delete/all')),
    );
    expect(win.loads).toHaveLength(2);
  });

  it('a first launch by a link opens that page', async () => {
    const l = await launch({ argv: ['portico', 'portico://open/clients'] });
    const win = await l.fake.until('the window', () => l.fake.window());
    expect(win.loads).toEqual([`${PAGE}#/clients`]);
  });
});

describe('when the port is taken', () => {
  it('by another program: the tray says so; "Pick another port" runs on a free one and remembers it', async () => {
    const other = await occupiedPort();
    try {
      const l = await launch({ env: { PORTICO_PORT: String(other.port) } });
      const { fake } = l;
      expect(l.desktop.core?.state).toMatchObject({
        phase: 'failed',
        problem: { kind: 'port-in-use', port: other.port },
      });
      expect(label(fake, 'status')).toBe(`⚠ Port ${other.port} is in use by another program`);
      expect(fake.trays[0]?.image).toBe('/opt/Portico/resources/tray-error.png');
      expect(fake.notifications[0]?.title).toBe(`Port ${other.port} is in use by another program`);
      expect(l.ready).toEqual([]);
      expect(fake.menu().find('problem:use-running')).toBeUndefined();

      fake.menu().click('problem:pick-port');
      const url = await fake.until('ready', () => l.ready[0]);
      const port = Number(new URL(url).port);
      expect(port).not.toBe(other.port);
      await fake.until('the port remembered', () => l.state.get('port') === port);
      await fake.until('the running menu', () => label(fake, 'status') === `Running at ${url}`);
      await l.quit();

      // The next start (no PORTICO_PORT) uses the port picked.
      const again = await launch({ dataDir: l.dataDir, state: l.state, env: {} });
      expect(again.ready).toEqual([`http://127.0.0.1:${port}`]);
    } finally {
      await other.close();
    }
  });

  it('the window says so too, and its dialog offers the same ways out', async () => {
    const other = await occupiedPort();
    try {
      const l = await launch({
        argv: ['portico'],
        env: { PORTICO_PORT: String(other.port) },
        before: (fake) => fake.dialogAnswers.push(0),
      });
      const url = await l.fake.until('ready after the dialog', () => l.ready[0]);
      expect(l.fake.dialogs[0]).toMatchObject({
        type: 'warning',
        message: `Port ${other.port} is in use by another program`,
        buttons: ['Pick another port', 'Try again', 'Close'],
        cancelId: 2,
      });
      expect(Number(new URL(url).port)).not.toBe(other.port);
    } finally {
      await other.close();
    }
  });

  it('by `portico serve` on this data dir: "Use the running server" opens its web UI, signed in', async () => {
    const dataDir = tempDir();
    const served = await serve(['--data-dir', dataDir]);
    let closed = false;
    try {
      const l = await launch({ dataDir });
      const { fake } = l;
      expect(l.desktop.core?.state).toMatchObject({
        phase: 'failed',
        problem: { kind: 'already-running', url: served.url },
      });
      expect(label(fake, 'status')).toBe(`⚠ Portico already runs for this data dir at ${served.url}`);
      expect(fake.menu().find('problem:pick-port')).toBeUndefined();
      // The window's calls say why, too.
      expect(await fake.ipcMain.invoke({ url: PAGE }, IPC_CHANNELS.callTool, 'list_customers', {})).toEqual({
        ok: false,
        error: expect.stringMatching(/^Portico is already running for data dir/),
      });

      fake.menu().click('problem:use-running');
      const link = await fake.until('the browser opened', () => fake.opened[0]);
      expect(link).toMatch(new RegExp(`^${served.url}/#/login\\?token=[A-Za-z0-9_-]{20,}$`));
      const token = new URL(link.replace('#/login?', '?')).searchParams.get('token');
      const signIn = await fetch(`${served.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login_token: token }),
      });
      expect(signIn.status).toBe(200);

      // Once that server stops, "Try again" starts the app's own.
      expect(await served.stop()).toBe(0);
      closed = true;
      fake.menu().click('problem:retry');
      await fake.until('ready', () => l.ready[0]);
      expect(l.desktop.core?.state.phase).toBe('running');
    } finally {
      if (!closed) await served.stop();
    }
  });
});

describe('notifications about connections', () => {
  it('calls failing repeatedly, and a connection turning to error, are told once each', async () => {
    const up = await startEchoUpstream();
    const l = await launch();
    const { fake } = l;
    await call(l, 'create_customer', { id: 'acme', name: 'Acme Corp' });
    const spec = {
      openapi: '3.0.3',
      info: { title: 'Flaky', version: '1' },
      paths: {
        '/status/502': { get: { operationId: 'broken', responses: { '200': { description: 'ok' } } } },
        '/echo/ok': { get: { operationId: 'fine', responses: { '200': { description: 'ok' } } } },
      },
    };
    const imported = await call(l, 'import_openapi', {
      slug: 'flaky',
      name: 'Flaky API',
      spec,
      base_url: up.url,
    });
    const connection = await call(l, 'create_connection', {
      customer_id: 'acme',
      connector_id: imported.connector_id,
      credentials: { token: 'secret-token' },
    });
    const app = coreOf(l);
    const key = app.store.mutate((ws) => mintKey(ws, { name: 'sdk', scope: 'gateway' })).key;
    const client = await connectClient(`${app.url}/mcp/gateway?customer_id=acme`, bearer(key));
    const broken = () => client.callTool({ name: 'flaky__broken', arguments: {} });
    for (let i = 0; i < 4; i += 1) expect((await broken()).isError).toBe(true);
    const told = await fake.until('the failing notice', () => fake.notifications[0]);
    expect(told).toMatchObject({
      title: 'Flaky API calls keep failing',
      body: /^3 calls in a row through Acme Corp's Flaky API connection failed\. Last: .*502/,
    });
    expect((await client.callTool({ name: 'flaky__fine', arguments: {} })).isError).toBeFalsy();
    for (let i = 0; i < 3; i += 1) await broken();
    await fake.until('told again after a success', () => fake.notifications[1]);
    await client.close();

    await call(l, 'test_connection', { connection_id: connection.id });
    const status = await fake.until('the status notice', () => fake.notifications[2]);
    expect(status).toMatchObject({
      title: 'Flaky API connection failing',
      body: expect.stringMatching(/^Acme Corp's Flaky API connection failed: .*502/),
    });
    await call(l, 'test_connection', { connection_id: connection.id }); // still failing: not news
    await call(l, 'create_customer', { id: 'later', name: 'Later' });
    await fake.until('the tray caught up', () => fake.menu().find('customer:later'));
    expect(fake.notifications).toHaveLength(3);
    // A click opens the customer's page.
    status.click();
    const win = await fake.until('the window', () => fake.window());
    expect(win.loads.at(-1)).toBe(`${PAGE}#/customers/acme`);
  });
});

/** A customer with a connection whose credentials must be sealed. */
async function storeASecret(l: Awaited<ReturnType<typeof launch>>): Promise<void> {
  await call(l, 'create_customer', { id: 'acme', name: 'Acme' });
  const up = await startEchoUpstream();
  const imported = await call(l, 'import_openapi', {
    slug: 'e',
    spec: {
      openapi: '3.0.3',
      info: { title: 'E', version: '1' },
      paths: { '/echo/x': { get: { operationId: 'x', responses: { '200': { description: 'ok' } } } } },
    },
    base_url: up.url,
  });
  await call(l, 'create_connection', {
    customer_id: 'acme',
    connector_id: imported.connector_id,
    credentials: { token: 't' },
  });
}

describe('secrets', () => {
  it('without OS encryption: said once, the tray keeps a line, the headless key store is used', async () => {
    const dataDir = tempDir();
    const state = new Map<string, unknown>();
    const l = await launch({ dataDir, state, encryption: false });
    expect(l.fake.notifications.map((n) => n.title)).toEqual(['Secrets are not in the OS keychain']);
    expect(label(l.fake, 'status:secrets')).toMatch(/^⚠ Secrets: no OS keychain/);
    await storeASecret(l);
    const status = await call(l, 'get_gateway_status', {});
    expect(status.secrets).toMatch(/^(keyfile|keyring): /);
    await l.quit();
    const again = await launch({ dataDir, state, encryption: false });
    expect(again.fake.notifications).toEqual([]);
  });

  it('with OS encryption: secrets are sealed by a key safeStorage protects', async () => {
    const l = await launch({ encryption: 'kwallet5' });
    expect(l.fake.notifications).toEqual([]);
    expect(l.fake.menu().find('status:secrets')).toBeUndefined();
    await storeASecret(l);
    expect((await call(l, 'get_gateway_status', {})).secrets).toBe(
      'safeStorage: Electron safeStorage (kwallet5)',
    );
    expect(existsSync(join(l.dataDir, 'secret.key.safe'))).toBe(true);
    expect(existsSync(join(l.dataDir, 'secret.key'))).toBe(false);
  });
});
