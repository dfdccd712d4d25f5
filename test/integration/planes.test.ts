import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_TOOLSET_MESSAGE } from '../../src/main/core/gateway/customer-mcp';
import { bearer, connectClient, initializeBody, rawPost, startTestGateway } from '../helpers/gateway';

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: string;
let gatewayUrl: (customer: string) => string;

beforeAll(async () => {
  gw = await startTestGateway();
  await gw.app.callTool('create_customer', { id: 'acme', name: 'Acme Inc.' }, 'internal');
  await gw.app.callTool('create_customer', { id: 'globex', name: 'Globex' }, 'internal');
  admin = `${gw.app.url}/mcp/admin`;
  gatewayUrl = (customer) => `${gw.app.url}/mcp/gateway?customer_id=${customer}`;
});
afterAll(() => gw.app.close());

/** A request with headers fetch refuses to set (Host). */
function rawHttp(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gw.app.port, path, method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(initializeBody);
  });
}

describe('both planes over Streamable HTTP with the MCP SDK client', () => {
  it('admin plane: initialize and list the registry tools', async () => {
    const client = await connectClient(admin, bearer(gw.adminKey));
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of [
      'list_api_keys',
      'create_api_key',
      'revoke_api_key',
      'list_customers',
      'get_customer',
      'create_customer',
      'update_customer',
      'delete_customer',
      'get_gateway_status',
      'set_plane_enabled',
    ]) {
      expect(names).toContain(name);
    }
    const create = tools.find((t) => t.name === 'create_customer');
    expect(create?.inputSchema.properties).toHaveProperty('id');
    expect(create?.outputSchema).toBeDefined();
    expect(tools.find((t) => t.name === 'list_customers')?.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === 'delete_customer')?.annotations?.destructiveHint).toBe(true);
    const result = await client.callTool({ name: 'get_customer', arguments: { customer_id: 'acme' } });
    expect(result.structuredContent).toMatchObject({ id: 'acme', name: 'Acme Inc.' });
    await client.close();
  });

  it('data plane: a customer with nothing exposed lists no tools and says so in instructions', async () => {
    const client = await connectClient(gatewayUrl('acme'), bearer(gw.mint('gateway')));
    expect(client.getInstructions()).toBe(EMPTY_TOOLSET_MESSAGE);
    expect((await client.listTools()).tools).toEqual([]);
    await client.close();
  });

  it('data plane: endOrgId is an alias of customer_id', async () => {
    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?endOrgId=globex`,
      bearer(gw.mint('gateway')),
    );
    expect(client.getServerVersion()?.name).toBe('portico-globex');
    await client.close();
  });

  it('accepts the key as Bearer, X-API-Key, and api_key query parameter', async () => {
    const viaHeader = await connectClient(admin, { 'x-api-key': gw.adminKey });
    expect((await viaHeader.listTools()).tools.length).toBeGreaterThan(5);
    await viaHeader.close();
    const viaQuery = await connectClient(`${admin}?api_key=${gw.adminKey}`);
    expect((await viaQuery.listTools()).tools.length).toBeGreaterThan(5);
    await viaQuery.close();
  });

  it('serves /healthz without auth and without secrets', async () => {
    const res = await fetch(`${gw.app.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: unknown; planes: unknown };
    expect(body).toMatchObject({ status: 'ok', planes: { admin: true, gateway: true } });
    expect(typeof body.version).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/ptc_/);
  });
});

