// Hostile OpenAPI documents imported through the Admin MCP (`import_openapi` over Streamable HTTP,
// as Claude or Cursor would call it): $refs aimed at the server's own data dir, at a fake data dir
// beside and below the document's folder, at /etc and at other origins are refused with a message
// naming the reference; an endless body stops at the default limit. Nothing of any target comes
// back — in results, connectors, activity or logs — and the server stays healthy.
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import {
  asText,
  docWithRef,
  hostileTree,
  type Origin,
  SECRETS,
  secretValues,
  send,
  sendSchema,
  startOrigin,
  streamEndlessly,
} from '../helpers/hostile-openapi';
import { tempDir } from '../helpers/temp';

const MB = 1024 * 1024;

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
let tree: ReturnType<typeof hostileTree>;
let a: Origin;
let b: Origin;
let endless: Promise<{ sent: number; peakRss: number }>[] = [];
/** Every form in which something the hostile documents aim at could come back. */
const forbidden: string[] = [];

interface Result {
  isError?: boolean;
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

const call = async (name: string, args: Record<string, unknown>) =>
  (await admin.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as Result;
const textOf = (r: Result) => (r.content ?? []).map((c) => c.text ?? '').join('\n');

function expectClean(text: string): void {
  for (const secret of forbidden) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/root:x?:0:0/);
}

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  tree = hostileTree(tempDir('portico-hostile-'));
  // The server's own data dir, reachable from the document's folder through a symlink too.
  symlinkSync(gw.dataDir, path.join(tree.spec, 'server-data'), 'dir');
  forbidden.push(...secretValues(), gw.adminKey);
  for (const name of readdirSync(gw.dataDir)) {
    const file = path.join(gw.dataDir, name);
    if (!statSync(file).isFile() || statSync(file).size > 4096) continue;
    const bytes = readFileSync(file);
    if (bytes.length < 8) continue;
    forbidden.push(bytes.toString('hex'), bytes.toString('base64'));
    const text = bytes.toString('utf8').trim();
    if (/^[\x20-\x7e\s]+$/.test(text) && text.length >= 8) forbidden.push(text);
  }
  b = await startOrigin((_req, res) => sendSchema(res, SECRETS.otherOrigin));
  a = await startOrigin((req, res) => {
    const url = req.url ?? '';
    const doc = /^\/doc\.yaml\?ref=(.*)$/.exec(url);
    if (doc) return send(res, asText(docWithRef(decodeURIComponent(doc[1] ?? '')), 'yaml'));
    if (url === '/away') {
      res.writeHead(302, { location: `${b.url}/secret.yaml` });
      return res.end();
    }
    if (url === '/endless') {
      endless.push(streamEndlessly(res));
      return;
    }
    if (url === '/thing.yaml') return sendSchema(res, 'SAME-ORIGIN-THING');
    res.writeHead(404);
    res.end();
  });
});

afterAll(async () => {
  await admin?.close();
  await a?.close();
  await b?.close();
});

