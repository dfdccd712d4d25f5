// Scrubbing by the call's own secrets: a gateway tools/call whose upstream answers a ~130 KB JSON
// report (carrying the caller's API key, which must come back masked), on a workspace of 10
// connections and on one of 10,000 (other customers' credentials). Two Portico servers, called
// alternately; the ratio of their p50s shows whether a call's cost grows with the workspace.
import { httpRequest, McpHttpSession, newAgent } from '../lib/mcp-client';
import { rssMb, startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { now, round, summarize } from '../lib/stats';
import { roundAll } from './http';

export interface ScrubOptions {
  calls: number;
  small: number;
  large: number;
}

const ACME_KEY = 'key-acme-0123456789';

export async function scrubScenario(opts: ScrubOptions, log: (s: string) => void) {
  const upstream = await startServer('upstream', {});
  const upstreamUrl = String(upstream.ready.url);
  log(
    `scrub: workspaces of ${opts.small} and ${opts.large} connections, ${opts.calls} calls each, alternating`,
  );
  const small = await startServer('portico', {
    setup: 'scrub',
    upstream: upstreamUrl,
    connections: opts.small,
  });
  const large = await startServer(
    'portico',
    { setup: 'scrub', upstream: upstreamUrl, connections: opts.large },
    [],
    180_000,
  );
  try {
    const session = async (server: typeof small) => {
      const s = new McpHttpSession(
        `${server.ready.url}/mcp/gateway?customer_id=acme`,
        { authorization: `Bearer ${server.ready.gatewayKey}` },
        newAgent(4),
      );
      await s.initialize();
      const { tools } = (await s.request('tools/list')) as { tools: { name: string }[] };
      const tool = tools.find((t) => /get_?report/i.test(t.name))?.name;
      if (!tool) throw new Error(`no getReport tool in ${tools.map((t) => t.name).join(', ')}`);
      return { s, tool };
    };
    const a = await session(small);
    const b = await session(large);
    let resultBytes = 0;
    const call = async ({ s, tool }: { s: McpHttpSession; tool: string }) => {
      const answer = await s.raw('tools/call', { name: tool, arguments: { itemId: 'r-1' } });
      const text = answer.body.toString('utf8');
      if (answer.status !== 200 || text.includes('"isError":true'))
        throw new Error(`scrub: ${text.slice(0, 300)}`);
      if (text.includes(ACME_KEY) || !text.includes('***'))
        throw new Error('scrub: the API key came back unmasked');
      resultBytes = answer.body.length;
    };
    const directAgent = newAgent(4);
    const reportUrl = new URL(`${upstreamUrl}/reports/r-1`);
    let upstreamBytes = 0;
    const direct = async () => {
      const answer = await httpRequest(directAgent, reportUrl, 'GET', { 'x-api-key': ACME_KEY });
      JSON.parse(answer.body.toString('utf8'));
      upstreamBytes = answer.body.length;
    };
    for (let i = 0; i < 100; i += 1) {
      await call(a);
      await call(b);
      await direct();
    }
    const sa: number[] = [];
    const sb: number[] = [];
    const sd: number[] = [];
    const steps: [() => Promise<unknown>, number[]][] = [
      [() => call(a), sa],
      [() => call(b), sb],
      [direct, sd],
    ];
    for (let i = 0; i < opts.calls; i += 1) {
      // Rotate the order each call, so drift and GC hit every side alike.
      for (let j = 0; j < steps.length; j += 1) {
        const [fn, out] = steps[(i + j) % steps.length] as [() => Promise<unknown>, number[]];
        const t0 = now();
        await fn();
        out.push(now() - t0);
      }
    }
    const ra = summarize(sa);
    const rb = summarize(sb);
    const rd = summarize(sd);
    await Promise.all([a.s.close(), b.s.close()]);
    const scenario = 'Scrubbing (130 KB answer)';
    const rows: Row[] = [
      {
        scenario,
        metric: `tools/call p50, ${opts.large.toLocaleString('en')} vs ${opts.small} connections`,
        portico: rb.p50,
        baseline: ra.p50,
        compare: 'ratio',
        unit: 'ms',
        target: 'ratio ≤ 1.2',
        met: rb.p50 / ra.p50 <= 1.2,
      },
      {
        scenario,
        metric: `tools/call p99, ${opts.large.toLocaleString('en')} vs ${opts.small} connections`,
        portico: rb.p99,
        baseline: ra.p99,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
    ];
    return {
      rows,
      errors: 0,
      detail: {
        upstreamBytes,
        resultBytes,
        connections: { small: small.ready.connections, large: large.ready.connections },
        setupWriteMs: { small: small.ready.writeMs, large: large.ready.writeMs },
        latency: { small: roundAll(ra), large: roundAll(rb), directHttp: roundAll(rd) },
        ratioP50: round(rb.p50 / ra.p50, 3),
        rssMb: { small: round(rssMb(small.pid), 1), large: round(rssMb(large.pid), 1) },
      },
    };
  } finally {
    await Promise.all([small.stop(), large.stop(), upstream.stop()]);
  }
}
