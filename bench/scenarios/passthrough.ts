// MCP passthrough: server-everything over stdio through Portico vs through supergateway
// (stdio → Streamable HTTP, stateful), the same server and the same client, alternating.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { McpHttpSession, newAgent } from '../lib/mcp-client';
import { startServer, stopProcess, track } from '../lib/procs';
import type { Row } from '../lib/report';
import { load, now, round, summarize } from '../lib/stats';
import { roundAll } from './http';

const require = createRequire(join(process.cwd(), 'package.json'));

export function everythingCommand(): { command: string; args: string[] } {
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  return { command: process.execPath, args: [join(dirname(pkg), 'dist', 'index.js'), 'stdio'] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url, { method: 'GET' });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not come up`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface PassthroughOptions {
  rounds: number;
  roundMs: number;
  concurrency: number;
  latencyCalls: number;
}

export async function passthroughScenario(opts: PassthroughOptions, log: (s: string) => void) {
  const everything = everythingCommand();
  const portico = await startServer('portico', { setup: 'everything', everything });
  const port = await freePort();
  const sgBin = require.resolve('supergateway/dist/index.js');
  const stdioCommand = [everything.command, ...everything.args].map((a) => JSON.stringify(a)).join(' ');
  // supergateway prints nothing with --logLevel none: start it plainly and poll its port.
  const sg = track(
    spawn(
      process.execPath,
      [
        sgBin,
        '--stdio',
        stdioCommand,
        '--outputTransport',
        'streamableHttp',
        '--stateful',
        '--port',
        String(port),
        '--logLevel',
        'none',
      ],
      { stdio: 'ignore' },
    ),
  );
  try {
    const peerUrl = `http://127.0.0.1:${port}/mcp`;
    await waitForPort(peerUrl, 30_000);
    const viaPortico = new McpHttpSession(
      `${portico.ready.url}/mcp/gateway?customer_id=acme`,
      { authorization: `Bearer ${portico.ready.gatewayKey}` },
      newAgent(64),
    );
    const viaPeer = new McpHttpSession(peerUrl, {}, newAgent(64));
    await viaPortico.initialize();
    await viaPeer.initialize();
    const { tools } = (await viaPortico.request('tools/list')) as { tools: { name: string }[] };
    const echoName = tools.find((t) => /__echo$/.test(t.name))?.name;
    if (!echoName) throw new Error(`no echo tool through Portico: ${tools.map((t) => t.name).join(', ')}`);
    const callPortico = async () => {
      const r = await viaPortico.callTool(echoName, { message: 'ping' });
      if (!JSON.stringify(r).includes('ping')) throw new Error('portico: unexpected echo');
    };
    const callPeer = async () => {
      const r = await viaPeer.callTool('echo', { message: 'ping' });
      if (!JSON.stringify(r).includes('ping')) throw new Error('peer: unexpected echo');
    };
    log(
      `passthrough: latency ${opts.latencyCalls} calls each (c=1), then ${opts.rounds} × ${opts.roundMs} ms slices (c=${opts.concurrency})`,
    );
    for (let i = 0; i < 200; i += 1) {
      await callPortico();
      await callPeer();
    }
    const p1: number[] = [];
    const s1: number[] = [];
    for (let i = 0; i < opts.latencyCalls; i += 1) {
      const order: [() => Promise<void>, number[]][] =
        i % 2 === 0
          ? [
              [callPortico, p1],
              [callPeer, s1],
            ]
          : [
              [callPeer, s1],
              [callPortico, p1],
            ];
      for (const [fn, out] of order) {
        const t0 = now();
        await fn();
        out.push(now() - t0);
      }
    }
    const acc = {
      portico: { calls: 0, s: 0, lat: [] as number[], errors: 0 },
      peer: { calls: 0, s: 0, lat: [] as number[], errors: 0 },
    };
    await load(opts.concurrency, 1_000, callPortico);
    await load(opts.concurrency, 1_000, callPeer);
    for (let r = 0; r < opts.rounds; r += 1) {
      const order = r % 2 === 0 ? (['portico', 'peer'] as const) : (['peer', 'portico'] as const);
      for (const which of order) {
        const res = await load(opts.concurrency, opts.roundMs, which === 'portico' ? callPortico : callPeer);
        if (res.firstError) log(`  ${which} error: ${res.firstError}`);
        const a = acc[which];
        a.calls += res.calls;
        a.s += res.seconds;
        a.errors += res.errors;
        a.lat.push(...res.latencies);
      }
    }
    await viaPortico.close();
    await viaPeer.close();
    const pRate = acc.portico.calls / acc.portico.s;
    const sRate = acc.peer.calls / acc.peer.s;
    const pLat = summarize(acc.portico.lat);
    const sLat = summarize(acc.peer.lat);
    const pc1 = summarize(p1);
    const sc1 = summarize(s1);
    const rows: Row[] = [
      {
        scenario: 'MCP passthrough',
        metric: `everything echo calls/s (c=${opts.concurrency}) vs supergateway`,
        portico: pRate,
        baseline: sRate,
        compare: 'ratio',
        unit: '/s',
        target: 'ratio ≥ 2.0',
        met: pRate / sRate >= 2,
      },
      {
        scenario: 'MCP passthrough',
        metric: `p99 (c=${opts.concurrency}) vs supergateway`,
        portico: pLat.p99,
        baseline: sLat.p99,
        compare: 'ratio',
        unit: 'ms',
        target: 'lower',
        met: pLat.p99 < sLat.p99,
      },
      {
        scenario: 'MCP passthrough',
        metric: 'p50 (c=1) vs supergateway',
        portico: pc1.p50,
        baseline: sc1.p50,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario: 'MCP passthrough',
        metric: 'p99 (c=1) vs supergateway',
        portico: pc1.p99,
        baseline: sc1.p99,
        compare: 'ratio',
        unit: 'ms',
        target: 'lower',
        met: pc1.p99 < sc1.p99,
      },
    ];
    return {
      rows,
      errors: acc.portico.errors + acc.peer.errors,
      detail: {
        peer: 'supergateway (stdio → streamableHttp, --stateful)',
        concurrency: opts.concurrency,
        portico: {
          perSecond: round(pRate, 1),
          errors: acc.portico.errors,
          latency: roundAll(pLat),
          c1: roundAll(pc1),
        },
        peerResult: {
          perSecond: round(sRate, 1),
          errors: acc.peer.errors,
          latency: roundAll(sLat),
          c1: roundAll(sc1),
        },
        ratio: round(pRate / sRate, 3),
      },
    };
  } finally {
    await stopProcess(sg);
    await portico.stop();
  }
}