describe('import_openapi over /mcp/admin with hostile documents', () => {
  it('refuses $refs out of the document folder, into data dirs and to URLs, naming each', async () => {
    const secretKey = path.join(gw.dataDir, 'secret.key');
    const relativeToServerData = path.relative(tree.spec, gw.dataDir);
    const cases: [ref: string, why: RegExp][] = [
      [`${relativeToServerData}/secret.key`, /outside the document's folder/],
      [`${relativeToServerData}/portico.db`, /outside the document's folder/],
      [secretKey, /outside the document's folder/],
      [`file://${secretKey}`, /outside the document's folder/],
      [`${relativeToServerData.replaceAll('/', '%2f')}%2fsecret.key`, /outside the document's folder/],
      [`${relativeToServerData.replaceAll('/', '\\')}\\secret.key`, /outside the document's folder/],
      ['server-data/secret.key', /symbolic link/],
      ['server-data/portico.db', /symbolic link/],
      ['../data/secret.key', /outside the document's folder/],
      ['data/secret.key', /Portico data dir/],
      ['data/other.yaml#/Thing', /Portico data dir/],
      ['link-out.yaml#/Thing', /symbolic link/],
      ['nested-out.yaml#/Thing', /outside the document's folder/],
      ['/etc/passwd', /outside the document's folder/],
      ['/etc/hostname', /outside the document's folder/],
      [`${b.url}/secret.yaml#/Thing`, /not URLs/],
    ];
    let i = 0;
    for (const [ref, why] of cases) {
      // Each case once (every import starts a worker), in JSON and YAML by turns.
      for (const format of [i % 2 === 0 ? 'json' : 'yaml'] as const) {
        const file = path.join(tree.spec, `hostile-${i}.${format}`);
        writeFileSync(file, asText(docWithRef(ref), format));
        const result = await call('import_openapi', { slug: `hostile-file-${i}`, spec_path: file });
        i += 1;
        expect(result.isError, ref).toBe(true);
        const text = textOf(result);
        expect(text, ref).toContain('The OpenAPI document was not imported');
        expect(text, ref).toContain(
          ref === 'nested-out.yaml#/Thing' ? '$ref "../outside.yaml#/Thing"' : `$ref "${ref}"`,
        );
        expect(text, ref).toMatch(why);
        expectClean(JSON.stringify(result));
      }
    }
    expect(b.requests).toEqual([]);
    // Nor is the server's data dir ever read as the document itself.
    for (const name of readdirSync(gw.dataDir)) {
      const result = await call('import_openapi', {
        slug: 'hostile-main',
        spec_path: path.join(gw.dataDir, name),
      });
      expect(result.isError, name).toBe(true);
      expect(textOf(result), name).toMatch(/lies in a Portico data dir/);
      expectClean(JSON.stringify(result));
    }
    // Nor a folder deep inside it, where no data file sits beside the document.
    const nested = path.join(gw.dataDir, 'exports', 'deep');
    mkdirSync(nested, { recursive: true });
    writeFileSync(
      path.join(nested, 'api.json'),
      JSON.stringify(
        docWithRef('#/components/schemas/Thing', { components: { schemas: { Thing: { type: 'object' } } } }),
      ),
    );
    const deep = await call('import_openapi', {
      slug: 'hostile-deep',
      spec_path: path.join(nested, 'api.json'),
    });
    expect(deep.isError).toBe(true);
    expect(textOf(deep)).toMatch(/lies in a Portico data dir/);
  }, 120_000);

  it('refuses other origins from a URL document and any external ref from an inline one', async () => {
    for (const ref of [`${b.url}/secret.yaml#/Thing`, '/away#/Thing', 'file:///etc/passwd']) {
      const result = await call('import_openapi', {
        slug: 'hostile-url',
        spec_url: `${a.url}/doc.yaml?ref=${encodeURIComponent(ref)}`,
      });
      expect(result.isError, ref).toBe(true);
      expect(textOf(result), ref).toContain(`$ref "${ref}"`);
      expect(textOf(result), ref).toMatch(/another origin/);
      expectClean(JSON.stringify(result));
    }
    for (const ref of ['../data/secret.key', `${b.url}/secret.yaml#/Thing`, `file://${tree.outside}`]) {
      for (const spec of [docWithRef(ref), asText(docWithRef(ref), 'yaml')]) {
        const result = await call('import_openapi', { slug: 'hostile-inline', spec });
        expect(result.isError, ref).toBe(true);
        expect(textOf(result), ref).toMatch(/inline documents cannot reference files or URLs/);
        expectClean(JSON.stringify(result));
      }
    }
    expect(b.requests).toEqual([]);
  });

  it('stops an endless spec_url body at the default 25 MB limit, without the server growing by it', async () => {
    endless = [];
    const rssBefore = process.memoryUsage.rss();
    const result = await call('import_openapi', { slug: 'hostile-endless', spec_url: `${a.url}/endless` });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/too large: the limit is 25 MB per document/);
    const { sent, peakRss } = await (endless[0] ?? Promise.reject(new Error('no request')));
    expect(sent).toBeLessThan(25 * MB + 8 * MB);
    expect(peakRss - rssBefore).toBeLessThan(160 * MB);
  });

  it('still imports references inside the tree and the same origin; nothing hostile was stored or logged', async () => {
    const legit = path.join(tree.spec, 'legit.yaml');
    writeFileSync(legit, asText(docWithRef('schemas/common.yaml#/Thing'), 'yaml'));
    const fromFile = await call('import_openapi', { slug: 'legit-file', spec_path: legit });
    expect(fromFile.isError).toBeFalsy();
    const fromUrl = await call('import_openapi', {
      slug: 'legit-url',
      spec_url: `${a.url}/doc.yaml?ref=${encodeURIComponent('/thing.yaml#/Thing')}`,
    });
    expect(fromUrl.isError).toBeFalsy();
    const action = await call('get_action', { connector_id: 'legit-url', action: 'make_thing' });
    expect(JSON.stringify(action.structuredContent)).toContain('SAME-ORIGIN-THING');
    const fileAction = await call('get_action', { connector_id: 'legit-file', action: 'make_thing' });
    expect(JSON.stringify(fileAction.structuredContent)).toContain('"maxLength":40'); // two files deep
    expectClean(JSON.stringify(fileAction));

    const connectors = await call('list_connectors', {});
    expect(JSON.stringify(connectors.structuredContent)).not.toMatch(/"id":"hostile-/);
    expectClean(JSON.stringify(connectors));
    expectClean(JSON.stringify(await call('list_actions', { connector_id: 'legit-file' })));
    expectClean(JSON.stringify(await call('list_activity', { limit: 200 })));
    expectClean(gw.logs.join('\n'));
    // Healthy: both planes still answer.
    expect((await call('get_gateway_status', {})).isError).toBeFalsy();
    await call('create_customer', { id: 'acme', name: 'Acme' });
    const gateway = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway', ['acme'])),
    );
    expect(Array.isArray((await gateway.listTools()).tools)).toBe(true);
    await gateway.close();
  });
});
