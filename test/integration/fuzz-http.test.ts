// 1,000 malformed or hostile requests against a real server, from a fixed-seed PRNG: every
// answer is a well-formed HTTP response below 500 without a key in it, and the server is
// healthy afterwards with no MCP session left behind. Reproduce a failure with the seed it
// prints (PORTICO_FUZZ_SEED=N npx vitest run test/integration/fuzz-http.test.ts).
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpBytes,
  type RawOptions,
  type RawResponse,
  rawExchange,
  sessionIdOf,
} from '../helpers/fault-http';
import { type Prng, prng } from '../helpers/fault-util';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const SEED = Number(process.env.PORTICO_FUZZ_SEED ?? 0x5eed_f022);
const TOTAL = 1_000;
const KEY_SHAPE = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let port: number;
let gatewayKey: string;
let host: string;
const base: { admin: string; gateway: string } = { admin: '', gateway: '' };

type Header = readonly [string, string];

interface Case {
  name: string;
  bytes: (string | Buffer)[];
  options?: RawOptions;
  /** The server may close without answering (framing it can't parse, a client that left). */
  mayNotAnswer?: boolean;
  /** The status this case must get, when it is known. */
  expect?: number | number[];
  /** Every response on the connection (pipelining). */
  expectStatuses?: number[];
}

const json = (h: Header[] = []): Header[] => [
  ['content-type', 'application/json'],
  ['accept', 'application/json, text/event-stream'],
  ...h,
];
const hostHeader = (): Header => ['host', host];
const plane = (which: 'admin' | 'gateway') =>
  which === 'admin' ? '/mcp/admin' : '/mcp/gateway?customer_id=fuzzco';
const keyOf = (which: 'admin' | 'gateway') => (which === 'admin' ? gw.adminKey : gatewayKey);
const post = (path: string, headers: Header[], body: string | Buffer): Case['bytes'] => [
  httpBytes('POST', path, [hostHeader(), ...headers, ['connection', 'close']], body),
];

// ── Random JSON and JSON-RPC ────────────────────────────────────────────────────────────────

const STRINGS = [
  '',
  ' ',
  '2.0',
  'null',
  '\u0000',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '😀🧪\u{10ffff}',
  '\ud800',
  '\udfff\ud800',
  'Z̴̡̛͔a̷̢l̶g̵o̴',
  '__proto__',
  'constructor',
  'toString',
  '../../etc/passwd',
  '%00%2e%2e',
  '<script>alert(1)</script>',
  '$' + '{jndi:ldap://x}',
  "' OR 1=1 --",
  'x'.repeat(10_000),
];
const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'logging/setLevel',
  'completion/complete',
  'sampling/createMessage',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'rpc.discover',
  '',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'tools/call/../list',
];
/** Only harmless tool names: nothing the fuzzer sends may switch a plane off or delete things. */
const TOOL_NAMES = [
  'nope',
  '',
  'x'.repeat(300),
  '__proto__',
  'constructor',
  'get_gateway_status',
  'list_customers',
  'get_customer',
  'search_tools',
  'describe_tool',
  'call_tool',
];

function randomString(r: Prng): string {
  if (r.bool(0.6)) return r.pick(STRINGS);
  const length = r.int(40);
  let out = '';
  for (let i = 0; i < length; i++) {
    const kind = r.int(4);
    out += String.fromCodePoint(
      kind === 0
        ? r.int(0x80)
        : kind === 1
          ? 0x80 + r.int(0x780)
          : kind === 2
            ? r.int(0xd800)
            : 0x10000 + r.int(0x10000),
    );
  }
  return out;
}

function randomValue(r: Prng, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.bool();
    case 2:
      return r.pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), Number.MAX_VALUE, Number.MIN_VALUE, -0]);
    case 3:
    case 4:
    case 5:
      return randomString(r);
    case 6:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--)
        object[r.bool(0.3) ? r.pick(STRINGS) : `k${r.int(9)}`] = randomValue(r, depth + 1);
      return object;
    }
  }
}

