import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { startNotesApi } from '../helpers/notes-api';

const UPSTREAM_KEY = 'notes-secret-key-4242';
const CONTRACT_TOOLS = [
  'list_connectors',
  'get_connector',
  'create_connector',
  'update_connector',
  'delete_connector',
  'import_openapi',
  'refresh_connector',
  'list_actions',
  'get_action',
  'create_action',
  'update_action',
  'delete_action',
  'set_action_enabled',
  'test_action',
  'list_auth_configs',
  'get_auth_config',
  'set_auth_config',
  'delete_auth_config',
  'get_connect_url',
  'list_connections',
  'get_connection',
  'create_connection',
  'update_connection',
  'delete_connection',
  'test_connection',
  'refresh_connection',
  'list_customers',
  'get_customer',
  'create_customer',
  'update_customer',
  'delete_customer',
  'configure_customer_tools',
  'preview_customer_tools',
  'list_api_keys',
  'create_api_key',
  'revoke_api_key',
  'get_gateway_status',
  'set_plane_enabled',
  'list_activity',
];

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let api: Awaited<ReturnType<typeof startNotesApi>>;
let client: Client;
const outputs: string[] = [];

async function call(name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  outputs.push(JSON.stringify(result));
  return result as {
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
    content: { type: string; text?: string }[];
  };
}
const ok = async (name: string, args: Record<string, unknown>) => {
  const result = await call(name, args);
  expect(result.isError, `${name}: ${result.content[0]?.text}`).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
};
const fails = async (name: string, args: Record<string, unknown>, message: RegExp) => {
  const result = await call(name, args);
  expect(result.isError, name).toBe(true);
  expect(result.content[0]?.text).toMatch(message);
};

beforeAll(async () => {
  gw = await startTestGateway();
  api = await startNotesApi(UPSTREAM_KEY);
  client = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
});
afterAll(async () => {
  await client.close();
  await gw.app.close();
});