describe('errors of CONTRACT §2', () => {
  it('401 with WWW-Authenticate and the three ways to pass a key when no key is given', async () => {
    const res = await rawPost(admin, initializeBody);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.json?.error?.message).toMatch(/Authorization: Bearer/);
    expect(res.json?.error?.message).toMatch(/X-API-Key/);
    expect(res.json?.error?.message).toMatch(/api_key/);
  });

  it('401 for an unknown or malformed key, without echoing it', async () => {
    const fake = `ptc_ABCDEFGH_${'x'.repeat(40)}`;
    const res = await rawPost(admin, initializeBody, bearer(fake));
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(fake);
    expect((await rawPost(admin, initializeBody, bearer('not-a-key'))).status).toBe(401);
  });

  it('a revoked key stops working immediately, also on an open session', async () => {
    const key = gw.mint('admin');
    const client = await connectClient(admin, bearer(key));
    await client.listTools();
    const id = key.split('_')[1];
    const revoked = await gw.app.callTool('revoke_api_key', { key_id: id }, 'internal');
    expect(revoked.ok).toBe(true);
    await expect(client.listTools()).rejects.toThrow();
    const res = await rawPost(admin, initializeBody, bearer(key));
    expect(res.status).toBe(401);
    expect(res.json?.error?.message).toMatch(/revoked/);
  });

  it('403 for the wrong scope, naming the scope needed', async () => {
    const res = await rawPost(admin, initializeBody, bearer(gw.mint('gateway')));
    expect(res.status).toBe(403);
    expect(res.json?.error?.message).toMatch(/scope "admin"/);
    const res2 = await rawPost(gatewayUrl('acme'), initializeBody, bearer(gw.adminKey));
    expect(res2.status).toBe(403);
  });

  it('a gateway key restricted to customer A gets 403 on customer B', async () => {
    const key = gw.mint('gateway', ['acme']);
    const ok = await connectClient(gatewayUrl('acme'), bearer(key));
    await ok.close();
    const res = await rawPost(gatewayUrl('globex'), initializeBody, bearer(key));
    expect(res.status).toBe(403);
    expect(res.json?.error?.message).toMatch(/globex/);
  });

  it('a session opened for customer A cannot be pointed at customer B', async () => {
    const key = gw.mint('gateway');
    const init = await rawPost(gatewayUrl('acme'), initializeBody, bearer(key));
    const session = init.headers.get('mcp-session-id') ?? '';
    expect(session).not.toBe('');
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const res = await rawPost(gatewayUrl('globex'), list, { ...bearer(key), 'mcp-session-id': session });
    expect(res.status).toBe(403);
  });

  it('404 naming the customer for an unknown customer; 400 when none is named', async () => {
    const res = await rawPost(gatewayUrl('nobody'), initializeBody, bearer(gw.mint('gateway')));
    expect(res.status).toBe(404);
    expect(res.json?.error?.message).toContain('"nobody"');
    const none = await rawPost(`${gw.app.url}/mcp/gateway`, initializeBody, bearer(gw.mint('gateway')));
    expect(none.status).toBe(400);
    expect(none.json?.error?.message).toMatch(/customer_id=/);
  });

  it('503 while a plane is switched off, and serves again when switched on, without restart', async () => {
    const client = await connectClient(admin, bearer(gw.adminKey));
    const off = await client.callTool({
      name: 'set_plane_enabled',
      arguments: { plane: 'gateway', enabled: false },
    });
    expect(off.isError).toBeFalsy();
    const res = await rawPost(gatewayUrl('acme'), initializeBody, bearer(gw.mint('gateway')));
    expect(res.status).toBe(503);
    expect(res.json?.error?.message).toMatch(/set_plane_enabled/);
    const health = (await (await fetch(`${gw.app.url}/healthz`)).json()) as { planes: { gateway: boolean } };
    expect(health.planes.gateway).toBe(false);
    await client.callTool({ name: 'set_plane_enabled', arguments: { plane: 'gateway', enabled: true } });
    const again = await connectClient(gatewayUrl('acme'), bearer(gw.mint('gateway')));
    await again.close();
    await client.close();
  });

  it('403 for a foreign Origin; a loopback origin of this server is fine', async () => {
    const res = await rawPost(admin, initializeBody, {
      ...bearer(gw.adminKey),
      origin: 'https://evil.example',
    });
    expect(res.status).toBe(403);
    expect(res.json?.error?.message).toMatch(/Origin/);
    const other = await rawPost(admin, initializeBody, {
      ...bearer(gw.adminKey),
      origin: 'http://localhost:1',
    });
    expect(other.status).toBe(403);
    const own = await rawPost(admin, initializeBody, {
      ...bearer(gw.adminKey),
      origin: `http://localhost:${gw.app.port}`,
    });
    expect(own.status).toBe(200);
  });

  it('403 for a non-loopback Host (DNS rebinding)', async () => {
    const headers = {
      host: `evil.example:${gw.app.port}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${gw.adminKey}`,
    };
    const res = await rawHttp('/mcp/admin', headers);
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/Host/);
    const ok = await rawHttp('/mcp/admin', { ...headers, host: `localhost:${gw.app.port}` });
    expect(ok.status).toBe(200);
  });

  it('413 for a body over the limit', async () => {
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { pad: 'x'.repeat(5 * 1024 * 1024) },
    });
    const res = await rawPost(admin, huge, bearer(gw.adminKey));
    expect(res.status).toBe(413);
    expect(res.json?.error?.message).toMatch(/limit/);
  });

  it('a JSON-RPC parse error for malformed JSON, and 400 for wrong shapes', async () => {
    const res = await rawPost(admin, '{"jsonrpc": "2.0", "id": 1, "method": ', bearer(gw.adminKey));
    expect(res.status).toBe(400);
    expect(res.json?.error?.code).toBe(-32700);
    const init = await rawPost(admin, initializeBody, bearer(gw.adminKey));
    const session = init.headers.get('mcp-session-id') ?? '';
    for (const body of [
      '{"hello": "world"}',
      '[1, 2, 3]',
      '"text"',
      '{"jsonrpc":"1.0","id":1,"method":"tools/list"}',
    ]) {
      const bad = await rawPost(admin, body, { ...bearer(gw.adminKey), 'mcp-session-id': session });
      expect(bad.status, body).toBe(400);
    }
    const noSession = await rawPost(
      admin,
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
      bearer(gw.adminKey),
    );
    expect(noSession.status).toBe(400);
    expect(noSession.json?.error?.message).toMatch(/initialize/);
    // The server is still healthy afterwards.
    expect((await fetch(`${gw.app.url}/healthz`)).status).toBe(200);
  });

  it('tool failures are isError results with an actionable message', async () => {
    const client = await connectClient(admin, bearer(gw.adminKey));
    const missing = await client.callTool({ name: 'create_customer', arguments: { name: 'No id' } });
    expect(missing.isError).toBe(true);
    expect(JSON.stringify(missing.content)).toMatch(/`id`/);
    const extra = await client.callTool({
      name: 'create_customer',
      arguments: { id: 'x1', name: 'X', colour: 'red' },
    });
    expect(JSON.stringify(extra.content)).toMatch(/colour/);
    const dup = await client.callTool({ name: 'create_customer', arguments: { id: 'acme', name: 'Again' } });
    expect(JSON.stringify(dup.content)).toMatch(/already exists/);
    const unknown = await client.callTool({ name: 'get_customer', arguments: { customer_id: 'ghost' } });
    expect(JSON.stringify(unknown.content)).toMatch(/ghost/);
    await client.close();
  });
});
