// The OpenAPI importer against hostile documents: external $refs reach only the document's own
// folder (file), its own origin (URL) or nothing (inline), whatever the spelling; every read is
// bounded. Real files in temp dirs, real HTTP servers on 127.0.0.1, both inline and in the worker.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOpenApi, OpenApiImportError } from '../../src/main/core/connectors/openapi-import';
import { importOpenApiOffThread, workerScript } from '../../src/main/core/connectors/openapi-offthread';
import {
  asText,
  docWithRef,
  gzipBomb,
  hostileTree,
  type Origin,
  SECRETS,
  secretValues,
  send,
  sendSchema,
  startOrigin,
  streamEndlessly,
} from '../helpers/hostile-openapi';

type Importer = typeof importOpenApi;
const importers: [string, Importer][] = [
  ['inline', importOpenApi],
  ['worker', importOpenApiOffThread],
];

let base: string;
let tree: ReturnType<typeof hostileTree>;
let a: Origin; // the document's origin
let b: Origin; // another origin (another port)
let endless: Promise<{ sent: number; peakRss: number }>[] = [];

beforeAll(async () => {
  expect(workerScript()).not.toBeNull(); // the worker path is really exercised
  base = mkdtempSync(path.join(tmpdir(), 'portico-oas-sec-'));
  tree = hostileTree(base);
  b = await startOrigin((_req, res) => sendSchema(res, SECRETS.otherOrigin));
  a = await startOrigin((req, res) => {
    const url = req.url ?? '';
    const doc = /^\/api\/doc\.(json|yaml)\?ref=(.*)$/.exec(url);
    if (doc) {
      const ref = decodeURIComponent(doc[2] ?? '')
        .replaceAll('{B}', b.url)
        .replaceAll('{BASE}', base);
      return send(res, asText(docWithRef(ref), doc[1] === 'json' ? 'json' : 'yaml'));
    }
    if (url === '/api/schemas/thing.yaml') return sendSchema(res, 'SAME-ORIGIN-THING');
    if (url === '/api/nested-out.yaml')
      return send(res, asText({ Thing: { $ref: `${b.url}/secret.yaml#/Thing` } }, 'yaml'));
    if (url === '/redirect-same') {
      res.writeHead(302, { location: '/api/schemas/thing.yaml' });
      return res.end();
    }
    if (url === '/redirect-away') {
      res.writeHead(307, { location: `${b.url}/secret.yaml` });
      return res.end();
    }
    if (url === '/redirect-file') {
      res.writeHead(302, { location: `file://${tree.outside}` });
      return res.end();
    }
    if (url === '/moved') {
      res.writeHead(301, { location: '/api/doc.yaml?ref=schemas%2Fthing.yaml%23%2FThing' });
      return res.end();
    }
    if (url === '/endless') {
      endless.push(streamEndlessly(res));
      return;
    }
    if (url === '/declared-huge') {
      res.writeHead(200, { 'content-type': 'application/yaml', 'content-length': String(500 * 1024 * 1024) });
      res.write('openapi: 3.0.3\n');
      return; // never more: the importer must not wait for it
    }
    if (url === '/gzip-bomb') {
      res.writeHead(200, { 'content-type': 'application/yaml', 'content-encoding': 'gzip' });
      return res.end(gzipBomb(64 * 1024 * 1024));
    }
    if (url === '/stalls') {
      res.writeHead(200, { 'content-type': 'application/yaml' });
      res.write('Thing:\n');
      return; // the rest never comes
    }
    res.writeHead(404);
    res.end('not here');
  });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  rmSync(base, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<OpenApiImportError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the import should have been refused').toBeInstanceOf(OpenApiImportError);
  return error as OpenApiImportError;
}

function expectNoSecret(text: string): void {
  for (const secret of secretValues()) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/root:x?:0:0/); // /etc/passwd
}

/**
 * The cases a test runs: all of them inline; in the worker (half a second per import) each case
 * once, in JSON or YAML by turns — so every case crosses the worker, and both formats do.
 */
function share<T>(cases: T[], importer: string, format: 'json' | 'yaml'): T[] {
  if (importer === 'inline') return cases;
  return cases.filter((_, i) => i % 2 === (format === 'json' ? 0 : 1));
}

const SLOW = 120_000;

/** Writes the document as main.json or main.yaml in the spec folder and returns its path. */
function specFile(ref: string, format: 'json' | 'yaml', name = 'main'): string {
  const file = path.join(tree.spec, `${name}.${format}`);
  writeFileSync(file, asText(docWithRef(ref), format));
  return file;
}

describe('a document read from a file (spec_path)', () => {
  const cases: [label: string, ref: () => string, why: RegExp][] = [
    ['a relative ../ path', () => '../outside.yaml#/Thing', /outside the document's folder/],
    ['../ into the data dir beside', () => '../data/secret.key', /outside the document's folder/],
    ['../ to the API-key hashes beside', () => '../data/keys.json#/Thing', /outside the document's folder/],
    ['an absolute path', () => `${tree.outside}#/Thing`, /outside the document's folder/],
    ['/etc/passwd', () => '/etc/passwd', /outside the document's folder/],
    ['a file:// URL', () => `file://${tree.outside}#/Thing`, /outside the document's folder/],
    ['file:///etc/passwd', () => 'file:///etc/passwd', /outside the document's folder/],
    ['a file:// URL with a host', () => `file://evil.example${tree.outside}`, /only files in its own folder/],
    ['percent-encoded ..%2f', () => '..%2foutside.yaml#/Thing', /outside the document's folder/],
    ['percent-encoded ..%2F twice over', () => 'schemas/..%2F..%2F..%2Foutside.yaml', /outside/],
    ['percent-encoded dots %2e%2e/', () => '%2e%2e/outside.yaml#/Thing', /outside the document's folder/],
    ['Windows separators ..\\', () => '..\\outside.yaml#/Thing', /outside the document's folder/],
    ['Windows separators into the data dir', () => '..\\data\\secret.key', /outside the document's folder/],
    ['mixed separators', () => 'schemas\\..\\..\\data/keys.json', /outside the document's folder/],
    ['a Windows drive path', () => 'C:\\Windows\\win.ini', /only files in its own folder|outside/],
    ['the data dir below the folder', () => 'data/secret.key', /Portico data dir/],
    ['a document inside the data dir below', () => 'data/other.yaml#/Thing', /Portico data dir/],
    ['./ into the data dir below', () => './schemas/../data/other.yaml#/Thing', /Portico data dir/],
    ['a symlink inside the tree pointing out', () => 'link-out.yaml#/Thing', /symbolic link/],
    ['a symlinked folder pointing out', () => 'linkdir/secret.key', /symbolic link/],
    ['an http URL', () => `${b.url}/secret.yaml#/Thing`, /not URLs/],
    ['an https URL', () => 'https://example.invalid/x.yaml#/Thing', /not URLs/],
    ['a protocol-relative URL', () => `//127.0.0.1:${new URL(b.url).port}/secret.yaml`, /not URLs/],
  ];

  for (const [name, run] of importers) {
    for (const format of ['json', 'yaml'] as const) {
      it(
        `refuses every way out (${format}, ${name}), naming the reference, reading nothing`,
        async () => {
          const before = b.requests.length;
          for (const [label, ref, why] of share(cases, name, format)) {
            const error = await refusal(run({ specPath: specFile(ref(), format) }));
            expect(error.message, label).toContain(`$ref "${ref()}"`);
            expect(error.message, label).toMatch(why);
            expectNoSecret(error.message);
          }
          expect(b.requests.length - before).toBe(0); // no URL was fetched
        },
        SLOW,
      );
    }

    it(
      `refuses a reference out of a file in the tree (refs inside refs), ${name}`,
      async () => {
        const out = await refusal(run({ specPath: specFile('nested-out.yaml#/Thing', 'yaml') }));
        expect(out.message).toContain('$ref "../outside.yaml#/Thing" in nested-out.yaml');
        expect(out.message).toMatch(/outside the document's folder/);
        expectNoSecret(out.message);
        const data = await refusal(run({ specPath: specFile('nested-data.yaml#/Thing', 'json') }));
        expect(data.message).toContain('$ref "data/other.yaml#/Thing" in nested-data.yaml');
        expect(data.message).toMatch(/Portico data dir/);
        expectNoSecret(data.message);
      },
      SLOW,
    );

    it(
      `still resolves references inside the tree, ${name}`,
      async () => {
        for (const ref of [
          'schemas/common.yaml#/Thing',
          './alias.yaml#/Name',
          `${tree.spec}/schemas/common.yaml#/Thing`,
        ]) {
          const api = await run({ specPath: specFile(ref, 'yaml', 'legit') });
          expect(JSON.stringify(api.actions)).toContain('"maxLength":40'); // from more.yaml, two files deep
          expectNoSecret(JSON.stringify(api));
        }
      },
      SLOW,
    );
  }

  it('refuses a base moved out by an OpenAPI 3.1 $id, and $refs hidden in examples', async () => {
    const doc = (schema: unknown) => ({
      ...docWithRef('#/x'),
      openapi: '3.1.0',
      paths: {
        '/a': {
          post: {
            requestBody: { content: { 'application/json': { schema } } },
            responses: { 200: { description: 'ok' } },
          },
        },
      },
    });
    const file = path.join(tree.spec, 'id31.json');
    for (const [schema, why] of [
      [{ $id: `file://${base}/`, $ref: 'outside.yaml#/Thing' }, /outside the document's folder/],
      [{ $id: '../', $ref: 'outside.yaml#/Thing' }, /outside the document's folder/],
      [{ $id: `${b.url}/`, $ref: 'secret.yaml#/Thing' }, /not URLs/],
      [{ type: 'object', example: { $ref: '../data/secret.key' } }, /outside the document's folder/],
    ] as const) {
      writeFileSync(file, JSON.stringify(doc(schema)));
      const error = await refusal(importOpenApi({ specPath: file }));
      expect(error.message).toMatch(why);
      expectNoSecret(error.message);
    }
  });

  it('never reads the main document itself from a Portico data dir', async () => {
    for (const [name, run] of importers) {
      for (const file of [path.join(tree.spec, 'data', 'other.yaml'), path.join(tree.data, 'secret.key')]) {
        const error = await refusal(run({ specPath: file }));
        expect(error.message, name).toMatch(/is refused: it lies in a Portico data dir/);
        expectNoSecret(error.message);
      }
    }
  });

  it('a protected folder passed by the caller is refused even when it lies inside the tree', async () => {
    const error = await refusal(
      importOpenApi(
        { specPath: specFile('schemas/common.yaml#/Thing', 'yaml') },
        { protectedDirs: [path.join(tree.spec, 'schemas')] },
      ),
    );
    expect(error.message).toMatch(/\$ref "schemas\/common.yaml#\/Thing".*Portico data dir/);
  });
});

describe('a document fetched by URL (spec_url)', () => {
  const docUrl = (ref: string, format: 'json' | 'yaml' = 'yaml') =>
    `${a.url}/api/doc.${format}?ref=${encodeURIComponent(ref)}`;
  const cases: [label: string, ref: string, why: RegExp][] = [
    ['another port', '{B}/secret.yaml#/Thing', /another origin \(http:\/\/127\.0\.0\.1:\d+\)/],
    [
      'another host',
      'http://localhost:PORT/api/schemas/thing.yaml#/Thing',
      /another origin \(http:\/\/localhost/,
    ],
    ['another scheme', 'https://127.0.0.1:PORT/api/schemas/thing.yaml#/Thing', /another origin \(https:/],
    ['a file:// URL', 'file://{BASE}/outside.yaml#/Thing', /another origin \(file:\)/],
    ['file:///etc/passwd', 'file:///etc/passwd', /another origin \(file:\)/],
    ['a redirect to another origin', '/redirect-away#/Thing', /redirected to another origin/],
    ['a redirect to a file', '/redirect-file#/Thing', /redirected to another origin \(file:\)/],
    ['a same-origin document that refers out', 'nested-out.yaml#/Thing', /another origin/],
  ];

  for (const [name, run] of importers) {
    for (const format of ['json', 'yaml'] as const) {
      it(
        `refuses other origins (${format}, ${name}), naming the reference, fetching nothing there`,
        async () => {
          const port = new URL(a.url).port;
          const before = b.requests.length;
          for (const [label, written, why] of share(cases, name, format)) {
            const error = await refusal(run({ specUrl: docUrl(written.replace('PORT', port), format) }));
            const ref = written.replace('PORT', port).replaceAll('{B}', b.url).replaceAll('{BASE}', base);
            expect(error.message, label).toContain(
              `$ref "${ref.startsWith('nested') ? `${b.url}/secret.yaml#/Thing` : ref}"`,
            );
            expect(error.message, label).toMatch(why);
            expectNoSecret(error.message);
          }
          expect(b.requests.slice(before)).toEqual([]);
        },
        SLOW,
      );
    }

    it(
      `follows references and redirects within its own origin, ${name}`,
      async () => {
        for (const ref of [
          'schemas/thing.yaml#/Thing',
          '/api/schemas/thing.yaml#/Thing',
          '/redirect-same#/Thing',
        ]) {
          const api = await run({ specUrl: docUrl(ref) });
          expect(JSON.stringify(api.actions)).toContain('SAME-ORIGIN-THING');
        }
        // The main document itself may be redirected; its references then resolve against where it landed.
        const moved = await run({ specUrl: `${a.url}/moved` });
        expect(JSON.stringify(moved.actions)).toContain('SAME-ORIGIN-THING');
      },
      SLOW,
    );
  }
});

describe('a document given inline (spec)', () => {
  const refs = () => [
    'schemas/common.yaml#/Thing',
    '../outside.yaml#/Thing',
    `${tree.outside}#/Thing`,
    `file://${tree.outside}#/Thing`,
    `${b.url}/secret.yaml#/Thing`,
    '..%2foutside.yaml',
    '..\\data\\secret.key',
  ];
  for (const [name, run] of importers) {
    it(
      `follows no external reference: object, JSON text, YAML text (${name})`,
      async () => {
        const before = b.requests.length;
        for (const ref of refs()) {
          for (const spec of [
            docWithRef(ref),
            asText(docWithRef(ref), 'json'),
            asText(docWithRef(ref), 'yaml'),
          ]) {
            const error = await refusal(run({ spec }));
            expect(error.message).toContain(`$ref "${ref}" at /paths/~1things/post/requestBody`);
            expect(error.message).toMatch(/inline documents cannot reference files or URLs/);
            expectNoSecret(error.message);
          }
        }
        expect(b.requests.length - before).toBe(0);
      },
      SLOW,
    );
  }
});

describe('bounded reads', () => {
  const MB = 1024 * 1024;

  it('stops reading an endless main document at the limit, and says so', async () => {
    for (const [name, run] of importers) {
      endless = [];
      const rssBefore = process.memoryUsage.rss();
      const error = await refusal(run({ specUrl: `${a.url}/endless` }, { maxDocumentBytes: 2 * MB }));
      expect(error.message, name).toMatch(/too large: the limit is 2 MB per document/);
      const [stream] = endless;
      const { sent, peakRss } = await (stream ?? Promise.reject(new Error('no request')));
      // What the server got rid of: the limit plus what the sockets buffer, not an endless stream;
      // and the process grew by about that (plus a worker thread), not by the stream.
      expect(sent, name).toBeGreaterThan(2 * MB);
      expect(sent, name).toBeLessThan(2 * MB + 8 * MB);
      expect(peakRss - rssBefore, name).toBeLessThan(96 * MB);
    }
  });

  it('stops at the default limit of 25 MB when none is given', async () => {
    endless = [];
    const rssBefore = process.memoryUsage.rss();
    const error = await refusal(importOpenApiOffThread({ specUrl: `${a.url}/endless` }));
    expect(error.message).toMatch(/too large: the limit is 25 MB per document/);
    const [stream] = endless;
    const { sent, peakRss } = await (stream ?? Promise.reject(new Error('no request')));
    expect(sent).toBeLessThan(25 * MB + 8 * MB);
    expect(peakRss - rssBefore).toBeLessThan(128 * MB);
  });

  it('stops reading an endless referenced document at the limit', async () => {
    for (const [name, run] of importers) {
      endless = [];
      const error = await refusal(
        run(
          { specUrl: `${a.url}/api/doc.yaml?ref=${encodeURIComponent('/endless#/Thing')}` },
          { maxDocumentBytes: 2 * MB },
        ),
      );
      expect(error.message, name).toContain('$ref "/endless#/Thing"');
      expect(error.message, name).toMatch(/too large: the limit is 2 MB per document/);
      const { sent } = await (endless[0] ?? Promise.reject(new Error('no request')));
      expect(sent, name).toBeLessThan(2 * MB + 8 * MB);
    }
  });

  it('refuses a declared size over the limit without reading the body, and a compressed bomb at the limit', async () => {
    const declared = await refusal(importOpenApi({ specUrl: `${a.url}/declared-huge` }));
    expect(declared.message).toMatch(/524288000 bytes\): the limit is 25 MB/);
    const bomb = await refusal(
      importOpenApi({ specUrl: `${a.url}/gzip-bomb` }, { maxDocumentBytes: 4 * MB }),
    );
    expect(bomb.message).toMatch(/too large: the limit is 4 MB/);
    const refBomb = await refusal(
      importOpenApi(
        { specUrl: `${a.url}/api/doc.json?ref=${encodeURIComponent('/gzip-bomb#/Thing')}` },
        { maxDocumentBytes: 4 * MB },
      ),
    );
    expect(refBomb.message).toMatch(/\$ref "\/gzip-bomb#\/Thing".*too large/);
  });

  it('gives up on a referenced document that stops arriving', async () => {
    const error = await refusal(
      importOpenApi(
        { specUrl: `${a.url}/api/doc.yaml?ref=${encodeURIComponent('/stalls#/Thing')}` },
        { fetchTimeoutMs: 400 },
      ),
    );
    expect(error.message).toMatch(/\$ref "\/stalls#\/Thing".*no response within 400 ms/);
  });

  it('refuses files over the limit without reading them: the main one and a referenced one', async () => {
    const big = path.join(tree.spec, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, 30 * MB); // sparse: nothing to read, only a size
    for (const [name, run] of importers) {
      const main = await refusal(run({ specPath: big }));
      expect(main.message, name).toMatch(/big\.yaml is too large \(31457280 bytes\): the limit is 25 MB/);
      const ref = await refusal(run({ specPath: specFile('big.yaml', 'yaml', 'refers-big') }));
      expect(ref.message, name).toMatch(/\$ref "big\.yaml" at .* is too large/);
    }
  });
});
