// One PostgreSQL server for the whole `vitest run`: test files get its URL with
// inject('postgresUrl') and make their own databases with createTestDatabase(). With env
// PORTICO_TEST_DATABASE_URL set, that server is used instead and nothing is started.
import type { TestProject } from 'vitest/node';
import { startPostgres } from './helpers/postgres';

declare module 'vitest' {
  interface ProvidedContext {
    /** A PostgreSQL server URL whose user may CREATE DATABASE. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.PORTICO_TEST_DATABASE_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return undefined;
  }
  const started = Date.now();
  const server = await startPostgres();
  const origin = server.binDir.startsWith('/usr/lib/postgresql/')
    ? `Debian's ${server.binDir}`
    : server.binDir;
  process.stderr.write(
    `test setup: PostgreSQL ${server.version} (${origin}) on 127.0.0.1:${server.port}, ready in ${Date.now() - started} ms\n`,
  );
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