function randomParams(r: Prng, method: unknown): unknown {
  if (r.bool(0.2)) return randomValue(r);
  if (method === 'tools/call')
    return {
      name: r.bool(0.85) ? r.pick(TOOL_NAMES) : randomValue(r),
      arguments: r.bool(0.7) ? randomValue(r) : { customer_id: randomString(r), query: randomString(r) },
      ...(r.bool(0.2) ? { _meta: { progressToken: randomValue(r) } } : {}),
    };
  if (method === 'initialize')
    return {
      protocolVersion: r.pick(['2025-06-18', '1999-01-01', '', randomValue(r)]),
      capabilities: r.bool(0.8) ? {} : randomValue(r),
      clientInfo: r.bool(0.5) ? { name: randomString(r), version: '1' } : randomValue(r),
    };
  if (method === 'notifications/cancelled') return { requestId: randomValue(r), reason: randomString(r) };
  if (method === 'logging/setLevel') return { level: r.pick(['debug', 'emergency', 'LOUD', randomValue(r)]) };
  return r.bool(0.5) ? undefined : randomValue(r);
}

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD). */
const pct = (text: string) => Buffer.from(text).toString('hex').replace(/../g, '%$&');

let nextId = 1_000;
function randomMessage(r: Prng): unknown {
  const method = r.bool(0.9) ? r.pick(METHODS) : randomValue(r);
  const message: Record<string, unknown> = {};
  if (r.bool(0.92)) message.jsonrpc = r.bool(0.85) ? '2.0' : randomValue(r);
  const idKind = r.int(10);
  // Unique ids by default: duplicates in flight are the client's own problem, not the server's.
  if (idKind < 6) message.id = nextId++;
  else if (idKind === 6) message.id = `s-${nextId++}`;
  else if (idKind === 7) message.id = randomValue(r);
  if (r.bool(0.95)) message.method = method;
  const params = randomParams(r, method);
  if (params !== undefined) message.params = params;
  if (r.bool(0.05)) message.result = randomValue(r);
  if (r.bool(0.05)) message.error = { code: randomValue(r), message: randomString(r) };
  return message;
}

/** A JSON-RPC body as text: a message, a batch, a raw oddity, or a mangled one. */
function randomBody(r: Prng): string {
  const shape = r.int(20);
  if (shape < 11) return JSON.stringify(randomMessage(r));
  if (shape < 13)
    return JSON.stringify(
      Array.from({ length: r.int(6) }, () => (r.bool(0.8) ? randomMessage(r) : randomValue(r))),
    );
  if (shape === 13)
    return r.pick([
      '',
      'null',
      '0',
      '"2.0"',
      '[]',
      '[[]]',
      '{}',
      'true',
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      'NaN',
      '{"jsonrpc":"2.0","id":1e400,"method":"ping"}',
      '{"jsonrpc":"2.0","id":-0,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"tools/list"}',
      '{"__proto__":{"polluted":true},"jsonrpc":"2.0","id":7,"method":"ping"}',
      '{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"constructor":{"prototype":{"polluted":true}}}}',
      '\ufeff{"jsonrpc":"2.0","id":9,"method":"ping"}',
      '{"jsonrpc":"2.0","id":10,"method":"ping"} trailing',
      '{"jsonrpc":"2.0","id":11,"method":"ping",}',
      "{'jsonrpc':'2.0'}",
      '\u0000',
    ]);
  const text = JSON.stringify(randomMessage(r));
  const at = r.int(text.length + 1);
  if (shape === 14) return text.slice(0, at); // truncated
  if (shape === 15)
    return text.slice(0, at) + r.pick(['"', '{', ']', '\\', '\u0000', ',', '\\u12']) + text.slice(at);
  if (shape === 16)
    return JSON.stringify(
      Array.from({ length: 200 }, () => ({ jsonrpc: '2.0', method: 'ping', id: nextId++ })),
    );
  if (shape === 17) return `${'['.repeat(500 + r.int(5000))}1${']'.repeat(r.int(3))}`;
  return JSON.stringify({
    jsonrpc: '2.0',
    id: nextId++,
    method: 'tools/call',
    params: { name: 'nope', arguments: { blob: 'y'.repeat(r.int(200_000)) } },
  });
}

// ── Cases ───────────────────────────────────────────────────────────────────────────────────

