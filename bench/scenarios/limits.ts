// Rate limits cost nothing measurable under the limit: tools/call latency (c=1) through one
// Portico, for a key and customer with generous limits set (calls per minute and calls at once, on
// both the key and the customer) against a key and customer without limits — the same server, the
// same tool, the two alternating call by call in one run.
import { McpHttpSession, newAgent } from '../lib/mcp-client';
import { startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { alternate, summarize } from '../lib/stats';
import { roundAll } from './http';

export interface LimitsOptions {
  calls: number;
}

const GENEROUS = { calls_per_minute: 1_000_000, concurrent: 10_000 };

export async function limitsScenario(opts: LimitsOptions, log: (s: string) => void) {
  const upstream = await startServer('upstream', {});
  const server = await startServer('portico', {
    setup: 'http',
    upstream: String(upstream.ready.url),
    customers: 2,
  });
  try {
    const base = String(server.ready.url);
    const admin = new McpHttpSession(
      `${base}/mcp/admin`,
      { authorization: `Bearer ${server.ready.adminKey}` },
      newAgent(2),
    );
    await admin.initialize();
    const adminCall = async (name: string, args: Record<string, unknown>) => {
      const result = (await admin.request('tools/call', { name, arguments: args })) as {
        isError?: boolean;
        structuredContent?: Record<string, unknown>;
        content?: unknown;
      };
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 300)}`);
      return result.structuredContent ?? {};
    };
    const limitedKey = String((await adminCall('create_api_key', { name: 'limited', scope: 'gateway' })).key);
    await adminCall('set_rate_limits', { key_id: limitedKey.split('_')[1], ...GENEROUS });
    await adminCall('set_rate_limits', { customer_id: 'cust01', ...GENEROUS });

    const session = async (customerId: string, key: string) => {
      const s = new McpHttpSession(
        `${base}/mcp/gateway?customer_id=${customerId}`,
        { authorization: `Bearer ${key}` },
        newAgent(8),
      );
      await s.initialize();
      const { tools } = (await s.request('tools/list')) as { tools: { name: string }[] };
      const tool = tools.find((t) => /get_?item/i.test(t.name))?.name;
      if (!tool) throw new Error(`no getItem tool in ${tools.map((t) => t.name).join(', ')}`);
      return async () => {
        const result = await s.callTool(tool, { itemId: 'abc-123', verbose: true });
        if (!JSON.stringify(result).includes('abc-123')) throw new Error('unexpected result');
      };
    };
    const off = await session('cust00', String(server.ready.gatewayKey));
    const on = await session('cust01', limitedKey);

    log(`limits: ${opts.calls} calls each, alternating; generous key and customer limits vs none`);
    const [without, limited] = await alternate(off, on, opts.calls);
    const b = summarize(without);
    const l = summarize(limited);
    const rows: Row[] = [
      {
        scenario: 'Rate limits',
        metric: 'tools/call p50 (c=1), generous key + customer limits, vs limits off',
        portico: l.p50,
        baseline: b.p50,
        compare: 'ratio',
        unit: 'ms',
        target: 'ratio ≤ 1.05',
        met: l.p50 / b.p50 <= 1.05,
      },
    ];
    return { rows, detail: { limited: roundAll(l), limitsOff: roundAll(b) }, errors: 0 };
  } finally {
    await Promise.all([server.stop(), upstream.stop()]);
  }
}
