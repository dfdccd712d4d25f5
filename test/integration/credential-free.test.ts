// A connector that needs no credentials (no auth config or scheme "none"; for a catalog MCP server,
// no per-customer env) works for a customer without a hand-made create_connection: selected, its
// tools run at once (the first call connects the customer, visibly, with empty credentials), and
// get_connect_url says that nothing is needed and connects the customer — so mode "all" exposes it.
// One that needs credentials still answers "not connected" with the way to connect.

import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const WIDGETS = fileURLToPath(new URL('../fixtures/mcp/widgets-server.mjs', import.meta.url));

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
const clients: Client[] = [];

const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
async function adminCall(name: string, args: Record<string, unknown>) {
  return (await admin.callTool({ name, arguments: args })) as Result;
}
async function adminOk(name: string, args: Record<string, unknown>) {
  const result = await adminCall(name, args);
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent ?? {};
}
async function gatewayFor(customerId: string) {
  const client = await connectClient(
    `${gw.app.url}/mcp/gateway?customer_id=${customerId}`,
    bearer(gw.mint('gateway', [customerId])),
  );
  clients.push(client);
  return client;
}
const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as Result;
const connectionsOf = async (customerId: string) =>
  (await adminOk('list_connections', { customer_id: customerId })).connections as {
    id: string;
    connector_id: string;
    status: string;
    credentials: Record<string, unknown>;
  }[];

beforeAll(async () => {
  gw = await startTestGateway();
  echo = await startEchoUpstream();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  // An HTTP API without auth, one whose auth scheme is explicitly "none", and one with an API key.
  await adminOk('create_connector', { slug: 'open', name: 'Open API', kind: 'http', base_url: echo.url });
  await adminOk('create_action', { connector_id: 'open', name: 'ping', method: 'GET', path: '/echo/ping' });
  await adminOk('create_connector', {
    slug: 'nokey',
    name: 'No-key API',
    kind: 'http',
    base_url: echo.url,
    auth: { scheme: 'none' },
  });
  await adminOk('create_action', { connector_id: 'nokey', name: 'ping', method: 'GET', path: '/echo/nokey' });
  await adminOk('create_connector', {
    slug: 'keyed',
    name: 'Keyed API',
    kind: 'http',
    base_url: echo.url,
    auth: { scheme: 'api_key', in: 'header', name: 'X-Api-Key' },
  });
  await adminOk('create_action', { connector_id: 'keyed', name: 'ping', method: 'GET', path: '/echo/keyed' });
  // A local MCP server that needs no environment.
  await adminOk('create_connector', {
    slug: 'widgets',
    name: 'Widgets',
    kind: 'mcp',
    transport: 'stdio',
    command: process.execPath,
    args: [WIDGETS],
  });
  await adminOk('refresh_connector', { connector_id: 'widgets' });
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await admin?.close();
  await echo?.close();
});