const ACCEPTS = [
  'application/json, text/event-stream',
  'application/json',
  'text/event-stream',
  '*/*',
  '',
  'text/html',
  'application/json;q=0, text/event-stream;q=0',
];
const TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
];
const HOSTS = [
  'localhost',
  'evil.example',
  '127.0.0.1.nip.io',
  '[::1',
  '',
  '127.0.0.1:1',
  '0.0.0.0',
  'LOCALHOST',
  '127.1',
  '[::ffff:127.0.0.1]',
  'localhost:99999',
  'a'.repeat(300),
];
const ORIGINS = [
  'null',
  'http://evil.example',
  'http://localhost',
  'https://127.0.0.1',
  'file://',
  'chrome-extension://abc',
  'http://127.0.0.1:1',
  '*',
  'http://[::1',
  'http://127.0.0.1.evil.example',
];
const PATHS = [
  '/mcp/admin/../gateway',
  '/mcp/gateway/../admin',
  '//mcp/admin',
  '///mcp/admin',
  '/mcp//admin',
  '/%2e%2e/mcp/admin',
  '/mcp/%2e%2e/mcp/admin',
  '/mcp/admin%2f..%2fgateway',
  '/mcp/admin;x',
  '/mcp/admin;jsessionid=1',
  '/mcp/admin%00',
  '/mcp/gateway?customer_id=%00',
  '/mcp/gateway?customer_id=fuzzco%00',
  '/mcp/gateway?customer_id=../fuzzco',
  '/mcp/gateway?customer_id=fuzzco&customer_id=other',
  '/mcp/gateway?endOrgId=__proto__',
  '/mcp/gateway?customer_id=constructor',
  '/mcp/ADMIN',
  '/MCP/admin',
  '/mcp/admin/',
  '/mcp/admin/x',
  '/mcp',
  '/mcp/',
  '/healthz/..',
  '/healthz%3F',
  '/api/tools',
  '/api/tools/create_customer/../list_customers',
  '/api/../mcp/admin',
  '/oauth/callback?state=%00&code=x',
  `/oauth/callback?state=${'a'.repeat(3000)}`,
  '/%',
  '/%zz',
  '/\\mcp\\admin',
  '/..%5c..%5cetc%5cpasswd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/index.html%00.js',
  '*',
  '//[x',
  '//a:99999/x',
  '//%zz',
  'http://evil.example/mcp/admin',
  'http://[::1/mcp/admin',
  `/mcp/admin?api_key=${'k'.repeat(2000)}`,
  `/${'a/'.repeat(3000)}`,
  `/mcp/gateway?customer_id=${'c'.repeat(8000)}`,
];
const METHODS_HTTP = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'TRACE',
  'OPTIONS',
  'HEAD',
  'PROPFIND',
  'M-SEARCH',
  'PURGE',
  'LINK',
];

function rpcCase(r: Prng, i: number): Case {
  const which = r.bool() ? 'admin' : 'gateway';
  const body = randomBody(r);
  return {
    name: `#${i} rpc ${which} without session: ${body.slice(0, 80)}`,
    bytes: post(plane(which), json([['authorization', `Bearer ${keyOf(which)}`]]), body),
  };
}

function sessionCase(r: Prng, i: number): Case {
  const which = r.bool() ? 'admin' : 'gateway';
  const body = randomBody(r);
  const headers = json([
    ['authorization', `Bearer ${keyOf(which)}`],
    ['mcp-session-id', base[which]],
    ...(r.bool(0.7)
      ? [
          [
            'mcp-protocol-version',
            r.bool(0.8) ? '2025-06-18' : randomString(r).replace(/[^\x20-\x7e]/g, '?'),
          ] as Header,
        ]
      : []),
  ]);
  return {
    name: `#${i} rpc ${which} in session: ${body.slice(0, 80)}`,
    bytes: post(plane(which), headers, body),
  };
}

function authCase(r: Prng, i: number): Case {
  const which = r.bool() ? 'admin' : 'gateway';
  const fake = `ptc_${'A'.repeat(8)}_${'b'.repeat(32)}`;
  const auth: Header[] = r.pick<Header[]>([
    [],
    [['authorization', 'Bearer']],
    [['authorization', 'Bearer ']],
    [['authorization', `Bearer ${fake}`]],
    [['authorization', `Basic ${Buffer.from('user:pass').toString('base64')}`]],
    [['authorization', `Bearer ${'x'.repeat(8_000)}`]],
    [['authorization', `bearer ${keyOf(which === 'admin' ? 'gateway' : 'admin')}`]],
    [['authorization', `Bearer ${keyOf(which).slice(0, -1)}`]],
    [['x-api-key', fake]],
    [['x-api-key', 'ptc_\u00ff\u00fe']],
    [
      ['authorization', `Bearer ${fake}`],
      ['x-api-key', keyOf(which)],
    ],
  ]);
  const query = r.bool(0.2)
    ? `${which === 'admin' ? '?' : '&'}api_key=${pct(r.pick([fake, 'ptc_', '%00', randomString(r)]))}`
    : '';
  const body = randomBody(r);
  return {
    name: `#${i} auth ${which} ${auth.map(([k]) => k).join('+')}${query ? ' +query' : ''}`,
    bytes: post(plane(which) + query, json(auth), body),
  };
}

