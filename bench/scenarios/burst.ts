// CLI write burst: gateway tools/call latency (c=1) while other processes run the built CLI in a
// loop, one process after another — `node bin/portico.js admin create_customer '{…}' --data-dir DIR`,
// DIR being the server's, so every write goes through the server — against the same calls with no
// burst. A control burst runs `portico admin get_gateway_status` the same way (the same process
// churn on the 2 cores, a read instead of a write), to tell CPU competition from the write path.
// Rounds of the three kinds alternate, in rotating order.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cpuSeconds, ensureBuilt, loadAverage } from '../lib/host';
import { McpHttpSession, newAgent } from '../lib/mcp-client';
import { ROOT, startServer, track } from '../lib/procs';
import type { Row } from '../lib/report';
import { now, round, summarize } from '../lib/stats';
import { roundAll } from './http';

export interface BurstOptions {
  callsPerRound: number;
  rounds: number;
  writers: number;
  /** Whether the p99 row carries the ≤ 1.5 target (one script writing) or is shown for reference. */
  target: boolean;
}

type Kind = 'base' | 'burst' | 'control';

interface Run {
  ok: boolean;
  ms: number;
  end: number;
  error?: string;
}

function runOnce(args: string[]): Promise<Omit<Run, 'end' | 'ms'>> {
  return new Promise((resolve) => {
    const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => resolve(code === 0 ? { ok: true } : { ok: false, error: stderr.slice(-500) }));
  });
}

/** `count` loops, each running one CLI process after another until stopped. */
function startLoops(kind: 'burst' | 'control', count: number, dataDir: string, tag: string) {
  const bin = join(ROOT, 'bin', 'portico.js');
  const runs: Run[] = [];
  let stopped = false;
  const firsts: Promise<void>[] = [];
  const loops: Promise<void>[] = [];
  for (let w = 0; w < count; w += 1) {
    let first: () => void = () => {};
    firsts.push(new Promise((r) => (first = r)));
    loops.push(
      (async () => {
        for (let n = 0; !stopped; n += 1) {
          const id = `burst-${tag}-${w}-${n}`;
          const args =
            kind === 'burst'
              ? [bin, 'admin', 'create_customer', JSON.stringify({ id, name: id }), '--data-dir', dataDir]
              : [bin, 'admin', 'get_gateway_status', '--data-dir', dataDir];
          const t0 = now();
          const result = await runOnce(args);
          runs.push({ ...result, ms: now() - t0, end: now() });
          first();
        }
      })(),
    );
  }
  return {
    /** Every loop has finished one process: the burst is in its steady state. */
    steady: Promise.all(firsts),
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return runs;
    },
  };
}

