// A real, throwaway PostgreSQL server for tests, and one fresh database per test file or test.
//
// startPostgres() finds PostgreSQL's binaries (installing Debian's package with apt-get when they
// are missing and we are root), then hands the rest to postgres-watchdog.mjs: initdb into a temp
// dir, `postgres` on 127.0.0.1 only, and an immediate shutdown plus removal of the temp dir as soon
// as this process is gone — even after SIGKILL. As root, PostgreSQL runs as the `postgres` user.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);
const watchdogScript = fileURLToPath(new URL('./postgres-watchdog.mjs', import.meta.url));

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres — trust auth, reachable from 127.0.0.1 only. */
  url: string;
  port: number;
  /** e.g. "15.18" */
  version: string;
  /** Where initdb and postgres came from, e.g. /usr/lib/postgresql/15/bin */
  binDir: string;
  /** The temp dir holding the data dir and the Unix socket; removed when the server stops. */
  dir: string;
  /** The postmaster's pid. */
  pid: number;
  /** Fast shutdown, then removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

interface Installation {
  binDir: string;
  version: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasServerBinaries(binDir: string): boolean {
  return isExecutable(join(binDir, 'postgres')) && isExecutable(join(binDir, 'initdb'));
}

/** Debian's /usr/lib/postgresql/N/bin (newest N first), then `postgres` on PATH. */
function findBinDir(): string | undefined {
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const binDir = join(debianRoot, v, 'bin');
      if (hasServerBinaries(binDir)) return binDir;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && hasServerBinaries(dir)) return dir;
  }
  return undefined;
}

async function installWithApt(): Promise<void> {
  const why = 'PostgreSQL not found (looked in /usr/lib/postgresql/*/bin and PATH)';
  if (process.getuid?.() !== 0)
    throw new Error(
      `${why}; not root, so not installing it: apt-get install postgresql, or set PORTICO_TEST_DATABASE_URL`,
    );
  if (!isExecutable('/usr/bin/apt-get'))
    throw new Error(
      `${why} and no apt-get to install it: install PostgreSQL or set PORTICO_TEST_DATABASE_URL`,
    );
  process.stderr.write("test setup: installing Debian's postgresql with apt-get (not found)\n");
  // Debian's package would otherwise create and start a system cluster on port 5432 that outlives us.
  const dropIn = '/etc/postgresql-common/createcluster.d/portico-tests.conf';
  if (!existsSync(dropIn)) {
    mkdirSync(dirname(dropIn), { recursive: true });
    writeFileSync(
      dropIn,
      '# Written by Portico test setup: no default cluster for package installs.\ncreate_main_cluster = false\n',
    );
  }
  const apt = (args: string[]) =>
    execFileAsync('apt-get', args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
    });
  const install = ['install', '-y', '--no-install-recommends', 'postgresql'];
  try {
    await apt(install);
  } catch {
    // A fresh machine may have no package lists yet.
    try {
      await apt(['update']);
      await apt(install);
    } catch (e) {
      const detail =
        e instanceof Error && 'stderr' in e ? String(e.stderr).trim().split('\n').pop() : String(e);
      throw new Error(`${why}, and \`apt-get install -y postgresql\` failed: ${detail}`);
    }
  }
}

let installation: Promise<Installation> | undefined;

/** The PostgreSQL server binaries to use, installed with apt-get first if missing (root only). Cached. */
export function findPostgres(): Promise<Installation> {
  installation ??= (async () => {
    let binDir = findBinDir();
    if (!binDir) {
      await installWithApt();
      binDir = findBinDir();
      if (!binDir)
        throw new Error('apt-get installed postgresql, but no postgres/initdb binaries were found');
    }
    const { stdout } = await execFileAsync(join(binDir, 'postgres'), ['--version']);
    // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    const version = /\(PostgreSQL\)\s+(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
    return { binDir, version };
  })();
  return installation;
}

/** As root, PostgreSQL must run as someone else: the `postgres` user, created if missing. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => {
    const uid = Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await execFileAsync('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  };
  try {
    return await ids();
  } catch {
    process.stderr.write('test setup: creating system user postgres to run PostgreSQL (not root)\n');
    await execFileAsync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return ids();
  }
}

/** The temp root, if the server's user can reach it (as root, TMPDIR may sit under /root); else /tmp. */
function tempRoot(forOtherUser: boolean): string {
  const root = tmpdir();
  if (!forOtherUser) return root;
  for (let dir = root; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return '/tmp';
    if (dirname(dir) === dir) return root;
  }
}

type WatchdogMessage =
  | { type: 'ready'; port: number; dir: string; pid: number }
  | { type: 'error'; message: string }
  | { type: 'exited'; message: string };

/**
 * Starts a throwaway PostgreSQL server on 127.0.0.1 (initdb + postgres, ~1 s). It stops by itself
 * when this process ends, however it ends; `stop()` stops it now.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const { binDir, version } = await findPostgres();
  const user = await serverUser();
  const watchdog = spawn(
    process.execPath,
    [watchdogScript, JSON.stringify({ binDir, tmpRoot: tempRoot(user !== undefined), ...user })],
    {
      // Its own process group: a Ctrl-C meant for the test run must not reach PostgreSQL before teardown.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  const ready = await readReady(watchdog);
  // From here on nothing of the watchdog keeps this process alive; its stdin stays open until we exit.
  unrefChild(watchdog);
  const url = `postgres://postgres@127.0.0.1:${ready.port}/postgres`;
  let stopped: Promise<void> | undefined;
  return {
    url,
    port: ready.port,
    version,
    binDir,
    dir: ready.dir,
    pid: ready.pid,
    stop() {
      stopped ??= (async () => {
        watchdog.ref();
        if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGTERM');
        await exited;
      })();
      return stopped;
    },
  };
}

function readReady(watchdog: ChildProcess): Promise<{ port: number; dir: string; pid: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    watchdog.stderr?.on('data', (d: Buffer) => {
      err += d;
    });
    watchdog.stdout?.on('data', (d: Buffer) => {
      out += d;
      let newline = out.indexOf('\n');
      while (newline >= 0) {
        const line = out.slice(0, newline);
        out = out.slice(newline + 1);
        newline = out.indexOf('\n');
        const message = JSON.parse(line) as WatchdogMessage;
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'error') reject(new Error(`PostgreSQL did not start: ${message.message}`));
        else process.stderr.write(`test setup: ${message.message}\n`);
      }
    });
    watchdog.on('error', reject);
    watchdog.on('exit', (code, signal) =>
      reject(
        new Error(
          `PostgreSQL watchdog exited (${signal ?? `exit ${code}`}) before the server was ready: ${err.trim()}`,
        ),
      ),
    );
  });
}

/** Lets this process exit while the watchdog runs: its stdin pipe then closes, which tells it to stop. */
function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream && 'unref' in stream && typeof stream.unref === 'function') stream.unref();
  }
}

let databaseCounter = 0;

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates a fresh, empty database on the server at `serverUrl` (default name unique per process and
 * call). `drop()` removes it, closing any connections left open to it.
 */
export async function createTestDatabase(
  serverUrl: string,
  name = `portico_test_${process.pid}_${++databaseCounter}_${Math.random().toString(36).slice(2, 8)}`,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const admin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  await admin(async (c) => {
    // FILE_COPY (PostgreSQL 15+) is the faster way to copy the small template0 when fsync is off.
    const version =
      (await c.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v")).rows[0]?.v ??
      0;
    const strategy = version >= 150000 ? ' STRATEGY FILE_COPY' : '';
    await c.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'${strategy}`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop() {
      dropped ??= admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      });
      return dropped;
    },
  };
}