describe('connectors that need no credentials', () => {
  it('selected, their tools work without create_connection; the first call connects the customer', async () => {
    await adminOk('create_customer', { id: 'acme', name: 'Acme' });
    await adminOk('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['open', 'nokey', 'keyed', 'widgets'],
      tool_mode: 'direct',
    });
    const preview = await adminOk('preview_customer_tools', { customer_id: 'acme' });
    expect(preview.unconnected_connectors).toEqual(['keyed']);

    const client = await gatewayFor('acme');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['open__ping', 'nokey__ping', 'keyed__ping', 'widgets__get_widget']),
    );
    const before = echo.received.length;
    const open = await call(client, 'open__ping');
    expect(open.isError, text(open)).toBeFalsy();
    const nokey = await call(client, 'nokey__ping');
    expect(nokey.isError, text(nokey)).toBeFalsy();
    expect(echo.received.slice(before).map((r) => r.path)).toEqual(['/echo/ping', '/echo/nokey']);
    const widget = await call(client, 'widgets__get_widget', { widgetId: 'w1' });
    expect(widget.isError, text(widget)).toBeFalsy();
    expect(widget.structuredContent?.received).toEqual({ widgetId: 'w1' });

    // The connections are real and visible: active, with no credentials; a second call reuses them.
    await call(client, 'open__ping');
    await call(client, 'widgets__get_widget', { widgetId: 'w2' });
    const connections = await connectionsOf('acme');
    expect(connections.map((c) => c.connector_id).sort()).toEqual(['nokey', 'open', 'widgets']);
    for (const c of connections) {
      expect(c.status).toBe('active');
      expect(c.credentials).toEqual({});
    }

    // A connector that needs a key still says how to connect.
    const keyed = await call(client, 'keyed__ping');
    expect(keyed.isError).toBe(true);
    expect(text(keyed)).toMatch(/not connected/);
    expect(text(keyed)).toMatch(/get_connect_url/);
  });

  it('test_action runs one without a connection', async () => {
    await adminOk('create_customer', { id: 'initech', name: 'Initech' });
    const ran = await adminOk('test_action', {
      customer_id: 'initech',
      connector_id: 'open',
      action: 'ping',
      arguments: {},
    });
    expect(ran.is_error).toBe(false);
    const refused = await adminCall('test_action', {
      customer_id: 'initech',
      connector_id: 'keyed',
      action: 'ping',
      arguments: {},
    });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/no connection/);
  });

  it('get_connect_url says nothing is needed and connects the customer, so mode "all" exposes it', async () => {
    await adminOk('create_customer', { id: 'globex', name: 'Globex' });
    const empty = await adminOk('preview_customer_tools', { customer_id: 'globex' });
    expect(empty.tools).toEqual([]);

    const link = await adminOk('get_connect_url', { customer_id: 'globex', connector_id: 'open' });
    expect(link).toMatchObject({ kind: 'none', url: null, expires_in_seconds: null });
    expect(link.message).toMatch(/needs no credentials/);
    expect(link.message).not.toMatch(/enter the customer|customer's credential/i);
    expect(link.connection_id).toMatch(/^conn_/);
    // Asking again changes nothing.
    const again = await adminOk('get_connect_url', { customer_id: 'globex', connector_id: 'open' });
    expect(again.connection_id).toBe(link.connection_id);
    expect(await connectionsOf('globex')).toHaveLength(1);

    const preview = await adminOk('preview_customer_tools', { customer_id: 'globex' });
    expect((preview.tools as { name: string }[]).map((t) => t.name)).toEqual(['open__ping']);
    const client = await gatewayFor('globex');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['open__ping']);
    const result = await call(client, 'open__ping');
    expect(result.isError, text(result)).toBeFalsy();
  });

  it('get_connect_url for one that needs credentials names them, and connects nobody', async () => {
    const keyed = await adminOk('get_connect_url', { customer_id: 'globex', connector_id: 'keyed' });
    expect(keyed).toMatchObject({ kind: 'credentials', connection_id: null });
    expect(String(keyed.url)).toContain('/#/connect?customer_id=globex&connector_id=keyed');
    expect(keyed.message).toMatch(/API key/);
    expect(keyed.message).not.toMatch(/needs no credentials/);

    // A catalog MCP server whose customers each give an API key in env needs credentials too.
    await adminOk('add_catalog_connector', { catalog_id: 'brave-search' });
    const brave = await adminOk('get_connect_url', { customer_id: 'globex', connector_id: 'brave-search' });
    expect(brave.kind).toBe('credentials');
    expect(brave.message).toMatch(/BRAVE_API_KEY/);
    // …while the reference server needs nothing.
    await adminOk('add_catalog_connector', { catalog_id: 'everything' });
    const everything = await adminOk('get_connect_url', {
      customer_id: 'globex',
      connector_id: 'everything',
    });
    expect(everything.kind).toBe('none');
    expect((await connectionsOf('globex')).map((c) => c.connector_id).sort()).toEqual(['everything', 'open']);
  });
});