export async function burstScenario(opts: BurstOptions, log: (s: string) => void) {
  ensureBuilt(log);
  const upstream = await startServer('upstream', {});
  const portico = await startServer('portico', { setup: 'http', upstream: String(upstream.ready.url) });
  try {
    const dataDir = String(portico.ready.dataDir);
    const gw = new McpHttpSession(
      `${portico.ready.url}/mcp/gateway?customer_id=acme`,
      { authorization: `Bearer ${portico.ready.gatewayKey}` },
      newAgent(4),
    );
    await gw.initialize();
    const { tools } = (await gw.request('tools/list')) as { tools: { name: string }[] };
    const tool = tools.find((t) => /get_?item/i.test(t.name))?.name;
    if (!tool) throw new Error(`no getItem tool in ${tools.map((t) => t.name).join(', ')}`);
    const call = async () => {
      const result = await gw.callTool(tool, { itemId: 'abc-123' });
      if (!JSON.stringify(result).includes('abc-123')) throw new Error('gateway: unexpected result');
    };
    const measure = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i += 1) {
        const t0 = now();
        await call();
        out.push(now() - t0);
      }
      return out;
    };
    log(
      `burst: ${opts.rounds} rounds each of base / ${opts.writers} CLI writers / ${opts.writers} CLI readers, ${opts.callsPerRound} calls per round (load ${loadAverage().join(' ')})`,
    );
    await measure(500);
    const acc = Object.fromEntries(
      (['base', 'burst', 'control'] as const).map((k) => [
        k,
        { lat: [] as number[], cpu: 0, seconds: 0, runs: [] as Run[], inWindow: 0, load: [] as number[] },
      ]),
    ) as Record<
      Kind,
      { lat: number[]; cpu: number; seconds: number; runs: Run[]; inWindow: number; load: number[] }
    >;
    const kinds: Kind[] = ['base', 'burst', 'control'];
    for (let r = 0; r < opts.rounds; r += 1) {
      for (let j = 0; j < kinds.length; j += 1) {
        const kind = kinds[(r + j) % kinds.length] as Kind;
        await new Promise((res) => setTimeout(res, 300));
        const loops = kind === 'base' ? undefined : startLoops(kind, opts.writers, dataDir, `${r}`);
        await loops?.steady;
        const cpu0 = cpuSeconds(portico.pid);
        const t0 = now();
        const lat = await measure(opts.callsPerRound);
        const t1 = now();
        const a = acc[kind];
        a.cpu += cpuSeconds(portico.pid) - cpu0;
        a.seconds += (t1 - t0) / 1000;
        a.lat.push(...lat);
        a.load.push(loadAverage()[0] ?? Number.NaN);
        const runs = (await loops?.stop()) ?? [];
        a.runs.push(...runs);
        a.inWindow += runs.filter((x) => x.end >= t0 && x.end < t1).length;
        const s = summarize(lat);
        log(
          `  round ${r + 1} ${kind.padEnd(7)} p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, ${runs.length} CLI runs, load ${loadAverage()[0]}`,
        );
      }
    }
    const stats = (await portico.stats()) as { changes?: { local: number; external: number } };
    await gw.close();
    const failed = [...acc.burst.runs, ...acc.control.runs].filter((x) => !x.ok);
    if (failed.length) log(`  ${failed.length} CLI runs failed; first: ${failed[0]?.error}`);
    const writes = acc.burst.runs.filter((x) => x.ok).length;
    // Through the server, each write is a local change of its store; a CLI writing the database
    // itself would show up as an external change, found by polling.
    if (stats.changes && (stats.changes.external > 0 || stats.changes.local < writes))
      log(`  not every write went through the server: ${JSON.stringify(stats.changes)}, ${writes} writes`);

    const [base, burst, control] = kinds.map((k) => summarize(acc[k].lat)) as [
      ReturnType<typeof summarize>,
      ReturnType<typeof summarize>,
      ReturnType<typeof summarize>,
    ];
    const scenario = 'CLI write burst';
    const rows: Row[] = [
      {
        scenario,
        metric: `tools/call p99 (c=1), ${opts.writers} CLI writers vs none`,
        portico: burst.p99,
        baseline: base.p99,
        compare: 'ratio',
        unit: 'ms',
        target: opts.target ? 'ratio ≤ 1.5' : '—',
        met: opts.target ? burst.p99 / base.p99 <= 1.5 : null,
      },
      {
        scenario,
        metric: `tools/call p50 (c=1), ${opts.writers} CLI writers vs none`,
        portico: burst.p50,
        baseline: base.p50,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        // The same process churn without a write: what is left is the write path's own cost.
        scenario,
        metric: `p99, ${opts.writers} CLI writers vs ${opts.writers} CLI readers (same process churn)`,
        portico: burst.p99,
        baseline: control.p99,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
    ];
    const perKind = (k: Kind) => ({
      latency: roundAll(summarize(acc[k].lat)),
      serverCpuPercent: round((100 * acc[k].cpu) / acc[k].seconds, 1),
      load1: acc[k].load,
      cliRuns: acc[k].runs.length,
      cliRunsEndingInWindow: acc[k].inWindow,
      cliRunsPerSecondInWindow: round(acc[k].inWindow / acc[k].seconds, 2),
      cliProcessMs: acc[k].runs.length ? roundAll(summarize(acc[k].runs.map((x) => x.ms))) : null,
    });
    return {
      rows,
      errors: failed.length,
      detail: {
        writers: opts.writers,
        callsPerRound: opts.callsPerRound,
        rounds: opts.rounds,
        writesAcknowledged: writes,
        serverChanges: stats.changes,
        base: perKind('base'),
        burst: perKind('burst'),
        control: perKind('control'),
        ratioP99: round(burst.p99 / base.p99, 3),
        controlRatioP99: round(control.p99 / base.p99, 3),
      },
    };
  } finally {
    await Promise.all([portico.stop(), upstream.stop()]);
  }
}
