// An MCP connector behind OAuth: the gateway's pipeline gets (client_credentials) and refreshes
// its token as for HTTP connectors, and after a 401 from the upstream refreshes once and retries.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { startProtectedApi } from '../helpers/oauth-api';
import { startOAuthProvider } from '../helpers/oauth-provider';

const SERVICE = { id: 'portico-mcp-svc', secret: `mcp-client-secret-${randomBytes(12).toString('hex')}` };

/**
 * A Streamable HTTP MCP server that accepts only tokens the protected API accepts (it asks the API
 * with the same Authorization): anything else is HTTP 401, as an OAuth-protected MCP server answers.
 */
async function protectedMcpUpstream(apiUrl: string) {
  const seen: string[] = [];
  const http = createServer(async (req: IncomingMessage, res) => {
    const authorization = req.headers.authorization ?? '';
    seen.push(authorization);
    const check = await fetch(`${apiUrl}/me`, { headers: { authorization } });
    if (check.status !== 200) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    const who = (await check.json()) as { client_id: string | null };
    const server = new Server({ name: 'protected', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: 'whoami', inputSchema: { type: 'object' } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, () => ({
      content: [{ type: 'text', text: `client ${who.client_id}` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  afterAll(() => {
    http.closeAllConnections();
    http.close();
  });
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, seen };
}

describe('an MCP connector with OAuth2 (client_credentials)', () => {
  it('gets a token for the first call, and after the upstream answers 401 refreshes once and retries', async () => {
    const provider = await startOAuthProvider({ [SERVICE.id]: SERVICE.secret });
    const api = await startProtectedApi(provider.url, provider.jwksUrl);
    const upstream = await protectedMcpUpstream(api.url);
    const gw = await startTestGateway();
    const admin = async (name: string, args: unknown) => {
      const r = await gw.app.callTool(name, args, 'internal');
      if (!r.ok) throw new Error(`${name}: ${r.error}`);
      return r.value;
    };
    await admin('create_customer', { id: 'hooli', name: 'Hooli' });
    const created = await admin('create_connector', {
      slug: 'vault',
      name: 'Vault',
      kind: 'mcp',
      transport: 'http',
      url: upstream.url,
    });
    const connectorId = String(created.id);
    await admin('set_auth_config', {
      connector_id: connectorId,
      scheme: 'oauth2',
      grant: 'client_credentials',
      client_id: SERVICE.id,
      client_secret: SERVICE.secret,
      token_url: provider.tokenUrl,
    });
    await admin('create_connection', { customer_id: 'hooli', connector_id: connectorId, credentials: {} });
    // Discovery with the customer's connection fetches the token first, like a call.
    await admin('refresh_connector', { connector_id: connectorId, customer_id: 'hooli' });
    expect(provider.count('client_credentials')).toBe(1);
    await admin('configure_customer_tools', { customer_id: 'hooli', mode: 'all', tool_mode: 'direct' });

    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=hooli`,
      bearer(gw.mint('gateway', ['hooli'])),
    );
    const call = async () =>
      (await client.callTool({ name: 'vault__whoami', arguments: {} })) as {
        isError?: boolean;
        content: { text: string }[];
      };
    const first = await call();
    expect(first.isError, first.content[0]?.text).toBeFalsy();
    expect(first.content[0]?.text).toBe(`client ${SERVICE.id}`);
    expect(provider.count('client_credentials')).toBe(1);

    // The token is revoked upstream: one 401, one new token, the call succeeds.
    api.revoke(provider.latest(SERVICE.id)?.access_token as string);
    const rejected = api.unauthorized();
    const second = await call();
    expect(second.isError, second.content[0]?.text).toBeFalsy();
    expect(provider.count('client_credentials')).toBe(2);
    expect(api.unauthorized()).toBeGreaterThan(rejected);
    expect(upstream.seen.at(-1)).toBe(`Bearer ${provider.latest(SERVICE.id)?.access_token}`);

    // Every token is rejected: one refresh, no loop, a clear error.
    api.state.rejectAll = true;
    const third = await call();
    api.state.rejectAll = false;
    expect(third.isError).toBe(true);
    expect(third.content[0]?.text).toMatch(/Vault|vault/);
    expect(provider.count('client_credentials')).toBe(3);
    // No token or client secret reaches the agent.
    const all = JSON.stringify([first, second, third]);
    expect(all).not.toContain(SERVICE.secret);
    expect(all).not.toContain(provider.latest(SERVICE.id)?.access_token as string);
    await client.close();
  });
});