function headerCase(r: Prng, i: number): Case {
  // A DELETE with the shared session's id would end it: DELETEs here name no live session.
  const method = r.bool(0.8) ? 'POST' : r.pick(['GET', 'DELETE']);
  const which = r.bool() ? 'admin' : 'gateway';
  const headers: Header[] = [['authorization', `Bearer ${keyOf(which)}`]];
  const kind = r.int(7);
  let hostValue = host;
  if (kind === 0) hostValue = r.pick(HOSTS);
  if (kind === 1) headers.push(['origin', r.pick(ORIGINS)]);
  if (kind === 2 || kind === 3) {
    headers.push(['content-type', r.pick(TYPES)], ['accept', r.pick(ACCEPTS)]);
    if (r.bool() && method !== 'DELETE') headers.push(['mcp-session-id', base[which]]);
  } else headers.push(...json());
  if (kind === 4)
    headers.push([
      'mcp-session-id',
      r.pick([
        randomString(r).replace(/[^\x21-\x7e]/g, 'x') || 'x',
        base[which === 'admin' ? 'gateway' : 'admin'],
        'a'.repeat(4000),
        `${base[which]}, ${base[which]}`,
      ]),
    ]);
  if (kind === 5)
    headers.push(
      ['x-forwarded-for', '1.2.3.4'],
      ['x-forwarded-host', 'evil.example'],
      ['forwarded', 'for=1.2.3.4;host=evil'],
      ['x-http-method-override', 'DELETE'],
    );
  if (kind === 6)
    for (let n = 0; n < 50; n++) headers.push([`x-junk-${n}`, randomString(r).replace(/[^\x20-\x7e]/g, '?')]);
  const body = method === 'POST' ? randomBody(r) : undefined;
  return {
    name: `#${i} headers(${kind}) ${method} ${which} host=${hostValue.slice(0, 40)}`,
    bytes: [
      httpBytes(method, plane(which), [['host', hostValue], ...headers, ['connection', 'close']], body),
    ],
    ...(method === 'GET' ? { options: { headersOnly: true } } : {}),
  };
}

function pathCase(r: Prng, i: number): Case {
  const method = r.pick(METHODS_HTTP);
  const path = r.bool(0.85) ? r.pick(PATHS) : `/${pct(randomString(r))}`;
  const which = r.bool() ? 'admin' : 'gateway';
  const headers: Header[] = [
    hostHeader(),
    ['authorization', `Bearer ${keyOf(which)}`],
    ...json(),
    ['connection', 'close'],
  ];
  const body = method === 'GET' || method === 'HEAD' || method === 'TRACE' ? undefined : randomBody(r);
  return {
    name: `#${i} path ${method} ${path.slice(0, 80)}`,
    bytes: [httpBytes(method, path, headers, body)],
    options: { head: method === 'HEAD' },
  };
}

