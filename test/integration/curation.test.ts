// Per-customer curation (set_tool_overrides, configure_customer_tools' naming), through the real
// interfaces: the Admin MCP server, a customer's gateway session (MCP SDK client over Streamable
// HTTP), a real HTTP upstream and a real MCP upstream on 127.0.0.1 — and a restart of the gateway.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type CallToolResult,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { startMutableUpstream } from '../helpers/mutable-upstream';
import { workspaceTarget } from '../helpers/store';

const text = (result: unknown) =>
  ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** The HTTP upstream's actions: `add` shares its name with the MCP upstream's `add`. */
function webSpec() {
  const ok = { '200': { description: 'ok' } };
  return {
    openapi: '3.0.3',
    info: { title: 'Web', version: '1' },
    servers: [{ url: 'http://placeholder.invalid' }],
    paths: {
      '/echo/add': { get: { operationId: 'add', summary: 'Adds on the web', responses: ok } },
      '/echo/notes': { get: { operationId: 'list_notes', summary: 'List notes', responses: ok } },
      '/echo/notes/{id}': {
        get: {
          operationId: 'get_note',
          summary: 'Get a note',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: ok,
        },
      },
    },
  };
}

let app: PorticoApp;
let target: { dataDir: string; databaseUrl?: string };
let admin: Client;
let web: Awaited<ReturnType<typeof startEchoUpstream>>;
let calc: Awaited<ReturnType<typeof startMutableUpstream>>;
const clients: Client[] = [];

async function start() {
  app = await startPortico({ ...target, port: 0, host: '127.0.0.1', log: () => {} });
  const key = app.store.mutate((ws) => mintKey(ws, { name: 'test admin', scope: 'admin' })).key;
  admin = await connectClient(`${app.url}/mcp/admin`, bearer(key));
}

async function call(name: string, args: Record<string, unknown>) {
  return (await admin.callTool({ name, arguments: args })) as CallToolResult;
}
async function ok(name: string, args: Record<string, unknown>) {
  const result = await call(name, args);
  expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}
async function fails(name: string, args: Record<string, unknown>) {
  const result = await call(name, args);
  expect(result.isError, `${name} should fail`).toBe(true);
  return text(result);
}

/** An agent's session on a customer's gateway, counting tools/list_changed. */
async function agent(customerId: string) {
  const key = app.store.mutate((ws) =>
    mintKey(ws, { name: `agent ${customerId}`, scope: 'gateway', customers: [customerId] }),
  ).key;
  const client = await connectClient(`${app.url}/mcp/gateway?customer_id=${customerId}`, bearer(key));
  clients.push(client);
  const waiters: (() => void)[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    for (const wake of waiters.splice(0)) wake();
  });
  const nextNotice = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no tools/list_changed within 10 s')), 10_000);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  const tools = async () => (await client.listTools()).tools;
  const names = async () => (await tools()).map((t) => t.name).sort();
  const run = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { client, nextNotice, tools, names, run };
}

const previewNames = async (customerId: string) =>
  ((await ok('preview_customer_tools', { customer_id: customerId })).tools as { name: string }[])
    .map((t) => t.name)
    .sort();

