import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { startProtectedApi } from '../helpers/oauth-api';
import { type OAuthProvider, startOAuthProvider } from '../helpers/oauth-provider';
import { startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { type: string; text?: string }[];
};

const APP = { id: 'portico-crm-app', secret: `crm-client-secret-${randomBytes(12).toString('hex')}` };
const SERVICE = {
  id: 'portico-ledger-svc',
  secret: `ledger-client-secret-${randomBytes(12).toString('hex')}`,
};
const MASK = '••••••••';

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let provider: OAuthProvider;
let api: Awaited<ReturnType<typeof startProtectedApi>>;
let adminClient: Client;
const clients: Client[] = [];
/** Everything any tool (either plane) and the callback answered, for the leak check. */
const outputs: string[] = [];
let crmId = '';
let ledgerId = '';
let acmeConnection = '';
let me = '';
let orders = '';
let ledgerWhoami = '';

async function adminRaw(name: string, args: Record<string, unknown>) {
  const result = (await adminClient.callTool({ name, arguments: args })) as Result;
  outputs.push(JSON.stringify(result));
  return result;
}
async function admin(name: string, args: Record<string, unknown>) {
  const result = await adminRaw(name, args);
  expect(result.isError, `${name}: ${result.content[0]?.text}`).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}
async function gateway(customer: string) {
  const client = await connectClient(
    `${gw.app.url}/mcp/gateway?customer_id=${customer}`,
    bearer(gw.mint('gateway', [customer])),
  );
  clients.push(client);
  return client;
}
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as Result;
  outputs.push(JSON.stringify(result));
  return result;
}
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
async function page(url: string) {
  const res = await fetch(url, { redirect: 'manual' });
  const body = await res.text();
  outputs.push(body);
  return {
    status: res.status,
    body,
    location: res.headers.get('location'),
    type: res.headers.get('content-type'),
  };
}
async function connection(id: string) {
  return (await admin('get_connection', { connection_id: id })) as {
    status: string;
    status_reason: string | null;
    credentials: Record<string, unknown>;
  };
}
/** Marks the stored access token as expired a minute ago (the tokens themselves stay valid upstream). */
async function expireStoredToken() {
  const tokens = provider.latest(APP.id);
  expect(tokens?.refresh_token).toBeDefined();
  await admin('update_connection', {
    connection_id: acmeConnection,
    credentials: { ...tokens, expires_at: new Date(Date.now() - 60_000).toISOString() },
  });
}

/** Runs the customer's side of the flow: opens the connect URL and follows the provider back to Portico. */
async function connectThroughBrowser(customerId: string, connectorId: string) {
  const link = (await admin('get_connect_url', { customer_id: customerId, connector_id: connectorId })) as {
    url: string;
    kind: string;
  };
  expect(link.kind).toBe('oauth2');
  const authorize = await page(link.url);
  expect(authorize.status).toBe(302);
  const callback = authorize.location as string;
  expect(callback.startsWith(`${gw.app.url}/oauth/callback?`)).toBe(true);
  return { link: new URL(link.url), callback, result: await page(callback) };
}

