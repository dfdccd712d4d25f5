// Faults in the store: kill -9 of the server during a burst of admin writes, the CLI and the
// server writing at once, and kill -9 of CLI writers (some while they hold the workspace lock).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { portico, type Served, serve } from '../helpers/cli';
import { procStat, range, spawnPortico } from '../helpers/fault-util';
import { bearer, connectClient } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[] };

const createCustomer = async (client: Client, id: string) =>
  (await client.callTool({ name: 'create_customer', arguments: { id, name: `Customer ${id}` } }, undefined, {
    timeout: 20_000,
  })) as ToolResult;

/** Opens the workspace as a fresh process would: it must load without a corrupt-file error. */
async function openStore(dir: string) {
  const store = await WorkspaceStore.open({ dataDir: dir, readOnly: true });
  expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  return store;
}

/** Every customer id, as `portico admin list_customers` (a separate process) sees them. */
function cliCustomerIds(dir: string): string[] {
  const listed = portico(['admin', 'list_customers', '{"limit":500}', '--json', '--data-dir', dir]);
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { customers: { id: string }[] }).customers.map((c) => c.id);
}

/** Every customer id, as the server serves them over the Admin MCP. */
async function listedIds(client: Client): Promise<string[]> {
  const result = (await client.callTool({
    name: 'list_customers',
    arguments: { limit: 500 },
  })) as unknown as {
    structuredContent: { customers: { id: string }[] };
  };
  return result.structuredContent.customers.map((c) => c.id);
}

const closeClient = (c: Client) => c.close().catch(() => {});

describe('kill -9 of the server during a burst of admin writes', () => {
  it('leaves a valid workspace holding every acknowledged create_customer; a restart serves them', async () => {
    const dir = tempDir();
    const served = await serve(['--data-dir', dir]);
    const key = KEY.exec(served.output())?.[0] as string;
    expect(key).toBeDefined();
    const clients = await Promise.all(
      range(4).map(() => connectClient(`${served.url}/mcp/admin`, bearer(key))),
    );
    const ids = range(200).map((i) => `burst-${i}`);
    const acked: string[] = [];
    const refused: string[] = [];
    let failedAfterKill = 0;
    let killed = false;
    let next = 0;
    // Eight writers in flight; the server dies when 60 writes have been acknowledged.
    const worker = async (client: Client) => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        try {
          const result = await createCustomer(client, id);
          if (result.isError) refused.push(`${id}: ${result.content[0]?.text}`);
          else acked.push(id);
          if (acked.length >= 60 && !killed) {
            killed = true;
            served.proc.kill('SIGKILL');
          }
        } catch {
          if (!killed) throw new Error(`create_customer ${id} failed before the kill`);
          failedAfterKill += 1;
        }
      }
    };
    await Promise.all([...clients, ...clients].map((c) => worker(c)));
    await served.stop('SIGKILL');
    await Promise.all(clients.map(closeClient));
    expect(refused).toEqual([]);
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(60);
    expect(failedAfterKill).toBeGreaterThan(0);

    // The lock and server.json the dead server left behind are taken over.
    const store = await openStore(dir);
    const stored = new Set(Object.keys(store.data.customers));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(new Set(cliCustomerIds(dir))).toEqual(stored);

    const again = await serve(['--data-dir', dir]);
    const client = await connectClient(`${again.url}/mcp/admin`, bearer(key));
    expect(new Set(await listedIds(client))).toEqual(stored);
    expect((await createCustomer(client, 'after-restart')).isError).toBeFalsy();
    await closeClient(client);
    expect(await again.stop()).toBe(0);
  }, 60_000);
});

