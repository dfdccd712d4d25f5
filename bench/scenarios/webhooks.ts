// A webhook receiver that never answers must not slow tool calls: tools/call latency (c=1) through
// a Portico with a webhook subscribed to every event, whose receiver accepts the connection and
// never responds, against a Portico without webhooks, the two alternating call by call in one run.
import { createServer, type Socket } from 'node:net';
import { McpHttpSession, newAgent } from '../lib/mcp-client';
import { startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { alternate, summarize } from '../lib/stats';
import { roundAll } from './http';

export interface WebhooksOptions {
  calls: number;
}

/** A TCP server that accepts every connection, reads whatever comes and never writes a byte. */
async function silentReceiver() {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the silent receiver has no port');
  return {
    url: `http://127.0.0.1:${address.port}/hooks`,
    accepted: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function webhooksScenario(opts: WebhooksOptions, log: (s: string) => void) {
  const receiver = await silentReceiver();
  const upstream = await startServer('upstream', {});
  const upstreamUrl = String(upstream.ready.url);
  const [plain, hooked] = await Promise.all([
    startServer('portico', { setup: 'http', upstream: upstreamUrl }),
    startServer('portico', { setup: 'http', upstream: upstreamUrl, webhookUrl: receiver.url }),
  ]);
  try {
    const session = async (server: typeof plain) => {
      const s = new McpHttpSession(
        `${server.ready.url}/mcp/gateway?customer_id=acme`,
        { authorization: `Bearer ${server.ready.gatewayKey}` },
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
    const withoutHooks = await session(plain);
    const withHooks = await session(hooked);

    log(`webhooks: ${opts.calls} calls each, alternating; the webhook's receiver never answers`);
    const [base, hooks] = await alternate(withoutHooks, withHooks, opts.calls);
    const b = summarize(base);
    const h = summarize(hooks);
    const hanging = receiver.accepted();
    if (hanging === 0)
      throw new Error('the webhook receiver was never contacted: the scenario measured nothing');
    const rows: Row[] = [
      {
        scenario: 'Webhooks',
        metric: 'tools/call p50 (c=1), receiver never answers, vs no webhooks',
        portico: h.p50,
        baseline: b.p50,
        compare: 'ratio',
        unit: 'ms',
        target: 'ratio ≤ 1.1',
        met: h.p50 / b.p50 <= 1.1,
      },
      {
        scenario: 'Webhooks',
        metric: 'tools/call p99 (c=1), receiver never answers, vs no webhooks',
        portico: h.p99,
        baseline: b.p99,
        compare: 'ratio',
        unit: 'ms',
        target: 'ratio ≤ 1.1',
        met: h.p99 / b.p99 <= 1.1,
      },
    ];
    return {
      rows,
      detail: { withWebhook: roundAll(h), withoutWebhooks: roundAll(b), receiverConnectionsHeld: hanging },
      errors: 0,
    };
  } finally {
    await Promise.all([plain.stop(), hooked.stop(), upstream.stop()]);
    await receiver.close();
  }
}
