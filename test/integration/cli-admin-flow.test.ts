import { describe, expect, it } from 'vitest';
import { portico, serve } from '../helpers/cli';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { everythingServerCommand } from '../helpers/everything';
import { spawnPortico } from '../helpers/fault-util';
import { bearer, connectClient } from '../helpers/gateway';
import { startNotesApi } from '../helpers/notes-api';
import { tempDir } from '../helpers/temp';

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;

describe('the control-plane flow through `portico admin` while a server runs', () => {
  it("builds a customer's toolset from the command line, and the running gateway serves it", async () => {
    const dir = tempDir();
    const api = await startNotesApi('cli-flow-key-777');
    const served = await serve(['--data-dir', dir]);
    // Asynchronous: the upstream API runs in this process and must keep answering.
    const admin = async (tool: string, args: Record<string, unknown>) => {
      const result = await spawnPortico(['admin', tool, JSON.stringify(args), '--data-dir', dir]).done;
      expect(result.code, `${tool}: ${result.stderr}`).toBe(0);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    await admin('create_customer', { id: 'acme', name: 'Acme' });
    const imported = await admin('import_openapi', { slug: 'notes', spec_url: `${api.url}/openapi.json` });
    expect(imported.connector_id).toBe('notes');
    await admin('set_auth_config', {
      connector_id: 'notes',
      scheme: 'api_key',
      in: 'header',
      name: 'X-API-Key',
    });
    const connection = await admin('create_connection', {
      customer_id: 'acme',
      connector_id: 'notes',
      credentials: { api_key: 'cli-flow-key-777' },
    });
    expect(JSON.stringify(connection)).not.toContain('cli-flow-key-777');
    await admin('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['notes'],
      tool_mode: 'direct',
    });
    const preview = await admin('preview_customer_tools', { customer_id: 'acme' });
    expect((preview.tools as { name: string }[]).map((t) => t.name)).toContain('notes__list_notes');

    const { command, args } = everythingServerCommand();
    await admin('create_connector', {
      slug: 'everything',
      name: 'Everything',
      kind: 'mcp',
      transport: 'stdio',
      command,
      args,
    });
    const refreshed = await admin('refresh_connector', { connector_id: 'everything' });
    expect(refreshed.actions).toContain('echo');

    const bad = portico(['admin', 'import_openapi', '{"slug":"x","spec":"{"}', '--data-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not imported/);

    const key = JSON.parse(
      portico([
        'keys',
        'create',
        '--name',
        'agent',
        '--scope',
        'gateway',
        '--customer',
        'acme',
        '--json',
        '--data-dir',
        dir,
      ]).stdout,
    ).key;
    const client = await connectClient(`${served.url}/mcp/gateway?customer_id=acme`, bearer(key));
    const result = await client.callTool({ name: 'notes__list_notes', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(api.seen.at(-1)?.headers['x-api-key']).toBe('cli-flow-key-777');
    await client.close();
    expect(await served.stop()).toBe(0);
  }, 60_000);
});

describe('graceful shutdown', () => {
  it('SIGTERM lets an in-flight call finish, then exits 0', async () => {
    const dir = tempDir();
    const up = await startEchoUpstream();
    const served = await serve(['--data-dir', dir]);
    const adminKey = KEY.exec(served.output())?.[0] as string;
    const admin = await connectClient(`${served.url}/mcp/admin`, bearer(adminKey));
    const spec = {
      openapi: '3.0.3',
      info: { title: 'Slow', version: '1' },
      paths: { '/delay/700': { get: { operationId: 'wait', responses: { '200': { description: 'ok' } } } } },
    };
    for (const [name, args] of [
      ['create_customer', { id: 'acme', name: 'Acme' }],
      ['import_openapi', { slug: 'slow', spec, base_url: up.url }],
      ['create_connection', { customer_id: 'acme', connector_id: 'slow', credentials: {} }],
    ] as const) {
      const r = await admin.callTool({ name, arguments: args });
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    }
    const gwKey = (
      (await admin.callTool({ name: 'create_api_key', arguments: { name: 'g', scope: 'gateway' } }))
        .structuredContent as { key: string }
    ).key;
    const client = await connectClient(`${served.url}/mcp/gateway?customer_id=acme`, bearer(gwKey));
    const arrived = up.nextRequest();
    const call = client.callTool({ name: 'slow__wait', arguments: {} });
    await arrived;
    const exit = served.stop('SIGTERM');
    const result = await call;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(result.structuredContent).toEqual({ waited: 700 });
    expect(await exit).toBe(0);
  }, 30_000);
});
