// The desktop window's IPC, main side, on a real core, through the fake ipcMain (which clones the
// arguments as Electron does). Checked: only our own top-level page may call (another URL, a
// subframe, no frame are refused); the name must be a tool's; the input a plain JSON object of
// bounded size — refused in IPC before it reaches the registry, which then checks the tool's
// schema; change events reach only our page, at most once per 100 ms.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PorticoApp } from '../../src/main/core/app';
import {
  CHANGE_INTERVAL_MS,
  type ChangeTarget,
  inputLimit,
  jsonProblem,
  NOT_OUR_WINDOW,
  registerIpc,
  throttle,
} from '../../src/main/desktop/ipc';
import { isOwnPage } from '../../src/main/desktop/window';
import { IPC_CHANNELS } from '../../src/preload/channels';
import { FakeIpcMain } from '../helpers/fake-electron';
import { startTestGateway } from '../helpers/gateway';

const PAGE = 'file:///opt/Portico/resources/app/out/renderer/index.html';
const isTrustedUrl = (url: string) => isOwnPage(url, PAGE);
const ourPage = { url: `${PAGE}#/customers` };

/** A window's web contents that records the events sent to it; next() waits for the next one. */
function fakeTarget(url: string, destroyed = false) {
  const received: string[] = [];
  let waiting: ((channel: string) => void) | undefined;
  const target: ChangeTarget = {
    getURL: () => url,
    isDestroyed: () => destroyed,
    send: (channel) => {
      received.push(channel);
      waiting?.(channel);
    },
  };
  const next = () => new Promise<string>((resolve) => (waiting = resolve));
  return { target, received, next };
}

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway?.app.close());

