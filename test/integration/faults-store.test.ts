// Faults in the store, on SQLite and on PostgreSQL: kill -9 of the server and of CLI writers in the
// middle of a mixed write burst (MCP, /api and several `portico admin` processes at once) loses no
// acknowledged write; while a server runs, the CLI's writes go through it and are served at once.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { type Served, serve } from '../helpers/cli';
import { prng, range, spawnPortico } from '../helpers/fault-util';
import { bearer, connectClient } from '../helpers/gateway';
import { engines, workspaceTarget } from '../helpers/store';

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[] };

const createCustomer = async (client: Client, id: string) =>
  (await client.callTool({ name: 'create_customer', arguments: { id, name: `Customer ${id}` } }, undefined, {
    timeout: 10_000,
  })) as ToolResult;

const closeClient = (c: Client) => c.close().catch(() => {});

describe.each(engines())('the workspace on %s under kill -9', (engine) => {
  it('a mixed burst (MCP, /api, several CLI processes) with the server and CLI writers killed loses no acknowledged write', async () => {
    const { dataDir, databaseUrl } = await workspaceTarget(engine);
    const dbArgs = databaseUrl ? ['--database-url', databaseUrl] : [];
    const cli = (args: string[]) => spawnPortico([...args, '--data-dir', dataDir, ...dbArgs]);
    const made = await cli(['keys', 'create', '--name', 'burst', '--scope', 'admin', '--json']).done;
    expect(made.code, made.stderr).toBe(0);
    const key = JSON.parse(made.stdout).key as string;
    const acked = new Set<string>();
    const random = prng(engine === 'sqlite' ? 7 : 11);
    let serial = 0;
    const nextId = (prefix: string) => `${prefix}-${(serial++).toString(36)}`;
    let cliKilled = 0;
    let cliAcked = 0;

    /** One phase of the burst against `served` (or none): every writer loops until `until`. */
    const burst = async (served: Served | undefined, until: number, killServerAt?: number) => {
      const writers: Promise<void>[] = [];
      if (served) {
        const client = await connectClient(`${served.url}/mcp/admin`, bearer(key));
        writers.push(
          (async () => {
            while (Date.now() < until) {
              const id = nextId('mcp');
              try {
                if (!(await createCustomer(client, id)).isError) acked.add(id);
              } catch {
                return; // the server is gone: nothing more is acknowledged on this session
              }
            }
          })().finally(() => closeClient(client)),
          (async () => {
            while (Date.now() < until) {
              const id = nextId('api');
              try {
                const res = await fetch(`${served.url}/api/tools/create_customer`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
                  body: JSON.stringify({ id, name: `API ${id}` }),
                });
                const body = (await res.json()) as { ok?: boolean };
                if (res.status === 200 && body.ok) acked.add(id);
              } catch {
                return;
              }
            }
          })(),
        );
      }
      for (const _ of range(3)) {
        writers.push(
          (async () => {
            while (Date.now() < until) {
              const id = nextId('cli');
              const run = cli(['admin', 'create_customer', JSON.stringify({ id, name: `CLI ${id}` })]);
              // One writer in three dies by kill -9 somewhere in its run: through the server, or in
              // the middle of its own transaction once the server is gone.
              const victim = random.next() < 0.34;
              const timer = victim
                ? setTimeout(() => run.proc.kill('SIGKILL'), 80 + Math.floor(random.next() * 400))
                : undefined;
              const { code, signal } = await run.done;
              clearTimeout(timer);
              if (signal === 'SIGKILL') cliKilled += 1;
              if (code === 0) {
                acked.add(id);
                cliAcked += 1;
              }
            }
          })(),
        );
      }
      if (served && killServerAt !== undefined) {
        writers.push(
          new Promise<void>((resolve) =>
            setTimeout(() => {
              served.proc.kill('SIGKILL');
              resolve();
            }, killServerAt - Date.now()),
          ),
        );
      }
      await Promise.all(writers);
    };

    // 1. Server up; killed with -9 in the middle of the burst.
    const first = await serve(['--data-dir', dataDir, ...dbArgs]);
    await burst(first, Date.now() + 2_500, Date.now() + 1_200);
    // 2. No server: the CLI writers open the database themselves (and some die holding it).
    await burst(undefined, Date.now() + 1_500);
    // 3. A new server takes over what the dead one left; the burst goes on, then it stops cleanly.
    const second = await serve(['--data-dir', dataDir, ...dbArgs]);
    await burst(second, Date.now() + 1_500);
    expect(await second.stop()).toBe(0);

    expect(cliKilled).toBeGreaterThan(0);
    expect(cliAcked).toBeGreaterThan(5);
    expect([...acked].filter((id) => id.startsWith('mcp')).length).toBeGreaterThan(5);
    expect([...acked].filter((id) => id.startsWith('api')).length).toBeGreaterThan(5);
    // Every acknowledged write is there, in a database that opens cleanly.
    const store = await WorkspaceStore.open({ dataDir, databaseUrl, readOnly: true });
    const stored = new Set(Object.keys(store.data.customers));
    await store.close();
    expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
    // And a `portico` process sees the same.
    const listed = await cli(['admin', 'list_customers', '{"limit":500}']).done;
    expect(listed.code, listed.stderr).toBe(0);
    const ids = (JSON.parse(listed.stdout) as { customers: { id: string }[]; total: number }).total;
    expect(ids).toBe(stored.size);
  }, 120_000);

  it('while a server runs, a CLI write goes through it: the server serves it at once, every time', async () => {
    const { dataDir, databaseUrl } = await workspaceTarget(engine);
    const dbArgs = databaseUrl ? ['--database-url', databaseUrl] : [];
    const served = await serve(['--data-dir', dataDir, ...dbArgs]);
    const key = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/.exec(served.output())?.[0] as string;
    const client = await connectClient(`${served.url}/mcp/admin`, bearer(key));
    try {
      for (const i of range(5)) {
        const id = `through-${i}`;
        const run = await spawnPortico([
          'admin',
          'create_customer',
          JSON.stringify({ id, name: id }),
          '--data-dir',
          dataDir,
          ...dbArgs,
        ]).done;
        expect(run.code, run.stderr).toBe(0);
        // No polling delay: the server made the change itself.
        const got = (await client.callTool({
          name: 'get_customer',
          arguments: { customer_id: id },
        })) as ToolResult;
        expect(got.isError, got.content[0]?.text).toBeFalsy();
      }
      const activity = (await client.callTool({
        name: 'list_activity',
        arguments: { entry_point: 'cli', tool: 'create_customer' },
      })) as unknown as { structuredContent: { entries: { entry_point: string }[] } };
      expect(activity.structuredContent.entries).toHaveLength(5);
    } finally {
      await closeClient(client);
      await served.stop();
    }
  }, 60_000);
});
