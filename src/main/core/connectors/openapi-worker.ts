/**
 * The OpenAPI import worker: runs `importOpenApi` in a worker thread so a large document never stalls
 * the main thread's event loop. Started by openapi-offthread.ts with `workerData: {source, options}`;
 * posts progress messages, then one result or error. Built as its own entry (out/main/openapi-worker.js).
 */
import { serialize } from 'node:v8';
import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { actionSchema } from '../store/schema';
import type { OpenApiSource } from './openapi/load';
import { isObject } from './openapi/util';
import { type ImportedApi, type ImportOptions, type ImportProgress, importOpenApi } from './openapi-import';

/** What the parent passes as `workerData`: everything importOpenApi takes but the callback. */
export interface OpenApiWorkerJob {
  source: OpenApiSource;
  options: Omit<ImportOptions, 'onProgress'>;
}

/**
 * Progress, then the result: its actions first, in v8-serialized batches the parent deserializes one
 * per turn of its event loop (GitHub's 1,223 actions take ~200 ms to deserialize at once), then the
 * rest of the result with `actions: []`; or an error.
 */
export type OpenApiWorkerMessage =
  | ({ type: 'progress' } & ImportProgress)
  | { type: 'actions'; batch: Uint8Array }
  | { type: 'result'; value: ImportedApi }
  | { type: 'error'; name: string; message: string };

const ACTIONS_PER_BATCH = 100;

async function run(port: MessagePort, data: unknown): Promise<void> {
  const post = (message: OpenApiWorkerMessage) => port.postMessage(message);
  try {
    if (!isObject(data) || !isObject(data.source)) throw new Error('The worker was started without a job.');
    const options = isObject(data.options) ? data.options : {};
    const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
    const { protectedDirs } = options;
    const value = await importOpenApi(data.source, {
      fetchTimeoutMs: number(options.fetchTimeoutMs),
      maxDocumentBytes: number(options.maxDocumentBytes),
      protectedDirs: Array.isArray(protectedDirs)
        ? protectedDirs.filter((dir): dir is string => typeof dir === 'string')
        : undefined,
      onProgress: (progress) => post({ type: 'progress', ...progress }),
    });
    // Parsed here with the store's own schema, so the main thread need not check them again.
    const actions = value.actions.map((a) => actionSchema.parse(a));
    for (let i = 0; i < actions.length; i += ACTIONS_PER_BATCH)
      post({ type: 'actions', batch: serialize(actions.slice(i, i + ACTIONS_PER_BATCH)) });
    post({ type: 'result', value: { ...value, actions: [] } });
  } catch (error) {
    post({
      type: 'error',
      name: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

if (!isMainThread && parentPort) void run(parentPort, workerData);
