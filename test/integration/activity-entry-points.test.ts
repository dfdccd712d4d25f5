// Every call through the admin registry is in the activity log with the door it came through:
// the Admin MCP, the UI's /api (admin key), the CLI (through the running server), the data plane.
import { describe, expect, it } from 'vitest';
import { serve } from '../helpers/cli';
import { spawnPortico } from '../helpers/fault-util';
import { bearer, connectClient } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

type Entry = { entry_point: string; key_id: string | null; tool: string; plane: string; outcome: string };

describe('the activity log names each call’s entry point', () => {
  it('mcp, api and cli calls, with the key that made them; read-only CLI commands leave no row', async () => {
    const dir = tempDir();
    const served = await serve(['--data-dir', dir]);
    const key = /ptc_([A-Za-z0-9]{8})_[A-Za-z0-9]{32,}/.exec(served.output());
    if (!key) throw new Error('no first key printed');
    const [adminKey, keyId] = key as unknown as [string, string];
    try {
      const client = await connectClient(`${served.url}/mcp/admin`, bearer(adminKey));
      await client.callTool({ name: 'create_customer', arguments: { id: 'via-mcp', name: 'MCP' } });
      const api = await fetch(`${served.url}/api/tools/create_customer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
        body: JSON.stringify({ id: 'via-api', name: 'API' }),
      });
      expect(api.status).toBe(200);
      const cli = await spawnPortico([
        'admin',
        'create_customer',
        '{"id":"via-cli","name":"CLI"}',
        '--data-dir',
        dir,
      ]).done;
      expect(cli.code, cli.stderr).toBe(0);
      const read = await spawnPortico(['admin', 'list_customers', '--data-dir', dir]).done;
      expect(read.code, read.stderr).toBe(0);
      // get_client_config writes only with include_key: `clients print` (through the server) is a read.
      const print = await spawnPortico(
        ['clients', 'print', 'cursor', '--plane', 'admin', '--data-dir', dir],
        {
          PORTICO_CURSOR_CONFIG: `${dir}/cursor-mcp.json`,
        },
      ).done;
      expect(print.code, print.stderr).toBe(0);
      const failed = await spawnPortico([
        'admin',
        'get_customer',
        '{"customer_id":"nope"}',
        '--data-dir',
        dir,
      ]).done;
      expect(failed.code).toBe(1);

      const listed = (await client.callTool({
        name: 'list_activity',
        arguments: { limit: 50 },
      })) as unknown as {
        structuredContent: { entries: Entry[] };
      };
      const rows = listed.structuredContent.entries.filter((e) => e.tool !== 'list_activity');
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            tool: 'create_customer',
            entry_point: 'mcp',
            key_id: keyId,
            plane: 'admin',
          }),
          expect.objectContaining({
            tool: 'create_customer',
            entry_point: 'api',
            key_id: keyId,
            plane: 'admin',
          }),
          expect.objectContaining({
            tool: 'create_customer',
            entry_point: 'cli',
            key_id: null,
            plane: 'admin',
          }),
        ]),
      );
      expect(rows.filter((e) => e.entry_point === 'cli')).toHaveLength(1);
      expect(rows.map((e) => e.tool)).not.toContain('get_client_config');
      const byEntry = (await client.callTool({
        name: 'list_activity',
        arguments: { entry_point: 'api' },
      })) as unknown as { structuredContent: { entries: Entry[] } };
      expect(byEntry.structuredContent.entries.map((e) => e.entry_point)).toEqual(['api']);
      await client.close();
    } finally {
      await served.stop();
    }
  }, 60_000);
});
