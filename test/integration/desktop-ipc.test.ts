// The desktop window's IPC, main side, on a real core: Electron itself cannot run here, so its
// ipcMain, the invoke event and the window's web contents are the smallest fakes the handlers
// accept. Checked: the sender frame, a known tool name, a JSON object as input, and change events
// that reach only our page, at most once per 100 ms.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PorticoApp } from '../../src/main/core/app';
import {
  CHANGE_INTERVAL_MS,
  type ChangeTarget,
  type InvokeEvent,
  type IpcRegistrar,
  registerIpc,
  throttle,
} from '../../src/main/desktop/ipc';
import { IPC_CHANNELS } from '../../src/preload/channels';
import { startTestGateway } from '../helpers/gateway';

const PAGE = 'file:///opt/Portico/resources/app/out/renderer/index.html';
const isTrustedUrl = (url: string) => new URL(url).href === PAGE;
const fromPage: InvokeEvent = { senderFrame: { parent: null, url: PAGE } };

type Listener = (event: InvokeEvent, ...args: unknown[]) => unknown;

/** Electron's ipcMain as far as the handlers go: channel → listener; invoke() runs one. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcRegistrar = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = async (channel: string, event: InvokeEvent, ...args: unknown[]) => {
    const listener = handlers.get(channel);
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    return listener(event, ...args);
  };
  return { ipcMain, handlers, invoke };
}

/** A window's web contents that records the events sent to it; next() waits for the next one. */
function fakeWindow(url: string, destroyed = false) {
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

  const setUp = (core: Promise<PorticoApp> = Promise.resolve(gateway.app)) => {
    const ipc = fakeIpcMain();
    dispose = registerIpc({ core, isTrustedUrl, ipcMain: ipc.ipcMain, targets: () => [] });
    return ipc;
  };

  it('runs a call from our page through the registry, recorded as entry point ipc', async () => {
    const { invoke } = setUp();
    const created = await invoke(IPC_CHANNELS.callTool, fromPage, 'create_customer', {
      id: 'ipc-1',
      name: 'IPC',
    });
    expect(created).toEqual({ ok: true, value: expect.objectContaining({ id: 'ipc-1', name: 'IPC' }) });
    const activity = await invoke(IPC_CHANNELS.callTool, fromPage, 'list_activity', {
      tool: 'create_customer',
    });
    expect(activity).toMatchObject({ ok: true, value: { entries: [{ entry_point: 'ipc', outcome: 'ok' }] } });
    expect(await invoke(IPC_CHANNELS.getStatus, fromPage)).toEqual({
      running: true,
      url: gateway.app.url,
      planes: { admin: true, gateway: true },
      customers: 1,
    });
  });

  it('refuses a name that is not a tool before it reaches the registry', async () => {
    const { invoke } = setUp();
    for (const name of [
      'no_such_tool',
      '__proto__',
      'toString',
      '',
      42,
      null,
      undefined,
      { name: 'list_customers' },
    ]) {
      expect(await invoke(IPC_CHANNELS.callTool, fromPage, name, {}), String(name)).toEqual({
        ok: false,
        error: 'registry.call(name, input): name must be an admin tool\'s, e.g. "list_customers".',
      });
    }
  });

  it('refuses input that is not a JSON object; the registry checks the rest', async () => {
    const { invoke } = setUp();
    for (const input of [undefined, null, 'acme', 42, [], ['acme'], new Date(0)]) {
      expect(await invoke(IPC_CHANNELS.callTool, fromPage, 'list_customers', input), String(input)).toEqual({
        ok: false,
        error: 'registry.call(name, input): input must be a JSON object of arguments, e.g. {}.',
      });
    }
    expect(await invoke(IPC_CHANNELS.callTool, fromPage, 'list_customers', {}, 'extra')).toMatchObject({
      ok: false,
    });
    const invalid = await invoke(IPC_CHANNELS.callTool, fromPage, 'create_customer', {
      id: 'x y',
      name: 'X',
    });
    expect(invalid).toEqual({
      ok: false,
      error: expect.stringMatching(/^Invalid arguments for create_customer: `id`/),
    });
  });

  it('answers only our own top-level page', async () => {
    const { invoke } = setUp();
    const strangers: InvokeEvent[] = [
      { senderFrame: null },
      { senderFrame: { parent: { url: PAGE }, url: PAGE } },
      { senderFrame: { parent: null, url: 'https://example.com/' } },
      { senderFrame: { parent: null, url: '' } },
    ];
    for (const event of strangers) {
      await expect(invoke(IPC_CHANNELS.callTool, event, 'list_customers', {})).rejects.toThrow(
        'Portico IPC is only available to the Portico window',
      );
      await expect(invoke(IPC_CHANNELS.getStatus, event)).rejects.toThrow(
        'Portico IPC is only available to the Portico window',
      );
    }
  });

  it('reports a core that did not start', async () => {
    const failed = Promise.reject(new Error('port 7430 is in use'));
    const { invoke } = setUp(failed);
    expect(await invoke(IPC_CHANNELS.getStatus, fromPage)).toEqual({
      running: false,
      error: 'port 7430 is in use',
    });
    expect(await invoke(IPC_CHANNELS.callTool, fromPage, 'list_customers', {})).toEqual({
      ok: false,
      error: 'port 7430 is in use',
    });
  });
});

describe('workspace change events', () => {
  it('go to our page only, and stop once unregistered', async () => {
    const ipc = fakeIpcMain();
    const page = fakeWindow(PAGE);
    const elsewhere = fakeWindow('https://example.com/');
    const loading = fakeWindow('');
    const closed = fakeWindow(PAGE, true);
    const dispose = registerIpc({
      core: Promise.resolve(gateway.app),
      isTrustedUrl,
      ipcMain: ipc.ipcMain,
      targets: () => [page.target, elsewhere.target, loading.target, closed.target],
    });
    await Promise.resolve(); // the core is subscribed to once it has resolved
    const event = page.next();
    await gateway.app.client('internal').call('create_customer', { id: 'changes-1', name: 'Changes' });
    expect(await event).toBe(IPC_CHANNELS.changed);
    expect([elsewhere.received, loading.received, closed.received]).toEqual([[], [], []]);

    dispose();
    expect(ipc.handlers.size).toBe(0);
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
    // Quiet for a full interval: the next change goes out at once.
    throttled();
    expect(fn).toHaveBeenCalledTimes(3);
    throttled();
    throttled.cancel();
    vi.advanceTimersByTime(10 * CHANGE_INTERVAL_MS);
    expect(fn).toHaveBeenCalledTimes(3);
  });
});
