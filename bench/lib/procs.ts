import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the bundled bench scripts live (scripts/bench.mjs bundles bench/ next to run.mjs). */
export const BUILT_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = process.env.PORTICO_BENCH_ROOT ?? process.cwd();

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The JSON after the child's `READY ` line. */
  ready: Record<string, unknown>;
  stderr: string[];
  /** Writes `stats` on the child's stdin and resolves with its next `STATS {json}` line. */
  stats(command?: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const p of live) p.kill('SIGKILL');
};
process.on('exit', killAll);
// A stopped bench takes its servers with it ('exit' does not run when a signal ends the process).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killAll();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });

/** Starts a process and waits for it to print `READY {json}` (or a match of `readyPattern`). */
export function startChild(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; readyPattern?: RegExp; timeoutMs?: number; cwd?: string } = {},
): Promise<Child> {
  const pattern = options.readyPattern ?? /^READY (.*)$/m;
  const proc = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(proc);
  const stderr: string[] = [];
  const waiting: ((value: Record<string, unknown>) => void)[] = [];
  let lines = '';
  proc.stdout?.on('data', (c: Buffer | string) => {
    lines += c.toString();
    let nl = lines.indexOf('\n');
    while (nl >= 0) {
      const line = lines.slice(0, nl);
      lines = lines.slice(nl + 1);
      if (line.startsWith('STATS ')) waiting.shift()?.(JSON.parse(line.slice(6)) as Record<string, unknown>);
      nl = lines.indexOf('\n');
    }
  });
  proc.stdin?.on('error', () => {});
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} not ready in time.\n${out}\n${err}`));
    }, options.timeoutMs ?? 60_000);
    const check = (text: string) => {
      const match = pattern.exec(text);
      if (!match) return;
      clearTimeout(timer);
      let ready: Record<string, unknown> = {};
      try {
        ready = match[1]?.startsWith('{')
          ? (JSON.parse(match[1]) as Record<string, unknown>)
          : { line: match[0] };
      } catch {
        ready = { line: match[0] };
      }
      resolve({
        proc,
        pid: proc.pid as number,
        ready,
        stderr,
        stats: (command = 'stats') =>
          new Promise((res) => {
            waiting.push(res);
            proc.stdin?.write(`${command}\n`);
          }),
        stop: () => stopProcess(proc),
      });
    };
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (c: string) => {
      out += c;
      check(out);
    });
    proc.stderr?.on('data', (c: string) => {
      err += c;
      stderr.push(c);
      if (err.length > 100_000) err = err.slice(-50_000);
      check(err);
    });
    proc.on('exit', (code) => {
      live.delete(proc);
      clearTimeout(timer);
      reject(
        new Error(
          `${command} exited (${code}) before it was ready.\n${out.slice(-2000)}\n${err.slice(-2000)}`,
        ),
      );
    });
  });
}

export function stopProcess(proc: ChildProcess, graceMs = 5_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    live.delete(proc);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      live.delete(proc);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** A bundled bench server script run with plain node: `node <built>/servers/NAME.mjs ARGS`. */
export function startServer(
  name: string,
  config: Record<string, unknown>,
  nodeArgs: string[] = [],
  timeoutMs = 60_000,
): Promise<Child> {
  // PORTICO_BENCH_PROF=DIR: profile the Portico server processes (node --cpu-prof) into DIR.
  const prof = process.env.PORTICO_BENCH_PROF;
  if (prof && name === 'portico') nodeArgs = [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${prof}`];
  return startChild(
    process.execPath,
    [...nodeArgs, join(BUILT_DIR, 'servers', `${name}.mjs`), JSON.stringify(config)],
    { timeoutMs },
  );
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Direct children of a process (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Open TCP sockets (established or listening) held by a process, from /proc/PID/fd. */
export function socketCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return -1;
  }
}

/** Kills `proc` when the bench exits, whatever happens. */
export function track(proc: ChildProcess): ChildProcess {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}

/** The TCP sockets a process holds, by local and remote port (Linux /proc/net/tcp{,6}). */
export function tcpSockets(pid: number): { local: number; remote: number; state: string }[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1]) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const out: { local: number; remote: number; state: string }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9] as string)) continue;
      const port = (addr: string) => Number.parseInt(addr.split(':')[1] ?? '0', 16);
      out.push({
        local: port(cols[1] as string),
        remote: port(cols[2] as string),
        state: cols[3] === '0A' ? 'listen' : cols[3] === '01' ? 'established' : `state ${cols[3]}`,
      });
    }
  }
  return out;
}
