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
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(path)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`the workspace is locked by another Portico process (${path}); try again`);
      }
      sleepSync(5);
    }
  }
  try {
    return fn();
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
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
