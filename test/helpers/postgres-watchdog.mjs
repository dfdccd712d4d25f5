// Runs one throwaway PostgreSQL server for the tests and makes sure it never outlives them.
//
// Started by test/helpers/postgres.ts (detached, stdin/stdout piped to the test process) with one
// JSON argument: { binDir, uid?, gid?, tmpRoot }. It creates a temp dir, runs initdb, starts
// `postgres` on a free port of 127.0.0.1 and prints one JSON line on stdout:
//   {"type":"ready","port":N,"dir":"…","pid":N}  or  {"type":"error","message":"…"}
// Then it watches the process that started it: when that process is gone (stdin reaches EOF,
// which the kernel guarantees even after SIGKILL; or our ppid changes), or on SIGINT/SIGHUP, it
// shuts PostgreSQL down immediately (SIGQUIT to the postmaster, what `pg_ctl stop -m immediate`
// sends). SIGTERM asks for a clean stop (SIGINT to the postmaster: fast shutdown). Either way it
// then removes the temp dir and exits. It is the postmaster's parent, so it signals it directly.
import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const config = JSON.parse(process.argv[2] ?? '{}');
const parentPid = process.ppid;
const asUser = typeof config.uid === 'number' ? { uid: config.uid, gid: config.gid } : {};
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
// What the test process no longer reads must not crash us (EPIPE once it is gone).
process.stdout.on('error', () => {});

const dir = mkdtempSync(join(config.tmpRoot, 'portico-pg-'));
if (asUser.uid !== undefined) chownSync(dir, asUser.uid, asUser.gid);
const dataDir = join(dir, 'data');

/** @type {import('node:child_process').ChildProcess | undefined} */
let current; // initdb or the postmaster, whichever runs now
let stopping = false;
let ready = false;

function report(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function cleanupAndExit(code) {
  try {
    rmSync(dir, { recursive: true, force: true });
  } finally {
    process.exit(code);
  }
}

/** Stops whatever runs now (signal to the postmaster; SIGKILL if it takes over 10 s), then cleans up. */
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const child = current;
  if (!child || child.exitCode !== null || child.signalCode !== null) cleanupAndExit(0);
  else {
    child.once('exit', () => cleanupAndExit(0));
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  }
}

process.stdin.on('end', () => shutdown('SIGQUIT'));
process.stdin.on('error', () => shutdown('SIGQUIT'));
process.stdin.resume();
// Belt and braces: if stdin were somehow kept open, notice being re-parented.
setInterval(() => {
  if (process.ppid !== parentPid) shutdown('SIGQUIT');
}, 500);
process.on('SIGTERM', () => shutdown('SIGINT'));
process.on('SIGINT', () => shutdown('SIGQUIT'));
process.on('SIGHUP', () => shutdown('SIGQUIT'));

/** Runs a program as the server's user; resolves with its output, rejects with it on failure. */
function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...asUser, env, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${file} failed (${signal ?? `exit ${code}`}): ${output.trim()}`));
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts the postmaster; resolves once it logs that it accepts connections, or rejects with its log. */
function startServer(port) {
  return new Promise((resolve, reject) => {
    const settings = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: dir,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '200',
      lc_messages: 'C',
      logging_collector: 'off',
      log_destination: 'stderr',
    };
    const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const child = spawn(join(config.binDir, 'postgres'), args, {
      ...asUser,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    let log = '';
    const onData = (d) => {
      // Keep draining the pipes for the server's whole life (a full pipe would block it); keep a tail.
      log = (log + d).slice(-8000);
      if (!ready && log.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!ready)
        reject(Object.assign(new Error(log.trim()), { portInUse: /could not bind|in use/i.test(log) }));
      else if (!stopping) {
        report({ type: 'exited', message: `postgres exited (${signal ?? `exit ${code}`}): ${log.trim()}` });
        cleanupAndExit(1);
      }
    });
  });
}

async function main() {
  await run(join(config.binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  for (let attempt = 1; ; attempt++) {
    if (stopping) return;
    const port = await freePort();
    try {
      const child = await startServer(port);
      report({ type: 'ready', port, dir, pid: child.pid });
      return;
    } catch (e) {
      // Another process took the port between our probe and postgres's bind: try another one.
      if (!(e instanceof Error && 'portInUse' in e && e.portInUse) || attempt >= 5) throw e;
    }
  }
}

main().catch((e) => {
  if (stopping) return;
  report({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  stopping = true;
  cleanupAndExit(1);
});
