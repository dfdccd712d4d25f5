// An external OpenID Connect provider as the authorization server (`--oauth-issuer`), played by
// oauth2-mock-server: the MCP SDK client's own flow (discovery from Portico's 401 to the provider,
// PKCE, token) ends with a JWT that Portico checks against the provider's JWKS, its audience (the
// plane URL, RFC 8707) and its claims (scope names the plane; `customers` the gateway customers).

import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { OAuth2Server } from 'oauth2-mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import { initializeBody, rawPost } from '../helpers/gateway';
import { MemoryOAuthClient } from '../helpers/oauth-client';
import { tempDir } from '../helpers/temp';

let idp: OAuth2Server;
let other: OAuth2Server;
let app: PorticoApp;

beforeAll(async () => {
  idp = new OAuth2Server();
  await idp.issuer.keys.generate('RS256');
  await idp.start(0, '127.0.0.1');
  other = new OAuth2Server();
  await other.issuer.keys.generate('RS256');
  await other.start(0, '127.0.0.1');
  // The provider's claim mapping (what a team configures in Keycloak or Okta): the requested
  // resource becomes the audience, its plane the scope, and gateway tokens name customer acme.
  idp.service.on('beforeTokenSigning', (token, req) => {
    const resource = (req.body as { resource?: unknown } | undefined)?.resource;
    if (typeof resource !== 'string') return;
    token.payload.aud = resource;
    token.payload.scope = resource.endsWith('/mcp/admin') ? 'admin' : 'gateway';
    token.payload.customers = ['acme'];
  });
  app = await startPortico({
    dataDir: tempDir(),
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    oauthIssuer: idp.issuer.url,
  });
  for (const id of ['acme', 'globex'])
    expect((await app.callTool('create_customer', { id, name: id }, 'internal')).ok).toBe(true);
});

afterAll(async () => {
  await app?.close();
  await idp?.stop();
  await other?.stop();
});

/** The SDK's flow: 401 → Portico's resource metadata → the provider → (the browser) → code → token. */
async function signIn(url: string): Promise<{ client: Client; provider: MemoryOAuthClient }> {
  // Pre-registered with the team's provider, as with Okta or Entra ID.
  const provider = new MemoryOAuthClient(
    'http://127.0.0.1:9/callback',
    { client_id: 'portico-test-client' },
    'OIDC test client',
  );
  const first = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  await expect(new Client({ name: 'oidc', version: '1' }).connect(first)).rejects.toBeInstanceOf(
    UnauthorizedError,
  );
  expect(provider.authorizationUrl?.href.startsWith(`${idp.issuer.url}/authorize?`)).toBe(true);
  const back = await fetch(provider.authorizationUrl ?? '', { redirect: 'manual' });
  const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
  await first.finishAuth(code);
  const client = new Client({ name: 'oidc', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  return { client, provider };
}

describe('an external OpenID Connect provider as the authorization server', () => {
  it('Protected Resource Metadata names the provider; the built-in server is not offered', async () => {
    const prm = (await (await fetch(`${app.url}/.well-known/oauth-protected-resource/mcp/admin`)).json()) as {
      authorization_servers: string[];
    };
    expect(prm.authorization_servers).toEqual([idp.issuer.url]);
    expect((await fetch(`${app.url}/.well-known/oauth-authorization-server`)).status).toBe(404);
    expect((await fetch(`${app.url}/oauth/authorize`)).status).toBe(404);
  });

  it('the SDK signs in on the admin plane with the provider’s JWT', async () => {
    const { client, provider } = await signIn(`${app.url}/mcp/admin`);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_customers');
    const called = await client.callTool({ name: 'list_customers', arguments: {} });
    expect(called.isError).toBeFalsy();
    // The same token is refused on the other plane: its audience is /mcp/admin.
    const wrong = await rawPost(`${app.url}/mcp/gateway?customer_id=acme`, initializeBody, {
      authorization: `Bearer ${provider.saved?.access_token}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json?.error?.message).toMatch(/audience is not .*\/mcp\/gateway/);
    await client.close();
  });

  it('gateway: the customers claim holds (acme yes, globex 403)', async () => {
    const { client, provider } = await signIn(`${app.url}/mcp/gateway?customer_id=acme`);
    await client.listTools();
    const other403 = await rawPost(`${app.url}/mcp/gateway?customer_id=globex`, initializeBody, {
      authorization: `Bearer ${provider.saved?.access_token}`,
    });
    expect(other403.status).toBe(403);
    await client.close();
  });

  it('refuses a forged signature, another issuer, an expired token and a token without the plane scope', async () => {
    const audience = `${app.url}/mcp/admin`;
    const build = (server: OAuth2Server, claims: Record<string, unknown>, expiresIn = 300) =>
      server.issuer.buildToken({
        expiresIn,
        scopesOrTransform: (_header, payload) => {
          Object.assign(payload, { aud: audience, scope: 'admin', ...claims });
        },
      });
    const tryToken = async (token: string) =>
      rawPost(`${app.url}/mcp/admin`, initializeBody, { authorization: `Bearer ${token}` });
    expect((await tryToken(await build(idp, {}))).status).toBe(200);
    const good = await build(idp, {});
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${Buffer.from('not the signature').toString('base64url')}`;
    expect((await tryToken(forged)).json?.error?.message).toMatch(/signature does not verify/);
    expect((await tryToken(await build(other, { iss: idp.issuer.url }))).json?.error?.message).toMatch(
      /not signed with one of the issuer's keys/,
    );
    expect((await tryToken(await build(other, {}))).status).toBe(401);
    expect((await tryToken(await build(idp, {}, -3600))).json?.error?.message).toMatch(/expired/);
    const noScope = await tryToken(await build(idp, { scope: 'gateway' }));
    expect(noScope.status).toBe(401);
    expect(noScope.json?.error?.message).toMatch(/scope does not include "admin"/);
  });
});