beforeAll(async () => {
  target = await workspaceTarget(process.env.PORTICO_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite');
  web = await startEchoUpstream();
  calc = await startMutableUpstream();
  await start();
  await ok('import_openapi', { slug: 'web', spec: webSpec(), base_url: web.url });
  await ok('create_connector', { kind: 'mcp', slug: 'calc', name: 'Calc', transport: 'http', url: calc.url });
  for (const id of ['acme', 'globex']) {
    await ok('create_customer', { id, name: id.toUpperCase() });
    await ok('configure_customer_tools', {
      customer_id: id,
      mode: 'selected',
      connector_ids: ['web', 'calc'],
      tool_mode: 'direct',
    });
  }
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await admin?.close();
  await app?.close();
});

describe('set_tool_overrides', () => {
  it('renames, retitles, describes, annotates and hides tools in tools/list and the preview', async () => {
    const acme = await agent('acme');
    expect(await acme.names()).toEqual([
      'calc__add',
      'calc__multiply',
      'web__add',
      'web__get_note',
      'web__list_notes',
    ]);
    const notice = acme.nextNotice();
    const set = await ok('set_tool_overrides', {
      customer_id: 'acme',
      connector_id: 'calc',
      overrides: [
        {
          name: 'multiply',
          rename: 'times',
          title: 'Times',
          description: 'Multiplies a by b.',
          annotations: { readOnlyHint: true },
        },
        { name: 'add', hidden: true },
      ],
    });
    expect(set).toMatchObject({ tools: [{ name: 'times', action: 'multiply' }], hidden: ['add'] });
    await ok('set_tool_overrides', {
      customer_id: 'acme',
      connector_id: 'web',
      overrides: [{ name: 'get_note', rename: 'fetch_note' }],
    });
    await notice;

    const listed = await acme.tools();
    expect(listed.map((t) => t.name).sort()).toEqual(['fetch_note', 'times', 'web__add', 'web__list_notes']);
    const times = listed.find((t) => t.name === 'times') as Tool;
    expect(times).toMatchObject({
      title: 'Times',
      description: 'Multiplies a by b.',
      annotations: { title: 'Times', readOnlyHint: true },
    });
    // What is not overridden keeps the upstream's definition.
    expect(times.inputSchema.properties).toHaveProperty('a');
    expect(listed.find((t) => t.name === 'web__list_notes')?.description).toBe('List notes');

    const preview = await ok('preview_customer_tools', { customer_id: 'acme' });
    expect(preview.tools).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'times', connector_id: 'calc', action: 'multiply', title: 'Times' }),
        expect.objectContaining({ name: 'fetch_note', connector_id: 'web', action: 'get_note' }),
      ]),
    );
    expect((preview.tools as unknown[]).length).toBe(4);
    expect(preview.hidden).toEqual([{ connector_id: 'calc', action: 'add' }]);
    // Another customer of the same connectors is untouched.
    expect(await previewNames('globex')).toEqual([
      'calc__add',
      'calc__multiply',
      'web__add',
      'web__get_note',
      'web__list_notes',
    ]);
    const customer = await ok('get_customer', { customer_id: 'acme' });
    expect(customer.tool_overrides).toEqual({
      calc: [
        expect.objectContaining({ name: 'multiply', kind: 'tool', rename: 'times' }),
        { name: 'add', kind: 'tool', hidden: true },
      ],
      web: [{ name: 'get_note', kind: 'tool', rename: 'fetch_note' }],
    });
  });

  it('calls to a renamed tool reach the right upstream tool; a hidden tool is not callable', async () => {
    const acme = await agent('acme');
    const times = await acme.run('times', { a: 2, b: 3 });
    expect(times.isError).toBeFalsy();
    expect(text(times)).toBe('ran multiply');

    const before = web.received.length;
    const note = await acme.run('fetch_note', { id: 'n-42' });
    expect(note.isError, text(note)).toBeFalsy();
    expect(web.received.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /echo/notes/n-42']);

    for (const gone of ['calc__add', 'calc__multiply', 'web__get_note']) {
      const result = await acme.run(gone, { a: 1, b: 1 });
      expect(result.isError).toBe(true);
      expect(text(result)).toContain(`Unknown tool "${gone}"`);
    }
    // test_action by the customer's tool name runs the same tool.
    const tested = await ok('test_action', { customer_id: 'acme', tool: 'times', arguments: { a: 1, b: 2 } });
    expect(JSON.stringify(tested)).toContain('ran multiply');
  });

  it('search mode finds, describes and calls curated tools, never hidden ones', async () => {
    await ok('configure_customer_tools', { customer_id: 'acme', mode: 'selected', tool_mode: 'search' });
    const acme = await agent('acme');
    expect(await acme.names()).toEqual(['call_tool', 'describe_tool', 'search_tools']);
    const found = await acme.run('search_tools', { query: 'times multiplies' });
    const results = (found.structuredContent as { tools: { name: string; description: string }[] }).tools;
    const hits = results.map((t) => t.name);
    expect(hits[0]).toBe('times');
    expect(results[0]?.description).toBe('Multiplies a by b.');
    expect(hits).not.toContain('calc__add');
    const described = await acme.run('describe_tool', { name: 'times' });
    expect(described.structuredContent).toMatchObject({ name: 'times', description: 'Multiplies a by b.' });
    expect((await acme.run('describe_tool', { name: 'calc__add' })).isError).toBe(true);
    const called = await acme.run('call_tool', { name: 'times', arguments: { a: 1, b: 2 } });
    expect(text(called)).toBe('ran multiply');
    expect((await acme.run('call_tool', { name: 'calc__add', arguments: {} })).isError).toBe(true);
    await ok('configure_customer_tools', { customer_id: 'acme', mode: 'selected', tool_mode: 'direct' });
  });

  it('a held upstream change still hides a renamed tool until it is approved', async () => {
    const acme = await agent('acme');
    const notice = acme.nextNotice();
    calc.descriptions.multiply = 'Multiplies two numbers, now differently.';
    await ok('refresh_connector', { connector_id: 'calc' });
    await notice;
    expect(await acme.names()).toEqual(['fetch_note', 'web__add', 'web__list_notes']);
    expect(await acme.run('times', { a: 1, b: 2 })).toMatchObject({ isError: true });
    await ok('approve_tool_changes', { connector_id: 'calc' });
    expect(await acme.names()).toEqual(['fetch_note', 'times', 'web__add', 'web__list_notes']);
  });

  it('approval exceptions keep naming the action: a renamed tool waits, shown by its new name', async () => {
    await ok('set_approval_policy', {
      customer_id: 'acme',
      policy: 'never',
      actions: [{ connector_id: 'calc', action: 'multiply', policy: 'always' }],
    });
    const requested = new Promise<Record<string, unknown>>((resolve) => {
      const off = app.services.events.on((event) => {
        if (event.type !== 'approval.requested') return;
        off();
        resolve(event.data);
      });
    });
    const acme = await agent('acme');
    const waiting = acme.run('times', { a: 3, b: 4 });
    const approval = await requested;
    expect(approval).toMatchObject({ tool: 'times', connector_id: 'calc', action: 'multiply' });
    await ok('decide_approval', { approval_id: approval.approval_id, decision: 'allow' });
    expect(text(await waiting)).toBe('ran multiply');
    await ok('set_approval_policy', {
      customer_id: 'acme',
      policy: 'never',
      actions: [{ connector_id: 'calc', action: 'multiply', policy: null }],
    });
  });

  it('refuses bad input with a message that says what to do', async () => {
    const base = { customer_id: 'acme', connector_id: 'calc' };
    expect(
      await fails('set_tool_overrides', { ...base, overrides: [{ name: 'multipy', hidden: true }] }),
    ).toMatch(/Connector "calc" has no tool "multipy"\. Did you mean "multiply"/);
    expect(
      await fails('set_tool_overrides', { ...base, overrides: [{ name: 'zzzzzzzz', hidden: true }] }),
    ).toMatch(/has no tool "zzzzzzzz"\. Its tools: add, multiply/);
    expect(
      await fails('set_tool_overrides', { ...base, overrides: [{ name: 'multiply', rename: 'not valid!' }] }),
    ).toMatch(/Cannot rename tool "multiply" to "not valid!": a name is 1–64 letters, digits/);
    expect(
      await fails('set_tool_overrides', {
        ...base,
        overrides: [
          { name: 'multiply', hidden: true },
          { name: 'multiply', title: 'x' },
        ],
      }),
    ).toMatch(/listed twice/);
    expect(
      await fails('set_tool_overrides', {
        ...base,
        overrides: [{ name: 'test://static/1', kind: 'resource', rename: 'one' }],
      }),
    ).toMatch(/Resources keep their URIs and cannot be renamed/);
    // A rename onto another tool's name names that tool.
    expect(
      await fails('set_tool_overrides', {
        customer_id: 'acme',
        connector_id: 'web',
        overrides: [{ name: 'add', rename: 'web__list_notes' }],
      }),
    ).toBe(
      'Cannot rename tool "add" to "web__list_notes": the customer\'s tool "web__list_notes" (connector "web", action "list_notes") has that name. Pick another name (preview_customer_tools lists the names in use).',
    );
    expect(
      await fails('set_tool_overrides', {
        customer_id: 'acme',
        connector_id: 'web',
        overrides: [{ name: 'add', rename: 'times' }],
      }),
    ).toContain('the customer\'s tool "times" (connector "calc", action "multiply") has that name');
    expect(await fails('set_tool_overrides', { ...base, customer_id: 'nobody', overrides: [] })).toContain(
      'No customer with id "nobody"',
    );
    expect(await fails('set_tool_overrides', { ...base, connector_id: 'nope', overrides: [] })).toContain(
      'No connector with id "nope"',
    );
    // Nothing was changed by the refused calls.
    expect(await previewNames('acme')).toEqual(['fetch_note', 'times', 'web__add', 'web__list_notes']);
  });

  it('replaces per call: a connector’s list is all its overrides, an empty list clears them', async () => {
    await ok('set_tool_overrides', { customer_id: 'acme', connector_id: 'web', overrides: [] });
    expect(await previewNames('acme')).toEqual(['times', 'web__add', 'web__get_note', 'web__list_notes']);
    expect((await ok('get_customer', { customer_id: 'acme' })).tool_overrides).not.toHaveProperty('web');
    await ok('set_tool_overrides', {
      customer_id: 'acme',
      connector_id: 'web',
      overrides: [{ name: 'get_note', rename: 'fetch_note' }],
    });
  });
});