describe('registry calls over IPC', () => {
  let dispose: (() => void) | undefined;
  afterEach(() => dispose?.());

  const setUp = (core: () => Promise<PorticoApp> = () => Promise.resolve(gateway.app)) => {
    const ipcMain = new FakeIpcMain();
    dispose = registerIpc({
      core,
      onChange: (listener) => gateway.app.onChange(listener),
      isTrustedUrl,
      ipcMain,
      targets: () => [],
    });
    const call = (...args: unknown[]) => ipcMain.invoke(ourPage, IPC_CHANNELS.callTool, ...args);
    return { ipcMain, call };
  };

  it('runs a call from our page through the registry, recorded as entry point ipc', async () => {
    const { call } = setUp();
    const created = await call('create_customer', { id: 'ipc-1', name: 'IPC' });
    expect(created).toEqual({ ok: true, value: expect.objectContaining({ id: 'ipc-1', name: 'IPC' }) });
    const activity = await call('list_activity', { tool: 'create_customer' });
    expect(activity).toMatchObject({ ok: true, value: { entries: [{ entry_point: 'ipc', outcome: 'ok' }] } });
    // An optional field left undefined by a form is absent, as in JSON.
    expect(await call('list_customers', { query: undefined })).toMatchObject({ ok: true });
  });

  it('refuses a name that is not a tool before it reaches the registry', async () => {
    const { call } = setUp();
    for (const name of ['no_such_tool', '__proto__', 'toString', '', 42, null, undefined, { n: 1 }]) {
      expect(await call(name, {}), String(name)).toEqual({
        ok: false,
        error: 'registry.call(name, input): name must be an admin tool\'s, e.g. "list_customers".',
      });
    }
    expect(await call('list_customers')).toMatchObject({ ok: false, error: /exactly two arguments/ });
    expect(await call('list_customers', {}, 'extra')).toMatchObject({ ok: false, error: /exactly two/ });
  });

  it('refuses input that is not a plain JSON object, naming what is wrong; nothing is written', async () => {
    const { call } = setUp();
    for (const input of [undefined, null, 'acme', 42, [], ['acme'], new Date(0), new Map()]) {
      expect(await call('create_customer', input), String(input)).toEqual({
        ok: false,
        error: 'registry.call(name, input): input must be a JSON object of arguments, e.g. {}.',
      });
    }
    const nested: [unknown, RegExp][] = [
      [{ id: 'x', name: new Date(0) }, /input\.name is a Date, not JSON data/],
      [{ id: 'x', name: 'X', extra: new Map([[1, 2]]) }, /input\.extra is a Map/],
      [{ id: 'x', name: Number.NaN }, /input\.name is not a finite number/],
      [{ id: 'x', name: [1, 2n] }, /input\.name\[1\] is a BigInt/],
    ];
    for (const [input, message] of nested) {
      expect(await call('create_customer', input)).toMatchObject({ ok: false, error: message });
    }
    // The registry's own schema check comes next, for everything that is JSON.
    expect(await call('create_customer', { id: 'x y', name: 'X' })).toEqual({
      ok: false,
      error: expect.stringMatching(/^Invalid arguments for create_customer: `id`/),
    });
    expect(gateway.app.store.data.customers.x).toBeUndefined();
  });

  it('refuses input over the body limit (an OpenAPI import gets the larger document limit)', async () => {
    const { call } = setUp();
    const limit = gateway.app.store.data.settings.bodyLimitBytes;
    const big = { id: 'big', name: 'x'.repeat(limit) };
    expect(await call('create_customer', big)).toEqual({
      ok: false,
      error: expect.stringMatching(/^registry\.call\(name, input\): input is \d+ bytes; the limit is \d+/),
    });
    expect(gateway.app.store.data.customers.big).toBeUndefined();
    expect(inputLimit('import_openapi', limit)).toBeGreaterThan(limit);
    expect(inputLimit('create_customer', limit)).toBe(limit);
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 100; i += 1) {
      const next: Record<string, unknown> = {};
      cursor.a = next;
      cursor = next;
    }
    expect(jsonProblem(deep)).toMatch(/nests deeper than 64 levels/);
  });

  it('answers only our own top-level page: not another URL, a subframe, a page still loading, or no frame', async () => {
    const { ipcMain } = setUp();
    const strangers = [
      null,
      { url: PAGE, parent: { url: PAGE } },
      { url: 'https://example.com/' },
      { url: 'file:///tmp/evil.html' },
      { url: `${PAGE.replace('index.html', 'other.html')}` },
      { url: '' },
    ];
    for (const frame of strangers) {
      await expect(
        ipcMain.invoke(frame, IPC_CHANNELS.callTool, 'list_customers', {}),
        JSON.stringify(frame),
      ).rejects.toThrow(NOT_OUR_WINDOW);
    }
  });

  it('reports a core that did not start, and calls the core of the moment', async () => {
    let current: () => Promise<PorticoApp> = () => Promise.reject(new Error('Port 7430 is in use'));
    const { call } = setUp(() => current());
    expect(await call('list_customers', {})).toEqual({ ok: false, error: 'Port 7430 is in use' });
    current = () => Promise.resolve(gateway.app);
    expect(await call('list_customers', {})).toMatchObject({ ok: true });
  });

  it('unregisters cleanly', () => {
    const { ipcMain } = setUp();
    expect([...ipcMain.handlers.keys()]).toEqual([IPC_CHANNELS.callTool]);
    dispose?.();
    dispose = undefined;
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('workspace change events', () => {
  it('go to our page only, and stop once unregistered', async () => {
    const ipcMain = new FakeIpcMain();
    const page = fakeTarget(`${PAGE}#/`);
    const elsewhere = fakeTarget('https://example.com/');
    const loading = fakeTarget('');
    const closed = fakeTarget(PAGE, true);
    const dispose = registerIpc({
      core: () => Promise.resolve(gateway.app),
      onChange: (listener) => gateway.app.onChange(listener),
      isTrustedUrl,
      ipcMain,
      targets: () => [page.target, elsewhere.target, loading.target, closed.target],
    });
    const event = page.next();
    await gateway.app.client('internal').call('create_customer', { id: 'changes-1', name: 'Changes' });
    expect(await event).toBe(IPC_CHANNELS.changed);
    expect([elsewhere.received, loading.received, closed.received]).toEqual([[], [], []]);

    dispose();
    const before = page.received.length;
    await gateway.app.client('internal').call('create_customer', { id: 'changes-2', name: 'Changes' });
    expect(page.received).toHaveLength(before);
  });
});

describe('throttle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at once, folds a burst into one more run at the end of the interval, and can be cancelled', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const throttled = throttle(fn, CHANGE_INTERVAL_MS);
    throttled();
    expect(fn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i += 1) throttled();
    vi.advanceTimersByTime(CHANGE_INTERVAL_MS - 1);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(10 * CHANGE_INTERVAL_MS);
    expect(fn).toHaveBeenCalledTimes(2);
    throttled();
    expect(fn).toHaveBeenCalledTimes(3);
    throttled();
    throttled.cancel();
    vi.advanceTimersByTime(10 * CHANGE_INTERVAL_MS);
    expect(fn).toHaveBeenCalledTimes(3);
  });
});
