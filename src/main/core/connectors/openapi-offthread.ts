/**
 * `importOpenApi` in a worker thread (openapi-worker.ts), so a large document — GitHub's REST API
 * takes seconds of CPU — never stalls the server. Small inline documents are imported on the spot:
 * starting a worker costs more than they do.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { markValidated } from '../store/draft';
import { createLogger, type Logger } from '../util/log';
import type { OpenApiSource } from './openapi/load';
import { isObject, OpenApiImportError } from './openapi/util';
import type { ImportedApi, ImportOptions } from './openapi-import';
import type { OpenApiWorkerJob, OpenApiWorkerMessage } from './openapi-worker';

export { OpenApiImportError } from './openapi/util';
export type { ImportedApi, ImportOptions, ImportProgress, OpenApiSource } from './openapi-import';

/** The parser stack (@readme/openapi-parser, yaml) loads on first inline use, not at every start. */
const importInline: typeof import('./openapi-import').importOpenApi = async (source, options) =>
  (await import('./openapi-import')).importOpenApi(source, options);

export interface OffThreadImportOptions extends ImportOptions {
  /** Aborting stops the import (its worker is terminated) and rejects with an ImportCancelledError. */
  signal?: AbortSignal;
  /** Where the one-time warning goes when no worker script is found; default stderr. */
  log?: Logger;
}

/** The import was stopped through its `signal`. Named AbortError, as aborted operations are. */
export class ImportCancelledError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('The OpenAPI import was cancelled.', options);
    this.name = 'AbortError';
  }
}

/**
 * Inline `spec` text up to this many characters, or an inline object up to this many nodes (objects,
 * arrays and values), is imported on the main thread. Measured on Node 22 (two busy cores): the
 * parser's validation blocks ~70 ms for even a tiny document, ~85 ms at 100 kB / 5,000 nodes and
 * ~220 ms for Slack's 174 operations (390 kB of JSON, 17,000 nodes); a worker takes ~0.5 s (thread
 * start, loading the parser) but blocks nothing. The catalog's documents (3–7 kB) stay inline; a
 * file or a URL never does.
 */
export const INLINE_MAX_CHARS = 100_000;
export const INLINE_MAX_NODES = 5_000;

const WORKER_FILE = 'openapi-worker.js';

export async function importOpenApiOffThread(
  source: OpenApiSource,
  options: OffThreadImportOptions = {},
): Promise<ImportedApi> {
  const { signal, log, ...importOptions } = options;
  if (signal?.aborted) throw new ImportCancelledError({ cause: signal.reason });
  if (isSmallInline(source)) return untilAborted(importInline(source, importOptions), signal);
  const script = workerScript();
  if (!script) {
    warnInlineOnce(log ?? createLogger());
    return untilAborted(importInline(source, importOptions), signal);
  }
  return runInWorker(script, source, importOptions, signal);
}

