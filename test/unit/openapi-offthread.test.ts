import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ImportedApi,
  type ImportProgress,
  importOpenApi,
  OpenApiImportError,
} from '../../src/main/core/connectors/openapi-import';
import {
  findWorkerScript,
  ImportCancelledError,
  importOpenApiOffThread,
  workerScript,
} from '../../src/main/core/connectors/openapi-offthread';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const FIXTURE_DIRS = [path.join(ROOT, 'test/fixtures/openapi'), '/work/shared/fixtures/openapi'].filter(
  existsSync,
);
const fixtures = FIXTURE_DIRS.flatMap((dir) =>
  [
    'petstore-expanded.openapi3.yaml',
    'uspto.openapi3.yaml',
    'callback-example.openapi3.yaml',
    'link-example.openapi3.yaml',
    'slack-web-api.swagger2.json',
  ]
    .map((name) => path.join(dir, name))
    .filter(existsSync),
);
/** GitHub's full REST description (1,223 operations, 13 MB), from the @octokit/openapi devDependency. */
const GITHUB = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the import to fail'),
    (error: unknown) => error,
  );
}

interface Timed<T> {
  value: T;
  ms: number;
  /** The longest the event loop went without running a timer. */
  maxGap: number;
}

/** Runs `work` while a 5 ms interval ticks; returns how long it took and the longest gap between ticks. */
async function loopGap<T>(work: () => Promise<T>): Promise<Timed<T>> {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  try {
    const value = await work();
    const end = performance.now();
    return { value, ms: end - start, maxGap: Math.max(maxGap, end - last) }; // a stall up to the end counts
  } finally {
    clearInterval(timer);
  }
}

/** Each Worker the process starts (Node emits `worker` on process). */
function nextWorker(): Promise<Worker> {
  return new Promise((resolve) => process.once('worker', resolve));
}

