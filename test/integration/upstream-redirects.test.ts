// Class: credentials follow redirects to other hosts. Through the gateway (MCP SDK client) against
// real servers on 127.0.0.1 / 127.0.0.2: HTTP connectors follow a redirect to another origin only
// with every credential stripped (auth, API-key headers and query parameters, cookies, the
// connection's extra headers), and never https → http, to user info or other schemes, or past 5
// hops; MCP-over-HTTP upstreams and OAuth token endpoints never leave their origin at all.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import {
  everything,
  json,
  type Seen,
  selfSignedCert,
  startRecordingServer,
} from '../helpers/recording-server';

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { text?: string }[];
};

const SECRETS = {
  apiKey: 'hdr-key-7f3a9c1e55',
  extra: 'extra-hdr-secret-4b2d',
  queryKey: 'qry-key-0d9e8c7b6a',
  user: 'alice',
  password: 'basic-pw-55aa33',
  token: 'bearer-tok-1c2b3a4d',
  mcpToken: 'mcp-tok-9e8d7c6b5a',
  shared: 'mcp-shared-hdr-31415',
  clientSecret: 'oauth-client-secret-2718',
  accessToken: 'oauth-access-161803',
};
const secretForms = [
  ...Object.values(SECRETS),
  Buffer.from(`${SECRETS.user}:${SECRETS.password}`).toString('base64'),
];
const COOKIE = 'session-cookie-value-8080';
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'x-api-key', 'x-extra-token', 'x-shared'];

/** Asserts that a request carried none of the connection's credentials, in any place or form. */
function expectClean(seen: Seen | undefined) {
  expect(seen).toBeDefined();
  if (!seen) return;
  for (const name of CREDENTIAL_HEADERS) expect(seen.headers[name], name).toBeUndefined();
  const all = everything(seen);
  for (const secret of [...secretForms, COOKIE]) expect(all).not.toContain(secret);
  expect(all).not.toMatch(/apikey=/i);
}

/** Answers `/go?status=N&to=URL` with that redirect, and the other routes of redirectSpec. */
function redirector(_req: IncomingMessage, res: ServerResponse, seen: Seen) {
  const url = new URL(seen.rawUrl, 'http://x');
  const to = url.searchParams.get('to') ?? '';
  const redirect = (status: number, location: string) => res.writeHead(status, { location }).end();
  switch (url.pathname) {
    case '/go':
      return redirect(Number(url.searchParams.get('status') ?? 302), to);
    case '/chain':
      return redirect(302, `/go?status=307&to=${encodeURIComponent(to)}`);
    case '/loop':
      return redirect(302, '/loop');
    case '/reflect':
      // The whole query of this request (the API key included) carried over to the target.
      return redirect(302, `${to}?${url.searchParams}`);
    case '/leak': {
      const key = seen.headers['x-api-key'] ?? url.searchParams.get('apikey') ?? '';
      return redirect(302, `${to}?x=${encodeURIComponent(String(key))}`);
    }
    default:
      return json(res, 200, { landed: 'origin', path: url.pathname });
  }
}

const landing = (name: string) => (_req: IncomingMessage, res: ServerResponse, seen: Seen) =>
  json(res, 200, { landed: name, method: seen.method, body: seen.body });

