// The hardening classes under random input, from a fixed-seed PRNG, against one real server: own
// "__proto__" keys and prototype-named ids anywhere in a message, path parameters built from dot,
// slash and encoding fragments, paths Portico does not serve, a session flood on one key, hostile
// $refs and data-dir paths in OpenAPI imports, and redirects to another origin. Every answer is
// below 500 and holds no key or secret; afterwards the server is healthy, Object.prototype is
// untouched, no credential reached the other origin and no session is left. Reproduce a failure
// with the seed it prints (PORTICO_FUZZ_SEED=N).
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Prng, prng } from '../helpers/fault-util';
import { bearer, connectClient, initializeBody, rawPost, startTestGateway } from '../helpers/gateway';
import { everything, json, startRecordingServer } from '../helpers/recording-server';

const SEED = Number(process.env.PORTICO_FUZZ_SEED ?? 0x4a7d_0010);
const TOTAL = 500;
const MAX_PER_KEY = 6;
const SECRET = 'fz-upstream-secret-71c3e9a2d4';
const KEY_SHAPE = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;

type Result = { isError?: boolean; content?: { text?: string }[] };
type Json = Record<string, unknown>;

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let api: Awaited<ReturnType<typeof startRecordingServer>>;
let other: Awaited<ReturnType<typeof startRecordingServer>>;
let admin: Client;
let gateway: Client;
let gatewayKey: string;
let floodKey: string;
const raw = { admin: '', gateway: '' };
const url = { admin: '', gateway: '' };

const text = (r: Result) => (r.content ?? []).map((c) => c.text ?? '').join('\n');

/** An object whose keys are all own properties — `__proto__` included, as JSON.parse makes them. */
function own(entries: [string, unknown][]): Json {
  const out: Json = {};
  for (const [key, value] of entries)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
const FRAGMENTS = [
  '.',
  '.',
  '..',
  '%2e',
  '%2E',
  '%252e',
  '/',
  '\\',
  '%2f',
  '%5C',
  ';',
  '?',
  '#',
  '%00',
  'a',
  '．',
  '\u2025',
  ' ',
];
const UNSERVED = [
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp/admin',
  '/.well-known/openid-configuration',
  '/register',
  '/authorize',
  '/token',
  '/sse',
  '/messages',
  '/favicon.ico',
  '/robots.txt',
  '/mcp/admin/extra',
  '/mcp/gateway/x',
  '/v1/mcp',
  '/index.htm',
];

// ── Case generators ─────────────────────────────────────────────────────────────────────────

/** A value with an own `__proto__` (or another prototype name) somewhere inside, up to 3 deep. */
function protoValue(r: Prng, depth = 0): Json {
  const name = r.bool(0.6) ? '__proto__' : r.pick(PROTO_NAMES);
  const inner: unknown =
    depth < 2 && r.bool(0.4) ? protoValue(r, depth + 1) : r.pick([{ polluted: true }, 1, 'x', null, []]);
  const entries: [string, unknown][] = [[name, inner]];
  if (r.bool()) entries.unshift(['k', r.int(9)]);
  if (r.bool(0.3)) entries.push(['polluted', true]);
  return own(entries);
}

const hasOwnProto = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (Object.hasOwn(value, '__proto__') || Object.values(value).some((v) => hasOwnProto(v)));

/** A JSON-RPC message on one plane with prototype names in its params, arguments or _meta. */
function protoMessage(r: Prng, plane: 'admin' | 'gateway', id: number): { body: string; poisoned: boolean } {
  const args =
    plane === 'gateway'
      ? own([
          ['id', r.bool() ? r.pick(PROTO_NAMES) : 'item'],
          ['part', r.pick(PROTO_NAMES)],
        ])
      : own([['id', r.pick(PROTO_NAMES)]]);
  const where = r.int(4);
  if (where === 0) args[r.pick(['id', 'part', 'extra'])] = protoValue(r);
  else if (where === 1) Object.defineProperty(args, '__proto__', { value: protoValue(r), enumerable: true });
  const params = own([
    ['name', plane === 'gateway' ? 'things__get_part' : 'get_customer'],
    ['arguments', args],
  ]);
  if (where === 2) params._meta = own([['__proto__', { progressToken: 1 }]]);
  const message = own([
    ['jsonrpc', '2.0'],
    ['id', id],
    ['method', where === 3 && r.bool() ? 'tools/list' : 'tools/call'],
    ['params', where === 3 ? protoValue(r) : params],
  ]);
  return { body: JSON.stringify(message), poisoned: hasOwnProto(message) };
}

/** A path parameter made of dot, slash and encoding fragments (or, now and then, a plain word). */
function pathValue(r: Prng): string {
  if (r.bool(0.1)) return r.pick(['item', 'v1.2', '...', '.hidden', 'constructor']);
  let out = '';
  for (let n = 1 + r.int(6); n > 0; n--) out += r.pick(FRAGMENTS);
  return out;
}

/** Decodes until stable (at most 4 times): what a lenient server might end up seeing. */
function decoded(segment: string): string {
  let out = segment;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(out);
    } catch {
      return out;
    }
    if (next === out) break;
    out = next;
  }
  return out;
}

