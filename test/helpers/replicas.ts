// In-process team-mode replicas for tests: several Portico apps on one fresh PostgreSQL database,
// sharing the data key that seals connection secrets (as deployment.md says replicas must).
import { randomBytes } from 'node:crypto';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import type { KeyProvider } from '../../src/main/core/store/secrets';
import { workspaceTarget } from './store';
import { tempDir } from './temp';

/** Starts `count` replicas on a new database (the first owns the test's data dir); close them after. */
export async function startReplicas(count: number): Promise<PorticoApp[]> {
  const target = await workspaceTarget('postgres');
  const dataKey = randomBytes(32);
  const keyProvider: KeyProvider = { kind: 'keyfile', description: 'shared', loadOrCreateKey: () => dataKey };
  const replicas: PorticoApp[] = [];
  for (let i = 0; i < count; i++)
    replicas.push(
      await startPortico({
        dataDir: i === 0 ? target.dataDir : tempDir(),
        databaseUrl: target.databaseUrl,
        keyProvider,
        host: '127.0.0.1',
        port: 0,
        log: () => {},
      }),
    );
  return replicas;
}

/** An admin tool on a replica (the registry, as the CLI and UI reach it); throws with its error. */
export async function adminOk(
  app: PorticoApp,
  name: string,
  args: unknown,
): Promise<Record<string, unknown>> {
  const result = await app.callTool(name, args, 'internal');
  if (!result.ok) throw new Error(`${name}: ${result.error}`);
  return result.value as Record<string, unknown>;
}

/** Waits (polling) until `check` holds, at most `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 5_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
