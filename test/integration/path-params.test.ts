// Class: path parameters climb out of the template. Through the gateway (MCP SDK client) against a
// real server on 127.0.0.1 that records the raw request target: whatever a path parameter holds —
// dot segments in any encoding, slashes, backslashes, query or fragment characters, control
// characters — the request has exactly the template's segments, or nothing is sent and the error
// names the parameter.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { json, startRecordingServer } from '../helpers/recording-server';

type Result = { isError?: boolean; content: { text?: string }[] };
const API_KEY = 'path-test-key-5e6f7a8b';

/** Values that are, or decode to, "." or ".." (alone or between separators): always refused. */
const DOT_SEGMENTS = [
  '.',
  '..',
  '%2e',
  '%2E',
  '%2e%2e',
  '%2E%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '.%2E',
  '%252e%252e',
  '%25252e%25252e',
  '../',
  '../..',
  '../../admin',
  '..\\',
  '..\\..\\admin',
  'a/../..',
  'a/./b',
  './',
  '/..',
  '\\..',
  '..%2f',
  '..%2F',
  '..%5c',
  '..%5C',
  '%2e%2e%2f',
  '%2e%2e%5c',
  '%2e%2e/',
  '..;',
  '..;/admin',
  '..%3b',
  '..?x',
  '..#x',
  ' ..',
  '.. ',
  '..\t',
  '..\u0000',
  '..%00',
  '．．',
  '\u2025',
  '%c0%ae%c0%ae',
  '%e0%80%ae%e0%80%ae',
  '%u002e%u002e',
  '..%c0%af',
  '..%u2215',
];

/** Values that must stay one segment if sent at all. */
const OTHER_HOSTILE = [
  '/',
  '//',
  '\\',
  'a/b',
  'a\\b',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%252f',
  '?x=1',
  '#frag',
  'a?b#c',
  '...',
  '....',
  '.hidden',
  'v1.2',
  'a b',
  '%00',
  'a\u0000b',
  '\r\nX-Injected: 1',
  '{id}',
  '%7Bid%7D',
  'http://evil.example/',
  '//evil.example',
  '@evil.example',
  ':',
  ';x',
  'é/ü',
  '~user',
];

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let api: Awaited<ReturnType<typeof startRecordingServer>>;
let client: Client;

const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as Result;
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

