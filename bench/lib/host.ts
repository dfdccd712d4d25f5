// What else the machine is doing: load average and a process's CPU time (Linux /proc).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './procs';

/** The 1-, 5- and 15-minute load averages. */
export function loadAverage(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

/** User + system CPU seconds a process has used so far (clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Rebuilds out/ (the CLI and the OpenAPI worker) when it is older than the sources. */
export function ensureBuilt(log: (s: string) => void): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-stale.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.stdout.trim()) log(`  ${result.stdout.trim()}`);
  if (result.status !== 0)
    throw new Error(`the build (scripts/build-if-stale.mjs) failed:\n${result.stderr.slice(-3000)}`);
}