describe('importOpenApiOffThread', () => {
  it('runs the built worker (out/main/openapi-worker.js), not the inline fallback', () => {
    expect(workerScript()).toBe(path.join(ROOT, 'out', 'main', 'openapi-worker.js'));
  });

  it('finds the worker from the bundle (out/main, out/main/chunks) and from source', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-worker-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), '{}');
      expect(findWorkerScript(path.join(dir, 'src/main/core/connectors/openapi-offthread.ts'))).toBeNull();
      mkdirSync(path.join(dir, 'out/main/chunks'), { recursive: true });
      const built = path.join(dir, 'out/main/openapi-worker.js');
      writeFileSync(built, '');
      expect(findWorkerScript(path.join(dir, 'out/main/cli.js'))).toBe(built);
      expect(findWorkerScript(path.join(dir, 'out/main/chunks/run-cli-abc.js'))).toBe(built);
      expect(findWorkerScript(path.join(dir, 'src/main/core/connectors/openapi-offthread.ts'))).toBe(built);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same result as importOpenApi for every fixture; only small inline specs skip the worker', async () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
    let workers = 0;
    const count = () => workers++;
    process.on('worker', count);
    try {
      for (const file of fixtures) {
        const [expected, offThread] = await Promise.all([
          importOpenApi({ specPath: file }),
          importOpenApiOffThread({ specPath: file }),
        ]);
        expect(offThread, file).toEqual(expected);
      }
      expect(workers).toBe(fixtures.length); // a file always goes to a worker

      // Slack's document as text (694 kB) and as an object (17,000 nodes): over the inline limits.
      const slackFile = fixtures.find((f) => f.endsWith('slack-web-api.swagger2.json'));
      if (!slackFile) throw new Error('no Slack fixture');
      const text = readFileSync(slackFile, 'utf8');
      const doc: unknown = JSON.parse(text);
      const [expected, fromText, fromObject] = await Promise.all([
        importOpenApi({ spec: text }),
        importOpenApiOffThread({ spec: text }),
        importOpenApiOffThread({ spec: doc }),
      ]);
      expect(fromText).toEqual(expected);
      expect(fromObject).toEqual(expected);
      expect(workers).toBe(fixtures.length + 2);

      // The petstore as text is small: imported on the spot, the same.
      const petstore = fixtures.find((f) => f.endsWith('petstore-expanded.openapi3.yaml'));
      if (!petstore) throw new Error('no petstore fixture');
      const small = readFileSync(petstore, 'utf8');
      expect(await importOpenApiOffThread({ spec: small })).toEqual(await importOpenApi({ spec: small }));
      expect(workers).toBe(fixtures.length + 2);
    } finally {
      process.off('worker', count);
    }
  }, 120_000);

  it('fetches a URL in the worker, with its timeout', async () => {
    const petstore = fixtures.find((f) => f.endsWith('petstore-expanded.openapi3.yaml'));
    if (!petstore) throw new Error('no petstore fixture');
    const server = createServer((req, res) => {
      if (req.url === '/petstore.yaml') res.end(readFileSync(petstore));
      // /slow never answers
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const base = `http://127.0.0.1:${address.port}`;
    try {
      const [inline, offThread] = await Promise.all([
        importOpenApi({ specUrl: `${base}/petstore.yaml` }),
        importOpenApiOffThread({ specUrl: `${base}/petstore.yaml` }),
      ]);
      expect(offThread).toEqual(inline);
      const slow = await rejection(
        importOpenApiOffThread({ specUrl: `${base}/slow` }, { fetchTimeoutMs: 300 }),
      );
      expect(slow).toBeInstanceOf(OpenApiImportError);
      expect(slow instanceof Error && slow.message).toBe(
        `Could not fetch the OpenAPI document from ${base}/slow: no response within 300 ms`,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('keeps an OpenApiImportError’s class and message: a bad document, an unreadable file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-oas-'));
    try {
      const bad = path.join(dir, 'bad.yaml');
      writeFileSync(bad, 'openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n');
      const v4 = path.join(dir, 'v4.json');
      writeFileSync(v4, JSON.stringify({ openapi: '4.0.0', info: { title: 'x' }, paths: {} }));
      const sources = [
        { specPath: bad },
        { specPath: v4 },
        { specPath: path.join(dir, 'nope.yaml') },
        { specPath: dir }, // a directory: EISDIR
        { spec: `${' '.repeat(200_000)}openapi: 3.0.0\npaths: [\n` }, // large text, so the worker
        { specPath: bad, specUrl: 'https://example.invalid/x.json' },
      ];
      for (const source of sources) {
        const inline = await rejection(importOpenApi(source));
        const offThread = await rejection(importOpenApiOffThread(source));
        expect(inline).toBeInstanceOf(OpenApiImportError);
        expect(offThread).toBeInstanceOf(OpenApiImportError);
        expect(offThread instanceof Error && offThread.message).toBe(
          inline instanceof Error && inline.message,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancels: an aborted signal rejects at once, an abort mid-import terminates the worker', async () => {
    const early = new AbortController();
    early.abort();
    await expect(importOpenApiOffThread({ specPath: GITHUB }, { signal: early.signal })).rejects.toThrow(
      ImportCancelledError,
    );

    const controller = new AbortController();
    const started = nextWorker();
    const importing = importOpenApiOffThread({ specPath: GITHUB }, { signal: controller.signal });
    const worker = await started;
    const posted: unknown[] = [];
    worker.on('message', (message) => posted.push(message));
    await once(worker, 'online');
    const exited = once(worker, 'exit');
    controller.abort();
    const error = await rejection(importing);
    expect(error).toBeInstanceOf(ImportCancelledError);
    expect(error instanceof Error && error.name).toBe('AbortError');
    expect(error instanceof Error && error.message).toMatch(/import was cancelled/);
    await exited; // terminated, long before its import could have finished
    expect(
      posted.filter((m) => typeof m === 'object' && m !== null && 'type' in m && m.type === 'result'),
    ).toEqual([]);
  }, 60_000);

  it('without a built worker, imports on the main thread and warns once', async () => {
    vi.resetModules();
    vi.doMock('node:fs', async (original) => {
      const fs = await original<typeof import('node:fs')>();
      const existsSync = (p: string) => !String(p).endsWith('openapi-worker.js') && fs.existsSync(p);
      return { ...fs, existsSync, default: { ...fs, existsSync } };
    });
    try {
      const fresh = await import('../../src/main/core/connectors/openapi-offthread');
      expect(fresh.workerScript()).toBeNull();
      const lines: string[] = [];
      const file = fixtures[0];
      if (!file) throw new Error('no fixture');
      for (let i = 0; i < 2; i++) {
        const api = await fresh.importOpenApiOffThread(
          { specPath: file },
          { log: (line) => lines.push(line) },
        );
        expect(api).toEqual(await importOpenApi({ specPath: file }));
      }
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/no worker script .* run on the main thread/);
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });

  describe("GitHub's REST description (1,223 operations)", () => {
    let inline: Timed<ImportedApi>;
    const inlineProgress: ImportProgress[] = [];
    beforeAll(async () => {
      inline = await loopGap(() =>
        importOpenApi({ specPath: GITHUB }, { onProgress: (p) => inlineProgress.push(p) }),
      );
    }, 120_000);

    it('keeps the event loop turning off-thread, reports progress in order, and matches inline', async () => {
      const progress: ImportProgress[] = [];
      const offThread = await loopGap(() =>
        importOpenApiOffThread({ specPath: GITHUB }, { onProgress: (p) => progress.push(p) }),
      );
      console.log(
        `GitHub REST import: inline ${inline.ms.toFixed(0)} ms (max event-loop gap ${inline.maxGap.toFixed(0)} ms), ` +
          `off-thread ${offThread.ms.toFixed(0)} ms (max event-loop gap ${offThread.maxGap.toFixed(0)} ms)`,
      );

      expect(offThread.value.actions).toHaveLength(1223);
      expect(isDeepStrictEqual(offThread.value, inline.value)).toBe(true);

      // The point of the worker: a ratio against the inline baseline of this same run.
      expect(inline.maxGap).toBeGreaterThan(inline.ms / 2); // inline, the import is one long stall
      expect(offThread.maxGap).toBeLessThan(inline.maxGap / 4);

      expect(progress).toEqual(inlineProgress);
      expect(progress.map((p) => p.progress)).toEqual([
        0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1223,
      ]);
      expect(progress.every((p) => p.total === 1223)).toBe(true);
      expect(progress[0]?.message).toMatch(/Loaded and validated/);
      expect(progress.at(-1)?.message).toBe('Converted 1223 of 1223 operations.');
    }, 120_000);
  });
});