beforeAll(async () => {
  gw = await startTestGateway();
  api = await startRecordingServer((_req, res, seen) => json(res, 200, { target: seen.rawUrl }));
  const ok = { '200': { description: 'ok' } };
  const p = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
  const spec = {
    openapi: '3.0.3',
    info: { title: 'Paths', version: '1' },
    servers: [{ url: 'http://placeholder.invalid' }],
    paths: {
      '/v1/users/{id}/profile': { get: { operationId: 'profile', parameters: [p('id')], responses: ok } },
      '/v1/orgs/{org}/teams/{team}': {
        get: { operationId: 'team', parameters: [p('org'), p('team')], responses: ok },
      },
      '/v1/pair/{a}{b}/raw': { get: { operationId: 'pair', parameters: [p('a'), p('b')], responses: ok } },
    },
  };
  const admin = async (name: string, args: Record<string, unknown>) => {
    const r = await gw.app.callTool(name, args, 'internal');
    if (!r.ok) throw new Error(`${name}: ${r.error}`);
  };
  await admin('create_customer', { id: 'acme', name: 'Acme' });
  await admin('import_openapi', { slug: 'paths', spec, base_url: `${api.origin}/api` });
  await admin('set_auth_config', {
    connector_id: 'paths',
    scheme: 'api_key',
    in: 'header',
    name: 'X-Api-Key',
  });
  await admin('create_connection', {
    customer_id: 'acme',
    connector_id: 'paths',
    credentials: { api_key: API_KEY },
  });
  await admin('configure_customer_tools', { customer_id: 'acme', mode: 'all', tool_mode: 'direct' });
  client = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=acme`, bearer(gw.mint('gateway')));
});
afterAll(async () => {
  await client?.close();
});

/** The raw path's segments, and the same path as a WHATWG URL parser (and most servers) would normalize it. */
function segments(rawUrl: string): { raw: string[]; normalized: string[] } {
  const rawPath = rawUrl.split('?')[0] ?? '';
  return {
    raw: rawPath.split('/'),
    normalized: new URL(rawPath, 'http://x').pathname.split('/'),
  };
}

/** Sent: exactly the template's segments, the value exactly one of them (round-tripping); or refused, naming it. */
async function expectContained(
  tool: string,
  args: Record<string, unknown>,
  template: (values: Record<string, string>) => string[],
  blamed: string[],
) {
  const before = api.seen.length;
  const r = await call(tool, args);
  const label = `${tool} ${JSON.stringify(args)}`;
  if (r.isError) {
    expect(api.seen.length, `${label} sent something`).toBe(before);
    expect(
      blamed.some((name) => text(r).includes(`Path parameter "${name}"`)),
      `${label}: ${text(r)}`,
    ).toBe(true);
    return 'refused';
  }
  expect(api.seen.length, label).toBe(before + 1);
  const seen = api.seen.at(-1);
  expect(seen?.headers['x-api-key']).toBe(API_KEY);
  const { raw, normalized } = segments(seen?.rawUrl ?? '');
  const expected = template(Object.fromEntries(Object.keys(args).map((k) => [k, '*'])));
  expect(raw.length, `${label} → ${seen?.rawUrl}`).toBe(expected.length);
  expect(normalized, `${label} → ${seen?.rawUrl}`).toEqual(raw);
  raw.forEach((segment, i) => {
    if (expected[i] !== '*') expect(segment, `${label} → ${seen?.rawUrl}`).toBe(expected[i]);
    else {
      expect(segment).not.toMatch(/^\.{1,2}$/);
      expect(segment).not.toMatch(/[/\\?#]/);
    }
  });
  return 'sent';
}

const profile = () => ['', 'api', 'v1', 'users', '*', 'profile'];

describe('path parameters stay inside the action path', () => {
  it('refuses dot segments in every encoding, naming the parameter, and sends nothing', async () => {
    for (const value of DOT_SEGMENTS) {
      const outcome = await expectContained('paths__profile', { id: value }, profile, ['id']);
      expect(outcome, JSON.stringify(value)).toBe('refused');
    }
  });

  it('encodes slashes, backslashes, query and fragment characters into exactly one segment', async () => {
    for (const value of OTHER_HOSTILE) {
      const outcome = await expectContained('paths__profile', { id: value }, profile, ['id']);
      if (outcome === 'sent') {
        // The server decodes the segment back to exactly the value.
        const raw = segments(api.seen.at(-1)?.rawUrl ?? '').raw[4] ?? '';
        expect(decodeURIComponent(raw), JSON.stringify(value)).toBe(value);
      }
    }
    // Plain slashes and backslashes are sent, encoded, not refused.
    for (const value of ['a/b', '/', 'a\\b']) {
      expect(await expectContained('paths__profile', { id: value }, profile, ['id'])).toBe('sent');
    }
  });

  it('refuses empty values and lone surrogates with a clear error', async () => {
    for (const value of ['', '\ud800']) {
      expect(await expectContained('paths__profile', { id: value }, profile, ['id'])).toBe('refused');
    }
  });

  it('holds with several parameters, and with two parameters in one segment', async () => {
    const team = () => ['', 'api', 'v1', 'orgs', '*', 'teams', '*'];
    for (const [org, teamName] of [
      ['..', 'x'],
      ['x', '..'],
      ['%2e%2e', '%2e%2e'],
      ['a/b', 'c\\d'],
      ['{team}', '..'],
      ['{team}', 'ok'],
    ] as const) {
      await expectContained('paths__team', { org, team: teamName }, team, ['org', 'team']);
    }
    const pair = () => ['', 'api', 'v1', 'pair', '*', 'raw'];
    for (const [a, b] of [
      ['.', '.'],
      ['.', 'x'],
      ['%2e', '%2e'],
      ['x', 'y'],
    ] as const) {
      const outcome = await expectContained('paths__pair', { a, b }, pair, ['a', 'b']);
      if (a === '.' || a === '%2e') expect(outcome).toBe('refused');
    }
  });

  it('a value sent is the value the API receives', async () => {
    for (const value of ['plain', 'with space', 'ü', '50%', 'a+b', "it's"]) {
      expect(await expectContained('paths__profile', { id: value }, profile, ['id'])).toBe('sent');
      const raw = segments(api.seen.at(-1)?.rawUrl ?? '').raw[4] ?? '';
      expect(decodeURIComponent(raw)).toBe(value);
    }
  });
});
