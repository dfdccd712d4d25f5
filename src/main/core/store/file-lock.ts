import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { pidAlive } from '../process-alive';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

/**
 * A short-lived cross-process lock around read-modify-write of the workspace file, so the
 * running server and a CLI command never overwrite each other's changes. A lock left by a
 * dead process (kill -9) is taken over.
 */
export function withFileLock<T>(path: string, fn: () => T, timeoutMs = 10_000): T {
  const release = acquireFileLock(path, timeoutMs);
  try {
    return fn();
  } finally {
    release();
  }
}

/** Takes the lock (waiting up to `timeoutMs`) and returns the function that releases it. */
export function acquireFileLock(path: string, timeoutMs = 10_000): () => void {
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (removeIfStale(path)) continue;
      if (Date.now() > deadline) {
        throw new Error(`the workspace is locked by another Portico process (${path}); try again`);
      }
      sleepSync(5);
    }
  }
  const held = fd;
  return () => {
    closeSync(held);
    rmSync(path, { force: true });
  };
}

/**
 * Removes a lock whose holder is dead. Two waiters may both judge the same dead lock stale;
 * without a guard the slower one would then delete the live lock the faster one just took,
 * and both would write at once (a lost write, seen under kill -9 in the fault tests). So
 * removal happens under a second, momentary lock, and staleness is re-checked inside it.
 */
function removeIfStale(path: string): boolean {
  if (!isStale(path)) return false;
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another waiter is taking over. A guard is held for microseconds; an old one was left by a crash.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 5_000) rmSync(guard, { force: true });
    } catch {
      // It went away meanwhile.
    }
    return false;
  }
  try {
    if (!isStale(path)) return false;
    rmSync(path, { force: true });
    return true;
  } finally {
    closeSync(fd);
    rmSync(guard, { force: true });
  }
}

function isStale(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(pid) && pid > 0) return !pidAlive(pid);
    // Empty: the holder may be between open and write; stale only if old.
    return Date.now() - statSync(path).mtimeMs > 2_000;
  } catch {
    return false;
  }
}
