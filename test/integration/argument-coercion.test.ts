// A client that sends an obviously-typed scalar of another type than the schema says — `2` for a
// string (MCP Inspector sends `widgetId=2` as a number), `"true"` for a boolean, `"5"` for an
// integer — gets the obvious value, on both planes; the upstream receives the coerced value.
// Nothing else is coerced: arrays, objects, null, booleans as numbers, "3.5" as an integer, "yes".
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const require = createRequire(import.meta.url);
const WIDGETS = fileURLToPath(new URL('../fixtures/mcp/widgets-server.mjs', import.meta.url));
const INSPECTOR = join(
  require.resolve('@modelcontextprotocol/inspector/package.json'),
  '..',
  'clients/cli/build/index.js',
);

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
let gateway: Client;
let gatewayKey: string;
let echo: Awaited<ReturnType<typeof startEchoUpstream>>;

const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
const adminCall = async (name: string, args: Record<string, unknown>) =>
  (await admin.callTool({ name, arguments: args })) as Result;
async function adminOk(name: string, args: Record<string, unknown>) {
  const result = await adminCall(name, args);
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent ?? {};
}
const call = async (name: string, args: Record<string, unknown>) =>
  (await gateway.callTool({ name, arguments: args })) as Result;

/** MCP Inspector's CLI calling one tool with `key=value` arguments, as its users do. */
function inspectorCall(url: string, key: string, tool: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        INSPECTOR,
        '--transport',
        'http',
        '--server-url',
        url,
        '--header',
        `Authorization: Bearer ${key}`,
        '--method',
        'tools/call',
        '--tool-name',
        tool,
        '--tool-arg',
        ...args,
        '--format',
        'json',
      ],
      { encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  gw = await startTestGateway();
  echo = await startEchoUpstream();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  await adminOk('create_connector', {
    slug: 'widgets',
    name: 'Widgets',
    kind: 'mcp',
    transport: 'stdio',
    command: process.execPath,
    args: [WIDGETS],
  });
  await adminOk('refresh_connector', { connector_id: 'widgets' });
  await adminOk('create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url });
  await adminOk('create_action', {
    connector_id: 'echo',
    name: 'make_item',
    method: 'POST',
    path: '/echo/items/{id}',
    params: [
      { name: 'id', in: 'path' },
      { name: 'limit', in: 'query', type: 'integer' },
      { name: 'flag', in: 'query', type: 'boolean' },
    ],
    body_schema: {
      type: 'object',
      properties: { name: { type: 'string' }, qty: { type: 'integer' }, active: { type: 'boolean' } },
    },
  });
  await adminOk('create_customer', { id: 'acme', name: 'Acme' });
  // Neither connector needs credentials: selecting them is enough (no create_connection).
  await adminOk('configure_customer_tools', {
    customer_id: 'acme',
    mode: 'selected',
    connector_ids: ['widgets', 'echo'],
    tool_mode: 'direct',
  });
  gatewayKey = gw.mint('gateway');
  gateway = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=acme`, bearer(gatewayKey));
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await admin?.close();
  await echo?.close();
});

describe('data plane: obviously-typed scalars are coerced before validation', () => {
  it('an MCP upstream receives the coerced values (MCP SDK client)', async () => {
    await gateway.listTools(); // the SDK client checks structured output against the listed schema
    const result = await call('widgets__get_widget', {
      widgetId: 2,
      count: '3',
      verbose: 'true',
      ratio: '1.5',
      label: 12,
      color: 'red',
    });
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent?.received).toEqual({
      widgetId: '2',
      count: 3,
      verbose: true,
      ratio: 1.5,
      label: '12',
      color: 'red',
    });
    expect(result.structuredContent?.types).toEqual({
      widgetId: 'string',
      count: 'number',
      verbose: 'boolean',
      ratio: 'number',
      label: 'string',
      color: 'string',
    });
  });

  it('valid arguments pass untouched', async () => {
    const result = await call('widgets__get_widget', { widgetId: '007', label: '12', verbose: false });
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent?.received).toEqual({ widgetId: '007', label: '12', verbose: false });
  });

  it.each([
    ['an array for a string', { widgetId: [2] }, /widgetId/],
    ['an object for a string', { widgetId: { id: 2 } }, /widgetId/],
    ['null for a string', { widgetId: null }, /widgetId/],
    ['a boolean for an integer', { widgetId: 'w', count: true }, /count/],
    ['"3.5" for an integer', { widgetId: 'w', count: '3.5' }, /count/],
    ['"0x10" for an integer', { widgetId: 'w', count: '0x10' }, /count/],
    ['"yes" for a boolean', { widgetId: 'w', verbose: 'yes' }, /verbose/],
    ['1 for a boolean', { widgetId: 'w', verbose: 1 }, /verbose/],
    ['a number not in a string enum', { widgetId: 'w', color: 3 }, /color/],
  ])('%s stays an error', async (_label, args, field) => {
    const result = await call('widgets__get_widget', args);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Invalid arguments/);
    expect(text(result)).toMatch(field);
  });

  it('an HTTP upstream receives the coerced body, query and path values', async () => {
    const before = echo.received.length;
    const result = await call('echo__make_item', {
      id: 2,
      limit: '5',
      flag: 'false',
      body: { name: 42, qty: '7', active: 'true' },
    });
    expect(result.isError, text(result)).toBeFalsy();
    const sent = echo.received.slice(before).at(-1);
    expect(sent?.path).toBe('/echo/items/2');
    expect(sent?.query).toMatchObject({ limit: ['5'], flag: ['false'] });
    expect(JSON.parse(sent?.body ?? '{}')).toEqual({ name: '42', qty: 7, active: true });
  });

  it('MCP Inspector’s `widgetId=2` (sent as a number) works', async () => {
    const run = await inspectorCall(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      gatewayKey,
      'widgets__get_widget',
      ['widgetId=2', 'count=3', 'verbose=true'],
    );
    expect(run.code, run.stderr).toBe(0);
    const { result } = JSON.parse(run.stdout);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.types).toMatchObject({
      widgetId: 'string',
      count: 'number',
      verbose: 'boolean',
    });
  });
});

describe('admin plane: obviously-typed scalars in a tool’s own fields are coerced, nothing else', () => {
  it('"2" for a limit, 42 for an id, "false" for a boolean (MCP SDK client)', async () => {
    await adminOk('create_customer', { id: 'globex', name: 'Globex' });
    const page = await adminOk('list_customers', { limit: '1' });
    expect(page.customers).toHaveLength(1);
    expect(page.next_cursor).toBeTruthy();
    const created = await adminOk('create_customer', { id: 42, name: 'Answer' });
    expect(created.id).toBe('42');
    const disabled = await adminOk('set_action_enabled', {
      connector_id: 'echo',
      action: 'make_item',
      enabled: 'false',
    });
    expect(disabled.enabled).toBe(false);
    await adminOk('set_action_enabled', { connector_id: 'echo', action: 'make_item', enabled: true });
  });

  it.each([
    ['"ten" for a limit', 'list_customers', { limit: 'ten' }, /limit/],
    ['a boolean for a limit', 'list_customers', { limit: true }, /limit/],
    ['"2.5" for an integer limit', 'list_customers', { limit: '2.5' }, /limit/],
    ['an array for an id', 'create_customer', { id: ['x'], name: 'X' }, /id/],
    ['an object for a name', 'create_customer', { id: 'obj', name: { first: 'X' } }, /name/],
    [
      'a number inside nested values (credentials)',
      'create_connection',
      { customer_id: 'acme', connector_id: 'echo', credentials: { api_key: 7 } },
      /api_key/,
    ],
    [
      '"maybe" for a boolean',
      'set_action_enabled',
      { connector_id: 'echo', action: 'make_item', enabled: 'maybe' },
      /enabled/,
    ],
  ])('%s stays an error', async (_label, tool, args, field) => {
    const result = await adminCall(tool, args);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Invalid arguments/);
    expect(text(result)).toMatch(field);
  });

  it('MCP Inspector’s `id=7` (sent as a number) creates customer "7"', async () => {
    const run = await inspectorCall(`${gw.app.url}/mcp/admin`, gw.adminKey, 'create_customer', [
      'id=7',
      'name=Seven',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).result.structuredContent).toMatchObject({ id: '7', name: 'Seven' });
  });
});