describe('naming "bare"', () => {
  const bareNames = ['calc__add', 'get_note', 'list_notes', 'multiply', 'web__add'];

  it('uses the upstream’s own names; a name two connectors share stays prefixed for both', async () => {
    const globex = await agent('globex');
    const notice = globex.nextNotice();
    const configured = await ok('configure_customer_tools', {
      customer_id: 'globex',
      mode: 'selected',
      naming: 'bare',
    });
    expect(configured.exposure).toMatchObject({ naming: 'bare', tool_mode: 'direct' });
    await notice;
    expect(await globex.names()).toEqual(bareNames);
    expect(await previewNames('globex')).toEqual(bareNames);
    const listed = (await ok('list_customers', { query: 'globex' })).customers as {
      exposure: { naming: string };
    }[];
    expect(listed[0]?.exposure.naming).toBe('bare');
    expect((await ok('get_customer', { customer_id: 'acme' })).exposure).toMatchObject({
      naming: 'prefixed',
    });

    // Calls reach the right upstream tool by the bare name, and both colliding ones by theirs.
    expect(text(await globex.run('multiply', { a: 2, b: 2 }))).toBe('ran multiply');
    expect(text(await globex.run('calc__add', { a: 2, b: 2 }))).toBe('ran add');
    const before = web.received.length;
    expect((await globex.run('web__add')).isError).toBeFalsy();
    expect((await globex.run('get_note', { id: 'g1' })).isError).toBeFalsy();
    expect(web.received.slice(before).map((r) => r.path)).toEqual(['/echo/add', '/echo/notes/g1']);
  });

  it('previews a naming draft without saving it', async () => {
    const drafted = await ok('preview_customer_tools', {
      customer_id: 'globex',
      draft: { mode: 'selected', connector_ids: ['web', 'calc'], naming: 'prefixed' },
    });
    expect((drafted.tools as { name: string }[]).map((t) => t.name).sort()).toEqual([
      'calc__add',
      'calc__multiply',
      'web__add',
      'web__get_note',
      'web__list_notes',
    ]);
    expect(await previewNames('globex')).toEqual(bareNames);
  });

  it('without the collision, both take their bare names; a rename reserves its name over a bare one', async () => {
    await ok('set_tool_overrides', {
      customer_id: 'globex',
      connector_id: 'web',
      overrides: [{ name: 'add', hidden: true }],
    });
    expect(await previewNames('globex')).toEqual(['add', 'get_note', 'list_notes', 'multiply']);
    await expect(
      fails('set_tool_overrides', {
        customer_id: 'globex',
        connector_id: 'web',
        overrides: [
          { name: 'add', hidden: true },
          { name: 'get_note', rename: 'multiply' },
        ],
      }),
    ).resolves.toContain(
      'the customer\'s tool "multiply" (connector "calc", action "multiply") has that name',
    );
    await ok('set_tool_overrides', {
      customer_id: 'globex',
      connector_id: 'web',
      overrides: [
        { name: 'add', hidden: true },
        { name: 'list_notes', rename: 'notes' },
      ],
    });
    expect(await previewNames('globex')).toEqual(['add', 'get_note', 'multiply', 'notes']);
  });

  it('keeps every name across a restart of the gateway', async () => {
    const before = { acme: await previewNames('acme'), globex: await previewNames('globex') };
    expect(before.acme).toEqual(['fetch_note', 'times', 'web__add', 'web__list_notes']);
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await admin.close();
    await app.close();
    await start();
    expect(await previewNames('acme')).toEqual(before.acme);
    expect(await previewNames('globex')).toEqual(before.globex);
    const globex = await agent('globex');
    expect(await globex.names()).toEqual(before.globex);
    expect(text(await globex.run('add', { a: 1, b: 1 }))).toBe('ran add');
    const acme = await agent('acme');
    expect(text(await acme.run('times', { a: 1, b: 1 }))).toBe('ran multiply');
  });
});