function runInWorker(
  script: string,
  source: OpenApiSource,
  { onProgress, ...options }: ImportOptions,
  signal: AbortSignal | undefined,
): Promise<ImportedApi> {
  return new Promise((resolve, reject) => {
    const job: OpenApiWorkerJob = { source, options };
    let worker: Worker;
    try {
      worker = new Worker(script, { workerData: job });
    } catch (error) {
      // Only the job can fail to clone here: a spec that is not plain data, as importOpenApi says too.
      const message = error instanceof Error ? error.message : String(error);
      reject(
        isObject(error) && error.name === 'DataCloneError'
          ? new OpenApiImportError(`spec is not plain JSON data: ${message}`)
          : error,
      );
      return;
    }
    // running → assembling (the result is in; the worker is no longer needed) → done.
    let state: 'running' | 'assembling' | 'done' = 'running';
    const finish = (outcome: () => void) => {
      if (state === 'done') return;
      state = 'done';
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const fail = (error: unknown) => finish(() => reject(error));
    /** The worker stopping or breaking matters only while the result is still to come. */
    const failRunning = (message: string, cause?: unknown) => {
      if (state === 'running') fail(new Error(message, { cause }));
    };
    const onAbort = () => fail(new ImportCancelledError({ cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });

    const batches: Uint8Array[] = [];
    worker.on('message', (message: unknown) => {
      if (state !== 'running' || !isWorkerMessage(message)) return;
      if (message.type === 'progress') {
        const { type: _, ...progress } = message;
        try {
          onProgress?.(progress);
        } catch (error) {
          fail(error); // as inline, where a throwing callback fails the import
        }
      } else if (message.type === 'actions') {
        batches.push(message.batch);
      } else if (message.type === 'result') {
        state = 'assembling';
        void worker.terminate();
        withActions(message.value, batches, () => state === 'done').then(
          (api) => finish(() => resolve(api)),
          fail,
        );
      } else {
        fail(
          message.name === 'OpenApiImportError'
            ? new OpenApiImportError(message.message)
            : Object.assign(new Error(message.message), { name: message.name }),
        );
      }
    });
    worker.on('error', (error) =>
      failRunning(
        `The OpenAPI import worker crashed: ${error instanceof Error ? error.message : String(error)}`,
        error,
      ),
    );
    worker.on('messageerror', (error) =>
      failRunning(`The OpenAPI import worker sent an unreadable message: ${error.message}`, error),
    );
    worker.on('exit', (code) =>
      failRunning(`The OpenAPI import worker stopped (exit code ${code}) before it finished.`),
    );
  });
}

/** The result with its actions, deserialized one batch per turn of the event loop. */
async function withActions(
  value: ImportedApi,
  batches: Uint8Array[],
  stopped: () => boolean,
): Promise<ImportedApi> {
  const actions: ImportedApi['actions'] = [];
  for (const batch of batches) {
    await new Promise((next) => setImmediate(next));
    if (stopped()) break;
    const decoded: unknown = deserialize(batch);
    if (!Array.isArray(decoded))
      throw new Error('The OpenAPI import worker sent an unreadable batch of actions.');
    // The worker parsed each one with the action schema: the store need not check them again here.
    for (const action of decoded) actions.push(markValidated(action));
  }
  return { ...value, actions: [...value.actions, ...actions] };
}

function isWorkerMessage(value: unknown): value is OpenApiWorkerMessage {
  if (!isObject(value)) return false;
  if (value.type === 'progress')
    return typeof value.progress === 'number' && typeof value.message === 'string';
  if (value.type === 'actions') return value.batch instanceof Uint8Array;
  if (value.type === 'result') return isObject(value.value) && Array.isArray(value.value.actions);
  return value.type === 'error' && typeof value.name === 'string' && typeof value.message === 'string';
}

/** Rejects as soon as `signal` aborts; the inline work itself runs on (it is small or has no worker). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new ImportCancelledError({ cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Only `spec` given as short text or a small object (or as nothing importable: that fails at once). */
function isSmallInline(source: OpenApiSource): boolean {
  if (source.specPath != null || source.specUrl != null) return false;
  const { spec } = source;
  if (typeof spec === 'string') return spec.length <= INLINE_MAX_CHARS;
  return !isObject(spec) || nodesAtMost(spec, INLINE_MAX_NODES);
}

/** Whether `root` holds at most `limit` nodes; stops counting past the limit, so it is cheap. */
function nodesAtMost(root: unknown, limit: number): boolean {
  let count = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++count > limit) return false;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push(child);
  }
  return true;
}

let located: string | null | undefined;

/**
 * The built worker. Bundled by electron-vite, this code is in out/main/{index,cli}.js or a chunk
 * under out/main/chunks/, beside or under out/main/openapi-worker.js. Run from TypeScript source
 * (vitest), a plain worker cannot load the .ts file: use the project's build, out/main/openapi-worker.js.
 */
export function workerScript(): string | null {
  if (located === undefined) located = findWorkerScript(fileURLToPath(import.meta.url));
  return located;
}

export function findWorkerScript(modulePath: string): string | null {
  const dir = path.dirname(modulePath);
  for (const candidate of [path.join(dir, WORKER_FILE), path.join(dir, '..', WORKER_FILE)])
    if (existsSync(candidate)) return candidate;
  for (let root = dir; ; root = path.dirname(root)) {
    if (existsSync(path.join(root, 'package.json'))) {
      const built = path.join(root, 'out', 'main', WORKER_FILE);
      return existsSync(built) ? built : null;
    }
    if (path.dirname(root) === root) return null;
  }
}

let warned = false;

function warnInlineOnce(log: Logger): void {
  if (warned) return;
  warned = true;
  log(
    `OpenAPI import: no worker script (${WORKER_FILE}) was found, so imports run on the main thread; run \`npm run build\` to build it.`,
  );
}
