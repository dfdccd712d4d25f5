import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_TOOLSET_MESSAGE } from '../../src/main/core/gateway/customer-mcp';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: {
    type: string;
    text?: string;
    data?: string;
    mimeType?: string;
    resource?: { mimeType?: string; blob?: string };
  }[];
};

/** An OpenAPI document for the echo upstream: every kind of parameter and body. */
function echoSpec() {
  const ok = { '200': { description: 'ok' } };
  return {
    openapi: '3.0.3',
    info: { title: 'Echo', version: '1' },
    servers: [{ url: 'http://placeholder.invalid' }],
    paths: {
      '/echo/items/{itemId}': {
        get: {
          operationId: 'getItem',
          summary: 'Get an item by id',
          parameters: [
            { name: 'itemId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
            { name: 'session', in: 'cookie', schema: { type: 'string' } },
          ],
          responses: ok,
        },
        delete: {
          operationId: 'deleteItem',
          parameters: [{ name: 'itemId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: ok,
        },
      },
      '/echo/items': {
        post: {
          operationId: 'createItem',
          summary: 'Create an item',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { name: { type: 'string' }, count: { type: 'integer' } },
                  required: ['name'],
                },
              },
            },
          },
          responses: ok,
        },
      },
      '/echo/form': {
        post: {
          operationId: 'postForm',
          requestBody: {
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  properties: { channel: { type: 'string' }, text: { type: 'string' } },
                },
              },
            },
          },
          responses: ok,
        },
      },
      '/status/500': { get: { operationId: 'fail500', responses: ok } },
      '/bad-json': { get: { operationId: 'badJson', responses: ok } },
      '/huge': { get: { operationId: 'huge', responses: ok } },
      '/image': { get: { operationId: 'image', responses: ok } },
      '/binary': { get: { operationId: 'binary', responses: ok } },
      '/slow': { get: { operationId: 'slow', responses: ok } },
      '/list': { get: { operationId: 'list', responses: ok } },
      '/text': { get: { operationId: 'text', responses: ok } },
    },
  };
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let up: Awaited<ReturnType<typeof startEchoUpstream>>;
let adminClient: Client;
const clients: Client[] = [];

async function admin(name: string, args: Record<string, unknown>) {
  const result = (await adminClient.callTool({ name, arguments: args })) as Result;
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
const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as Result;
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

beforeAll(async () => {
  gw = await startTestGateway();
  up = await startEchoUpstream();
  adminClient = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  const schemes: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['keyhdr', { scheme: 'api_key', in: 'header', name: 'X-Api-Key' }, { api_key: 'hdr-key-1111' }],
    ['keyqry', { scheme: 'api_key', in: 'query', name: 'apikey' }, { api_key: 'qry-key-2222' }],
    ['bear', { scheme: 'bearer' }, { token: 'bearer-tok-3333' }],
    ['basic', { scheme: 'basic' }, { username: 'alice', password: 'pw-4444' }],
  ];
  for (const id of ['acme', 'globex', 'empty'])
    await admin('create_customer', { id, name: id.toUpperCase() });
  for (const [slug, auth, creds] of schemes) {
    await admin('import_openapi', { slug, spec: echoSpec(), base_url: up.url });
    await admin('set_auth_config', { connector_id: slug, ...auth });
    await admin('create_connection', { customer_id: 'acme', connector_id: slug, credentials: creds });
  }
  await admin('create_connection', {
    customer_id: 'globex',
    connector_id: 'bear',
    credentials: { token: 'globex-tok-9999' },
  });
  await admin('configure_customer_tools', { customer_id: 'acme', mode: 'all', tool_mode: 'direct' });
  await admin('configure_customer_tools', { customer_id: 'globex', mode: 'all', tool_mode: 'direct' });
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await adminClient.close();
  await gw.app.close();
});