beforeAll(async () => {
  provider = await startOAuthProvider({ [APP.id]: APP.secret, [SERVICE.id]: SERVICE.secret });
  api = await startProtectedApi(provider.url, provider.jwksUrl);
  gw = await startTestGateway();
  adminClient = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  await admin('create_customer', { id: 'acme', name: 'Acme Corp' });
  await admin('create_customer', { id: 'globex', name: 'Globex' });

  // An OpenAPI document with an oauth2 authorizationCode security scheme.
  const imported = await admin('import_openapi', {
    slug: 'crm',
    name: 'CRM',
    base_url: api.url,
    spec: {
      openapi: '3.0.3',
      info: { title: 'CRM', version: '1' },
      servers: [{ url: 'https://crm.example.invalid' }],
      components: {
        securitySchemes: {
          crmAuth: {
            type: 'oauth2',
            flows: {
              authorizationCode: {
                authorizationUrl: provider.authorizeUrl,
                tokenUrl: provider.tokenUrl,
                scopes: { 'crm.read': 'Read the CRM' },
              },
            },
          },
        },
      },
      security: [{ crmAuth: ['crm.read'] }],
      paths: {
        '/me': {
          get: {
            operationId: 'who_am_i',
            summary: 'Who the token belongs to',
            responses: { '200': { description: 'ok' } },
          },
        },
        '/orders': {
          get: {
            operationId: 'list_orders',
            summary: 'List orders',
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    },
  });
  crmId = imported.connector_id as string;
  const importedAuth = (await admin('get_auth_config', { connector_id: crmId })) as {
    scheme: string;
    oauth2: { grant: string; authorize_url: string; token_url: string; scopes: string[] };
  };
  expect(importedAuth.scheme).toBe('oauth2');
  expect(importedAuth.oauth2).toMatchObject({
    grant: 'authorization_code',
    authorize_url: provider.authorizeUrl,
    token_url: provider.tokenUrl,
    scopes: ['crm.read'],
  });
  const auth = await admin('set_auth_config', {
    connector_id: crmId,
    scheme: 'oauth2',
    grant: 'authorization_code',
    client_id: APP.id,
    client_secret: APP.secret,
    authorize_url: provider.authorizeUrl,
    token_url: provider.tokenUrl,
    scopes: ['crm.read'],
  });
  expect((auth.oauth2 as { client_secret: string }).client_secret).toBe(MASK);
  await admin('configure_customer_tools', { customer_id: 'acme', mode: 'selected', connector_ids: [crmId] });

  // A machine-to-machine connector: client_credentials.
  ledgerId = (
    await admin('create_connector', { slug: 'ledger', name: 'Ledger', kind: 'http', base_url: api.url })
  ).id as string;
  await admin('create_action', { connector_id: ledgerId, name: 'whoami', method: 'GET', path: '/me' });
  await admin('set_auth_config', {
    connector_id: ledgerId,
    scheme: 'oauth2',
    grant: 'client_credentials',
    client_id: SERVICE.id,
    client_secret: SERVICE.secret,
    token_url: provider.tokenUrl,
    scopes: ['ledger.read'],
  });
  await admin('create_connection', { customer_id: 'globex', connector_id: ledgerId, credentials: {} });
  await admin('configure_customer_tools', {
    customer_id: 'globex',
    mode: 'selected',
    connector_ids: [ledgerId],
  });

  const tools = (await admin('preview_customer_tools', { customer_id: 'acme' })).tools as {
    name: string;
    action: string;
  }[];
  me = tools.find((t) => t.action === 'who_am_i')?.name as string;
  orders = tools.find((t) => t.action === 'list_orders')?.name as string;
  const ledgerTools = (await admin('preview_customer_tools', { customer_id: 'globex' })).tools as {
    name: string;
  }[];
  ledgerWhoami = ledgerTools[0]?.name as string;
  expect([me, orders, ledgerWhoami]).toEqual(['crm__who_am_i', 'crm__list_orders', 'ledger__whoami']);
});

afterAll(async () => {
  await Promise.all([...clients, adminClient].map((c) => c?.close().catch(() => {})));
  await gw?.app.close();
});

describe('authorization_code with PKCE', () => {
  it('before connecting, a call says how to connect', async () => {
    const acme = await gateway('acme');
    const result = await call(acme, me);
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('not connected');
    expect(text(result)).toContain('get_connect_url');
  });

  it('the token endpoint checks the PKCE verifier: a tampered challenge fails the exchange', async () => {
    const link = (await admin('get_connect_url', { customer_id: 'acme', connector_id: crmId })) as {
      url: string;
    };
    const tampered = new URL(link.url);
    tampered.searchParams.set(
      'code_challenge',
      createHash('sha256').update(randomBytes(40).toString('base64url')).digest('base64url'),
    );
    const authorize = await page(tampered.toString());
    expect(authorize.status).toBe(302);
    const result = await page(authorize.location as string);
    expect(result.status).toBe(502);
    expect(result.body).toContain('Exchanging the authorization code failed');
    expect(result.body).toContain('code_verifier');
    expect((await admin('list_connections', { customer_id: 'acme' })).connections).toEqual([]);
  });

  it('connects through the provider and /oauth/callback, then calls carry the bearer token', async () => {
    const before = provider.pkceVerified;
    const { link, callback, result } = await connectThroughBrowser('acme', crmId);
    expect(link.origin).toBe(provider.url);
    expect(link.pathname).toBe('/authorize');
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: APP.id,
      redirect_uri: `${gw.app.url}/oauth/callback`,
      scope: 'crm.read',
      code_challenge_method: 'S256',
    });
    expect(link.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(link.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new URL(callback).searchParams.get('state')).toBe(link.searchParams.get('state'));

    expect(result.status).toBe(200);
    expect(result.type).toContain('text/html');
    expect(result.body).toContain('Connected');
    expect(result.body).toContain('CRM is now connected for Acme Corp');
    // The exchange sent the verifier matching the challenge (and the client secret).
    expect(provider.pkceVerified).toBe(before + 1);
    expect(provider.tokenCalls.at(-1)).toEqual({
      grant: 'authorization_code',
      clientId: APP.id,
      outcome: 'ok',
    });

    const list = (await admin('list_connections', { customer_id: 'acme' })).connections as {
      id: string;
      connector_id: string;
      status: string;
      credentials: Record<string, unknown>;
    }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      connector_id: crmId,
      status: 'active',
      credentials: { access_token: MASK, refresh_token: MASK, expires_at: MASK },
    });
    acmeConnection = list[0]?.id as string;
    // The callback went through the admin registry's one implementation, and says so in the log.
    const activity = (await admin('list_activity', { entry_point: 'oauth' })).entries as {
      tool: string;
      outcome: string;
      customer_id: string | null;
    }[];
    expect(activity.filter((a) => a.outcome === 'ok')).toEqual([
      expect.objectContaining({ tool: 'complete_oauth_connect', outcome: 'ok' }),
    ]);

    const acme = await gateway('acme');
    const listed = await acme.listTools();
    expect(listed.tools.map((t) => t.name).sort()).toEqual([orders, me].sort());
    const whoami = await call(acme, me);
    expect(whoami.isError, text(whoami)).toBeFalsy();
    expect(whoami.structuredContent).toEqual({ sub: 'johndoe', client_id: APP.id, scope: 'crm.read' });
    const issued = provider.latest(APP.id)?.access_token as string;
    const hit = api.hits.at(-1);
    expect(hit).toMatchObject({ path: '/me', status: 200, authorization: `Bearer ${issued}` });
    const list2 = await call(acme, orders);
    expect(list2.structuredContent).toEqual({
      orders: [
        { id: 'o-1', total: 12.5 },
        { id: 'o-2', total: 99 },
      ],
    });

    // The state is single use: replaying the callback URL fails cleanly.
    const replay = await page(callback);
    expect(replay.status).toBe(400);
    expect(replay.type).toContain('text/html');
    expect(replay.body).toContain('already used or has expired');
    expect(replay.body).toContain('get_connect_url');
    expect((await connection(acmeConnection)).status).toBe('active');
  });

  it('rejects unknown or missing states and non-GET requests', async () => {
    const unknown = await page(
      `${gw.app.url}/oauth/callback?code=abc&state=${randomBytes(24).toString('base64url')}`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('already used or has expired');
    const missing = await page(`${gw.app.url}/oauth/callback?code=abc`);
    expect(missing.status).toBe(400);
    const post = await fetch(`${gw.app.url}/oauth/callback?code=abc&state=x`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('a provider error on the callback is shown and uses up the state', async () => {
    const link = (await admin('get_connect_url', { customer_id: 'acme', connector_id: crmId })) as {
      url: string;
    };
    const state = new URL(link.url).searchParams.get('state') as string;
    const denied = await page(
      `${gw.app.url}/oauth/callback?state=${state}&error=access_denied&error_description=User+said+no`,
    );
    expect(denied.status).toBe(400);
    expect(denied.body).toContain('access_denied: User said no');
    expect((await page(`${gw.app.url}/oauth/callback?state=${state}&code=late`)).status).toBe(400);
  });
});

describe('token refresh', () => {
  it('refreshes before expiry, without the upstream ever seeing the stale token', async () => {
    const acme = await gateway('acme');
    await expireStoredToken();
    const stale = provider.latest(APP.id)?.access_token as string;
    const refreshes = provider.count('refresh_token');
    const rejected = api.unauthorized();
    const result = await call(acme, me);
    expect(result.isError, text(result)).toBeFalsy();
    expect(provider.count('refresh_token')).toBe(refreshes + 1);
    expect(api.unauthorized()).toBe(rejected);
    const fresh = api.lastAccepted();
    expect(fresh).toBe(provider.latest(APP.id)?.access_token);
    expect(fresh).not.toBe(stale);
    expect(api.hits.some((h) => h.token === stale && h.status === 401)).toBe(false);
    const stored = await connection(acmeConnection);
    expect(stored.status).toBe('active');
    expect(stored.credentials).toEqual({ access_token: MASK, refresh_token: MASK, expires_at: MASK });

    // The new token is good for an hour: the next call does not refresh.
    await call(acme, orders);
    expect(provider.count('refresh_token')).toBe(refreshes + 1);
  });

  it('treats short-lived tokens as due: the token endpoint lifetime drives the next refresh', async () => {
    const acme = await gateway('acme');
    const refreshes = provider.count('refresh_token');
    provider.settings.ttlSeconds = 30; // inside Portico's one-minute margin
    try {
      const refreshed = await admin('refresh_connection', { connection_id: acmeConnection });
      expect(refreshed.status).toBe('active');
      expect(provider.count('refresh_token')).toBe(refreshes + 1);
    } finally {
      provider.settings.ttlSeconds = 3600;
    }
    const shortLived = provider.latest(APP.id)?.access_token;
    const result = await call(acme, me);
    expect(result.isError, text(result)).toBeFalsy();
    expect(provider.count('refresh_token')).toBe(refreshes + 2);
    expect(api.lastAccepted()).not.toBe(shortLived);
    expect(api.lastAccepted()).toBe(provider.latest(APP.id)?.access_token);
  });

  it('refreshes once when the upstream answers 401, and retries the call', async () => {
    const acme = await gateway('acme');
    const current = provider.latest(APP.id)?.access_token as string;
    api.revoke(current);
    const refreshes = provider.count('refresh_token');
    const rejected = api.unauthorized();
    const result = await call(acme, me);
    expect(result.isError, text(result)).toBeFalsy();
    expect(provider.count('refresh_token')).toBe(refreshes + 1);
    expect(api.unauthorized()).toBe(rejected + 1);
    expect(api.hits.at(-2)).toMatchObject({ token: current, status: 401 });
    expect(api.hits.at(-1)).toMatchObject({ token: provider.latest(APP.id)?.access_token, status: 200 });
  });

  it('does not loop when the refreshed token is rejected too', async () => {
    const acme = await gateway('acme');
    const refreshes = provider.count('refresh_token');
    const rejected = api.unauthorized();
    api.state.rejectAll = true;
    try {
      const result = await call(acme, me);
      expect(result.isError).toBe(true);
      expect(text(result)).toContain('401');
    } finally {
      api.state.rejectAll = false;
    }
    expect(provider.count('refresh_token')).toBe(refreshes + 1);
    expect(api.unauthorized()).toBe(rejected + 2);
    expect((await call(acme, me)).isError).toBeFalsy();
  });

  it('concurrent calls with an expired token share exactly one refresh', async () => {
    const sessions = [await gateway('acme'), await gateway('acme')];
    await expireStoredToken();
    const refreshes = provider.count('refresh_token');
    const rejected = api.unauthorized();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(sessions[i % 2] as Client, i % 3 ? me : orders)),
    );
    for (const r of results) expect(r.isError, text(r)).toBeFalsy();
    expect(provider.count('refresh_token')).toBe(refreshes + 1);
    expect(provider.count('refresh_token', 'invalid_grant')).toBe(0);
    expect(api.unauthorized()).toBe(rejected);
    const tokens = new Set(api.hits.slice(-10).map((h) => h.token));
    expect([...tokens]).toEqual([provider.latest(APP.id)?.access_token]);
  });

  it('concurrent calls that all get 401 share exactly one refresh', async () => {
    const sessions = [await gateway('acme'), await gateway('acme')];
    const revoked = provider.latest(APP.id)?.access_token as string;
    api.revoke(revoked);
    const refreshes = provider.count('refresh_token');
    // Callers whose 401 arrives after the first refresh finished must not refresh again
    // (the provider rotates refresh tokens: a second refresh with the old one would fail).
    api.holdRejections(true);
    let results: Result[];
    let held: number;
    try {
      results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(sessions[i % 2] as Client, i % 2 ? me : orders)),
      );
      held = api.state.held;
    } finally {
      api.holdRejections(false);
    }
    expect(held).toBeGreaterThan(0);
    for (const r of results) expect(r.isError, text(r)).toBeFalsy();
    expect(provider.count('refresh_token')).toBe(refreshes + 1);
    expect(provider.count('refresh_token', 'invalid_grant')).toBe(0);
    expect((await connection(acmeConnection)).status).toBe('active');
  });

  it('a refresh the provider refuses marks the connection expired and the call returns the connect URL', async () => {
    const acme = await gateway('acme');
    const receiver = await startReceiver();
    const hook = await admin('create_webhook', { url: receiver.url, events: ['connection.expired'] });
    await expireStoredToken();
    provider.settings.failRefresh = true;
    try {
      const result = await call(acme, me);
      expect(result.isError).toBe(true);
      const message = text(result);
      expect(message).toContain('has expired');
      expect(message).toContain('invalid_grant');
      expect(message).toContain(`${gw.app.url}/#/connect?customer_id=acme&connector_id=${crmId}`);
      expect(message).toContain('get_connect_url');
      const stored = await connection(acmeConnection);
      expect(stored.status).toBe('expired');
      expect(stored.status_reason).toContain('invalid_grant');

      const manual = await adminRaw('refresh_connection', { connection_id: acmeConnection });
      expect(manual.isError).toBe(true);
      expect(text(manual)).toContain('get_connect_url');

      // connection.expired went out once, signed: the second failure changed nothing.
      const expired = await receiver.request(1);
      expect(verifiedByStandardWebhooks(String(hook.secret), expired)).toMatchObject({
        type: 'connection.expired',
        data: { connection_id: acmeConnection, customer_id: 'acme', connector_id: crmId, status: 'expired' },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.received).toHaveLength(1);
    } finally {
      provider.settings.failRefresh = false;
      await admin('delete_webhook', { webhook_id: hook.id });
    }

    // Connecting again revives the same connection.
    const { result } = await connectThroughBrowser('acme', crmId);
    expect(result.status).toBe(200);
    const list = (await admin('list_connections', { customer_id: 'acme' })).connections as { id: string }[];
    expect(list.map((c) => c.id)).toEqual([acmeConnection]);
    expect((await connection(acmeConnection)).status).toBe('active');
    const again = await call(acme, me);
    expect(again.isError, text(again)).toBeFalsy();
  });
});

describe('client_credentials', () => {
  it('fetches a token on the first call, reuses it, and fetches a new one after a 401', async () => {
    const globex = await gateway('globex');
    expect(provider.count('client_credentials')).toBe(0);
    const first = await call(globex, ledgerWhoami);
    expect(first.isError, text(first)).toBeFalsy();
    expect(first.structuredContent).toEqual({ sub: null, client_id: SERVICE.id, scope: 'ledger.read' });
    expect(provider.count('client_credentials')).toBe(1);
    expect(api.hits.at(-1)?.authorization).toBe(`Bearer ${provider.latest(SERVICE.id)?.access_token}`);

    const second = await call(globex, ledgerWhoami);
    expect(second.isError).toBeFalsy();
    expect(provider.count('client_credentials')).toBe(1);

    api.revoke(provider.latest(SERVICE.id)?.access_token as string);
    const third = await call(globex, ledgerWhoami);
    expect(third.isError, text(third)).toBeFalsy();
    expect(provider.count('client_credentials')).toBe(2);

    const list = (await admin('list_connections', { customer_id: 'globex' })).connections as {
      id: string;
      status: string;
      credentials: Record<string, unknown>;
    }[];
    expect(list[0]).toMatchObject({
      status: 'active',
      credentials: { access_token: MASK, expires_at: MASK },
    });
    const refreshed = await admin('refresh_connection', { connection_id: list[0]?.id });
    expect(refreshed.status).toBe('active');
    expect(provider.count('client_credentials')).toBe(3);
  });

  it('concurrent first calls share one token request', async () => {
    await admin('create_customer', { id: 'initech', name: 'Initech' });
    await admin('create_connection', { customer_id: 'initech', connector_id: ledgerId, credentials: {} });
    await admin('configure_customer_tools', {
      customer_id: 'initech',
      mode: 'selected',
      connector_ids: [ledgerId],
    });
    const initech = await gateway('initech');
    const before = provider.count('client_credentials');
    const results = await Promise.all(Array.from({ length: 8 }, () => call(initech, ledgerWhoami)));
    for (const r of results) expect(r.isError, text(r)).toBeFalsy();
    expect(provider.count('client_credentials')).toBe(before + 1);
  });
});

describe('token endpoint down', () => {
  it('a token endpoint that cannot be reached fails the call without marking the connection expired', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const id = (
      await admin('create_connector', { slug: 'vault', name: 'Vault', kind: 'http', base_url: api.url })
    ).id as string;
    await admin('create_action', { connector_id: id, name: 'whoami', method: 'GET', path: '/me' });
    await admin('set_auth_config', {
      connector_id: id,
      scheme: 'oauth2',
      grant: 'client_credentials',
      client_id: SERVICE.id,
      client_secret: SERVICE.secret,
      token_url: `http://127.0.0.1:${deadPort}/token`,
    });
    await admin('create_customer', { id: 'umbrella', name: 'Umbrella' });
    const conn = await admin('create_connection', {
      customer_id: 'umbrella',
      connector_id: id,
      credentials: {},
    });
    await admin('configure_customer_tools', {
      customer_id: 'umbrella',
      mode: 'selected',
      connector_ids: [id],
    });
    const umbrella = await gateway('umbrella');
    const result = await call(umbrella, 'vault__whoami');
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`http://127.0.0.1:${deadPort}/token could not be reached`);
    expect(text(result)).toContain('try again');
    expect((await connection(conn.id as string)).status).not.toBe('expired');
  });
});

describe('secrets', () => {
  it('no token, refresh token or client secret appears in tool output, activity, logs or the data dir', async () => {
    const activity: string[] = [];
    let cursor: string | undefined;
    do {
      const pageOut = await admin('list_activity', { limit: 100, ...(cursor ? { cursor } : {}) });
      activity.push(JSON.stringify(pageOut));
      cursor = (pageOut.next_cursor as string | null) ?? undefined;
    } while (cursor);
    expect(activity.join('\n')).toContain('crm__who_am_i');
    for (const tool of ['list_auth_configs', 'list_connections']) await admin(tool, {});

    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(readFileSync(path, 'latin1'));
      }
    };
    walk(gw.dataDir);

    const secrets = [...provider.issued, APP.secret, SERVICE.secret];
    expect(provider.issued.size).toBeGreaterThan(20);
    const haystacks: [string, string[]][] = [
      ['tool and callback output', outputs],
      ['list_activity', activity],
      ['log lines', gw.logs],
      ['data dir', files],
    ];
    for (const [where, texts] of haystacks) {
      const all = texts.join('\n');
      const leaked = secrets.filter((s) => all.includes(s));
      expect(leaked, `secrets in ${where}`).toEqual([]);
    }
  });
});
