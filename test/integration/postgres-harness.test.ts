// The test PostgreSQL itself: real databases, isolated from each other, reachable on loopback
// only, and a server that never outlives the process that started it.
import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startPostgres } from '../helpers/postgres';

const serverUrl = inject('postgresUrl');
const startedHere = !process.env.PORTICO_TEST_DATABASE_URL;

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return withClient(serverUrl, async (c) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  });
}

/** Resolves once `path` no longer exists, watching its parent folder (no polling). */
function removal(path: string): { done: Promise<void>; close(): void } {
  let close = () => {};
  const done = new Promise<void>((resolve) => {
    const watcher = watch(dirname(path), (_event, file) => {
      if ((file === null || file === basename(path)) && !existsSync(path)) resolve();
    });
    close = () => watcher.close();
    if (!existsSync(path)) resolve();
  });
  return { done: done.finally(() => close()), close };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return !(e instanceof Error && 'code' in e && e.code === 'ESRCH');
  }
}

/** Resolves with the connection error for 127.0.0.1-only servers reached on another address. */
function connectError(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e));
  });
}

describe('test PostgreSQL', () => {
  it('gives each test its own database, isolated from the others, and drops it', async () => {
    const a = await createTestDatabase(serverUrl);
    const b = await createTestDatabase(serverUrl);
    expect(a.name).not.toBe(b.name);
    expect(new URL(a.url).pathname).toBe(`/${a.name}`);

    for (const [db, label] of [
      [a, 'in a'],
      [b, 'in b'],
    ] as const) {
      await withClient(db.url, async (c) => {
        await c.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
        await c.query('INSERT INTO notes (body) VALUES ($1), ($2)', [label, 'ünïcødé ✓']);
      });
    }
    await withClient(a.url, async (c) => {
      const { rows } = await c.query(
        'SELECT current_database() AS db, array_agg(body ORDER BY id) AS bodies FROM notes',
      );
      expect(rows).toEqual([{ db: a.name, bodies: ['in a', 'ünïcødé ✓'] }]);
      await c.query('DROP TABLE notes');
    });
    // Dropping the table in a leaves b's untouched.
    await withClient(b.url, async (c) => {
      const { rows } = await c.query('SELECT array_agg(body ORDER BY id) AS bodies FROM notes');
      expect(rows).toEqual([{ bodies: ['in b', 'ünïcødé ✓'] }]);
    });
    await withClient(a.url, async (c) => {
      const { rows } = await c.query("SELECT to_regclass('notes') AS t");
      expect(rows).toEqual([{ t: null }]);
    });

    // drop() works even with a connection left open to the database.
    const lingering = new pg.Client({ connectionString: b.url });
    lingering.on('error', () => {});
    await lingering.connect();
    await Promise.all([a.drop(), b.drop()]);
    await lingering.end().catch(() => {});
    expect(await databaseExists(a.name)).toBe(false);
    expect(await databaseExists(b.name)).toBe(false);
  });

  // The rest is about the server this run starts itself (not PORTICO_TEST_DATABASE_URL's).
  it.skipIf(!startedHere)('listens on 127.0.0.1 only', async () => {
    const port = Number(new URL(serverUrl).port);
    await withClient(serverUrl, async (c) => {
      expect((await c.query('SHOW listen_addresses')).rows).toEqual([{ listen_addresses: '127.0.0.1' }]);
      expect((await c.query('SHOW port')).rows).toEqual([{ port: String(port) }]);
      expect((await c.query('SHOW fsync')).rows).toEqual([{ fsync: 'off' }]);
    });
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const host of [...others, '::1']) {
      const error = await connectError(host, port);
      expect(error?.code, `connecting to ${host}:${port}`).toMatch(/ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH/);
    }
  });

  it.skipIf(!startedHere)('stop() shuts the server down and removes its temp dir', async () => {
    const server = await startPostgres();
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
    await withClient(server.url, async (c) => {
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });
    expect(existsSync(server.dir)).toBe(true);
    await server.stop();
    expect(existsSync(server.dir)).toBe(false);
    expect(isRunning(server.pid)).toBe(false);
    expect((await connectError('127.0.0.1', server.port))?.code).toBe('ECONNREFUSED');
    await server.stop(); // twice is fine
  });

  it.skipIf(!startedHere)(
    'stops by itself when the process that started it is killed with SIGKILL',
    async () => {
      const helper = pathToFileURL(fileURLToPath(new URL('../helpers/postgres.ts', import.meta.url))).href;
      const script = `
      const { startPostgres } = await import(${JSON.stringify(helper)});
      const s = await startPostgres();
      process.stdout.write(JSON.stringify({ url: s.url, dir: s.dir, pid: s.pid }) + '\\n');
      setInterval(() => {}, 1 << 30);
    `;
      const child = spawn(
        process.execPath,
        ['--experimental-strip-types', '--no-warnings', '--input-type=module', '-e', script],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d;
            if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
          });
          child.once('exit', (code) =>
            reject(new Error(`child exited (${code}) before PostgreSQL was ready`)),
          );
        });
        const server = JSON.parse(line) as { url: string; dir: string; pid: number };

        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        client.on('error', () => {});
        const disconnected = new Promise((resolve) => client.once('end', resolve));
        const removed = removal(server.dir);

        child.kill('SIGKILL');
        await exited;
        await disconnected;
        await removed.done;
        expect(isRunning(server.pid)).toBe(false);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
});