describe('HTTP connectors on the data plane', () => {
  it('lists <slug>__<action> tools with schemas and method-based annotations', async () => {
    const client = await gateway('acme');
    const { tools } = await client.listTools();
    const get = tools.find((t) => t.name === 'keyhdr__get_item');
    expect(get?.inputSchema.required).toEqual(['itemId']);
    expect(get?.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === 'keyhdr__delete_item')?.annotations?.destructiveHint).toBe(true);
    for (const t of tools) expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it('sends exactly the request the action describes: path, query arrays, header, cookie', async () => {
    const client = await gateway('acme');
    const r = await call(client, 'keyhdr__get_item', {
      itemId: 'a b/c',
      tags: ['x', 'y'],
      limit: 5,
      'X-Trace': 't-1',
      session: 's1',
    });
    expect(r.isError).toBeFalsy();
    const sent = up.received.at(-1);
    expect(sent?.path).toBe('/echo/items/a%20b%2Fc');
    expect(sent?.query).toMatchObject({ tags: ['x', 'y'], limit: ['5'] });
    expect(sent?.headers['x-trace']).toBe('t-1');
    expect(sent?.headers.cookie).toBe('session=s1');
    expect(r.structuredContent).toMatchObject({ method: 'GET', path: '/echo/items/a%20b%2Fc' });
  });

  it('sends JSON and form bodies', async () => {
    const client = await gateway('acme');
    await call(client, 'keyhdr__create_item', { name: 'widget', count: 2 });
    let sent = up.received.at(-1);
    expect(sent?.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(sent?.body ?? '')).toEqual({ name: 'widget', count: 2 });
    await call(client, 'keyhdr__post_form', { channel: 'C1', text: 'hi there' });
    sent = up.received.at(-1);
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent?.body).toBe('channel=C1&text=hi+there');
  });

  it("injects each auth scheme's credential", async () => {
    const client = await gateway('acme');
    await call(client, 'keyhdr__get_item', { itemId: '1' });
    expect(up.received.at(-1)?.headers['x-api-key']).toBe('hdr-key-1111');
    await call(client, 'keyqry__get_item', { itemId: '1' });
    expect(up.received.at(-1)?.query.apikey).toEqual(['qry-key-2222']);
    await call(client, 'bear__get_item', { itemId: '1' });
    expect(up.received.at(-1)?.headers.authorization).toBe('Bearer bearer-tok-3333');
    await call(client, 'basic__get_item', { itemId: '1' });
    expect(up.received.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from('alice:pw-4444').toString('base64')}`,
    );
  });

  it("customer A's session only ever uses A's credentials", async () => {
    const a = await gateway('acme');
    const b = await gateway('globex');
    await Promise.all([
      call(a, 'bear__get_item', { itemId: 'A' }),
      call(b, 'bear__get_item', { itemId: 'B' }),
    ]);
    const byPath = (p: string) => up.received.filter((r) => r.path === p).at(-1)?.headers.authorization;
    expect(byPath('/echo/items/A')).toBe('Bearer bearer-tok-3333');
    expect(byPath('/echo/items/B')).toBe('Bearer globex-tok-9999');
    // globex has no keyhdr connection: that tool does not exist for it.
    const r = await call(b, 'keyhdr__get_item', { itemId: 'x' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Unknown tool/);
  });

  it('validates arguments first, naming the field', async () => {
    const client = await gateway('acme');
    const before = up.received.length;
    const missing = await call(client, 'keyhdr__get_item', {});
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/itemId/);
    const wrong = await call(client, 'keyhdr__get_item', { itemId: '1', limit: 'lots' });
    expect(text(wrong)).toMatch(/limit/);
    expect(up.received.length).toBe(before);
  });

  it('maps responses: JSON, array, text, image, binary, invalid JSON, huge', async () => {
    const client = await gateway('acme');
    expect(JSON.parse(text(await call(client, 'keyhdr__list')))).toEqual([1, 2, 3]);
    expect(text(await call(client, 'keyhdr__text'))).toBe('plain words');
    const image = await call(client, 'keyhdr__image');
    expect(image.content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });
    const binary = await call(client, 'keyhdr__binary');
    expect(binary.content[0]?.resource?.mimeType).toBe('application/pdf');
    const bad = await call(client, 'keyhdr__bad_json');
    expect(text(bad)).toMatch(/invalid JSON/);
    const huge = await call(client, 'keyhdr__huge');
    expect(text(huge)).toMatch(/truncated/);
    expect(text(huge).length).toBeLessThan(1.2 * 1024 * 1024);
  });

  it('upstream errors become isError with the status and a bounded excerpt, secrets scrubbed', async () => {
    const client = await gateway('acme');
    const r = await call(client, 'keyhdr__fail500');
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/HTTP 500/);
    expect(text(r)).toMatch(/failing with 500/);
    expect(text(r).length).toBeLessThan(2_500);
  });

  it('timeouts and a down upstream are clear errors; the next call works after recovery', async () => {
    gw.app.store.mutate((ws) => {
      ws.settings.upstreamTimeoutMs = 400;
    });
    const client = await gateway('acme');
    const slow = await call(client, 'keyhdr__slow');
    expect(slow.isError).toBe(true);
    expect(text(slow)).toMatch(/timed out after 400 ms/);
    gw.app.store.mutate((ws) => {
      ws.settings.upstreamTimeoutMs = 60_000;
    });

    const down = await startEchoUpstream();
    await admin('import_openapi', { slug: 'flaky', spec: echoSpec(), base_url: down.url });
    await admin('create_connection', { customer_id: 'acme', connector_id: 'flaky', credentials: {} });
    await down.close();
    const refused = await call(client, 'flaky__get_item', { itemId: '1' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/connection refused/);
    expect(text(refused)).toContain(`127.0.0.1:${down.port}`);
    const back = await startEchoUpstream(down.port);
    const ok = await call(client, 'flaky__get_item', { itemId: '1' });
    expect(ok.isError).toBeFalsy();
    expect(back.received).toHaveLength(1);
    expect((await fetch(`${gw.app.url}/healthz`)).status).toBe(200);
  });
});

describe('exposure rules', () => {
  it('an empty customer lists nothing and says why', async () => {
    const client = await gateway('empty');
    expect(client.getInstructions()).toBe(EMPTY_TOOLSET_MESSAGE);
    expect((await client.listTools()).tools).toEqual([]);
  });

  it('"selected" exposes only chosen connectors and allowed actions; disabled actions disappear; changes notify open sessions', async () => {
    await admin('create_customer', { id: 'sel', name: 'Selective' });
    await admin('create_connection', {
      customer_id: 'sel',
      connector_id: 'bear',
      credentials: { token: 'sel-token-5555' },
    });
    const client = await gateway('sel');
    const names = async () => (await client.listTools()).tools.map((t) => t.name).sort();
    let notified = 0;
    let wake: () => void = () => {};
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notified += 1;
      wake();
    });
    const nextNotice = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    expect((await names()).every((n) => n.startsWith('bear__'))).toBe(true);

    let notice = nextNotice();
    await admin('configure_customer_tools', {
      customer_id: 'sel',
      mode: 'selected',
      connector_ids: ['bear', 'keyhdr'],
      actions: { bear: ['get_item', 'create_item'] },
      tool_mode: 'direct',
    });
    await notice;
    const listed = await names();
    expect(listed.filter((n) => n.startsWith('bear__'))).toEqual(['bear__create_item', 'bear__get_item']);
    expect(listed).toContain('keyhdr__get_item');

    // keyhdr is selected but sel has no connection for it: the call says how to connect.
    const unconnected = await call(client, 'keyhdr__get_item', { itemId: '1' });
    expect(unconnected.isError).toBe(true);
    expect(text(unconnected)).toMatch(/not connected/);
    expect(text(unconnected)).toMatch(/get_connect_url|\/#\/connect/);

    notice = nextNotice();
    await admin('set_action_enabled', { connector_id: 'bear', action: 'create_item', enabled: false });
    await notice;
    expect(await names()).not.toContain('bear__create_item');
    expect(notified).toBe(2);
    await admin('set_action_enabled', { connector_id: 'bear', action: 'create_item', enabled: true });
  });
});

describe('search mode', () => {
  it('over 1,000 tools, search_tools finds the right tool and call_tool runs it', async () => {
    const paths: Record<string, unknown> = {};
    const nouns = [
      'invoice',
      'customer',
      'subscription',
      'payment',
      'refund',
      'coupon',
      'product',
      'price',
      'order',
      'shipment',
    ];
    const verbs = ['list', 'get', 'create', 'update', 'archive'];
    let i = 0;
    for (let group = 0; group < 21; group += 1) {
      for (const noun of nouns) {
        for (const verb of verbs) {
          i += 1;
          paths[`/echo/g${group}/${noun}/${verb}`] = {
            get: {
              operationId: `${verb}_${noun}_g${group}`,
              summary: `${verb} a ${noun} in region ${group}`,
              responses: { '200': { description: 'ok' } },
            },
          };
        }
      }
    }
    paths['/echo/special/teleport'] = {
      post: {
        operationId: 'teleportWarehouseStock',
        summary: 'Teleport warehouse stock between depots',
        requestBody: {
          content: {
            'application/json': { schema: { type: 'object', properties: { depot: { type: 'string' } } } },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    };
    expect(i).toBeGreaterThanOrEqual(1000);
    await admin('import_openapi', {
      slug: 'big',
      spec: { openapi: '3.0.3', info: { title: 'Big', version: '1' }, paths },
      base_url: up.url,
    });
    await admin('create_customer', { id: 'bigco', name: 'Big Co' });
    await admin('create_connection', { customer_id: 'bigco', connector_id: 'big', credentials: {} });
    const client = await gateway('bigco');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['call_tool', 'describe_tool', 'search_tools']);
    expect(client.getInstructions()).toMatch(/search_tools/);

    const found = await call(client, 'search_tools', { query: 'teleport stock to another depot', limit: 3 });
    expect(((found.structuredContent?.tools ?? []) as { name: string }[])[0]?.name).toBe(
      'big__teleport_warehouse_stock',
    );
    const refund = await call(client, 'search_tools', { query: 'archive refund region 7' });
    expect(((refund.structuredContent?.tools ?? []) as { name: string }[])[0]?.name).toBe(
      'big__archive_refund_g7',
    );
    const described = await call(client, 'describe_tool', { name: 'big__teleport_warehouse_stock' });
    expect(described.structuredContent?.inputSchema).toMatchObject({
      properties: { depot: { type: 'string' } },
    });
    const ran = await call(client, 'call_tool', {
      name: 'big__teleport_warehouse_stock',
      arguments: { depot: 'north' },
    });
    expect(ran.isError).toBeFalsy();
    expect(JSON.parse(up.received.at(-1)?.body ?? '{}')).toEqual({ depot: 'north' });
  });
});

describe('activity', () => {
  it('records every data-plane call without argument values or secrets', async () => {
    const activity = await admin('list_activity', { plane: 'gateway', customer_id: 'acme', limit: 500 });
    const entries = activity.entries as { tool: string; outcome: string }[];
    expect(entries.some((e) => e.tool === 'keyhdr__get_item' && e.outcome === 'ok')).toBe(true);
    expect(entries.some((e) => e.outcome === 'error')).toBe(true);
    const all = JSON.stringify(entries);
    for (const secret of ['hdr-key-1111', 'qry-key-2222', 'bearer-tok-3333', 'pw-4444', 'widget'])
      expect(all).not.toContain(secret);
    expect(gw.logs.join('\n')).not.toMatch(/hdr-key-1111|bearer-tok-3333|pw-4444/);
  });
});
