// Main-side handlers for the preload's channels, and the change events it subscribes to.
// Everything from the renderer is `unknown` until checked, and only our own page may call: a
// navigated-away or embedded frame gets an error, not the admin registry. Electron's ipcMain and
// the windows are passed in, so this runs (and is tested) without Electron.
import { z } from 'zod';
import type { PorticoStatus } from '../../preload/api';
import { IPC_CHANNELS } from '../../preload/channels';
import { type CallResult, isToolName, type ToolName } from '../../shared/registry';
import type { PorticoApp } from '../core/app';

/** What the handlers read of an invoke event (Electron's IpcMainInvokeEvent). */
export interface InvokeEvent {
  senderFrame: { parent: unknown; url: string } | null;
}

/** The part of Electron's ipcMain used here. */
export interface IpcRegistrar {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** A window's web contents, as far as change events go. */
export interface ChangeTarget {
  getURL(): string;
  isDestroyed(): boolean;
  send(channel: string): void;
}

export interface IpcDeps {
  /** Resolves once the core listens; rejects with the reason it could not start. */
  core: Promise<PorticoApp>;
  /** Whether a frame URL is the app's own renderer page. */
  isTrustedUrl: (url: string) => boolean;
  ipcMain: IpcRegistrar;
  /** The web contents of the open windows (change events go to those showing our page). */
  targets: () => readonly ChangeTarget[];
}

/** At most one change event per this many ms; a burst of writes ends with one more. */
export const CHANGE_INTERVAL_MS = 100;

/** What registry.call(name, input) sends: a known tool's name and a JSON object (the registry checks the rest). */
const callArgs = z.tuple([
  z.custom<ToolName>(isToolName, { error: 'name must be an admin tool\'s, e.g. "list_customers"' }),
  z.record(z.string(), z.unknown(), { error: 'input must be a JSON object of arguments, e.g. {}' }),
]);

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a URL is our page; an empty or odd one (a window still loading) is not. */
function isTrusted(deps: IpcDeps, url: string): boolean {
  try {
    return deps.isTrustedUrl(url);
  } catch {
    return false;
  }
}

function assertTrusted(event: InvokeEvent, deps: IpcDeps): void {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || !isTrusted(deps, frame.url)) {
    throw new Error('Portico IPC is only available to the Portico window');
  }
}

async function callTool(deps: IpcDeps, args: unknown[]): Promise<CallResult> {
  const parsed = callArgs.safeParse(args);
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'invalid arguments';
    return { ok: false, error: `registry.call(name, input): ${problem}.` };
  }
  const [name, input] = parsed.data;
  try {
    return await (await deps.core).callTool(name, input, 'ipc');
  } catch (error) {
    return { ok: false, error: message(error) };
  }
}

async function getStatus(deps: IpcDeps): Promise<PorticoStatus> {
  try {
    const core = await deps.core;
    return {
      running: true,
      url: core.url,
      planes: core.planes(),
      customers: Object.keys(core.store.data.customers).length,
    };
  } catch (error) {
    return { running: false, error: message(error) };
  }
}

/**
 * `fn` at most once per `intervalMs`: the first call runs at once, calls within the interval
 * after it run once more at its end, so the last change is never lost.
 */
export function throttle(fn: () => void, intervalMs: number): { (): void; cancel(): void } {
  let last = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    last = Date.now();
    fn();
  };
  const throttled = () => {
    if (timer) return;
    const wait = last + intervalMs - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  throttled.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return throttled;
}

/** Registers the handlers and forwards workspace changes; returns a function that undoes both. */
export function registerIpc(deps: IpcDeps): () => void {
  deps.ipcMain.handle(IPC_CHANNELS.callTool, (event, ...args) => {
    assertTrusted(event, deps);
    return callTool(deps, args);
  });
  deps.ipcMain.handle(IPC_CHANNELS.getStatus, (event) => {
    assertTrusted(event, deps);
    return getStatus(deps);
  });
  const notify = throttle(() => {
    for (const target of deps.targets()) {
      if (!target.isDestroyed() && isTrusted(deps, target.getURL())) target.send(IPC_CHANNELS.changed);
    }
  }, CHANGE_INTERVAL_MS);
  let disposed = false;
  let offChange: (() => void) | undefined;
  deps.core.then(
    (core) => {
      if (!disposed) offChange = core.onChange(notify);
    },
    () => {}, // a core that did not start changes nothing; getStatus reports why
  );
  return () => {
    disposed = true;
    offChange?.();
    notify.cancel();
    deps.ipcMain.removeHandler(IPC_CHANNELS.callTool);
    deps.ipcMain.removeHandler(IPC_CHANNELS.getStatus);
  };
}