describe('export and import', () => {
  it('carries naming and overrides to another workspace', async () => {
    const { document } = (await ok('export_workspace', {})) as { document: Record<string, unknown> };
    const other = await startTestGateway();
    const otherAdmin = await connectClient(`${other.app.url}/mcp/admin`, bearer(other.adminKey));
    clients.push(otherAdmin);
    const imported = (await otherAdmin.callTool({
      name: 'import_workspace',
      arguments: { document },
    })) as CallToolResult;
    expect(imported.isError, text(imported)).toBeFalsy();
    for (const id of ['acme', 'globex']) {
      const here = await ok('get_customer', { customer_id: id });
      const there = (await otherAdmin.callTool({ name: 'get_customer', arguments: { customer_id: id } }))
        .structuredContent as Record<string, unknown>;
      expect(there.tool_overrides).toEqual(here.tool_overrides);
      expect(there.exposure).toEqual(here.exposure);
      const preview = (
        await otherAdmin.callTool({ name: 'preview_customer_tools', arguments: { customer_id: id } })
      ).structuredContent as { tools: { name: string }[]; hidden: unknown[] };
      expect(preview.tools.map((t) => t.name).sort()).toEqual(await previewNames(id));
      expect(preview.hidden).toEqual((await ok('preview_customer_tools', { customer_id: id })).hidden);
    }
    expect(
      (
        (await otherAdmin.callTool({ name: 'get_customer', arguments: { customer_id: 'acme' } }))
          .structuredContent as { tool_overrides: Record<string, unknown> }
      ).tool_overrides.calc,
    ).toEqual([
      expect.objectContaining({ name: 'multiply', rename: 'times', description: 'Multiplies a by b.' }),
      { name: 'add', kind: 'tool', hidden: true },
    ]);
  });
});

