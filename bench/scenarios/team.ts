// Team mode (issue 15), in one run: the `http` setup's tools/call on one Portico whose workspace is
// on PostgreSQL against the embedded SQLite default (added latency at c=1, throughput at c=16);
// two PostgreSQL replicas against one, each behind the same small round-robin proxy (sticky per
// MCP session); and generous rate limits on PostgreSQL (shared by the replicas: database round
// trips) against none. PostgreSQL is Debian's, started like the tests start it
// (test/helpers/postgres.ts) and stopped afterwards.
import { startPostgres } from '../../test/helpers/postgres';
import { McpHttpSession, newAgent } from '../lib/mcp-client';
import { type Child, startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { alternate, load, round, summarize } from '../lib/stats';
import { roundAll } from './http';

export interface TeamOptions {
  latencyCalls: number;
  rounds: number;
  roundMs: number;
  concurrency: number;
}

type Call = () => Promise<unknown>;

async function gatewayCall(base: string, key: string, agent = newAgent(64)): Promise<Call> {
  const s = new McpHttpSession(
    `${base}/mcp/gateway?customer_id=acme`,
    { authorization: `Bearer ${key}` },
    agent,
  );
  await s.initialize();
  const { tools } = (await s.request('tools/list')) as { tools: { name: string }[] };
  const tool = tools.find((t) => /get_?item/i.test(t.name))?.name;
  if (!tool) throw new Error(`no getItem tool in ${tools.map((t) => t.name).join(', ')}`);
  return async () => {
    const result = await s.callTool(tool, { itemId: 'abc-123', verbose: true });
    if (!JSON.stringify(result).includes('abc-123')) throw new Error('unexpected result');
  };
}

/** `sessions` MCP sessions through `base`, used in turn: calls spread over the proxy's replicas. */
async function spread(base: string, key: string, sessions: number): Promise<Call> {
  const agent = newAgent(64);
  const calls = await Promise.all(Array.from({ length: sessions }, () => gatewayCall(base, key, agent)));
  let i = 0;
  return () => (calls[i++ % calls.length] as Call)();
}

/** Alternating load slices of `a` and `b` (order flipping each round), after a warm-up of each. */
async function slices(a: Call, b: Call, opts: TeamOptions, log: (s: string) => void) {
  await load(opts.concurrency, 1_000, a);
  await load(opts.concurrency, 1_000, b);
  const acc = [0, 1].map(() => ({ calls: 0, s: 0, errors: 0, lat: [] as number[] }));
  for (let r = 0; r < opts.rounds; r += 1) {
    for (const side of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const res = await load(opts.concurrency, opts.roundMs, side === 0 ? a : b);
      if (res.firstError) log(`  error: ${res.firstError}`);
      const x = acc[side] as (typeof acc)[number];
      x.calls += res.calls;
      x.s += res.seconds;
      x.errors += res.errors;
      x.lat.push(...res.latencies);
    }
  }
  return acc.map((x) => ({ rate: x.calls / x.s, errors: x.errors, latency: summarize(x.lat) }));
}

export async function teamScenario(opts: TeamOptions, log: (s: string) => void) {
  const started = Date.now();
  const pg = await startPostgres();
  log(
    `team: PostgreSQL ${pg.version} (${pg.binDir}) on 127.0.0.1:${pg.port}, ready in ${Date.now() - started} ms`,
  );
  const databaseUrl = pg.url;
  const children: Child[] = [];
  const start = async (name: string, config: Record<string, unknown>) => {
    const child = await startServer(name, config);
    children.push(child);
    return child;
  };
  try {
    const upstream = await start('upstream', {});
    const http = { setup: 'http', upstream: String(upstream.ready.url) };
    const sqlite = await start('portico', http);
    const a = await start('portico', { ...http, databaseUrl });
    const b = await start('portico', { ...http, databaseUrl, replicaOf: a.ready.dataDir });
    const key = String(a.ready.gatewayKey);

    // 1. One replica on PostgreSQL vs the embedded SQLite default.
    const onSqlite = await gatewayCall(String(sqlite.ready.url), String(sqlite.ready.gatewayKey));
    const onPg = await gatewayCall(String(a.ready.url), key);
    log(`team: ${opts.latencyCalls} calls each (c=1), alternating SQLite / PostgreSQL`);
    const [ls, lp] = await alternate(onSqlite, onPg, opts.latencyCalls);
    const s1 = summarize(ls);
    const p1 = summarize(lp);
    log(`team: throughput, ${opts.rounds} × ${opts.roundMs} ms slices each, c=${opts.concurrency}`);
    const [tSqlite, tPg] = await slices(onSqlite, onPg, opts, log);

    // 2. Two replicas vs one, behind the same kind of proxy, 16 sessions each.
    const one = await start('proxy', { backends: [a.ready.url] });
    const two = await start('proxy', { backends: [a.ready.url, b.ready.url] });
    const viaOne = await spread(String(one.ready.url), key, opts.concurrency);
    const viaTwo = await spread(String(two.ready.url), key, opts.concurrency);
    log(`team: two replicas vs one behind a round-robin proxy, c=${opts.concurrency}`);
    const [tOne, tTwo] = await slices(viaOne, viaTwo, opts, log);

    // 3. Generous rate limits on PostgreSQL (in the database) vs none, c=1.
    const admin = new McpHttpSession(
      `${a.ready.url}/mcp/admin`,
      { authorization: `Bearer ${a.ready.adminKey}` },
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
    const limitedCall = async (limits: Record<string, number>) => {
      const limitedKey = String(
        (await adminCall('create_api_key', { name: 'limited', scope: 'gateway' })).key,
      );
      await adminCall('set_rate_limits', { key_id: limitedKey.split('_')[1], ...limits });
      return gatewayCall(String(a.ready.url), limitedKey);
    };
    // Calls per minute only: one statement per call. Both limits: a transaction, and the lease's delete.
    const perMinute = await limitedCall({ calls_per_minute: 1_000_000 });
    const both = await limitedCall({ calls_per_minute: 1_000_000, concurrent: 10_000 });
    log(`team: ${opts.latencyCalls} calls each (c=1), PostgreSQL, generous key limits vs none`);
    const [lOff, lOn] = await alternate(onPg, perMinute, opts.latencyCalls);
    const off = summarize(lOff);
    const on = summarize(lOn);
    const [lOff2, lBoth] = await alternate(onPg, both, opts.latencyCalls);
    const off2 = summarize(lOff2);
    const onBoth = summarize(lBoth);

    const sessions = `${opts.concurrency} sessions, sticky per MCP session`;
    const rows: Row[] = [
      {
        scenario: 'Team mode',
        metric: 'tools/call p50 (c=1), 1 replica on PostgreSQL vs SQLite',
        portico: p1.p50,
        baseline: s1.p50,
        compare: 'diff',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario: 'Team mode',
        metric: 'tools/call p99 (c=1), 1 replica on PostgreSQL vs SQLite',
        portico: p1.p99,
        baseline: s1.p99,
        compare: 'diff',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario: 'Team mode',
        metric: `tools/call/s (c=${opts.concurrency}), 1 replica on PostgreSQL vs SQLite`,
        portico: tPg?.rate ?? 0,
        baseline: tSqlite?.rate ?? 0,
        compare: 'ratio',
        unit: '/s',
        target: '—',
        met: null,
      },
      {
        scenario: 'Team mode',
        metric: `tools/call/s (c=${opts.concurrency}), 2 replicas vs 1 behind a proxy (2 cores)`,
        portico: tTwo?.rate ?? 0,
        baseline: tOne?.rate ?? 0,
        compare: 'ratio',
        unit: '/s',
        target: '—',
        met: null,
        note: sessions,
      },
      {
        scenario: 'Team mode',
        metric: `p99 (c=${opts.concurrency}), 2 replicas vs 1 behind a proxy`,
        portico: tTwo?.latency.p99 ?? 0,
        baseline: tOne?.latency.p99 ?? 0,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario: 'Team mode',
        metric: 'tools/call p50 (c=1) on PostgreSQL, calls_per_minute limit vs none',
        portico: on.p50,
        baseline: off.p50,
        compare: 'diff',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario: 'Team mode',
        metric: 'tools/call p50 (c=1) on PostgreSQL, per-minute + concurrent limits vs none',
        portico: onBoth.p50,
        baseline: off2.p50,
        compare: 'diff',
        unit: 'ms',
        target: '—',
        met: null,
      },
    ];
    const detail = {
      postgres: pg.version,
      latency: { sqlite: roundAll(s1), postgres: roundAll(p1) },
      throughput: {
        sqlite: { perSecond: round(tSqlite?.rate ?? 0, 1), latency: roundAll(tSqlite?.latency ?? s1) },
        postgres: { perSecond: round(tPg?.rate ?? 0, 1), latency: roundAll(tPg?.latency ?? p1) },
      },
      replicas: {
        sessions,
        one: { perSecond: round(tOne?.rate ?? 0, 1), latency: roundAll(tOne?.latency ?? p1) },
        two: { perSecond: round(tTwo?.rate ?? 0, 1), latency: roundAll(tTwo?.latency ?? p1) },
      },
      limits: {
        off: roundAll(off),
        perMinute: roundAll(on),
        offAgain: roundAll(off2),
        perMinuteAndConcurrent: roundAll(onBoth),
      },
    };
    const errors = [tSqlite, tPg, tOne, tTwo].reduce((n, x) => n + (x?.errors ?? 0), 0);
    return { rows, detail, errors };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await pg.stop();
  }
}
