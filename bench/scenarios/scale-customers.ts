// A 10,000-customer, 10,000-tool workspace (200 connectors × 50 actions; c000–c004 connected to
// every connector, the other customers to LINKS each): an admin write over /mcp/admin that changes
// one watched customer's exposure (configure_customer_tools, "selected" ↔ "all") → its session's
// notifications/tools/list_changed, with sessions of other customers open alongside (they must get
// none); and the server's RSS after setup and after the changes. Baseline: a bare SDK server
// holding the same 10,000 tools sending list_changed from a tool call, as the scale scenario does.
import { McpHttpSession, newAgent, parseMessages } from '../lib/mcp-client';
import { watchListChanged } from '../lib/notifications';
import { rssMb, startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { now, round, summarize } from '../lib/stats';
import { connectorSlug } from '../lib/workspace';
import { roundAll } from './http';

export interface ScaleCustomersOptions {
  connectors: number;
  actions: number;
  customers: number;
  wide: number;
  links: number;
  changes: number;
}

export async function scaleCustomersScenario(opts: ScaleCustomersOptions, log: (s: string) => void) {
  const tools = opts.connectors * opts.actions;
  log(
    `scale-customers: ${opts.customers} customers (${opts.wide} connected to all, the rest to ${opts.links}), ${opts.connectors} connectors × ${opts.actions} actions`,
  );
  const t0 = now();
  const { changes: _, ...shape } = opts;
  const portico = await startServer('portico', { setup: 'scale', ...shape }, [], 600_000);
  const startMs = now() - t0;
  const sdk = await startServer('sdk-bare', { connectors: opts.connectors, actions: opts.actions });
  try {
    const url = String(portico.ready.url);
    const auth = { authorization: `Bearer ${portico.ready.gatewayKey}` };
    const watched = ['c000', 'c002', 'c003', 'c004'].slice(0, Math.max(1, opts.wide - 1));
    const sessions = watched.map(
      (id) => new McpHttpSession(`${url}/mcp/gateway?customer_id=${id}`, auth, newAgent(4)),
    );
    const bare = new McpHttpSession(String(sdk.ready.url), {}, newAgent(4));
    const admin = new McpHttpSession(`${url}/mcp/admin`, {
      authorization: `Bearer ${portico.ready.adminKey}`,
    });
    await Promise.all([...sessions, bare, admin].map((s) => s.initialize()));
    const lists: number[] = [];
    for (const s of sessions) {
      const t = now();
      const listed = parseMessages(await s.raw('tools/list'))[0]?.result as { tools: unknown[] } | undefined;
      lists.push(now() - t);
      if (listed?.tools.length !== tools)
        throw new Error(`a session lists ${listed?.tools.length} tools, expected ${tools}`);
    }
    await bare.request('tools/list');
    const watches = sessions.map((s) => watchListChanged(s));
    const bareWatch = watchListChanged(bare);
    await Promise.all([...watches.map((w) => w.ready), bareWatch.ready]);
    const rssSetup = rssMb(portico.pid);
    const sdkRss = rssMb(sdk.pid);

    const [watch] = watches;
    if (!watch) throw new Error('no watched session');
    const allButLast = Array.from({ length: opts.connectors - 1 }, (_, c) => connectorSlug(c));
    const pc: number[] = [];
    const bc: number[] = [];
    const adminMs: number[] = [];
    for (let i = 0; i < opts.changes + 1; i += 1) {
      const change =
        i % 2 === 0
          ? { customer_id: 'c000', mode: 'selected', connector_ids: allButLast }
          : { customer_id: 'c000', mode: 'all' };
      const t1 = now();
      const arrived = watch.next();
      const done = admin.callTool('configure_customer_tools', change).then(() => now());
      const p = (await arrived) - t1;
      const a = (await done) - t1;
      const t2 = now();
      const bareArrived = bareWatch.next();
      await bare.callTool('touch', {});
      const b = (await bareArrived) - t2;
      if (i === 0) continue; // the first change warms the admin path up
      pc.push(p);
      adminMs.push(a);
      bc.push(b);
    }
    // Let any notification for the other sessions arrive before they are counted.
    await new Promise((r) => setTimeout(r, 300));
    const stray = watches.slice(1).reduce((n, w) => n + w.unclaimed(), 0) + watch.unclaimed();
    const rssAfter = rssMb(portico.pid);
    await Promise.all([...sessions, bare, admin].map((s) => s.close()));

    const pChange = summarize(pc);
    const bChange = summarize(bc);
    const scenario = `Scale (${opts.customers / 1000}k customers × ${tools / 1000}k tools)`;
    const rows: Row[] = [
      {
        scenario,
        metric: 'admin write → list_changed p50',
        portico: pChange.p50,
        baseline: bChange.p50,
        compare: 'ratio',
        unit: 'ms',
        target: '≤ 100 ms',
        met: pChange.p50 <= 100,
      },
      {
        scenario,
        metric: 'admin write → list_changed max',
        portico: pChange.max,
        baseline: bChange.max,
        compare: 'ratio',
        unit: 'ms',
        target: '—',
        met: null,
      },
      {
        scenario,
        metric: 'server RSS after setup (vs SDK, same tools)',
        portico: rssSetup,
        baseline: sdkRss,
        compare: 'ratio',
        unit: 'MB',
        target: '≤ 300 MB',
        met: rssSetup <= 300,
      },
      {
        scenario,
        metric: `server RSS after ${opts.changes} changes`,
        portico: rssAfter,
        baseline: sdkRss,
        compare: 'ratio',
        unit: 'MB',
        target: '≤ 300 MB',
        met: rssAfter <= 300,
      },
    ];
    return {
      rows,
      errors: stray,
      detail: {
        tools,
        customers: portico.ready.customers,
        connections: portico.ready.connections,
        setup: {
          mutateMs: portico.ready.mutateMs,
          mutateAndFlushMs: portico.ready.writeMs,
          serverReadyMs: round(startMs, 0),
        },
        sessions: watched,
        firstToolsListMs: lists.map((x) => round(x, 1)),
        listChanged: {
          portico: roundAll(pChange),
          sdk: roundAll(bChange),
          adminCallReturned: roundAll(summarize(adminMs)),
          strayNotifications: stray,
        },
        rssMb: { afterSetup: round(rssSetup, 1), afterChanges: round(rssAfter, 1), sdk: round(sdkRss, 1) },
      },
    };
  } finally {
    await Promise.all([portico.stop(), sdk.stop()]);
  }
}