describe('deleting a connector', () => {
  it("removes the customers' overrides of its tools with it", async () => {
    await ok('import_openapi', { slug: 'gone', spec: webSpec(), base_url: web.url });
    await ok('set_tool_overrides', {
      customer_id: 'globex',
      connector_id: 'gone',
      overrides: [{ name: 'add', hidden: true }],
    });
    expect((await ok('get_customer', { customer_id: 'globex' })).tool_overrides).toHaveProperty('gone');
    await ok('delete_connector', { connector_id: 'gone' });
    const overrides = (await ok('get_customer', { customer_id: 'globex' })).tool_overrides;
    expect(overrides).not.toHaveProperty('gone');
    expect(overrides).toHaveProperty('web');
  });
});

describe('names like prototype members', () => {
  it('are ordinary connector ids and tool names in overrides', async () => {
    await ok('create_connector', { slug: 'constructor', name: 'Ctor', kind: 'http', base_url: web.url });
    for (const name of ['constructor', 'toString', 'valueOf'])
      await ok('create_action', { connector_id: 'constructor', name, method: 'GET', path: `/echo/${name}` });
    await ok('create_customer', { id: 'proto', name: 'Proto' });
    await ok('configure_customer_tools', {
      customer_id: 'proto',
      mode: 'selected',
      connector_ids: ['constructor'],
      naming: 'bare',
    });
    expect(await previewNames('proto')).toEqual(['constructor', 'toString', 'valueOf']);
    await ok('set_tool_overrides', {
      customer_id: 'proto',
      connector_id: 'constructor',
      overrides: [
        { name: 'constructor', hidden: true },
        { name: 'toString', rename: 'hasOwnProperty' },
      ],
    });
    expect(await previewNames('proto')).toEqual(['hasOwnProperty', 'valueOf']);
    const customer = await ok('get_customer', { customer_id: 'proto' });
    expect(Object.keys(customer.tool_overrides as object)).toEqual(['constructor']);
    const session = await agent('proto');
    const before = web.received.length;
    expect((await session.run('hasOwnProperty')).isError).toBeFalsy();
    expect(web.received.slice(before).map((r) => r.path)).toEqual(['/echo/toString']);
  });
});
