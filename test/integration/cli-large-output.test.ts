// Everything a `portico` command prints reaches a pipe before the process exits: output to a pipe
// is asynchronous, and exiting right after writing used to cut it at 64 KB (invalid JSON for a
// script reading `portico admin get_connector` of a big connector).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PORTICO_BIN, serve } from '../helpers/cli';
import { openStore } from '../helpers/store';
import { tempDir } from '../helpers/temp';

async function bigWorkspace(): Promise<string> {
  const dataDir = tempDir();
  const store = await openStore({ dataDir });
  const time = new Date().toISOString();
  store.mutate((ws) => {
    for (let i = 0; i < 500; i += 1) {
      const id = `c${String(i).padStart(3, '0')}`;
      ws.customers[id] = {
        id,
        name: `${'Customer with a long name '.repeat(7)}${i}`,
        exposure: { mode: 'all', connectorIds: [], actions: {}, toolMode: 'auto' },
        metadata: {},
        createdAt: time,
        updatedAt: time,
      };
    }
  });
  await store.flushed();
  await store.close();
  return dataDir;
}

const run = (args: string[]) =>
  spawnSync(process.execPath, [PORTICO_BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('large CLI output through a pipe', () => {
  it('arrives whole, in process and through a running server', async () => {
    const dataDir = await bigWorkspace();
    const direct = run(['--data-dir', dataDir, 'admin', 'list_customers', '{"limit":500}']);
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout.length).toBeGreaterThan(100_000);
    expect((JSON.parse(direct.stdout) as { customers: unknown[] }).customers).toHaveLength(500);
    const served = await serve(['--data-dir', dataDir]);
    const forwarded = run(['--data-dir', dataDir, 'admin', 'list_customers', '{"limit":500}']);
    expect(forwarded.status, forwarded.stderr).toBe(0);
    expect((JSON.parse(forwarded.stdout) as { customers: unknown[] }).customers).toHaveLength(500);
    const keys = run(['--data-dir', dataDir, '--json', 'keys', 'list']);
    expect(keys.status, keys.stderr).toBe(0);
    expect(await served.stop()).toBe(0);
  }, 60_000);
});