describe('the CLI and a running server writing the same workspace', () => {
  let dir: string;
  let served: Served;
  let admin: Client;

  beforeAll(async () => {
    dir = tempDir();
    served = await serve(['--data-dir', dir]);
    admin = await connectClient(`${served.url}/mcp/admin`, bearer(KEY.exec(served.output())?.[0] as string));
  });
  afterAll(async () => {
    await closeClient(admin);
    await served?.stop();
  });

  it('interleaved CLI and server writes lose nothing, and the server serves the CLI’s', async () => {
    const serverIds = range(40).map((i) => `srv-${i}`);
    const cliIds = range(6).map((i) => `cli-${i}`);
    let nextServer = 0;
    const serverWriter = async () => {
      while (nextServer < serverIds.length) {
        const id = serverIds[nextServer++] as string;
        const result = await createCustomer(admin, id);
        expect(result.isError, result.content[0]?.text).toBeFalsy();
      }
    };
    let nextCli = 0;
    const cliWriter = async () => {
      while (nextCli < cliIds.length) {
        const id = cliIds[nextCli++] as string;
        const run = spawnPortico([
          'admin',
          'create_customer',
          JSON.stringify({ id, name: `CLI ${id}` }),
          '--data-dir',
          dir,
        ]);
        const { code, stderr } = await run.done;
        expect(code, stderr).toBe(0);
      }
    };
    await Promise.all([
      serverWriter(),
      serverWriter(),
      serverWriter(),
      cliWriter(),
      cliWriter(),
      cliWriter(),
    ]);

    const seen = new Set(await listedIds(admin));
    expect([...serverIds, ...cliIds].filter((id) => !seen.has(id))).toEqual([]);
    const onDisk = new Set(Object.keys((await openStore(dir)).data.customers));
    expect([...serverIds, ...cliIds].filter((id) => !onDisk.has(id))).toEqual([]);
  }, 60_000);

  it('kill -9 of CLI writers (some holding the lock) keeps the store valid; the stale lock is taken over', async () => {
    const lockPath = join(dir, 'workspace.lock');
    const readLockPid = () => {
      try {
        return Number(readFileSync(lockPath, 'utf8'));
      } catch {
        return 0;
      }
    };
    const victims = new Set<number>();
    const killed = new Set<number>();
    let caughtHolding = 0;
    // When a victim takes the lock: stop it, and if it still holds the lock once stopped, kill -9
    // it there — a genuine stale lock left in the middle of a write. Other victims die wherever they are.
    const onLock = () => {
      const pid = readLockPid();
      if (!victims.has(pid) || killed.has(pid)) return;
      try {
        process.kill(pid, 'SIGSTOP');
        let state = procStat(pid)?.state;
        for (let spins = 0; state && state !== 'T' && spins < 100_000; spins++) state = procStat(pid)?.state;
        if (state === 'T' && readLockPid() === pid) caughtHolding += 1;
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // It exited meanwhile.
      }
    };
    const watcher = watch(dir, { persistent: false }, (_event, file) => {
      if (file === 'workspace.lock') onLock();
    });
    const survivors: string[] = [];
    try {
      for (let round = 0; round < 3 && caughtHolding === 0; round++) {
        const runs = range(8).map((i) => {
          const id = `kill-${round}-${i}`;
          const run = spawnPortico([
            'admin',
            'create_customer',
            JSON.stringify({ id, name: `Kill ${id}` }),
            '--data-dir',
            dir,
          ]);
          if (i % 2 === 0) victims.add(run.pid);
          return { id, run };
        });
        // The server writes meanwhile too.
        const serverWrites = range(4).map((i) => createCustomer(admin, `kill-srv-${round}-${i}`));
        for (const { id, run } of runs) {
          const { code, signal, stderr } = await run.done;
          if (victims.has(run.pid)) {
            // A victim that finished before the lock came its way ran to completion.
            if (signal !== 'SIGKILL') expect(code, stderr).toBe(0);
            if (signal === 'SIGKILL') killed.add(run.pid);
            if (code === 0) survivors.push(id);
            continue;
          }
          expect(code, stderr).toBe(0);
          survivors.push(id);
        }
        for (const result of await Promise.all(serverWrites)) expect(result.isError).toBeFalsy();
      }
    } finally {
      watcher.close();
    }
    expect(killed.size).toBeGreaterThan(0);
    expect(caughtHolding, 'no writer was caught holding the lock in three rounds').toBeGreaterThan(0);

    // A lock whose holder is dead (as kill -9 leaves it) does not hold up the next write.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lockPath, String(dead));
    const started = Date.now();
    const after = await spawnPortico([
      'admin',
      'create_customer',
      '{"id":"after-kill","name":"After"}',
      '--data-dir',
      dir,
    ]).done;
    expect(after.code, after.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(existsSync(lockPath)).toBe(false);

    const onDisk = new Set(Object.keys((await openStore(dir)).data.customers));
    expect([...survivors, 'after-kill'].filter((id) => !onDisk.has(id))).toEqual([]);
    // The running server sees the same workspace.
    expect(new Set(await listedIds(admin))).toEqual(onDisk);
    expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toEqual([]);
  }, 60_000);
});
