// Main-side handler for the preload's one channel, and the change events it subscribes to.
// Everything from the renderer is `unknown` until checked, and only our own top-level page may
// call: a navigated-away or embedded frame gets an error, not the admin registry. The input must be
// a plain JSON object of bounded size before it reaches the registry, which then checks it against
// the tool's zod schema (as for every caller). Electron's ipcMain and the windows are passed in, so
// this runs (and is tested) without Electron.
import { IPC_CHANNELS } from '../../preload/channels';
import { type CallResult, isToolName } from '../../shared/registry';
import type { PorticoApp } from '../core/app';
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../core/connectors/openapi/fetch';

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
  /** The core now: resolves once it runs; rejects with the reason it does not. */
  core: () => Promise<PorticoApp>;
  /** Subscribes to "the window should refetch" (workspace changes, the core restarting). */
  onChange: (listener: () => void) => () => void;
  /** Whether a frame URL is the app's own renderer page. */
  isTrustedUrl: (url: string) => boolean;
  ipcMain: IpcRegistrar;
  /** The web contents of the open windows (change events go to those showing our page). */
  targets: () => readonly ChangeTarget[];
}

/** At most one change event per this many ms; a burst of writes ends with one more. */
export const CHANGE_INTERVAL_MS = 100;

/** How deep an input may nest (JSON Schema documents nest, but not this deep). */
const MAX_DEPTH = 64;

export const NOT_OUR_WINDOW = 'Portico IPC is only available to the Portico window';

/** The largest input a call may carry: the workspace's body limit, as over /api (imports get more). */
export function inputLimit(tool: string, bodyLimit: number): number {
  return tool === 'import_openapi'
    ? Math.max(bodyLimit, Math.ceil(DEFAULT_MAX_DOCUMENT_BYTES * 1.3))
    : bodyLimit;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Why `value` is not plain JSON data (objects, arrays, strings, finite numbers, booleans, null), or undefined. */
export function jsonProblem(value: unknown, path = 'input', depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return `${path} nests deeper than ${MAX_DEPTH} levels`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is not a finite number`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const problem = jsonProblem(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      // An absent optional field often arrives as undefined from a page's form state: JSON drops it.
      if (inner === undefined) continue;
      const problem = jsonProblem(inner, `${path}.${key}`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  const kind =
    value === undefined ? 'undefined' : (Object.getPrototypeOf(value)?.constructor?.name ?? typeof value);
  return `${path} is ${kind === 'undefined' ? 'undefined' : `a ${kind}`}, not JSON data`;
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
  const frame = event?.senderFrame;
  if (!frame || frame.parent !== null || !isTrusted(deps, frame.url)) throw new Error(NOT_OUR_WINDOW);
}

const refused = (problem: string): CallResult => ({
  ok: false,
  error: `registry.call(name, input): ${problem}.`,
});

/** Checks one call's arguments: the tool's name and its input when they are fine, else the refusal. */
function checkCall(args: unknown[], bodyLimit: number): { name: string; input: unknown } | CallResult {
  if (args.length !== 2) return refused('takes exactly two arguments, a tool name and an input object');
  const [name, input] = args;
  if (!isToolName(name)) return refused('name must be an admin tool\'s, e.g. "list_customers"');
  if (!isPlainObject(input)) return refused('input must be a JSON object of arguments, e.g. {}');
  const problem = jsonProblem(input);
  if (problem) return refused(problem);
  const limit = inputLimit(name, bodyLimit);
  const bytes = Buffer.byteLength(JSON.stringify(input));
  if (bytes > limit)
    return refused(`input is ${bytes} bytes; the limit is ${limit} (settings.bodyLimitBytes)`);
  return { name, input };
}

async function callTool(deps: IpcDeps, args: unknown[]): Promise<CallResult> {
  let core: PorticoApp;
  try {
    core = await deps.core();
  } catch (error) {
    return { ok: false, error: message(error) };
  }
  const checked = checkCall(args, core.store.data.settings.bodyLimitBytes);
  if ('ok' in checked) return checked;
  try {
    return await core.callTool(checked.name, checked.input, 'ipc');
  } catch (error) {
    return { ok: false, error: message(error) };
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

/** Registers the handler and forwards workspace changes; returns a function that undoes both. */
export function registerIpc(deps: IpcDeps): () => void {
  deps.ipcMain.handle(IPC_CHANNELS.callTool, (event, ...args: unknown[]) => {
    assertTrusted(event, deps);
    return callTool(deps, args);
  });
  const notify = throttle(() => {
    for (const target of deps.targets()) {
      if (!target.isDestroyed() && isTrusted(deps, target.getURL())) target.send(IPC_CHANNELS.changed);
    }
  }, CHANGE_INTERVAL_MS);
  const offChange = deps.onChange(notify);
  return () => {
    offChange();
    notify.cancel();
    deps.ipcMain.removeHandler(IPC_CHANNELS.callTool);
  };
}
