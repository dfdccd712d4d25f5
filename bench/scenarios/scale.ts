// Scale: 200 connectors × 50 actions (10,000 tools) across 100 customers. tools/list for a
// customer exposed to all of them, search_tools, server RSS, and config change → list_changed,
// each next to a bare SDK server holding the same 10,000 tools.
import { McpHttpSession, newAgent, parseMessages } from '../lib/mcp-client';
import { watchListChanged } from '../lib/notifications';
import { rssMb, startServer } from '../lib/procs';
import type { Row } from '../lib/report';
import { now, round, summarize } from '../lib/stats';
import { connectorSlug, generateActions } from '../lib/workspace';
import { roundAll } from './http';

export interface ScaleOptions {
  connectors: number;
  actions: number;
  customers: number;
  listCalls: number;
  searchCalls: number;
  changes: number;
}

export async function scaleScenario(opts: ScaleOptions, log: (s: string) => void) {
  const tools = opts.connectors * opts.actions;
  log(
    `scale: writing ${opts.connectors} connectors × ${opts.actions} actions across ${opts.customers} customers`,
  );
  const portico = await startServer('portico', {
    setup: 'scale',
    connectors: opts.connectors,
    actions: opts.actions,
    customers: opts.customers,
  });
  const sdk = await startServer('sdk-bare', { connectors: opts.connectors, actions: opts.actions });
  try {
    const url = String(portico.ready.url);
    const auth = { authorization: `Bearer ${portico.ready.gatewayKey}` };
    const direct = new McpHttpSession(`${url}/mcp/gateway?customer_id=c000`, auth, newAgent(8));
    const search = new McpHttpSession(`${url}/mcp/gateway?customer_id=c001`, auth, newAgent(8));
    const bare = new McpHttpSession(String(sdk.ready.url), {}, newAgent(8));
    await Promise.all([direct.initialize(), search.initialize(), bare.initialize()]);

    // tools/list: time to the last byte of the answer (what the server controls); checked once.
    const first = parseMessages(await direct.raw('tools/list'))[0]?.result as
      | { tools: unknown[] }
      | undefined;
    if (first?.tools.length !== tools)
      throw new Error(`c000 lists ${first?.tools.length} tools, expected ${tools}`);
    const bareFirst = parseMessages(await bare.raw('tools/list'))[0]?.result as
      | { tools: unknown[] }
      | undefined;
    const bytes = (await direct.raw('tools/list')).body.length;
    const bareBytes = (await bare.raw('tools/list')).body.length;
    log(
      `  tools/list: Portico ${first.tools.length} tools, ${(bytes / 1e6).toFixed(1)} MB; SDK ${bareFirst?.tools.length} tools, ${(bareBytes / 1e6).toFixed(1)} MB`,
    );
    const pl: number[] = [];
    const bl: number[] = [];
    for (let i = 0; i < opts.listCalls + 3; i += 1) {
      const order: [McpHttpSession, number[]][] =
        i % 2 === 0
          ? [
              [direct, pl],
              [bare, bl],
            ]
          : [
              [bare, bl],
              [direct, pl],
            ];
      for (const [s, out] of order) {
        const t0 = now();
        const answer = await s.raw('tools/list');
        if (answer.status !== 200) throw new Error(`tools/list HTTP ${answer.status}`);
        if (i >= 3) out.push(now() - t0);
      }
    }
    const pList = summarize(pl);
    const bList = summarize(bl);

    // search_tools (c001 is in search mode over the same 10,000 tools) vs a bare SDK tools/call.
    const queries = [
      'create invoice',
      'send a chat message',
      'delete ticket helpdesk',
      'list calendar events',
      'export report analytics',
      'sync contacts crm',
    ];
    const ps: number[] = [];
    const bs: number[] = [];
    const hits = (await search.callTool('search_tools', { query: 'create invoice' })).structuredContent as
      | { tools: unknown[] }
      | undefined;
    if (!hits?.tools.length) throw new Error('search_tools found nothing');
    for (let i = 0; i < opts.searchCalls + 20; i += 1) {
      const q = queries[i % queries.length] as string;
      const order: [() => Promise<unknown>, number[]][] =
        i % 2 === 0
          ? [
              [() => search.callTool('search_tools', { query: q, limit: 10 }), ps],
              [() => bare.callTool('echo', { message: q }), bs],
            ]
          : [
              [() => bare.callTool('echo', { message: q }), bs],
              [() => search.callTool('search_tools', { query: q, limit: 10 }), ps],
            ];
      for (const [fn, out] of order) {
        const t0 = now();
        await fn();
        if (i >= 20) out.push(now() - t0);
      }
    }
    const pSearch = summarize(ps);
    const bSearch = summarize(bs);

    const pRss = rssMb(portico.pid);
    const bRss = rssMb(sdk.pid);

    // Config change → tools/list_changed at a connected session, vs the SDK sending one.
    const admin = new McpHttpSession(
      `${url}/mcp/admin`,
      { authorization: `Bearer ${portico.ready.adminKey}` },
      newAgent(4),
    );
    await admin.initialize();
    const watch = watchListChanged(direct);
    const bareWatcher = new McpHttpSession(String(sdk.ready.url), {}, newAgent(4));
    await bareWatcher.initialize();
    const bareWatch = watchListChanged(bareWatcher);
    await Promise.all([watch.ready, bareWatch.ready]);
    const connector = connectorSlug(0);
    const action = generateActions(0, opts.actions)[0]?.name as string;
    const pc: number[] = [];
    const bc: number[] = [];
    const adminMs: number[] = [];
    for (let i = 0; i < opts.changes; i += 1) {
      const t0 = now();
      const arrived = watch.next();
      const done = admin
        .callTool('set_action_enabled', { connector_id: connector, action, enabled: i % 2 === 1 })
        .then(() => now());
      pc.push((await arrived) - t0);
      adminMs.push((await done) - t0);
      const t1 = now();
      const bareArrived = bareWatch.next();
      await bare.callTool('touch', {});
      bc.push((await bareArrived) - t1);
    }
    const pChange = summarize(pc);
    const bChange = summarize(bc);
    const pRssAfter = rssMb(portico.pid);
    await Promise.all([direct.close(), search.close(), bare.close(), admin.close(), bareWatcher.close()]);

    const rows: Row[] = [
      {
        scenario: `Scale (${tools / 1000}k tools)`,
        metric: 'tools/list p50, customer exposed to all',
        portico: pList.p50,
        baseline: bList.p50,
        compare: 'ratio',
        unit: 'ms',
        target: '≤ 20 ms',
        met: pList.p50 <= 20,
      },
      {
        scenario: `Scale (${tools / 1000}k tools)`,
        metric: 'search_tools p50 (vs SDK echo call)',
        portico: pSearch.p50,
        baseline: bSearch.p50,
        compare: 'ratio',
        unit: 'ms',
        target: '≤ 5 ms',
        met: pSearch.p50 <= 5,
      },
      {
        scenario: `Scale (${tools / 1000}k tools)`,
        metric: 'server RSS (vs SDK holding same tools)',
        portico: Math.max(pRss, pRssAfter),
        baseline: bRss,
        compare: 'ratio',
        unit: 'MB',
        target: '≤ 300 MB',
        met: Math.max(pRss, pRssAfter) <= 300,
      },
      {
        scenario: `Scale (${tools / 1000}k tools)`,
        metric: 'config change → list_changed p50',
        portico: pChange.p50,
        baseline: bChange.p50,
        compare: 'ratio',
        unit: 'ms',
        target: '≤ 100 ms',
        met: pChange.p50 <= 100,
      },
      {
        scenario: `Scale (${tools / 1000}k tools)`,
        metric: 'config change → list_changed max',
        portico: pChange.max,
        baseline: bChange.max,
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
        tools,
        customers: opts.customers,
        workspaceWriteMs: portico.ready.writeMs,
        listBytes: bytes,
        toolsList: { portico: roundAll(pList), sdk: roundAll(bList) },
        searchTools: { portico: roundAll(pSearch), sdkEcho: roundAll(bSearch) },
        rssMb: { portico: round(pRss, 1), porticoAfterChanges: round(pRssAfter, 1), sdk: round(bRss, 1) },
        listChanged: {
          portico: roundAll(pChange),
          sdk: roundAll(bChange),
          adminCallReturned: roundAll(summarize(adminMs)),
        },
      },
    };
  } finally {
    await Promise.all([portico.stop(), sdk.stop()]);
  }
}
