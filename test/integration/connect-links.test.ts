// Connect links (CONTRACT §2): a customer-facing page for one customer and one connector, usable
// without the admin UI, through a link that works once and expires — and reaches nothing else.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mintConnectToken, openConnectToken } from '../../src/main/core/auth/connect-links';
import { SecretBox } from '../../src/main/core/store/secrets';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

async function admin(url: string, key: string, tool: string, input: unknown) {
  const res = await fetch(`${url}/api/tools/${tool}`, {
    method: 'POST',
    headers: { ...bearer(key), 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: string };
  if (!body.ok) throw new Error(`${tool}: ${body.error}`);
  return body.value as Record<string, unknown>;
}

async function connect(url: string, token: string, body?: unknown, path = '/api/connect') {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'x-connect-token': token,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: string },
  };
}

const tokenIn = (url: string) => new URLSearchParams(url.split('#/connect?')[1]).get('token') ?? '';

async function workspace() {
  const gw = await startTestGateway();
  const { app, adminKey } = gw;
  await admin(app.url, adminKey, 'create_customer', { id: 'acme', name: 'Acme' });
  await admin(app.url, adminKey, 'create_customer', { id: 'globex', name: 'Globex' });
  const connector = await admin(app.url, adminKey, 'create_connector', {
    slug: 'crm',
    name: 'CRM',
    kind: 'http',
    base_url: 'http://127.0.0.1:9',
  });
  const connectorId = String(connector.id);
  await admin(app.url, adminKey, 'set_auth_config', {
    connector_id: connectorId,
    scheme: 'api_key',
    in: 'header',
    name: 'X-Api-Key',
  });
  return { ...gw, connectorId };
}

describe('connect links', () => {
  it('open a page for one customer and connector, take its credentials once, and then refuse', async () => {
    const { app, adminKey, connectorId } = await workspace();
    const link = await admin(app.url, adminKey, 'get_connect_url', {
      customer_id: 'acme',
      connector_id: connectorId,
    });
    expect(link.kind).toBe('credentials');
    expect(link.expires_in_seconds).toBe(86_400);
    expect(String(link.url)).toContain(
      `${app.url}/#/connect?customer_id=acme&connector_id=${connectorId}&token=`,
    );
    const token = tokenIn(String(link.url));

    const info = await connect(app.url, token);
    expect(info.status).toBe(200);
    expect(info.body.value).toMatchObject({
      customer: { id: 'acme', name: 'Acme' },
      connector: { id: connectorId, name: 'CRM' },
      scheme: 'api_key',
      connected: false,
      fields: [{ path: 'api_key', secret: true }],
    });
    // Bad input is the registry's refusal, and spends nothing.
    const bad = await connect(app.url, token, { credentials: { nope: 'x' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(app.store.data.connections)).toHaveLength(0);

    const saved = await connect(app.url, token, { credentials: { api_key: 'sk-live-123' } });
    expect(saved.status).toBe(200);
    const connections = Object.values(app.store.data.connections);
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ customerId: 'acme', connectorId });
    expect(connections[0]?.credentials).not.toContain('sk-live-123');

    const replay = await connect(app.url, token, { credentials: { api_key: 'attacker' } });
    expect(replay.status).toBe(410);
    expect(replay.body.error).toMatch(/already used/);
    expect((await connect(app.url, token)).status).toBe(410);
    // A new link replaces the credentials (update, not a second connection).
    const fresh = tokenIn(
      String(
        (
          await admin(app.url, adminKey, 'get_connect_url', {
            customer_id: 'acme',
            connector_id: connectorId,
          })
        ).url,
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect((await connect(app.url, fresh, { credentials: { api_key: 'sk-live-456' } })).status).toBe(200);
    expect(Object.values(app.store.data.connections)).toHaveLength(1);
  });

  it('refuses a missing, tampered, foreign or expired token, and the ids in the URL decide nothing', async () => {
    const { app, adminKey, connectorId } = await workspace();
    const url = String(
      (await admin(app.url, adminKey, 'get_connect_url', { customer_id: 'acme', connector_id: connectorId }))
        .url,
    );
    const token = tokenIn(url);
    const res = await fetch(`${app.url}/api/connect`);
    expect(res.status).toBe(401);
    const flipped = token.slice(0, 30) + (token[30] === 'A' ? 'B' : 'A') + token.slice(31);
    expect((await connect(app.url, flipped)).status).toBe(401);
    const foreign = mintConnectToken(
      new SecretBox(randomBytes(32), { kind: 'keyfile', description: 'other' }),
      'acme',
      connectorId,
    ).token;
    expect((await connect(app.url, foreign)).status).toBe(401);
    expect((await connect(app.url, 'short')).status).toBe(401);
    // The page reads the customer from the token, whatever the URL says.
    const info = await connect(app.url, token);
    expect(info.body.value?.customer).toEqual({ id: 'acme', name: 'Acme' });
    expect(Object.values(app.store.data.connections).filter((c) => c.customerId === 'globex')).toHaveLength(
      0,
    );

    const box = app.store.secrets;
    const minted = mintConnectToken(box, 'acme', connectorId, Date.now() - 25 * 3_600_000);
    const expired = openConnectToken(box, minted.token);
    expect(expired).toEqual({ ok: false, error: expect.stringMatching(/expired/) });
    expect((await connect(app.url, minted.token)).status).toBe(401);
  });

  it('the gateway hands a working connect link to an agent whose customer lacks a connection', async () => {
    const { app, adminKey, mint, connectorId } = await workspace();
    await admin(app.url, adminKey, 'create_action', {
      connector_id: connectorId,
      name: 'ping',
      method: 'GET',
      path: '/ping',
    });
    await admin(app.url, adminKey, 'configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: [connectorId],
    });
    const client = await connectClient(`${app.url}/mcp/gateway?customer_id=acme`, bearer(mint('gateway')));
    const result = await client.callTool({ name: 'crm__ping', arguments: {} });
    expect(result.isError).toBe(true);
    const text = JSON.stringify(result.content);
    const url = /http:\/\/127\.0\.0\.1:\d+\/#\/connect\?[^\s"\\]+/.exec(text)?.[0] ?? '';
    expect(url).toContain('token=');
    const info = await connect(app.url, tokenIn(url));
    expect(info.status).toBe(200);
    expect(info.body.value?.customer).toEqual({ id: 'acme', name: 'Acme' });
    await client.close();
  });
});
