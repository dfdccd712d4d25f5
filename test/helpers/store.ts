import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { type OpenStoreOptions, WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { createTestDatabase } from './postgres';
import { tempDir } from './temp';

export type Engine = 'sqlite' | 'postgres';

/** The engines a store suite runs on: SQLite always, PostgreSQL when the test setup started one. */
export function engines(): Engine[] {
  return inject('postgresUrl') ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh place for a workspace on an engine: a temp data dir, and on PostgreSQL a new database. */
export async function workspaceTarget(engine: Engine): Promise<{ dataDir: string; databaseUrl?: string }> {
  const dataDir = tempDir();
  if (engine === 'sqlite') return { dataDir };
  const server = inject('postgresUrl');
  if (!server) throw new Error('no PostgreSQL server for this run');
  const database = await createTestDatabase(server);
  afterAll(() => database.drop());
  return { dataDir, databaseUrl: database.url };
}

const open: WorkspaceStore[] = [];
afterAll(async () => {
  await Promise.allSettled(open.splice(0).map((s) => s.close()));
});

/** Opens a store that is closed after the file's tests. */
export async function openStore(options: OpenStoreOptions): Promise<WorkspaceStore> {
  const store = await WorkspaceStore.open(options);
  open.push(store);
  return store;
}

/** Every file under a folder with its size, mode and hash: compare two to prove nothing changed. */
export function folderFingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (path: string, rel: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full, `${rel}${name}/`);
      else
        out[`${rel}${name}`] =
          `${stat.size}:${(stat.mode & 0o777).toString(8)}:${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  walk(dir, '');
  return out;
}