describe('the Admin MCP server', () => {
  it('lists every contract tool with input and output schemas and honest annotations', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of CONTRACT_TOOLS) {
      const tool = byName.get(name);
      expect(tool, name).toBeDefined();
      expect(tool?.description?.length, name).toBeGreaterThan(20);
      expect(tool?.inputSchema.type, name).toBe('object');
      expect(tool?.outputSchema?.type, name).toBe('object');
      expect(typeof tool?.annotations?.readOnlyHint, name).toBe('boolean');
      const props = (tool?.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [field, schema] of Object.entries(props))
        expect(schema.description, `${name}.${field}`).toBeTruthy();
      // get_connect_url records a pending OAuth flow, so it is honestly not read-only.
      if (
        name.startsWith('list_') ||
        (name.startsWith('get_') && name !== 'get_connect_url') ||
        name === 'preview_customer_tools'
      )
        expect(tool?.annotations?.readOnlyHint, name).toBe(true);
      if (name.startsWith('delete_') || name === 'revoke_api_key')
        expect(tool?.annotations?.destructiveHint, name).toBe(true);
    }
  });

  it('end to end: customer, OpenAPI import, auth, connection, selection, preview, test calls', async () => {
    await ok('create_customer', { id: 'acme', name: 'Acme Inc.' });
    const imported = await ok('import_openapi', { slug: 'notes', spec_url: `${api.url}/openapi.json` });
    expect(imported.connector_id).toBe('notes');
    const names = (imported.actions as { name: string }[]).map((a) => a.name).sort();
    expect(names).toEqual(['create_note', 'delete_note', 'get_note', 'list_notes']);
    expect(imported.auth_scheme).toBe('api_key');

    await ok('set_auth_config', {
      connector_id: 'notes',
      scheme: 'api_key',
      in: 'header',
      name: 'X-API-Key',
    });
    const connection = await ok('create_connection', {
      customer_id: 'acme',
      connector_id: 'notes',
      credentials: { api_key: UPSTREAM_KEY },
    });
    expect(connection.status).toBe('untested');
    expect(JSON.stringify(connection)).not.toContain(UPSTREAM_KEY);

    await ok('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['notes'],
      tool_mode: 'direct',
    });
    const preview = await ok('preview_customer_tools', { customer_id: 'acme' });
    expect((preview.tools as { name: string }[]).map((t) => t.name).sort()).toEqual([
      'notes__create_note',
      'notes__delete_note',
      'notes__get_note',
      'notes__list_notes',
    ]);

    // A draft is previewed exactly as the gateway would serve it, and nothing is saved.
    const drafted = await ok('preview_customer_tools', {
      customer_id: 'acme',
      draft: {
        mode: 'selected',
        connector_ids: ['notes'],
        actions: { notes: ['get_note'] },
        tool_mode: 'search',
      },
    });
    expect(drafted).toMatchObject({ mode: 'search', tools: [{ name: 'notes__get_note' }] });
    expect((await ok('preview_customer_tools', { customer_id: 'acme' })).tools).toHaveLength(4);
    const nothing = await ok('preview_customer_tools', {
      customer_id: 'acme',
      draft: { mode: 'selected', connector_ids: [] },
    });
    expect(nothing.message).toBe('No tools configured. Click Configure to enable connectors.');
    const unknown = await call('preview_customer_tools', {
      customer_id: 'acme',
      draft: { mode: 'selected', connector_ids: ['nope'] },
    });
    expect(unknown.isError).toBe(true);

    const dry = await ok('test_action', {
      customer_id: 'acme',
      tool: 'notes__get_note',
      arguments: { noteId: 'n1' },
      dry_run: true,
    });
    expect(dry.request).toMatchObject({ method: 'GET', url: `${api.url}/notes/n1` });
    expect(JSON.stringify(dry)).not.toContain(UPSTREAM_KEY);
    expect(api.seen).toHaveLength(0);

    const real = await ok('test_action', {
      customer_id: 'acme',
      connector_id: 'notes',
      action: 'create_note',
      arguments: { text: 'hello' },
    });
    expect(real.is_error).toBe(false);
    const sent = api.seen.at(-1);
    expect(sent).toMatchObject({ method: 'POST', url: '/notes' });
    expect(sent?.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(JSON.parse(sent?.body ?? '{}')).toEqual({ text: 'hello' });

    const tested = await ok('test_connection', { connection_id: connection.id });
    expect(tested.status).toBe('active');

    await ok('set_action_enabled', { connector_id: 'notes', action: 'delete_note', enabled: false });
    const after = await ok('preview_customer_tools', { customer_id: 'acme' });
    expect((after.tools as { name: string }[]).map((t) => t.name)).not.toContain('notes__delete_note');
  });

  it('adds server-everything over stdio and turns its tools into actions', async () => {
    const { command, args } = everythingServerCommand();
    await ok('create_connector', {
      slug: 'everything',
      name: 'Everything',
      kind: 'mcp',
      transport: 'stdio',
      command,
      args,
    });
    const refreshed = await ok('refresh_connector', { connector_id: 'everything' });
    expect(refreshed.actions).toContain('echo');
    expect(refreshed.actions).toContain('get-sum');
    const echo = await ok('get_action', { connector_id: 'everything', action: 'echo' });
    expect(echo.input_schema).toMatchObject({ type: 'object', properties: { message: {} } });
    await ok('create_connection', { customer_id: 'acme', connector_id: 'everything', credentials: {} });
    const ran = await ok('test_action', {
      customer_id: 'acme',
      connector_id: 'everything',
      action: 'echo',
      arguments: { message: 'hi there' },
    });
    expect(JSON.stringify(ran.result)).toContain('hi there');
  }, 60_000);

  it('refuses to delete referenced records unless forced, and cascades cleanly with force', async () => {
    await fails('delete_connector', { connector_id: 'notes' }, /connection conn_.*customer acme/);
    await fails('delete_customer', { customer_id: 'acme' }, /connection/);
    await ok('create_customer', { id: 'tmp', name: 'Temp' });
    await ok('create_connection', {
      customer_id: 'tmp',
      connector_id: 'notes',
      credentials: { api_key: 'x-temp-key' },
    });
    await ok('delete_customer', { customer_id: 'tmp', force: true });
    const left = await ok('list_connections', { customer_id: 'tmp' });
    expect(left.connections).toEqual([]);
  });

  it('bad input in every family is an actionable isError and changes nothing', async () => {
    const before = JSON.stringify(gw.app.store.data);
    await fails(
      'create_connector',
      { slug: 'Bad Slug', name: 'x', kind: 'http', base_url: 'http://x' },
      /slug/,
    );
    await fails('create_connector', { slug: 'x', name: 'x', kind: 'http' }, /base_url/);
    await fails(
      'create_connector',
      { slug: 'x', name: 'x', kind: 'http', base_url: 'ftp://x' },
      /http\(s\) URL/,
    );
    await fails(
      'create_connector',
      { slug: 'notes', name: 'x', kind: 'http', base_url: 'http://x' },
      /already exists/,
    );
    await fails('create_connector', { slug: 'y', name: 'y', kind: 'mcp', transport: 'stdio' }, /command/);
    await fails('get_connector', { connector_id: 'nope' }, /No connector with id "nope"/);
    await fails('import_openapi', { slug: 'broken', spec: '{"openapi": "3.0.0", "info": ' }, /not imported/);
    await fails(
      'import_openapi',
      {
        slug: 'broken',
        spec: {
          openapi: '3.0.0',
          info: { title: 't', version: '1' },
          paths: { '/a': { get: { responses: { '200': { $ref: '#/components/responses/Nope' } } } } },
        },
      },
      /Nope/,
    );
    await fails(
      'import_openapi',
      { slug: 'broken', spec: { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: {} } },
      /operation/i,
    );
    await fails(
      'import_openapi',
      { slug: 'broken', spec_url: 'http://127.0.0.1:1/openapi.json' },
      /127\.0\.0\.1:1/,
    );
    await fails('import_openapi', { slug: 'broken' }, /exactly one/);
    await fails('get_action', { connector_id: 'notes', action: 'nope' }, /no action "nope"/);
    await fails('create_action', { connector_id: 'notes', name: 'x', method: 'FETCH', path: '/x' }, /method/);
    await fails('set_auth_config', { connector_id: 'notes', scheme: 'oauth2' }, /client_id/);
    await fails('set_auth_config', { connector_id: 'notes', scheme: 'magic' }, /scheme/);
    await fails(
      'create_connection',
      { customer_id: 'acme', connector_id: 'notes', credentials: { api_key: 'k' } },
      /already has connection/,
    );
    await fails(
      'create_connection',
      { customer_id: 'ghost', connector_id: 'notes', credentials: {} },
      /ghost/,
    );
    await fails(
      'create_connection',
      { customer_id: 'acme', connector_id: 'notes', credentials: { password: 7 } },
      /password/,
    );
    await fails('get_connection', { connection_id: 'conn_nope' }, /conn_nope/);
    await fails(
      'configure_customer_tools',
      { customer_id: 'acme', mode: 'selected', connector_ids: ['ghost'] },
      /ghost/,
    );
    await fails('configure_customer_tools', { customer_id: 'acme', mode: 'sometimes' }, /mode/);
    await fails('create_api_key', { name: 'k', scope: 'admin', customers: ['acme'] }, /gateway keys/);
    await fails('revoke_api_key', { key_id: 'ZZZZZZZZ' }, /ZZZZZZZZ/);
    await fails('list_customers', { cursor: '!!!' }, /cursor/);
    await fails('get_connect_url', { customer_id: 'acme', connector_id: 'ghost' }, /ghost/);
    expect(JSON.stringify(gw.app.store.data)).toBe(before);
  });

  it('paginates lists', async () => {
    for (let i = 0; i < 5; i += 1) await ok('create_customer', { id: `page${i}`, name: `Page ${i}` });
    const first = await ok('list_customers', { limit: 2, query: 'page' });
    expect(first.customers).toHaveLength(2);
    expect(first.total).toBe(5);
    const second = await ok('list_customers', { limit: 2, query: 'page', cursor: first.next_cursor });
    expect((second.customers as { id: string }[])[0]?.id).toBe('page2');
  });

  it('records admin calls in the activity log', async () => {
    const activity = await ok('list_activity', { plane: 'admin', tool: 'create_customer', limit: 100 });
    expect((activity.entries as unknown[]).length).toBeGreaterThan(0);
  });

  it('no secret set during the run appears in any tool output', () => {
    const all = outputs.join('\n');
    for (const secret of [UPSTREAM_KEY, 'x-temp-key', gw.adminKey]) expect(all).not.toContain(secret);
  });
});