const HOSTILE_REFS = (dataDir: string) => [
  'file:///etc/passwd',
  '/etc/passwd',
  '../../../../../../etc/passwd#/x',
  '/proc/self/environ',
  `${other.origin}/schema.json#/Thing`,
  `http://127.0.0.2:${other.port}/x.yaml`,
  `file://${dataDir}/portico.db`,
  path.join(dataDir, 'secret.key'),
  `${dataDir}/../${path.basename(dataDir)}/portico.db`,
  'http://127.0.0.1:1/unreachable.json',
  '//127.0.0.2/x',
];

// ── Setup ───────────────────────────────────────────────────────────────────────────────────

beforeAll(async () => {
  gw = await startTestGateway({ maxSessionsPerKey: MAX_PER_KEY });
  other = await startRecordingServer((_req, res) => json(res, 200, { stolen: false }), { host: '127.0.0.2' });
  api = await startRecordingServer((_req, res, seen) => {
    if (seen.rawUrl.startsWith('/api/v1/hop/'))
      return res.writeHead(302, { location: `${other.origin}/stolen` }).end();
    return json(res, 200, { target: seen.rawUrl });
  });
  const call = async (name: string, args: Json) => {
    const r = await gw.app.callTool(name, args, 'internal');
    if (!r.ok) throw new Error(`${name}: ${r.error}`);
  };
  const p = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
  const ok = { '200': { description: 'ok' } };
  await call('create_customer', { id: 'fz', name: 'Fuzz' });
  await call('import_openapi', {
    slug: 'things',
    base_url: `${api.origin}/api/v1`,
    spec: {
      openapi: '3.0.3',
      info: { title: 'Things', version: '1' },
      servers: [{ url: 'http://placeholder.invalid' }],
      paths: {
        '/things/{id}/parts/{part}': {
          get: { operationId: 'get_part', parameters: [p('id'), p('part')], responses: ok },
        },
        '/hop/{id}': { get: { operationId: 'hop', parameters: [p('id')], responses: ok } },
      },
    },
  });
  await call('set_auth_config', {
    connector_id: 'things',
    scheme: 'api_key',
    in: 'header',
    name: 'X-Api-Key',
  });
  await call('create_connection', {
    customer_id: 'fz',
    connector_id: 'things',
    credentials: { api_key: SECRET },
  });
  gatewayKey = gw.mint('gateway', ['fz']);
  floodKey = gw.mint('gateway', ['fz']);
  url.admin = `${gw.app.url}/mcp/admin`;
  url.gateway = `${gw.app.url}/mcp/gateway?customer_id=fz`;
  admin = await connectClient(url.admin, bearer(gw.adminKey));
  gateway = await connectClient(url.gateway, bearer(gatewayKey));
  raw.admin = await openRaw('admin', gw.adminKey);
  raw.gateway = await openRaw('gateway', gatewayKey);
}, 60_000);
afterAll(async () => {
  await admin?.close();
  await gateway?.close();
});

/** initialize + initialized with raw requests; the session id. */
async function openRaw(plane: 'admin' | 'gateway', key: string): Promise<string> {
  const init = await rawPost(url[plane], initializeBody, bearer(key));
  const id = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !id) throw new Error(`initialize: ${init.status} ${init.text.slice(0, 200)}`);
  const done = await rawPost(url[plane], '{"jsonrpc":"2.0","method":"notifications/initialized"}', {
    ...bearer(key),
    'mcp-session-id': id,
  });
  expect(done.status).toBe(202);
  return id;
}

const closeRaw = (plane: 'admin' | 'gateway', key: string, id: string) =>
  fetch(url[plane], { method: 'DELETE', headers: { ...bearer(key), 'mcp-session-id': id } });

// ── The run ─────────────────────────────────────────────────────────────────────────────────