function redirectSpec() {
  const ok = { '200': { description: 'ok' } };
  const q = (name: string) => ({ name, in: 'query', schema: { type: 'string' } });
  return {
    openapi: '3.0.3',
    info: { title: 'Redirects', version: '1' },
    servers: [{ url: 'http://placeholder.invalid' }],
    paths: {
      '/go': {
        get: {
          operationId: 'go',
          parameters: [q('to'), q('status'), { name: 'session', in: 'cookie', schema: { type: 'string' } }],
          responses: ok,
        },
        post: {
          operationId: 'goPost',
          parameters: [q('to'), q('status')],
          requestBody: {
            content: {
              'application/json': { schema: { type: 'object', properties: { note: { type: 'string' } } } },
            },
          },
          responses: ok,
        },
      },
      '/chain': { get: { operationId: 'chain', parameters: [q('to')], responses: ok } },
      '/loop': { get: { operationId: 'loop', responses: ok } },
      '/reflect': { get: { operationId: 'reflect', parameters: [q('to')], responses: ok } },
      '/leak': { get: { operationId: 'leak', parameters: [q('to')], responses: ok } },
      '/landed': { get: { operationId: 'landed', responses: ok } },
    },
  };
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let origin: Awaited<ReturnType<typeof startRecordingServer>>;
let tls: Awaited<ReturnType<typeof startRecordingServer>>;
let otherHost: Awaited<ReturnType<typeof startRecordingServer>>;
let otherPort: Awaited<ReturnType<typeof startRecordingServer>>;
let client: Client;
const tlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

async function admin(name: string, args: Record<string, unknown>) {
  const r = await gw.app.callTool(name, args, 'internal');
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return r.value as Record<string, unknown>;
}
const call = async (name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as Result;
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

beforeAll(async () => {
  // The https upstream's certificate is self-signed; this file's worker trusts it.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  gw = await startTestGateway();
  origin = await startRecordingServer(redirector);
  tls = await startRecordingServer(redirector, { tls: selfSignedCert() });
  otherHost = await startRecordingServer(landing('other-host'), { host: '127.0.0.2' });
  otherPort = await startRecordingServer(landing('other-port'));
  await admin('create_customer', { id: 'acme', name: 'Acme' });
  const connectors: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'hdr',
      origin.origin,
      { scheme: 'api_key', in: 'header', name: 'X-Api-Key' },
      { api_key: SECRETS.apiKey, headers: { 'X-Extra-Token': SECRETS.extra } },
    ],
    ['qry', origin.origin, { scheme: 'api_key', in: 'query', name: 'apikey' }, { api_key: SECRETS.queryKey }],
    ['bas', origin.origin, { scheme: 'basic' }, { username: SECRETS.user, password: SECRETS.password }],
    ['brr', origin.origin, { scheme: 'bearer' }, { token: SECRETS.token }],
    ['tls', tls.origin, { scheme: 'api_key', in: 'header', name: 'X-Api-Key' }, { api_key: SECRETS.apiKey }],
  ];
  for (const [slug, base, auth, credentials] of connectors) {
    await admin('import_openapi', { slug, spec: redirectSpec(), base_url: base });
    await admin('set_auth_config', { connector_id: slug, ...auth });
    await admin('create_connection', { customer_id: 'acme', connector_id: slug, credentials });
  }
  await admin('configure_customer_tools', { customer_id: 'acme', mode: 'all', tool_mode: 'direct' });
  client = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=acme`, bearer(gw.mint('gateway')));
});
afterAll(async () => {
  await client?.close();
  if (tlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = tlsSetting;
});

describe('HTTP connectors: redirects', () => {
  it('follow 301/302/303/307/308 to another host or port with every credential stripped', async () => {
    for (const target of [otherHost, otherPort]) {
      for (const status of [301, 302, 303, 307, 308]) {
        for (const slug of ['hdr', 'qry', 'bas', 'brr']) {
          const before = target.seen.length;
          const r = await call(`${slug}__go`, {
            to: `${target.origin}/landed`,
            status: String(status),
            session: COOKIE,
          });
          const where = `${slug} ${status} → ${target.origin}`;
          expect(r.isError, `${where}: ${text(r)}`).toBeFalsy();
          expect(r.structuredContent?.landed, where).toBe(target === otherHost ? 'other-host' : 'other-port');
          expect(target.seen.length, where).toBe(before + 1);
          expectClean(target.seen.at(-1));
        }
      }
    }
  });

  it('keep the method and body on 307/308; 301/302/303 after a POST become a body-less GET', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const r = await call('hdr__go_post', {
        to: `${otherHost.origin}/landed`,
        status: String(status),
        note: 'hello',
      });
      expect(r.isError, text(r)).toBeFalsy();
      const seen = otherHost.seen.at(-1);
      expectClean(seen);
      if (status === 307 || status === 308) {
        expect(seen?.method).toBe('POST');
        expect(JSON.parse(seen?.body ?? '')).toEqual({ note: 'hello' });
      } else {
        expect(seen?.method).toBe('GET');
        expect(seen?.body).toBe('');
        expect(seen?.headers['content-type']).toBeUndefined();
      }
    }
  });

  it('within the origin (relative, absolute, dot-relative Location) keep the credentials', async () => {
    for (const to of ['/landed', `${origin.origin}/landed`, './landed', '../landed?x=1']) {
      const r = await call('hdr__go', { to, status: '302' });
      expect(r.isError, `${to}: ${text(r)}`).toBeFalsy();
      expect(r.structuredContent?.landed).toBe('origin');
      const seen = origin.seen.at(-1);
      expect(seen?.rawUrl).toMatch(/^\/landed/);
      expect(seen?.headers['x-api-key']).toBe(SECRETS.apiKey);
      expect(seen?.headers['x-extra-token']).toBe(SECRETS.extra);
    }
    // A scheme-relative Location to another host is another origin all the same.
    const r = await call('hdr__go', { to: `//${otherHost.host}:${otherHost.port}/landed`, status: '307' });
    expect(r.isError, text(r)).toBeFalsy();
    expectClean(otherHost.seen.at(-1));
  });

  it('a chain that starts within the origin drops the credentials at its first cross-origin hop', async () => {
    const start = origin.seen.length;
    const r = await call('hdr__chain', { to: `${otherHost.origin}/landed` });
    expect(r.isError, text(r)).toBeFalsy();
    const hops = origin.seen.slice(start);
    expect(hops.map((s) => new URL(s.rawUrl, 'http://x').pathname)).toEqual(['/chain', '/go']);
    for (const hop of hops) expect(hop.headers['x-api-key']).toBe(SECRETS.apiKey);
    expectClean(otherHost.seen.at(-1));
  });

  it('refuse user info in the Location, other schemes and https → http; nothing reaches the target', async () => {
    const refused = [
      `http://user:pw@${otherHost.host}:${otherHost.port}/landed`,
      `http://${origin.host}:${origin.port}@${otherHost.host}:${otherHost.port}/landed`,
      `http://${SECRETS.apiKey}@${origin.host}:${origin.port}/landed`,
      `ftp://${otherHost.host}/x`,
      'file:///etc/passwd',
      'data:text/plain,hello',
      'javascript:alert(1)',
    ];
    for (const to of refused) {
      const before = [otherHost.seen.length, origin.seen.length];
      const r = await call('hdr__go', { to, status: '302' });
      expect(r.isError, to).toBe(true);
      expect(text(r), to).toMatch(/redirect not followed/);
      expect([otherHost.seen.length, origin.seen.length - 1], to).toEqual(before);
      for (const secret of secretForms) expect(text(r)).not.toContain(secret);
    }
    // https → http, to another host and to the very same host and port.
    for (const to of [`${origin.origin}/landed`, `http://127.0.0.1:${tls.port}/landed`]) {
      const before = origin.seen.length;
      const r = await call('tls__go', { to, status: '307' });
      expect(r.isError, to).toBe(true);
      expect(text(r)).toMatch(/from https to plain http is refused/);
      expect(origin.seen.length).toBe(before);
    }
    // https → https within the origin still works.
    const ok = await call('tls__go', { to: '/landed', status: '308' });
    expect(ok.isError, text(ok)).toBeFalsy();
    expect(tls.seen.at(-1)?.headers['x-api-key']).toBe(SECRETS.apiKey);
  });

  it('give up after 5 hops', async () => {
    const before = origin.seen.length;
    const r = await call('hdr__loop');
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/more than 5 redirects/);
    expect(origin.seen.length - before).toBe(6);
  });

  it('never carry a query-string API key to another origin', async () => {
    // The upstream copies the request's query (with the key) into the Location: the key is dropped.
    const r = await call('qry__reflect', { to: `${otherHost.origin}/landed` });
    expect(r.isError, text(r)).toBeFalsy();
    expect(origin.seen.at(-1)?.rawUrl).toContain(`apikey=${SECRETS.queryKey}`);
    const seen = otherHost.seen.at(-1);
    expectClean(seen);
    expect(seen?.rawUrl).toMatch(/[?&]to=/);
    // A Location with the key under another name is refused outright.
    for (const slug of ['qry', 'hdr']) {
      const before = otherHost.seen.length;
      const leak = await call(`${slug}__leak`, { to: `${otherHost.origin}/landed` });
      expect(leak.isError, slug).toBe(true);
      expect(text(leak)).toMatch(/credentials in the URL/);
      expect(otherHost.seen.length).toBe(before);
      for (const secret of secretForms) expect(text(leak)).not.toContain(secret);
    }
  });
});

