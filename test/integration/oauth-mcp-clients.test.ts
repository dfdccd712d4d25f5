import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import { s256 } from '../../src/main/core/oauth/tokens';
import { initializeBody, rawPost } from '../helpers/gateway';
import { httpCall as call } from '../helpers/http-call';
import { MemoryOAuthClient } from '../helpers/oauth-client';
import { workspaceTarget } from '../helpers/store';
import { tempDir } from '../helpers/temp';

async function start(target: { dataDir: string; databaseUrl?: string }): Promise<PorticoApp> {
  return startPortico({ ...target, port: 0, host: '127.0.0.1', oauth: true, log: () => {} });
}

let target: { dataDir: string; databaseUrl?: string };
let app: PorticoApp;
let base: string;
let adminKey: string;
let cimd: Server;
let cimdBase: string;
const apps: PorticoApp[] = [];

beforeAll(async () => {
  const engine = process.env.PORTICO_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
  target = await workspaceTarget(engine);
  app = await start(target);
  apps.push(app);
  base = app.url;
  adminKey = app.store.mutate((ws) => mintKey(ws, { name: 'admin', scope: 'admin' })).key;
  for (const id of ['acme', 'globex'])
    expect((await app.callTool('create_customer', { id, name: id }, 'internal')).ok).toBe(true);
  // The client's metadata document, on loopback (the only place http:// is accepted).
  cimd = createServer((req, res) => {
    if (req.url !== '/client.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        client_id: `${cimdBase}/client.json`,
        client_name: 'Test MCP client (metadata document)',
        redirect_uris: [`${cimdBase}/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    );
  });
  await new Promise<void>((resolve) => cimd.listen(0, '127.0.0.1', resolve));
  cimdBase = `http://127.0.0.1:${(cimd.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await new Promise((resolve) => cimd.close(resolve));
});

/** The admin's decision through the admin tool over /api (a script with an admin key). */
async function approveWithKey(requestId: string, input: Record<string, unknown>): Promise<string> {
  const answer = await call(
    base,
    'POST',
    '/api/tools/approve_oauth_client',
    { authorization: `Bearer ${adminKey}` },
    { request_id: requestId, ...input },
  );
  expect(answer.body, JSON.stringify(answer.body)).toMatchObject({ ok: true });
  return String((answer.body.value as { redirect_to: string }).redirect_to);
}

/** The admin's decision in the web UI: signed in with a one-time link, cookie and CSRF token. */
async function approveSignedIn(requestId: string, input: Record<string, unknown>): Promise<string> {
  const token = new URL(app.loginLink().replace('#/login?', '?')).searchParams.get('token') ?? '';
  const session = await call(base, 'POST', '/api/session', {}, { login_token: token });
  const cookie = String(session.headers['set-cookie']).split(';')[0] ?? '';
  const csrf = String((session.body.value as { csrf: string }).csrf);
  const shown = await call(
    base,
    'POST',
    '/api/tools/get_oauth_request',
    { cookie, 'x-csrf-token': csrf },
    {
      request_id: requestId,
    },
  );
  expect(shown.body).toMatchObject({ ok: true, value: { request_id: requestId } });
  const answer = await call(
    base,
    'POST',
    '/api/tools/approve_oauth_client',
    { cookie, 'x-csrf-token': csrf },
    { request_id: requestId, ...input },
  );
  expect(answer.body, JSON.stringify(answer.body)).toMatchObject({ ok: true });
  return String((answer.body.value as { redirect_to: string }).redirect_to);
}

/**
 * The SDK client's whole sign-in: its first request gets a 401, it discovers and redirects; the
 * test is the browser (authorize → consent page → the admin approves → back to redirect_uri with
 * code, state and iss); then the SDK exchanges the code and connects.
 */
async function signIn(
  url: string,
  provider: MemoryOAuthClient,
  approve: (requestId: string) => Promise<string>,
): Promise<{ client: Client; consent: URL }> {
  const first = new Client({ name: 'oauth-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const authorizationUrl = provider.authorizationUrl;
  expect(authorizationUrl?.href.startsWith(`${base}/oauth/authorize?`)).toBe(true);
  expect(authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
  const toConsent = await fetch(authorizationUrl ?? '', { redirect: 'manual' });
  expect(toConsent.status, await toConsent.clone().text()).toBe(302);
  const consent = new URL(toConsent.headers.get('location') ?? '');
  expect(consent.href).toMatch(new RegExp(`^${base}/#/consent/[A-Za-z0-9_-]+$`));
  const back = new URL(await approve(consent.hash.split('/').at(-1) ?? ''));
  expect(`${back.origin}${back.pathname}`).toBe(provider.redirectUrl);
  expect(back.searchParams.get('iss')).toBe(base);
  expect(back.searchParams.get('state')).toBe(provider.lastState);
  await transport.finishAuth(back.searchParams.get('code') ?? '');
  expect(provider.saved?.access_token).toMatch(/^ptoa_/);
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  return { client, consent };
}

const expireAccessTokens = () =>
  app.store.database?.db
    .updateTable('oauth_tokens')
    .set({ expires_at: 0 })
    .where('kind', '=', 'access')
    .execute();

const withToken = (token: string | undefined) => ({ authorization: `Bearer ${token}` });

describe('discovery', () => {
  it('401s on both planes name their Protected Resource Metadata; it names the built-in authorization server', async () => {
    for (const plane of ['admin', 'gateway'] as const) {
      const res = await rawPost(`${base}/mcp/${plane}?customer_id=acme`, initializeBody);
      expect(res.status).toBe(401);
      const prmUrl = `${base}/.well-known/oauth-protected-resource/mcp/${plane}`;
      expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${prmUrl}"`);
      // The API key help stays in the body.
      expect(res.json?.error?.message).toMatch(/Unauthorized: no API key\. Pass a Portico API key/);
      const prm = (await (await fetch(prmUrl)).json()) as Record<string, unknown>;
      expect(prm).toMatchObject({ resource: `${base}/mcp/${plane}`, authorization_servers: [base] });
    }
    const root = (await (await fetch(`${base}/.well-known/oauth-protected-resource`)).json()) as Record<
      string,
      unknown
    >;
    expect(root).toMatchObject({ resource: base, authorization_servers: [base] });
    const as = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(as).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      registration_endpoint: `${base}/oauth/register`,
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
  });
});

describe('the SDK client signs in with a Client ID Metadata Document', () => {
  let admin: { client: Client; provider: MemoryOAuthClient };

  it('admin plane: discovery, PKCE, consent by a signed-in admin, token; the tools work', async () => {
    // The SDK accepts only https:// metadata URLs for itself, so the test hands it the loopback
    // document's URL as its client_id — the server side is exactly what an https document gets.
    const provider = new MemoryOAuthClient(`${cimdBase}/callback`, { client_id: `${cimdBase}/client.json` });
    const { client } = await signIn(`${base}/mcp/admin`, provider, async (id) => {
      const shown = await app.callTool('get_oauth_request', { request_id: id }, 'internal');
      expect(shown).toMatchObject({
        ok: true,
        value: { client_name: 'Test MCP client (metadata document)', plane: 'admin' },
      });
      return approveSignedIn(id, {});
    });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_customers');
    admin = { client, provider };
    const grants = await app.callTool('list_oauth_grants', {}, 'internal');
    expect(grants).toMatchObject({
      ok: true,
      value: { grants: [{ client_id: `${cimdBase}/client.json`, plane: 'admin', customers: null }] },
    });
  });

  it('an expired access token is refreshed by the SDK; the refresh token rotates and works once', async () => {
    const before = admin.provider.saved;
    await expireAccessTokens();
    const expired = await rawPost(`${base}/mcp/admin`, initializeBody, withToken(before?.access_token));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(expired.json?.error?.message).toMatch(/expired/);
    // The SDK meets the 401, refreshes, and retries.
    const { tools } = await admin.client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    const after = admin.provider.saved;
    expect(after?.access_token).not.toBe(before?.access_token);
    expect(after?.refresh_token).not.toBe(before?.refresh_token);
    // Activity names the grant, never the token.
    const called = await admin.client.callTool({ name: 'list_customers', arguments: {} });
    expect(called.isError).toBeFalsy();
    await app.services.activity.flush();
    const activity = await app.callTool('list_activity', { limit: 100 }, 'internal');
    const text = JSON.stringify(activity);
    expect(text).toMatch(/"key_id":"oauth:g[A-Za-z0-9]+"/);
    expect(text).not.toContain(after?.access_token ?? 'x');
    const grants = await app.callTool('list_oauth_grants', {}, 'internal');
    expect(grants).toMatchObject({ ok: true, value: { grants: [{ last_used_at: expect.any(String) }] } });
  });

  it('a used refresh token is dead, and its reuse revokes the whole grant', async () => {
    const current = admin.provider.saved;
    const client_id = `${cimdBase}/client.json`;
    const rotated = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: current?.refresh_token ?? '',
        client_id,
      }),
    });
    expect(rotated.status).toBe(200);
    const again = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: current?.refresh_token ?? '',
        client_id,
      }),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant', error_description: /already used/ });
    const fresh = (await rotated.json()) as { access_token: string };
    const refused = await rawPost(`${base}/mcp/admin`, initializeBody, withToken(fresh.access_token));
    expect(refused.status).toBe(401);
    await admin.client.close().catch(() => {});
  });
});

describe('the gateway plane', () => {
  let gateway: { client: Client; provider: MemoryOAuthClient };

  it('dynamic registration as fallback; a grant for customer acme works there and nowhere else', async () => {
    const provider = new MemoryOAuthClient('http://127.0.0.1:9/callback', undefined);
    const { client } = await signIn(`${base}/mcp/gateway?customer_id=acme`, provider, async (id) => {
      const shown = await app.callTool('get_oauth_request', { request_id: id }, 'internal');
      expect(shown).toMatchObject({
        ok: true,
        value: { plane: 'gateway', client_name: 'Test MCP client (registered)' },
      });
      // The gateway needs customers named.
      const bare = await app.callTool('approve_oauth_client', { request_id: id }, 'internal');
      expect(bare).toMatchObject({ ok: false, error: /customer/ });
      return approveWithKey(id, { customers: ['acme'] });
    });
    expect(provider.clientInformation()?.client_id).toMatch(/^ptcl_/);
    await client.listTools();
    gateway = { client, provider };
    const token = provider.saved?.access_token;
    // Another customer: 403, as for a key restricted to acme.
    const other = await rawPost(`${base}/mcp/gateway?customer_id=globex`, initializeBody, withToken(token));
    expect(other.status).toBe(403);
    // Another plane: the token's audience is /mcp/gateway.
    const wrongAudience = await rawPost(`${base}/mcp/admin`, initializeBody, withToken(token));
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.json?.error?.message).toMatch(/issued for \/mcp\/gateway, not \/mcp\/admin/);
  });

  it('a token keeps working after a restart (it lives in the database)', async () => {
    const token = gateway.provider.saved?.access_token;
    await gateway.client.close();
    await app.close();
    app = await start(target);
    apps.push(app);
    base = app.url;
    const res = await rawPost(`${base}/mcp/gateway?customer_id=acme`, initializeBody, withToken(token));
    expect(res.status).toBe(200);
  });

  it('a revoked grant is refused at once (on every replica) and its open sessions are closed', async () => {
    const token = gateway.provider.saved?.access_token;
    const headers = withToken(token);
    const client = new Client({ name: 'raw-token', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp/gateway?customer_id=acme`), {
        requestInit: { headers },
      }),
    );
    expect(app.sessionCount().gateway).toBeGreaterThan(0);
    // Team mode: another replica on the same PostgreSQL takes the token, and refuses it once revoked.
    const replica = target.databaseUrl
      ? await start({ dataDir: tempDir(), databaseUrl: target.databaseUrl })
      : undefined;
    if (replica) apps.push(replica);
    const onReplica = () =>
      rawPost(`${replica?.url}/mcp/gateway?customer_id=acme`, initializeBody, withToken(token));
    if (replica) expect((await onReplica()).status).toBe(200);
    const listed = await app.callTool('list_oauth_grants', {}, 'internal');
    const grant = (
      listed.ok ? (listed.value as { grants: { id: string; plane: string }[] }).grants : []
    ).find((g) => g.plane === 'gateway');
    const revoked = await app.callTool('revoke_oauth_grant', { grant_id: grant?.id ?? '' }, 'internal');
    expect(revoked).toMatchObject({ ok: true, value: { revoked_at: expect.any(String) } });
    await expect.poll(() => app.sessionCount().gateway).toBe(0);
    const res = await rawPost(`${base}/mcp/gateway?customer_id=acme`, initializeBody, withToken(token));
    expect(res.status).toBe(401);
    expect(res.json?.error?.message).toMatch(/unknown or revoked OAuth access token/);
    if (replica) expect((await onReplica()).status).toBe(401);
    await client.close().catch(() => {});
  });
});

describe('bad requests get the RFC error codes with a clear description', () => {
  const clientId = () => `${cimdBase}/client.json`;
  const redirect = () => `${cimdBase}/callback`;
  const authorize = async (params: Record<string, string>) => {
    const res = await fetch(`${base}/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
    const location = res.headers.get('location');
    return {
      status: res.status,
      redirected: location ? new URL(location) : undefined,
      json:
        res.status === 400 ? ((await res.json()) as { error: string; error_description: string }) : undefined,
    };
  };
  const good = () => ({
    response_type: 'code',
    client_id: clientId(),
    redirect_uri: redirect(),
    code_challenge: s256('v'.repeat(50)),
    code_challenge_method: 'S256',
    state: 'st',
    resource: `${base}/mcp/admin`,
  });

  it('missing PKCE and the plain method go back to the client as invalid_request', async () => {
    const { code_challenge: _, ...noPkce } = good();
    const missing = await authorize(noPkce);
    expect(missing.status).toBe(302);
    expect(missing.redirected?.searchParams.get('error')).toBe('invalid_request');
    expect(missing.redirected?.searchParams.get('error_description')).toMatch(/PKCE is required/);
    expect(missing.redirected?.searchParams.get('state')).toBe('st');
    expect(missing.redirected?.searchParams.get('iss')).toBe(base);
    const plain = await authorize({
      ...good(),
      code_challenge_method: 'plain',
      code_challenge: 'v'.repeat(50),
    });
    expect(plain.redirected?.searchParams.get('error')).toBe('invalid_request');
    expect(plain.redirected?.searchParams.get('error_description')).toMatch(
      /only S256.*plain method is not allowed/,
    );
    const wrongPlane = await authorize({ ...good(), resource: `${base}/elsewhere` });
    expect(wrongPlane.redirected?.searchParams.get('error')).toBe('invalid_target');
  });

  it('an unknown client or a redirect_uri it did not register is shown, never redirected', async () => {
    const unknown = await authorize({ ...good(), client_id: 'nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({
      error: 'invalid_client',
      error_description: /unknown client_id "nobody"/,
    });
    const remote = await authorize({ ...good(), client_id: 'http://example.com/client.json' });
    expect(remote.json).toMatchObject({
      error: 'invalid_client',
      error_description: /only for a document on loopback/,
    });
    // Portico never reaches into its own network for a client's document (link-local: cloud metadata).
    for (const inside of ['https://169.254.169.254/client.json', 'https://10.1.2.3/client.json'])
      expect((await authorize({ ...good(), client_id: inside })).json).toMatchObject({
        error: 'invalid_client',
        error_description: /private or link-local network/,
      });
    const mismatch = await authorize({ ...good(), redirect_uri: `${cimdBase}/elsewhere` });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json).toMatchObject({
      error: 'invalid_request',
      error_description: /is not one of the client's registered redirect URIs/,
    });
  });

  it('the token endpoint refuses a wrong verifier, an unknown code and unknown grant types', async () => {
    const consent = await authorize(good());
    expect(consent.status).toBe(302);
    const requestId = consent.redirected?.hash.split('/').at(-1) ?? '';
    const back = new URL(await approveWithKey(requestId, {}));
    const token = (params: Record<string, string>) =>
      fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    const exchange = {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: redirect(),
      client_id: clientId(),
    };
    expect(await token({ ...exchange, code_verifier: 'w'.repeat(50) })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: /PKCE verification failed/ },
    });
    expect(await token({ ...exchange, code: 'nope', code_verifier: 'v'.repeat(50) })).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect(await token({ ...exchange })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: /code_verifier is missing/ },
    });
    expect(await token({ grant_type: 'password', client_id: clientId() })).toMatchObject({
      status: 400,
      body: { error: 'unsupported_grant_type' },
    });
    const registered = await fetch(`${base}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://example.com/cb'] }),
    });
    expect(registered.status).toBe(400);
    expect(await registered.json()).toMatchObject({ error: 'invalid_redirect_uri' });
  });
});
