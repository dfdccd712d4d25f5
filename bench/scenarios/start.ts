// Start: `portico serve` (the built CLI) to its first accepted connection, and idle RSS,
// next to a bare `node` HTTP server started the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, rssMb, startChild } from '../lib/procs';
import type { Row } from '../lib/report';
import { now, round, summarize } from '../lib/stats';

const BARE = `require('node:http').createServer((q, s) => s.end('{"status":"ok"}')).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port); });`;

async function startOnce(kind: 'portico' | 'bare', dataDir: string) {
  const t0 = now();
  const child = await startChild(
    process.execPath,
    kind === 'portico'
      ? [join(ROOT, 'bin', 'portico.js'), 'serve', '--port', '0', '--data-dir', dataDir]
      : ['-e', BARE],
    {
      readyPattern: /listening on (http:\/\/[\d.]+:\d+)/i,
      env: { PORTICO_HEADLESS: '1' },
      timeoutMs: 30_000,
    },
  );
  const url = /(http:\/\/[\d.]+:\d+)/.exec(String(child.ready.line))?.[1];
  const res = await fetch(`${url}/healthz`);
  await res.text();
  const ms = now() - t0;
  if (res.status !== 200) throw new Error(`${kind}: /healthz answered ${res.status}`);
  await new Promise((r) => setTimeout(r, 1_500));
  const rss = rssMb(child.pid);
  await child.stop();
  return { ms, rss };
}

export async function startScenario(opts: { runs: number }, log: (s: string) => void) {
  log(`start: ${opts.runs} starts each, alternating (fresh data dir and warm data dir)`);
  const fresh: number[] = [];
  const warm: number[] = [];
  const bare: number[] = [];
  const rss: number[] = [];
  const bareRss: number[] = [];
  for (let i = 0; i < opts.runs; i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'portico-bench-start-'));
    try {
      const b = await startOnce('bare', dir);
      bare.push(b.ms);
      bareRss.push(b.rss);
      const f = await startOnce('portico', dir);
      fresh.push(f.ms);
      rss.push(f.rss);
      const w = await startOnce('portico', dir);
      warm.push(w.ms);
      rss.push(w.rss);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const f = summarize(fresh);
  const w = summarize(warm);
  const b = summarize(bare);
  const r = summarize(rss);
  const br = summarize(bareRss);
  const rows: Row[] = [
    {
      scenario: 'Start',
      metric: 'serve → first connection, fresh data dir (p50)',
      portico: f.p50,
      baseline: b.p50,
      compare: 'ratio',
      unit: 'ms',
      target: '≤ 1000 ms',
      met: f.max <= 1000,
    },
    {
      scenario: 'Start',
      metric: 'serve → first connection, existing data dir (p50)',
      portico: w.p50,
      baseline: b.p50,
      compare: 'ratio',
      unit: 'ms',
      target: '≤ 1000 ms',
      met: w.max <= 1000,
    },
    {
      scenario: 'Start',
      metric: 'idle RSS (vs bare node http)',
      portico: r.max,
      baseline: br.max,
      compare: 'ratio',
      unit: 'MB',
      target: '≤ 120 MB',
      met: r.max <= 120,
    },
  ];
  return {
    rows,
    errors: 0,
    detail: {
      freshMs: { p50: round(f.p50), max: round(f.max), all: fresh.map((x) => round(x)) },
      warmMs: { p50: round(w.p50), max: round(w.max), all: warm.map((x) => round(x)) },
      bareNodeMs: { p50: round(b.p50), max: round(b.max) },
      idleRssMb: { max: round(r.max, 1), p50: round(r.p50, 1), bareNode: round(br.max, 1) },
    },
  };
}