/** A stateless Streamable HTTP MCP server at /mcp; `/r/N?to=URL` answers redirect N to URL. */
async function startMcpUpstream() {
  return startRecordingServer(async (req, res, seen) => {
    const url = new URL(seen.rawUrl, 'http://x');
    if (url.pathname.startsWith('/r/')) {
      res.writeHead(Number(url.pathname.slice(3)), { location: url.searchParams.get('to') ?? '' }).end();
      return;
    }
    if (url.pathname !== '/mcp') return json(res, 404, {});
    const server = new Server({ name: 'redirect-test', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: 'ping', inputSchema: { type: 'object' } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, () => ({ content: [{ type: 'text', text: 'pong' }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, seen.body ? JSON.parse(seen.body) : undefined);
  });
}

describe('MCP-over-HTTP upstreams: redirects', () => {
  it('are followed only within the origin; elsewhere the call fails naming the target', async () => {
    const mcp = await startMcpUpstream();
    await admin('create_connector', {
      slug: 'mcpup',
      name: 'MCP up',
      kind: 'mcp',
      transport: 'http',
      url: `${mcp.origin}/mcp`,
      headers: { 'X-Shared': SECRETS.shared },
    });
    await admin('create_connection', {
      customer_id: 'acme',
      connector_id: 'mcpup',
      credentials: { token: SECRETS.mcpToken },
    });
    await admin('refresh_connector', { connector_id: 'mcpup', customer_id: 'acme' });
    const mcpClient = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    const ping = async () => (await mcpClient.callTool({ name: 'mcpup__ping', arguments: {} })) as Result;
    expect(text(await ping())).toBe('pong');
    // A successful call between failures, so the pool's backoff after repeated failures stays out of the way.
    const reset = async () => {
      await admin('update_connector', { connector_id: 'mcpup', url: `${mcp.origin}/mcp` });
      expect(text(await ping())).toBe('pong');
    };

    for (const status of [301, 302, 303, 307, 308]) {
      for (const target of [otherHost, otherPort]) {
        const before = target.seen.length;
        await admin('update_connector', {
          connector_id: 'mcpup',
          url: `${mcp.origin}/r/${status}?to=${encodeURIComponent(`${target.origin}/mcp`)}`,
        });
        const r = await ping();
        expect(r.isError, `${status} → ${target.origin}`).toBe(true);
        expect(text(r)).toContain(`to ${target.origin}/mcp, another origin: not followed`);
        expect(target.seen.length, `${status} → ${target.origin}`).toBe(before);
        for (const secret of secretForms) expect(text(r)).not.toContain(secret);
        await reset();
      }
    }
    // User info in a same-host Location is refused too.
    await admin('update_connector', {
      connector_id: 'mcpup',
      url: `${mcp.origin}/r/307?to=${encodeURIComponent(`http://u:p@127.0.0.1:${mcp.port}/mcp`)}`,
    });
    expect(text(await ping())).toMatch(/user name or password is refused/);
    await reset();

    // Within the origin, 307 and 308 keep the POST and the session's headers.
    for (const status of [307, 308]) {
      await admin('update_connector', { connector_id: 'mcpup', url: `${mcp.origin}/r/${status}?to=/mcp` });
      const r = await ping();
      expect(r.isError, text(r)).toBeFalsy();
      expect(text(r)).toBe('pong');
      const last = mcp.seen.at(-1);
      expect(last?.headers.authorization).toBe(`Bearer ${SECRETS.mcpToken}`);
      expect(last?.headers['x-shared']).toBe(SECRETS.shared);
    }
    // …but a 302 would turn the POST into a GET: not followed.
    await admin('update_connector', { connector_id: 'mcpup', url: `${mcp.origin}/r/302?to=/mcp` });
    expect(text(await ping())).toMatch(/would turn its POST into a GET/);
    await mcpClient.close();
  });
});

describe('OAuth token endpoints: redirects', () => {
  it('are followed only within the origin and only with the form kept (307/308)', async () => {
    const provider = await startRecordingServer((_req, res, seen) => {
      const url = new URL(seen.rawUrl, 'http://x');
      if (url.pathname.startsWith('/r/'))
        return res
          .writeHead(Number(url.pathname.slice(3)), { location: url.searchParams.get('to') ?? '' })
          .end();
      return json(res, 200, { access_token: SECRETS.accessToken, token_type: 'bearer', expires_in: 3600 });
    });
    await admin('import_openapi', { slug: 'oa', spec: redirectSpec(), base_url: origin.origin });
    const tokenUrl = (status: number, to: string) =>
      `${provider.origin}/r/${status}?to=${encodeURIComponent(to)}`;
    const setTokenUrl = (url: string) =>
      admin('set_auth_config', {
        connector_id: 'oa',
        scheme: 'oauth2',
        grant: 'client_credentials',
        client_id: 'portico-test',
        client_secret: SECRETS.clientSecret,
        token_url: url,
      });
    await setTokenUrl(tokenUrl(307, `${otherHost.origin}/token`));
    await admin('create_connection', { customer_id: 'acme', connector_id: 'oa', credentials: {} });
    const oaClient = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    const landed = async () => (await oaClient.callTool({ name: 'oa__landed', arguments: {} })) as Result;
    for (const status of [301, 302, 303, 307, 308]) {
      for (const target of [otherHost, otherPort]) {
        const before = target.seen.length;
        await setTokenUrl(tokenUrl(status, `${target.origin}/token`));
        const r = await landed();
        expect(r.isError).toBe(true);
        expect(text(r)).toContain(`to ${target.origin}/token, another origin: not followed`);
        expect(target.seen.length).toBe(before);
        expect(text(r)).not.toContain(SECRETS.clientSecret);
      }
    }
    await setTokenUrl(tokenUrl(302, '/token'));
    expect(text(await landed())).toMatch(/would turn its POST into a GET and drop the form/);
    await setTokenUrl(tokenUrl(308, '/token'));
    const ok = await landed();
    expect(ok.isError, text(ok)).toBeFalsy();
    expect(origin.seen.at(-1)?.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`);
    const tokenCall = provider.seen.at(-1);
    expect(tokenCall?.rawUrl).toBe('/token');
    expect(tokenCall?.body).toMatch(/grant_type=client_credentials/);
    await oaClient.close();
  });
});
