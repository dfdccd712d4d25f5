import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { PORTICO_BIN } from './cli';

/** A small fixed-seed PRNG (mulberry32): the same seed gives the same cases, so failures reproduce. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    bool: (p = 0.5) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
  };
}
export type Prng = ReturnType<typeof prng>;

/**
 * Waits on events, never on time: `notify()` after anything that may make a condition true;
 * `until(check)` resolves once it is, or rejects with `what` after a generous deadline.
 */
export class Waiter {
  readonly #waiting = new Set<() => void>();

  notify(): void {
    for (const wake of [...this.#waiting]) wake();
  }

  until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (!check()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiting.delete(wake);
      };
      this.#waiting.add(wake);
    });
  }
}

export interface CliRun {
  proc: ChildProcess;
  pid: number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const spawned = new Set<ChildProcess>();
afterAll(() => {
  for (const proc of spawned) proc.kill('SIGKILL');
});

/** Starts the built `portico` CLI without waiting for it (so several can run at once). */
export function spawnPortico(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const proc = spawn(process.execPath, [PORTICO_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<Awaited<CliRun['done']>>((resolve) =>
    proc.on('close', (code, signal) => {
      spawned.delete(proc);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { proc, pid: proc.pid as number, done };
}

/** `/proc/PID/stat` fields: state and parent pid (Linux). */
export function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** Live child processes of `parent` whose command line contains `needle`. */
export function childPids(parent: number, needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = procStat(pid);
    if (!stat || stat.ppid !== parent || stat.state === 'Z') continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) pids.push(pid);
    } catch {
      // It exited meanwhile.
    }
  }
  return pids;
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
