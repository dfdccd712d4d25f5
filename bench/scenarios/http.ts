// Added latency (concurrency 1) and throughput (concurrency 16) through /mcp/gateway to an HTTP
// connector on loopback, against the same request sent directly and a bare SDK server.
import { httpRequest, McpHttpSession, newAgent } from '../lib/mcp-client';
import { startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { load, now, round, summarize } from '../lib/stats';

export interface HttpOptions {
  latencyCalls: number;
  throughputRounds: number;
  roundMs: number;
  concurrency: number;
}

export async function httpScenarios(opts: HttpOptions, log: (s: string) => void) {
  const upstream = await startServer('upstream', {});
  const upstreamUrl = String(upstream.ready.url);
  const portico = await startServer('portico', { setup: 'http', upstream: upstreamUrl });
  const sdk = await startServer('sdk-bare', {});
  try {
    const gwUrl = `${portico.ready.url}/mcp/gateway?customer_id=acme`;
    const auth = { authorization: `Bearer ${portico.ready.gatewayKey}` };
    const gw = new McpHttpSession(gwUrl, auth, newAgent(64));
    await gw.initialize();
    const { tools } = (await gw.request('tools/list')) as { tools: { name: string }[] };
    const tool = tools.find((t) => /get_?item/i.test(t.name))?.name;
    if (!tool) throw new Error(`no getItem tool in ${tools.map((t) => t.name).join(', ')}`);
    const directAgent = newAgent(64);
    const itemUrl = new URL(`${upstreamUrl}/items/abc-123?verbose=true`);
    const direct = async () => {
      const answer = await httpRequest(directAgent, itemUrl, 'GET', {
        accept: 'application/json',
        'x-api-key': 'key-acme-0123456789',
      });
      if (answer.status !== 200) throw new Error(`direct: HTTP ${answer.status}`);
      return JSON.parse(answer.body.toString('utf8'));
    };
    const viaGateway = async () => {
      const result = await gw.callTool(tool, { itemId: 'abc-123', verbose: true });
      if (!JSON.stringify(result).includes('abc-123')) throw new Error('gateway: unexpected result');
      return result;
    };

    // Added latency: the two paths alternate call by call, so noise hits both alike.
    log(`latency: ${opts.latencyCalls} calls each, alternating direct / gateway`);
    for (let i = 0; i < 300; i += 1) {
      await direct();
      await viaGateway();
    }
    const d: number[] = [];
    const g: number[] = [];
    for (let i = 0; i < opts.latencyCalls; i += 1) {
      const order: [() => Promise<unknown>, number[]][] =
        i % 2 === 0
          ? [
              [direct, d],
              [viaGateway, g],
            ]
          : [
              [viaGateway, g],
              [direct, d],
            ];
      for (const [fn, out] of order) {
        const t0 = now();
        await fn();
        out.push(now() - t0);
      }
    }
    const ds = summarize(d);
    const gs = summarize(g);

    // Throughput: time slices alternate between the gateway and the bare SDK server.
    const bare = new McpHttpSession(String(sdk.ready.url), {}, newAgent(64));
    await bare.initialize();
    const echo = async () => {
      const result = await bare.callTool('echo', { message: 'hello' });
      if (!JSON.stringify(result).includes('hello')) throw new Error('sdk: unexpected result');
    };
    log(
      `throughput: ${opts.throughputRounds} × ${opts.roundMs} ms slices each, concurrency ${opts.concurrency}`,
    );
    await load(opts.concurrency, 1_000, viaGateway);
    await load(opts.concurrency, 1_000, echo);
    const tput = {
      gateway: { calls: 0, s: 0, lat: [] as number[], errors: 0 },
      sdk: { calls: 0, s: 0, lat: [] as number[], errors: 0 },
    };
    for (let r = 0; r < opts.throughputRounds; r += 1) {
      const order = r % 2 === 0 ? (['gateway', 'sdk'] as const) : (['sdk', 'gateway'] as const);
      for (const which of order) {
        const res = await load(opts.concurrency, opts.roundMs, which === 'gateway' ? viaGateway : echo);
        if (res.firstError) log(`  ${which} error: ${res.firstError}`);
        const acc = tput[which];
        acc.calls += res.calls;
        acc.s += res.seconds;
        acc.errors += res.errors;
        acc.lat.push(...res.latencies);
      }
    }
    const gwRate = tput.gateway.calls / tput.gateway.s;
    const sdkRate = tput.sdk.calls / tput.sdk.s;
    const gwLat = summarize(tput.gateway.lat);
    const sdkLat = summarize(tput.sdk.lat);
    await gw.close();
    await bare.close();

    const rows: Row[] = [
      {
        scenario: 'Added latency',
        metric: 'tools/call p50 (c=1) vs direct HTTP',
        portico: gs.p50,
        baseline: ds.p50,
        compare: 'diff',
        unit: 'ms',
        target: 'Δ ≤ 1 ms',
        met: gs.p50 - ds.p50 <= 1,
      },
      {
        scenario: 'Added latency',
        metric: 'tools/call p99 (c=1) vs direct HTTP',
        portico: gs.p99,
        baseline: ds.p99,
        compare: 'diff',
        unit: 'ms',
        target: 'Δ ≤ 5 ms',
        met: gs.p99 - ds.p99 <= 5,
      },
      {
        scenario: 'Throughput',
        metric: `tools/call/s (c=${opts.concurrency}) vs bare SDK echo`,
        portico: gwRate,
        baseline: sdkRate,
        compare: 'ratio',
        unit: '/s',
        target: 'ratio ≥ 1.0',
        met: gwRate / sdkRate >= 1,
      },
      {
        scenario: 'Throughput',
        metric: `p99 (c=${opts.concurrency}) vs bare SDK echo`,
        portico: gwLat.p99,
        baseline: sdkLat.p99,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
    ];
    const detail = {
      latency: {
        direct: roundAll(ds),
        gateway: roundAll(gs),
        addedP50: round(gs.p50 - ds.p50, 3),
        addedP99: round(gs.p99 - ds.p99, 3),
      },
      throughput: {
        concurrency: opts.concurrency,
        gateway: {
          perSecond: round(gwRate, 1),
          calls: tput.gateway.calls,
          errors: tput.gateway.errors,
          latency: roundAll(gwLat),
        },
        sdk: {
          perSecond: round(sdkRate, 1),
          calls: tput.sdk.calls,
          errors: tput.sdk.errors,
          latency: roundAll(sdkLat),
        },
        ratio: round(gwRate / sdkRate, 3),
      },
    };
    return { rows, detail, errors: tput.gateway.errors + tput.sdk.errors };
  } finally {
    await Promise.all([portico.stop(), sdk.stop(), upstream.stop()]);
  }
}

export const roundAll = (s: ReturnType<typeof summarize>) => ({
  n: s.n,
  p50: round(s.p50, 3),
  p90: round(s.p90, 3),
  p99: round(s.p99, 3),
  mean: round(s.mean, 3),
  max: round(s.max, 3),
});