describe(`the hardening classes under ${TOTAL} random cases (seed ${SEED})`, () => {
  it('answer below 500 without secrets; the server, Object.prototype and the other origin stay clean', async () => {
    const r = prng(SEED);
    const failures: string[] = [];
    const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
    const secrets = [gw.adminKey, gatewayKey, floodKey, SECRET];
    const flood: string[] = [];
    /** How often each outcome happened: every one must, or the run tested less than it says. */
    const tally = new Map<string, number>();
    const count = (outcome: string) => tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    let rpcId = 100;
    let slug = 0;

    const check = (name: string, status: number, body: string) => {
      if (status >= 500) failures.push(`${name}: status ${status} ${body.slice(0, 200)}`);
      if (KEY_SHAPE.test(body) || secrets.some((s) => body.includes(s)))
        failures.push(`${name}: a secret in the answer`);
      if (/root:x?:0:0/.test(body)) failures.push(`${name}: /etc/passwd in the answer`);
    };

    for (let i = 0; i < TOTAL; i++) {
      const roll = r.int(100);
      if (roll < 28) {
        // Prototype names: refused by name when an own __proto__ is present, ordinary names otherwise.
        const plane = r.bool() ? 'admin' : 'gateway';
        const { body, poisoned } = protoMessage(r, plane, rpcId++);
        const before = api.seen.length;
        const key = plane === 'admin' ? gw.adminKey : gatewayKey;
        const res = await rawPost(url[plane], body, { ...bearer(key), 'mcp-session-id': raw[plane] });
        const name = `proto#${i} ${plane} ${body.slice(0, 160)}`;
        check(name, res.status, res.text);
        count(poisoned ? 'proto refused' : 'proto ordinary');
        if (poisoned) {
          if (res.status !== 200 || !res.text.includes('-32602') || !res.text.includes('__proto__'))
            failures.push(`${name}: not refused by name (${res.status} ${res.text.slice(0, 200)})`);
          if (api.seen.length !== before) failures.push(`${name}: reached the upstream`);
        } else if (res.status !== 200)
          failures.push(`${name}: status ${res.status} ${res.text.slice(0, 200)}`);
      } else if (roll < 58) {
        // Path parameters: sent as exactly the template's segments, or refused naming the parameter.
        const args = { id: r.bool(0.7) ? pathValue(r) : 'item', part: r.bool(0.7) ? pathValue(r) : 'p' };
        const before = api.seen.length;
        const res = (await gateway.callTool({ name: 'things__get_part', arguments: args })) as Result;
        const name = `path#${i} ${JSON.stringify(args)}`;
        check(name, 200, JSON.stringify(res));
        count(res.isError ? 'path refused' : 'path sent');
        if (res.isError) {
          if (!/Path parameter "(id|part)"/.test(text(res)))
            failures.push(`${name}: ${text(res).slice(0, 200)}`);
          if (api.seen.length !== before) failures.push(`${name}: refused but sent`);
          continue;
        }
        const sent = api.seen.at(-1);
        const target = (sent?.rawUrl ?? '').split('?')[0] ?? '';
        const segments = target.split('/');
        const template = ['', 'api', 'v1', 'things', '*', 'parts', '*'];
        const normalized = new URL(target, 'http://x').pathname;
        if (
          api.seen.length !== before + 1 ||
          segments.length !== template.length ||
          normalized !== target ||
          segments.some((s, n) =>
            template[n] === '*' ? /^\.{1,2}$/.test(decoded(s).replace(/\\/g, '/')) : s !== template[n],
          ) ||
          sent?.headers['x-api-key'] !== SECRET
        )
          failures.push(`${name}: sent as ${sent?.rawUrl}`);
      } else if (roll < 63) {
        // A redirect to another origin: followed without any credential, or refused.
        const res = (await gateway.callTool({ name: 'things__hop', arguments: { id: `h${i}` } })) as Result;
        check(`redirect#${i}`, 200, JSON.stringify(res));
        count('redirect');
      } else if (roll < 78) {
        // Paths Portico does not serve: a JSON 404 whatever the method, key or suffix.
        // A suffix that is never a bare dot segment: fetch would resolve that before sending.
        const target = `${r.pick(UNSERVED)}${r.bool(0.3) ? `/s${encodeURIComponent(pathValue(r))}` : ''}`;
        const method = r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
        const headers: Record<string, string> = r.bool() ? bearer(r.bool() ? gw.adminKey : gatewayKey) : {};
        const res = await fetch(`${gw.app.url}${target}`, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{"jsonrpc":"2.0","id":1,"method":"initialize"}',
        });
        const body = await res.text();
        const name = `unserved#${i} ${method} ${target}`;
        count('unserved');
        check(name, res.status, body);
        let error: unknown;
        try {
          error = (JSON.parse(body) as Json).error;
        } catch {
          error = undefined;
        }
        if (
          res.status !== 404 ||
          !String(res.headers.get('content-type')).startsWith('application/json') ||
          !error
        )
          failures.push(`${name}: ${res.status} ${res.headers.get('content-type')} ${body.slice(0, 120)}`);
      } else if (roll < 90) {
        // One key floods sessions: accepted up to the cap, then 429; a closed one frees a place.
        if (flood.length > 0 && r.bool(0.25)) {
          const id = flood.splice(r.int(flood.length), 1)[0] as string;
          const closed = await closeRaw('gateway', floodKey, id);
          check(`flood-close#${i}`, closed.status, await closed.text());
          count('flood closed');
          continue;
        }
        const res = await rawPost(url.gateway, initializeBody, bearer(floodKey));
        const name = `flood#${i} (${flood.length} open)`;
        check(name, res.status, res.text);
        const id = res.headers.get('mcp-session-id');
        count(flood.length < MAX_PER_KEY ? 'flood accepted' : 'flood capped');
        if (flood.length < MAX_PER_KEY) {
          if (res.status !== 200 || !id) failures.push(`${name}: ${res.status} ${res.text.slice(0, 160)}`);
          else flood.push(id);
        } else if (res.status !== 429 || id || !/session/i.test(res.text))
          failures.push(`${name}: over the cap but ${res.status} ${res.text.slice(0, 160)}`);
      } else {
        // OpenAPI imports that reach for files, the data dir or other origins: refused, nothing read.
        slug += 1;
        const ref = r.pick(HOSTILE_REFS(gw.dataDir));
        const byPath = r.bool(0.3);
        const args = byPath
          ? {
              slug: `hostile-${slug}`,
              spec_path: r.pick([ref, path.join(gw.dataDir, 'portico.db'), '/etc/passwd']),
            }
          : {
              slug: `hostile-${slug}`,
              spec: {
                openapi: '3.0.3',
                info: { title: 'h', version: '1' },
                servers: [{ url: 'http://127.0.0.1:9' }],
                paths: {
                  '/x': {
                    post: {
                      operationId: 'x',
                      requestBody: { content: { 'application/json': { schema: { $ref: ref } } } },
                      responses: { 200: { description: 'ok' } },
                    },
                  },
                },
              },
            };
        const res = (await admin.callTool({ name: 'import_openapi', arguments: args }, undefined, {
          timeout: 30_000,
        })) as Result;
        const name = `import#${i} ${JSON.stringify(args).slice(0, 160)}`;
        check(name, 200, JSON.stringify(res));
        count(byPath ? 'import by path' : 'import by $ref');
        if (!res.isError) failures.push(`${name}: imported`);
      }
    }

    expect(failures, `seed ${SEED}`).toEqual([]);
    // Every class ran, each outcome more than once.
    const outcomes = ['proto refused', 'proto ordinary', 'path refused', 'path sent', 'redirect', 'unserved'];
    outcomes.push('flood accepted', 'flood capped', 'flood closed', 'import by path', 'import by $ref');
    for (const outcome of outcomes) expect(tally.get(outcome) ?? 0, outcome).toBeGreaterThan(1);
    expect(other.seen.length).toBeGreaterThan(1); // redirects were followed there (stripped)

    // Object.prototype untouched; nothing imported; no credential ever reached the other origin.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(({} as Json).polluted).toBeUndefined();
    const listed = (await admin.callTool({ name: 'list_connectors', arguments: {} })) as Result & {
      structuredContent?: { connectors: { slug: string }[] };
    };
    expect(listed.structuredContent?.connectors.map((c) => c.slug)).toEqual(['things']);
    expect(other.seen.filter((s) => s.rawUrl !== '/stolen')).toEqual([]);
    for (const seen of other.seen) {
      expect(everything(seen)).not.toContain(SECRET);
      expect(seen.headers['x-api-key']).toBeUndefined();
      expect(seen.headers.authorization).toBeUndefined();
    }

    // Healthy: the long-lived clients and raw sessions still work, a new client connects.
    expect((await fetch(`${gw.app.url}/healthz`)).status).toBe(200);
    const ok = (await gateway.callTool({
      name: 'things__get_part',
      arguments: { id: 'a', part: 'b' },
    })) as Result;
    expect(ok.isError, text(ok)).toBeFalsy();
    expect(text(ok)).toContain('/api/v1/things/a/parts/b');
    for (const plane of ['admin', 'gateway'] as const) {
      const key = plane === 'admin' ? gw.adminKey : gatewayKey;
      const ping = await rawPost(url[plane], '{"jsonrpc":"2.0","id":"last","method":"ping"}', {
        ...bearer(key),
        'mcp-session-id': raw[plane],
      });
      expect(ping.status).toBe(200);
      expect(ping.text).toContain('"id":"last"');
    }
    const fresh = await connectClient(url.gateway, bearer(gatewayKey));
    expect((await fresh.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'things__get_part',
      'things__hop',
    ]);

    // No session left once each is closed.
    for (const id of flood) await closeRaw('gateway', floodKey, id);
    await closeRaw('admin', gw.adminKey, raw.admin);
    await closeRaw('gateway', gatewayKey, raw.gateway);
    for (const client of [fresh, admin, gateway]) {
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      await client.close();
    }
    expect(gw.app.sessionCount()).toEqual({ admin: 0, gateway: 0 });
  }, 120_000);
});
