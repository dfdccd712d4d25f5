// create_connector for an MCP server lists its tools at once and stores them as actions; when it
// can't (the server needs a customer's credentials, or its command is wrong), the connector is kept
// and next_steps says what to call — and following those steps works.

import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const WIDGETS = fileURLToPath(new URL('../fixtures/mcp/widgets-server.mjs', import.meta.url));
/** The widgets server behind a check for a per-customer token in its environment. */
const NEEDS_TOKEN = [
  '-e',
  "if (!process.env.WIDGETS_TOKEN) { console.error('WIDGETS_TOKEN is not set'); process.exit(1); } import(require('node:url').pathToFileURL(process.argv[1]).href);",
  WIDGETS,
];

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');
async function adminOk(name: string, args: Record<string, unknown>) {
  const result = (await admin.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as Result;
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent ?? {};
}

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  await adminOk('create_customer', { id: 'acme', name: 'Acme' });
});
afterAll(async () => {
  await admin?.close();
});

describe('create_connector for an MCP server', () => {
  it('turns its tools into actions at once', async () => {
    const created = await adminOk('create_connector', {
      slug: 'widgets',
      name: 'Widgets',
      kind: 'mcp',
      transport: 'stdio',
      command: process.execPath,
      args: [WIDGETS],
    });
    expect(created.action_count).toBe(1);
    expect(created.enabled_action_count).toBe(1);
    expect(String(created.next_steps)).toMatch(/list_actions/);
    expect(String(created.next_steps)).toMatch(/configure_customer_tools/);
    const action = await adminOk('get_action', { connector_id: 'widgets', action: 'get_widget' });
    expect(action.input_schema).toMatchObject({ properties: { widgetId: { type: 'string' } } });
    // Usable right away: selected for a customer, no refresh and no connection needed.
    await adminOk('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['widgets'],
      tool_mode: 'direct',
    });
    const preview = await adminOk('preview_customer_tools', { customer_id: 'acme' });
    expect((preview.tools as { name: string }[]).map((t) => t.name)).toEqual(['widgets__get_widget']);
  });

  it('keeps a server it cannot list yet and says what to call; following the steps works', async () => {
    const created = await adminOk('create_connector', {
      slug: 'locked',
      name: 'Locked widgets',
      kind: 'mcp',
      transport: 'stdio',
      command: process.execPath,
      args: NEEDS_TOKEN,
    });
    expect(created.action_count).toBe(0);
    const steps = (created.next_steps as string[]).join('\n');
    expect(steps).toMatch(/WIDGETS_TOKEN is not set/); // what the server said
    expect(steps).toMatch(/create_connection/);
    expect(steps).toMatch(/refresh_connector \{"connector_id": "locked", "customer_id"/);
    expect((await adminOk('get_connector', { connector_id: 'locked' })).id).toBe('locked');

    await adminOk('create_connection', {
      customer_id: 'acme',
      connector_id: 'locked',
      credentials: { env: { WIDGETS_TOKEN: 'tok-123' } },
    });
    const refreshed = await adminOk('refresh_connector', { connector_id: 'locked', customer_id: 'acme' });
    expect(refreshed.actions).toEqual(['get_widget']);
  });

  it('an HTTP connector is told how to get actions', async () => {
    const created = await adminOk('create_connector', {
      slug: 'api',
      name: 'API',
      kind: 'http',
      base_url: 'http://127.0.0.1:9',
    });
    expect(created.action_count).toBe(0);
    expect(String(created.next_steps)).toMatch(/create_action .*import_openapi/);
  });
});
