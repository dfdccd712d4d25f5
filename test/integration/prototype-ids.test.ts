// Ids, names and keys that name members of Object.prototype are ordinary strings everywhere:
// records are looked up as own data only, nothing reaches or changes Object.prototype, and both
// planes keep working.
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, initializeBody, rawPost, startTestGateway } from '../helpers/gateway';

const NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  '__lookupSetter__',
  'propertyIsEnumerable',
  'toLocaleString',
];
type Result = { isError?: boolean; structuredContent?: Record<string, unknown>; content: { text: string }[] };

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
const call = async (name: string, args: Record<string, unknown>) =>
  (await admin.callTool({ name, arguments: args })) as Result;
const ok = async (name: string, args: Record<string, unknown>) => {
  const r = await call(name, args);
  expect(r.isError, `${name} ${JSON.stringify(args)}: ${r.content[0]?.text}`).toBeFalsy();
  return r.structuredContent ?? {};
};
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const before = prototypeKeys();

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
});
afterAll(() => admin?.close());

describe('ids that name Object.prototype members', () => {
  it('look up nothing that does not exist: get, update, delete, revoke, test answer "no such …"', async () => {
    for (const id of NAMES) {
      for (const [tool, args] of [
        ['get_customer', { customer_id: id }],
        ['update_customer', { customer_id: id, name: 'x' }],
        ['delete_customer', { customer_id: id }],
        ['configure_customer_tools', { customer_id: id, mode: 'all' }],
        ['get_connector', { connector_id: id }],
        ['update_connector', { connector_id: id, name: 'x' }],
        ['delete_connector', { connector_id: id }],
        ['list_actions', { connector_id: id }],
        ['get_auth_config', { connector_id: id }],
        ['get_connection', { connection_id: id }],
        ['delete_connection', { connection_id: id }],
        ['get_webhook', { webhook_id: id }],
        ['delete_webhook', { webhook_id: id }],
        ['revoke_api_key', { key_id: id }],
      ] as const) {
        const r = await call(tool, args);
        expect(r.isError, `${tool} ${id}`).toBe(true);
        expect(r.content[0]?.text, `${tool} ${id}`).toMatch(/^No |Invalid arguments/);
      }
    }
    expect(prototypeKeys()).toEqual(before);
  });

  it('create records with such ids (where the id format allows them) and use them like any other', async () => {
    const allowed = NAMES.filter((id) => /^[A-Za-z0-9]/.test(id));
    for (const id of allowed) {
      const created = await ok('create_customer', {
        id,
        name: `Customer ${id}`,
        metadata: { [id]: 'label' },
      });
      expect(created.id).toBe(id);
      expect(created.metadata).toEqual({ [id]: 'label' });
      expect((await ok('update_customer', { customer_id: id, name: 'Renamed' })).name).toBe('Renamed');
      expect((await ok('get_customer', { customer_id: id })).name).toBe('Renamed');
    }
    for (const id of NAMES.filter((n) => !allowed.includes(n))) {
      const r = await call('create_customer', { id, name: 'x' });
      expect(r.isError).toBe(true);
      expect(r.content[0]?.text).toMatch(/`id`: use letters, digits/);
    }
    const listed = (await ok('list_customers', { limit: 100 })).customers as { id: string }[];
    expect(listed.map((c) => c.id).sort()).toEqual([...allowed].sort());
    // A key restricted to an unknown customer named like a prototype member is refused — and not saved.
    const keys = ((await ok('list_api_keys', {})).keys as unknown[]).length;
    const r = await call('create_api_key', { name: 'k', scope: 'gateway', customers: ['toLocaleStrin'] });
    expect(r.isError).toBe(true);
    expect(((await ok('list_api_keys', {})).keys as unknown[]).length).toBe(keys);
    for (const id of allowed) await ok('delete_customer', { customer_id: id });
    expect(prototypeKeys()).toEqual(before);
  });

  it('connectors, actions and exposure allow-lists named like prototype members work end to end', async () => {
    const up = await startEchoUpstream();
    await ok('create_customer', { id: 'acme', name: 'Acme' });
    for (const slug of ['constructor', 'tostring', 'valueof']) {
      await ok('create_connector', { slug, name: slug, kind: 'http', base_url: up.url });
      await ok('create_action', { connector_id: slug, name: 'constructor', method: 'GET', path: '/echo/x' });
      await ok('create_action', { connector_id: slug, name: 'toString', method: 'GET', path: '/echo/y' });
      await ok('create_connection', { customer_id: 'acme', connector_id: slug, credentials: {} });
    }
    await ok('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['constructor', 'tostring'],
      actions: { constructor: ['toString'] },
    });
    const tools = (
      (await ok('preview_customer_tools', { customer_id: 'acme' })).tools as { name: string }[]
    ).map((t) => t.name);
    expect(tools.sort()).toEqual(['constructor__toString', 'tostring__constructor', 'tostring__toString']);
    const gateway = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    const listed = (await gateway.listTools()).tools.map((t) => t.name).sort();
    expect(listed).toEqual(tools.sort());
    const answer = (await gateway.callTool({ name: 'tostring__constructor', arguments: {} })) as Result;
    expect(answer.isError, answer.content[0]?.text).toBeFalsy();
    await gateway.close();
    expect(prototypeKeys()).toEqual(before);
  });

  it('optional parameters named like prototype members can be omitted, and are sent when given', async () => {
    const up = await startEchoUpstream();
    await ok('create_customer', { id: 'params', name: 'Params' });
    await ok('create_connector', { slug: 'params', name: 'Params', kind: 'http', base_url: up.url });
    await ok('create_action', {
      connector_id: 'params',
      name: 'search',
      method: 'GET',
      path: '/echo/search',
      params: ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'].map((name) => ({
        name,
        in: 'query',
      })),
    });
    await ok('create_connection', { customer_id: 'params', connector_id: 'params', credentials: {} });
    const gateway = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=params`,
      bearer(gw.mint('gateway')),
    );
    const omitted = (await gateway.callTool({ name: 'params__search', arguments: {} })) as Result;
    expect(omitted.isError, omitted.content[0]?.text).toBeFalsy();
    expect(up.received.at(-1)?.query).toEqual({});
    const given = (await gateway.callTool({
      name: 'params__search',
      arguments: { constructor: 'a', toString: 'b', valueOf: 'c' },
    })) as Result;
    expect(given.isError, given.content[0]?.text).toBeFalsy();
    expect(up.received.at(-1)?.query).toEqual({ constructor: ['a'], toString: ['b'], valueOf: ['c'] });
    await gateway.close();
  });

  it('a "__proto__" key anywhere in arguments is refused by name on both planes, and pollutes nothing', async () => {
    const proto = (value: unknown) => ({ ['__proto__']: value });
    for (const [tool, args, where] of [
      ['create_customer', { id: 'p1', name: 'P', metadata: proto('x') }, 'metadata.__proto__'],
      ['create_customer', { ...proto({ polluted: 1 }), id: 'p2', name: 'P' }, '__proto__'],
      [
        'configure_customer_tools',
        { customer_id: 'acme', mode: 'selected', actions: proto(['a']) },
        'actions.__proto__',
      ],
      [
        'create_connection',
        { customer_id: 'acme', connector_id: 'tostring', credentials: { env: proto('v') } },
        'credentials.env.__proto__',
      ],
    ] as const) {
      // Over MCP the whole message is refused (JSON-RPC invalid params); in process, the registry refuses it.
      await expect(call(tool, args as Record<string, unknown>), tool).rejects.toThrow(
        `\`params.arguments.${where}\` uses the key "__proto__"`,
      );
      const direct = await gw.app.callTool(tool, args, 'internal');
      expect(direct.ok, tool).toBe(false);
      expect(direct.ok ? '' : direct.error).toContain(`\`${where}\` uses the key "__proto__"`);
    }
    const gateway = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    await expect(
      gateway.callTool({
        name: 'tostring__constructor',
        arguments: { nested: [{ ...proto({ polluted: true }) }] },
      }),
    ).rejects.toThrow('`params.arguments.nested.0.__proto__` uses the key "__proto__"');
    await gateway.close();
    expect(prototypeKeys()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a key-shaped token whose id part names a prototype member is a 401 on both planes, and both keep serving', async () => {
    for (const id of ['toString', 'valueOf1', '__proto_', 'construc']) {
      const token = `ptc_${id}_${randomBytes(30).toString('hex').slice(0, 40)}`;
      for (const plane of ['/mcp/admin', '/mcp/gateway?customer_id=acme']) {
        const r = await rawPost(`${gw.app.url}${plane}`, initializeBody, bearer(token));
        expect(r.status, `${id} on ${plane}`).toBe(401);
      }
    }
    expect((await rawPost(`${gw.app.url}/mcp/admin`, initializeBody, bearer(gw.adminKey))).status).toBe(200);
    const gateway = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    expect((await gateway.listTools()).tools.length).toBeGreaterThan(0);
    await gateway.close();
    expect(prototypeKeys()).toEqual(before);
    expect(({} as Record<string, unknown>).name).toBeUndefined();
  });
});
