// Resource reads through the gateway vs straight to the upstream: server-everything over
// Streamable HTTP on loopback, read by the same client directly and through a customer's
// /mcp/gateway session (an MCP connector pointing at it), alternating read by read.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { McpHttpSession, newAgent } from '../lib/mcp-client';
import { startServer, stopProcess, track } from '../lib/procs';
import type { Row } from '../lib/report';
import { now, summarize } from '../lib/stats';
import { roundAll } from './http';

const require = createRequire(join(process.cwd(), 'package.json'));
const URI = 'demo://resource/static/document/features.md';

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

export interface ResourcesOptions {
  reads: number;
}

export async function resourcesScenario(opts: ResourcesOptions, log: (s: string) => void) {
  const port = await freePort();
  const pkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
  const upstream = track(
    spawn(process.execPath, [join(dirname(pkg), 'dist', 'index.js'), 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  await new Promise<void>((resolve, reject) => {
    let said = '';
    upstream.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('listening on port')) resolve();
    });
    upstream.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${said}`)));
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  const portico = await startServer('portico', { setup: 'everything', everythingUrl: url });
  try {
    const viaPortico = new McpHttpSession(
      `${portico.ready.url}/mcp/gateway?customer_id=acme`,
      { authorization: `Bearer ${portico.ready.gatewayKey}` },
      newAgent(4),
    );
    const direct = new McpHttpSession(url, {}, newAgent(4));
    await viaPortico.initialize();
    await direct.initialize();
    const read = (session: McpHttpSession) => async () => {
      const r = (await session.request('resources/read', { uri: URI })) as { contents?: { text?: string }[] };
      if (!r.contents?.[0]?.text) throw new Error('resources/read: no text');
    };
    const gateway = read(viaPortico);
    const straight = read(direct);
    log(`resources: ${opts.reads} reads each (c=1), alternating direct / gateway`);
    for (let i = 0; i < 200; i += 1) {
      await straight();
      await gateway();
    }
    const d: number[] = [];
    const g: number[] = [];
    for (let i = 0; i < opts.reads; i += 1) {
      const order: [() => Promise<void>, number[]][] =
        i % 2 === 0
          ? [
              [straight, d],
              [gateway, g],
            ]
          : [
              [gateway, g],
              [straight, d],
            ];
      for (const [fn, out] of order) {
        const t0 = now();
        await fn();
        out.push(now() - t0);
      }
    }
    await viaPortico.close();
    await direct.close();
    const gs = summarize(g);
    const ds = summarize(d);
    const rows: Row[] = [
      {
        scenario: 'Resource reads',
        metric: 'resources/read p50 (c=1) vs direct to the upstream',
        portico: gs.p50,
        baseline: ds.p50,
        compare: 'diff',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario: 'Resource reads',
        metric: 'resources/read p99 (c=1) vs direct to the upstream',
        portico: gs.p99,
        baseline: ds.p99,
        compare: 'diff',
        unit: 'ms',
        target: '—',
        met: null,
      },
    ];
    return {
      rows,
      errors: 0,
      detail: {
        upstream: 'server-everything (Streamable HTTP)',
        uri: URI,
        gateway: roundAll(gs),
        direct: roundAll(ds),
      },
    };
  } finally {
    await portico.stop();
    await stopProcess(upstream);
  }
}