function rawCase(r: Prng, i: number): Case {
  const which = r.bool() ? 'admin' : 'gateway';
  const auth: Header = ['authorization', `Bearer ${keyOf(which)}`];
  const kind = r.int(9);
  const body = randomBody(r);
  const full = httpBytes(
    'POST',
    plane(which),
    [hostHeader(), auth, ...json(), ['connection', 'close']],
    body,
  );
  switch (kind) {
    case 0: {
      // Invalid UTF-8 inside a JSON string and around it.
      const bad = Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xc3]);
      const payload = Buffer.concat([
        Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"'),
        bad,
        Buffer.from('"}}'),
        r.bool() ? bad : Buffer.alloc(0),
      ]);
      const session: Header[] = r.bool() ? [['mcp-session-id', base[which]]] : [];
      return {
        name: `#${i} raw invalid utf-8 body ${which}`,
        bytes: [
          httpBytes(
            'POST',
            plane(which),
            [hostHeader(), auth, ...json(session), ['connection', 'close']],
            payload,
          ),
        ],
      };
    }
    case 1:
      // Half-sent body, then the client half-closes (or vanishes).
      return {
        name: `#${i} raw half-sent body`,
        bytes: [full.subarray(0, Math.max(1, full.length - 1 - r.int(Math.min(body.length, 500) + 1)))],
        options: { after: r.bool() ? 'half' : 'destroy' },
        mayNotAnswer: true,
      };
    case 2: {
      // Slowloris: partial headers, closed early.
      const text = full.toString('latin1');
      const cut = r.int(text.indexOf('\r\n\r\n') + 1);
      return {
        name: `#${i} raw partial headers (${cut} bytes)`,
        bytes: [text.slice(0, cut)],
        options: { after: r.bool() ? 'half' : 'destroy' },
        mayNotAnswer: true,
      };
    }
    case 3: {
      // Random bytes instead of HTTP.
      const junk = Buffer.from(Array.from({ length: 1 + r.int(300) }, () => r.int(256)));
      return {
        name: `#${i} raw garbage`,
        bytes: [junk, '\r\n\r\n'],
        options: { after: 'half' },
        mayNotAnswer: true,
      };
    }
    case 4:
      // Invalid bytes in the request line and in a header value.
      return {
        name: `#${i} raw invalid bytes in head`,
        bytes: [
          Buffer.concat([
            Buffer.from(`POST ${plane(which)}`),
            Buffer.from([0xff, 0x00, 0x7f]),
            Buffer.from(
              ` HTTP/1.1\r\nhost: ${host}\r\nx-bad: a\u0000b\r\nconnection: close\r\n\r\n`,
              'latin1',
            ),
          ]),
        ],
        options: { after: 'half' },
        mayNotAnswer: true,
      };
    case 5:
      // Broken framing: both length and chunked, a bad chunk size, a negative length.
      return {
        name: `#${i} raw broken framing`,
        bytes: [
          r.pick([
            `POST ${plane(which)} HTTP/1.1\r\nhost: ${host}\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n0\r\n\r\n`,
            `POST ${plane(which)} HTTP/1.1\r\nhost: ${host}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
            `POST ${plane(which)} HTTP/1.1\r\nhost: ${host}\r\ncontent-length: -1\r\nconnection: close\r\n\r\n`,
            `POST ${plane(which)} HTTP/1.1\r\nhost: ${host}\r\ncontent-length: 1, 2\r\nconnection: close\r\n\r\n{}`,
            `POST ${plane(which)} HTTP/1.1\r\nhost: ${host}\r\ntransfer-encoding: gzip, chunked\r\nconnection: close\r\n\r\n0\r\n\r\n`,
            `GET / HTTP/9.9\r\nhost: ${host}\r\n\r\n`,
            `GET /healthz HTTP/1.1\r\nhost: ${host}\r\n folded: header\r\nconnection: close\r\n\r\n`,
            `GET /healthz HTTP/1.1\nhost: ${host}\nconnection: close\n\n`,
          ]),
        ],
        options: { after: 'half' },
        mayNotAnswer: true,
      };
    case 6:
      // Chunked body in odd pieces, sent as it should be.
      return {
        name: `#${i} raw chunked body`,
        bytes: [
          `POST ${plane(which)} HTTP/1.1\r\nhost: ${host}\r\nauthorization: ${auth[1]}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`,
          ...Array.from(
            body.match(/[\s\S]{1,7}/g) ?? [],
            (piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`,
          ),
          '0\r\n\r\n',
        ],
      };
    case 7:
      // HTTP/1.0, with and without Host.
      return {
        name: `#${i} raw HTTP/1.0`,
        bytes: [
          httpBytes(
            'POST',
            plane(which),
            [...(r.bool() ? [hostHeader()] : []), auth, ...json()],
            body,
            'HTTP/1.0',
          ),
        ],
        options: { until: 'close' },
      };
    default:
      // Pipelined: a hostile request between two health checks.
      return {
        name: `#${i} raw pipelined`,
        bytes: [
          httpBytes('GET', '/healthz', [hostHeader()]),
          httpBytes('POST', plane(which), [hostHeader(), auth, ...json()], body),
          httpBytes('GET', '/healthz', [hostHeader(), ['connection', 'close']]),
        ],
        options: { until: 'close' },
      };
  }
}

/** The cases every run has, whatever the seed: the big and the sharp ones. */
function fixedCases(): Case[] {
  const admin: Header = ['authorization', `Bearer ${gw.adminKey}`];
  const gateway: Header = ['authorization', `Bearer ${gatewayKey}`];
  const limit = gw.app.store.data.settings.bodyLimitBytes;
  const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const call = (args: string) =>
    `{"jsonrpc":"2.0","id":${nextId++},"method":"tools/call","params":{"name":"get_gateway_status","arguments":${args}}}`;
  const inSession = (which: 'admin' | 'gateway'): Header => ['mcp-session-id', base[which]];
  const over = `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'p'.repeat(limit)}"}}`;
  const chunked = Buffer.from(over);
  return [
    {
      name: 'deep array 100k levels, no session',
      bytes: post('/mcp/admin', json([admin]), deepArray),
      expect: 400,
    },
    {
      name: 'deep array 100k levels, in session',
      bytes: post('/mcp/admin', json([admin, inSession('admin')]), deepArray),
      expect: 400,
    },
    {
      name: 'deep object 100k levels in tool arguments (admin)',
      bytes: post('/mcp/admin', json([admin, inSession('admin')]), call(deepObject(100_000))),
    },
    {
      name: 'deep object 100k levels in tool arguments (gateway)',
      bytes: post(plane('gateway'), json([gateway, inSession('gateway')]), call(deepObject(100_000))),
    },
    {
      name: 'deep object 100k levels as params',
      bytes: post(
        plane('gateway'),
        json([gateway, inSession('gateway')]),
        `{"jsonrpc":"2.0","id":${nextId++},"method":"tools/list","params":${deepObject(100_000)}}`,
      ),
    },
    {
      name: 'deep object 100k levels as id',
      bytes: post(
        plane('gateway'),
        json([gateway, inSession('gateway')]),
        `{"jsonrpc":"2.0","method":"ping","id":${deepObject(100_000)}}`,
      ),
      expect: 400,
    },
    {
      name: 'deep object via /api',
      bytes: post('/api/tools/list_customers', json([admin]), deepObject(100_000)),
      expect: 400,
    },
    {
      name: 'body one byte over the limit, declared',
      bytes: post('/mcp/admin', json([admin]), `${over.slice(0, limit)} `.slice(0, limit + 1)),
      expect: 413,
    },
    {
      name: 'body over the limit, chunked',
      bytes: [
        `POST /mcp/admin HTTP/1.1\r\nhost: ${host}\r\nauthorization: ${admin[1]}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`,
        `${chunked.length.toString(16)}\r\n`,
        chunked,
        '\r\n0\r\n\r\n',
      ],
      expect: 413,
    },
    {
      name: 'body over the limit, in session',
      bytes: post(plane('gateway'), json([gateway, inSession('gateway')]), over),
      expect: 413,
    },
    { name: 'body over the limit without a key', bytes: post('/mcp/admin', json(), over), expect: 401 },
    {
      name: 'body at the limit exactly',
      bytes: post('/mcp/admin', json([admin]), `[${' '.repeat(limit - 2)}]`),
      expect: 400,
    },
    {
      name: 'one header over 16 KiB',
      bytes: [
        httpBytes('GET', '/healthz', [
          hostHeader(),
          ['x-big', 'h'.repeat(17 * 1024)],
          ['connection', 'close'],
        ]),
      ],
      expect: 431,
    },
    {
      name: 'headers over 16 KiB in total',
      bytes: [
        httpBytes(
          'POST',
          '/mcp/admin',
          [
            hostHeader(),
            admin,
            ...Array.from({ length: 1_000 }, (_, n) => [`x-h${n}`, 'v'.repeat(20)] as Header),
            ['connection', 'close'],
          ],
          '{}',
        ),
      ],
      expect: 431,
    },
    {
      name: 'a 20 KiB URL',
      bytes: [httpBytes('GET', `/healthz?${'q'.repeat(20 * 1024)}`, [hostHeader(), ['connection', 'close']])],
      expect: 431,
    },
    {
      name: 'a 15 KiB customer id',
      bytes: post(`/mcp/gateway?customer_id=${'c'.repeat(15 * 1024)}`, json([gateway]), '{}'),
      expect: 403,
    },
    {
      name: 'CONNECT',
      bytes: [`CONNECT 127.0.0.1:22 HTTP/1.1\r\nhost: 127.0.0.1:22\r\n\r\n`],
      mayNotAnswer: true,
    },
    {
      name: 'websocket upgrade',
      bytes: [
        httpBytes('GET', '/mcp/admin', [
          hostHeader(),
          admin,
          ['connection', 'Upgrade'],
          ['upgrade', 'websocket'],
          ['sec-websocket-version', '13'],
          ['sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ=='],
        ]),
      ],
      mayNotAnswer: true,
      options: { after: 'half' },
    },
    {
      name: 'HTTP/1.1 without Host',
      bytes: ['GET /healthz HTTP/1.1\r\nconnection: close\r\n\r\n'],
      expect: 400,
    },
    {
      name: 'HTTP/1.0 without Host',
      bytes: ['GET /healthz HTTP/1.0\r\n\r\n'],
      expect: 403,
      options: { until: 'close' },
    },
    {
      name: 'two Host headers',
      bytes: [`GET /healthz HTTP/1.1\r\nhost: evil.example\r\nhost: ${host}\r\nconnection: close\r\n\r\n`],
      expect: [400, 403],
    },
    {
      name: 'request target //[x',
      bytes: [httpBytes('GET', '//[x', [hostHeader(), ['connection', 'close']])],
      expect: 400,
    },
    {
      name: 'request target //a:99999/x',
      bytes: [
        httpBytes('POST', '//a:99999/x', [hostHeader(), admin, ...json(), ['connection', 'close']], '{}'),
      ],
      expect: 400,
    },
    {
      name: 'admin key on /mcp/admin/../gateway',
      bytes: post('/mcp/admin/../gateway?customer_id=fuzzco', json([admin]), '{}'),
      expect: 403,
    },
    {
      name: 'gateway key on /mcp/gateway/%2e%2e/admin',
      bytes: post('/mcp/gateway/%2e%2e/admin', json([gateway]), '{}'),
      expect: 403,
    },
    {
      name: 'admin session id on the gateway plane',
      bytes: post(
        plane('gateway'),
        json([gateway, inSession('admin')]),
        '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      ),
      expect: 404,
    },
    {
      name: 'GET of a session stream with the wrong accept',
      bytes: [
        httpBytes('GET', '/mcp/admin', [
          hostHeader(),
          admin,
          inSession('admin'),
          ['accept', 'application/json'],
          ['connection', 'close'],
        ]),
      ],
      expect: 406,
    },
    {
      name: 'pipelined health checks around a bad body',
      bytes: [
        httpBytes('GET', '/healthz', [hostHeader()]),
        httpBytes('POST', '/mcp/admin', [hostHeader(), admin, ...json()], '{"jsonrpc":'),
        httpBytes('GET', '/healthz', [hostHeader(), ['connection', 'close']]),
      ],
      options: { until: 'close' },
      expectStatuses: [200, 400, 200],
    },
    {
      name: 'half-sent 1 MiB body, then gone',
      bytes: [
        httpBytes('POST', '/mcp/admin', [
          hostHeader(),
          admin,
          ...json(),
          ['content-length', String(2 * 1024 * 1024)],
        ]),
        'x'.repeat(1024 * 1024),
      ],
      options: { after: 'destroy' },
      mayNotAnswer: true,
    },
    {
      name: 'half-sent body, half-closed',
      bytes: [
        httpBytes('POST', plane('gateway'), [hostHeader(), gateway, ...json(), ['content-length', '1000']]),
        '{"jsonrpc":"2.0"',
      ],
      options: { after: 'half' },
      mayNotAnswer: true,
    },
    {
      name: 'slowloris: headers never finished',
      bytes: [`POST /mcp/admin HTTP/1.1\r\nhost: ${host}\r\nx-a: `],
      options: { after: 'half' },
      mayNotAnswer: true,
    },
    {
      name: 'slowloris: request line only',
      bytes: ['GET /healthz HTTP/1.1\r\n'],
      options: { after: 'destroy' },
      mayNotAnswer: true,
    },
  ];
}

function randomCase(r: Prng, i: number): Case {
  const roll = r.int(100);
  if (roll < 25) return rpcCase(r, i);
  if (roll < 55) return sessionCase(r, i);
  if (roll < 65) return authCase(r, i);
  if (roll < 80) return headerCase(r, i);
  if (roll < 92) return pathCase(r, i);
  return rawCase(r, i);
}

/** Opens a session with raw requests, as a client would: initialize, then initialized. */
async function openSession(which: 'admin' | 'gateway'): Promise<string> {
  const key: Header = ['authorization', `Bearer ${keyOf(which)}`];
  const init = await rawExchange(
    port,
    post(
      plane(which),
      json([key]),
      JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'fuzz', version: '1' },
        },
      }),
    ),
  );
  const id = sessionIdOf(init.head);
  if (init.status !== 200 || !id) throw new Error(`initialize failed: ${init.raw.slice(0, 300)}`);
  const done = await rawExchange(
    port,
    post(
      plane(which),
      json([key, ['mcp-session-id', id]]),
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    ),
  );
  expect(done.status).toBe(202);
  return id;
}

function problems(c: Case, res: RawResponse, secrets: string[]): string[] {
  const out: string[] = [];
  if (res.timedOut) out.push('no answer within 15 s (hang)');
  if (res.malformed) out.push(`not an HTTP response: ${JSON.stringify(res.raw.slice(0, 120))}`);
  if (res.status === null && !c.mayNotAnswer && !res.timedOut)
    out.push(`closed without a response (${res.error ?? 'no error'})`);
  for (const status of res.statuses)
    if (status >= 500) out.push(`status ${status}: ${res.body.slice(0, 300)}`);
  if (c.expect !== undefined && res.status !== null) {
    const wanted = Array.isArray(c.expect) ? c.expect : [c.expect];
    if (!wanted.includes(res.status))
      out.push(`status ${res.status}, expected ${wanted.join(' or ')}: ${res.body.slice(0, 200)}`);
  }
  if (c.expectStatuses && JSON.stringify(res.statuses) !== JSON.stringify(c.expectStatuses))
    out.push(`statuses ${res.statuses.join(',')}, expected ${c.expectStatuses.join(',')}`);
  const text = res.raw + res.body;
  if (KEY_SHAPE.test(text) || secrets.some((s) => text.includes(s))) out.push('a key in the response');
  return out;
}

beforeAll(async () => {
  gw = await startTestGateway();
  port = gw.app.port;
  host = `127.0.0.1:${port}`;
  const created = await gw.app.callTool('create_customer', { id: 'fuzzco', name: 'Fuzz Co' }, 'internal');
  expect(created.ok).toBe(true);
  gatewayKey = gw.mint('gateway', ['fuzzco']);
  base.admin = await openSession('admin');
  base.gateway = await openSession('gateway');
});
afterAll(async () => {
  await gw.app.close();
});

describe(`${TOTAL} malformed or hostile requests (seed ${SEED})`, () => {
  it('get well-formed answers below 500 without keys; the server stays healthy and leaks no session', async () => {
    const r = prng(SEED);
    const fixed = fixedCases();
    const cases = [
      ...fixed,
      ...Array.from({ length: TOTAL - fixed.length }, (_, n) => randomCase(r, fixed.length + n)),
    ];
    expect(cases).toHaveLength(TOTAL);
    const secrets = [gw.adminKey, gatewayKey];
    const failures: string[] = [];
    const opened = new Map<string, 'admin' | 'gateway'>();
    const statuses = new Map<number | null, number>();
    let sessions = gw.app.sessionCount();
    for (const c of cases) {
      const res = await rawExchange(port, c.bytes, c.options);
      const now = gw.app.sessionCount();
      if (now.admin < sessions.admin || now.gateway < sessions.gateway)
        failures.push(`${c.name}: closed a session (${JSON.stringify(sessions)} → ${JSON.stringify(now)})`);
      sessions = now;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      for (const p of problems(c, res, secrets)) failures.push(`${c.name}: ${p}`);
      const sid = sessionIdOf(res.head);
      if (sid && sid !== base.admin && sid !== base.gateway)
        opened.set(sid, c.name.includes('gateway') ? 'gateway' : 'admin');
    }
    expect(failures, `seed ${SEED}`).toEqual([]);
    // Statuses seen, for the record: most should be 4xx, some 200/202 (valid in-session messages).
    expect(statuses.get(null) ?? 0).toBeLessThan(TOTAL / 10);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Healthy afterwards.
    const health = await fetch(`${gw.app.url}/healthz`);
    expect(health.status).toBe(200);
    const adminClient = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
    expect((await adminClient.listTools()).tools.length).toBeGreaterThan(10);
    const gatewayClient = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=fuzzco`,
      bearer(gatewayKey),
    );
    expect((await gatewayClient.listTools()).tools).toEqual([]);
    expect(gw.app.planes()).toEqual({ admin: true, gateway: true });

    // The sessions the fuzz hammered still work.
    for (const which of ['admin', 'gateway'] as const) {
      const ping = await rawExchange(
        port,
        post(
          plane(which),
          json([
            ['authorization', `Bearer ${keyOf(which)}`],
            ['mcp-session-id', base[which]],
          ]),
          '{"jsonrpc":"2.0","id":"last","method":"ping"}',
        ),
      );
      expect(ping.status, ping.raw.slice(0, 300)).toBe(200);
      expect(ping.body).toContain('"id":"last"');
    }

    // No session leaked: the fuzz's own sessions and the base ones close; then none is left.
    for (const client of [adminClient, gatewayClient]) {
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      await client.close();
    }
    for (const [sid, which] of [
      ...opened,
      [base.admin, 'admin'] as const,
      [base.gateway, 'gateway'] as const,
    ]) {
      for (const plane_ of sid === base.admin || sid === base.gateway
        ? [which]
        : (['admin', 'gateway'] as const)) {
        await rawExchange(port, [
          httpBytes('DELETE', plane(plane_), [
            hostHeader(),
            ['authorization', `Bearer ${keyOf(plane_)}`],
            ['mcp-session-id', sid],
            ['connection', 'close'],
          ]),
        ]);
      }
    }
    expect(gw.app.sessionCount()).toEqual({ admin: 0, gateway: 0 });
  }, 90_000);
});
