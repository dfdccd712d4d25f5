// Upstream faults under concurrent load, with recovery: an HTTP upstream that goes down,
// answers 500s, hangs, sends malformed JSON and comes back; a stdio MCP upstream killed
// mid-load; and clients that leave in the middle of a call.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServerCommand } from '../helpers/everything';
import { startFaultUpstream } from '../helpers/fault-upstream';
import { childPids, range, Waiter } from '../helpers/fault-util';
import { bearer, connectClient, initializeBody, startTestGateway } from '../helpers/gateway';

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[] };

const CUSTOMERS = ['c1', 'c2', 'c3', 'c4', 'c5'];
/** Customers whose sessions also reach server-everything over stdio. */
const STDIO_CUSTOMERS = ['c1', 'c2'];

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let up: Awaited<ReturnType<typeof startFaultUpstream>>;
const keys: Record<string, string> = {};
interface Session {
  n: number;
  customer: string;
  client: Client;
}
const sessions: Session[] = [];

function flakySpec() {
  const ok = { '200': { description: 'ok' } };
  return {
    openapi: '3.0.3',
    info: { title: 'Flaky', version: '1' },
    servers: [{ url: 'http://placeholder.invalid' }],
    paths: {
      '/ping': {
        get: {
          operationId: 'ping',
          summary: 'Ping the flaky upstream',
          parameters: [{ name: 'n', in: 'query', schema: { type: 'integer' } }],
          responses: ok,
        },
      },
      '/hang': { get: { operationId: 'hang', summary: 'Never answers', responses: ok } },
    },
  };
}

async function admin(name: string, args: Record<string, unknown>) {
  const result = await gw.app.callTool(name, args, 'internal');
  if (!result.ok) throw new Error(`${name}: ${result.error}`);
  return result.value as Record<string, unknown>;
}

const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');
const setTimeoutMs = (ms: number) =>
  gw.app.store.mutate((ws) => {
    ws.settings.upstreamTimeoutMs = ms;
  });

interface Outcome {
  session: number;
  op: 'list' | 'call';
  tool: string;
  startPhase: string;
  endPhase: string;
  isError: boolean;
  threw?: string;
  text: string;
  ms: number;
}

/**
 * Every session loops over tools/list and tools/call until stopped; each outcome is recorded
 * with the phase it started and ended in. Nothing sleeps: the test waits on outcomes.
 */
function startLoad(
  who: readonly Session[],
  toolFor: (s: Session, i: number) => { name: string; args: Record<string, unknown> },
  phase: () => string,
) {
  const outcomes: Outcome[] = [];
  const waiter = new Waiter();
  let running = true;
  const loop = async (s: Session) => {
    for (let i = 0; running; i++) {
      const startPhase = phase();
      const started = performance.now();
      const record = (o: Omit<Outcome, 'session' | 'startPhase' | 'endPhase' | 'ms'>) => {
        outcomes.push({ ...o, session: s.n, startPhase, endPhase: phase(), ms: performance.now() - started });
        waiter.notify();
      };
      if (i % 4 === 3) {
        try {
          const { tools } = await s.client.listTools(undefined, { timeout: 20_000 });
          record({ op: 'list', tool: '', isError: tools.length === 0, text: `${tools.length} tools` });
        } catch (error) {
          record({ op: 'list', tool: '', isError: true, threw: String(error), text: '' });
        }
        continue;
      }
      const { name, args } = toolFor(s, i);
      try {
        const result = (await s.client.callTool({ name, arguments: args }, undefined, {
          timeout: 20_000,
        })) as ToolResult;
        record({ op: 'call', tool: name, isError: Boolean(result.isError), text: textOf(result) });
      } catch (error) {
        record({ op: 'call', tool: name, isError: true, threw: String(error), text: '' });
      }
    }
  };
  const loops = who.map((s) => loop(s));
  return {
    outcomes,
    /** Resolves once every session has `count` calls that started and ended in `p` and pass `filter`. */
    each(p: string, count: number, filter: (o: Outcome) => boolean = () => true) {
      const done = () =>
        who.every(
          (s) =>
            outcomes.filter(
              (o) =>
                o.session === s.n && o.op === 'call' && o.startPhase === p && o.endPhase === p && filter(o),
            ).length >= count,
        );
      return waiter.until(done, `${count} calls per session in phase "${p}"`);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

const settle = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref()),
  ]);

beforeAll(async () => {
  gw = await startTestGateway();
  up = await startFaultUpstream();
  await admin('import_openapi', { slug: 'flaky', spec: flakySpec(), base_url: up.url });
  await admin('set_auth_config', { connector_id: 'flaky', scheme: 'none' });
  const { command, args } = everythingServerCommand();
  await admin('create_connector', {
    slug: 'everything',
    name: 'Everything',
    kind: 'mcp',
    transport: 'stdio',
    command,
    args,
  });
  await admin('refresh_connector', { connector_id: 'everything' });
  for (const id of CUSTOMERS) {
    await admin('create_customer', { id, name: id.toUpperCase() });
    await admin('create_connection', { customer_id: id, connector_id: 'flaky', credentials: {} });
    if (STDIO_CUSTOMERS.includes(id))
      await admin('create_connection', { customer_id: id, connector_id: 'everything', credentials: {} });
    await admin('configure_customer_tools', { customer_id: id, mode: 'all', tool_mode: 'direct' });
    keys[id] = gw.mint('gateway', [id]);
  }
  // 20 sessions: four per customer.
  const opened = await Promise.all(
    range(20).map(async (n) => {
      const customer = CUSTOMERS[n % CUSTOMERS.length] as string;
      const client = await connectClient(
        `${gw.app.url}/mcp/gateway?customer_id=${customer}`,
        bearer(keys[customer] as string),
      );
      return { n, customer, client };
    }),
  );
  sessions.push(...opened);
}, 60_000);

afterAll(async () => {
  for (const s of sessions) await s.client.close().catch(() => {});
  await gw.app.close();
});

describe('upstream faults under concurrent load', () => {
  it('an HTTP upstream that goes down, fails, hangs and lies, then comes back: every call gets a clear result', async () => {
    let phase = 'ok';
    const load = startLoad(
      sessions,
      (_s, i) => ({ name: 'flaky__ping', args: { n: i } }),
      () => phase,
    );
    const health = async () => (await fetch(`${gw.app.url}/healthz`)).status;
    try {
      await load.each('ok', 2);

      await up.stop();
      phase = 'down';
      await load.each('down', 2);
      expect(await health()).toBe(200);

      up.setMode('error500');
      await up.start(); // on the same port
      phase = '500';
      await load.each('500', 2);

      // 1.5 s, not less: on a busy 2-core CI machine a quick 500 can itself take a few hundred ms.
      // Calls read the timeout when they start: every session makes one with the short
      // timeout before the upstream starts hanging, so no call still waits the long one.
      setTimeoutMs(1_500);
      phase = '500-short';
      await load.each('500-short', 1);
      up.setMode('slow');
      phase = 'slow';
      await load.each('slow', 1);
      expect(await health()).toBe(200);

      setTimeoutMs(60_000);
      up.setMode('bad-json');
      phase = 'bad-json';
      await load.each('bad-json', 2);

      up.setMode('ok');
      phase = 'recovered';
      await load.each('recovered', 3);
    } finally {
      await load.stop();
    }
    const { outcomes } = load;
    const same = (p: string) =>
      outcomes.filter((o) => o.op === 'call' && o.startPhase === p && o.endPhase === p);
    const summary = (list: Outcome[]) =>
      list.slice(0, 3).map((o) => `${o.isError ? 'error' : 'ok'}: ${o.threw ?? o.text}`.slice(0, 200));

    // None hung or broke the protocol; every failure says what happened.
    expect(
      outcomes
        .filter((o) => o.threw)
        .map(
          (o) => `${o.threw} (session ${o.session}, ${o.startPhase} → ${o.endPhase}, ${Math.round(o.ms)} ms)`,
        ),
    ).toEqual([]);
    expect(outcomes.filter((o) => o.isError && !o.text.trim())).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(15_000);
    expect(outcomes.filter((o) => o.op === 'list' && o.isError)).toEqual([]);

    const expectations: [string, (o: Outcome) => boolean][] = [
      ['ok', (o) => !o.isError && o.text.includes('"ok":true')],
      ['down', (o) => o.isError && /connection refused|reset/.test(o.text)],
      ['500', (o) => o.isError && /HTTP 500/.test(o.text) && o.text.includes('upstream is failing')],
      ['500-short', (o) => o.isError && /HTTP 500/.test(o.text)],
      ['slow', (o) => o.isError && /timed out after 1500 ms/.test(o.text)],
      ['bad-json', (o) => !o.isError && /invalid JSON/.test(o.text)],
      ['recovered', (o) => !o.isError && o.text.includes('"ok":true')],
    ];
    for (const [p, good] of expectations) {
      const list = same(p);
      expect(list.length, p).toBeGreaterThanOrEqual(sessions.length);
      expect(summary(list.filter((o) => !good(o))), `phase ${p}`).toEqual([]);
    }
    // Calls that straddled a change got a result too: ok or a clear error, never a hang.
    const straddling = outcomes.filter((o) => o.startPhase !== o.endPhase);
    expect(straddling.filter((o) => o.isError && !/Upstream GET .* (failed|answered)/.test(o.text))).toEqual(
      [],
    );
    // The hung requests were given up at the timeout, and the upstream saw them go.
    expect(up.stats.aborted).toBeGreaterThanOrEqual(sessions.length);

    // After recovery, every session's calls succeed again.
    const after = await Promise.all(
      sessions.map(
        (s) => s.client.callTool({ name: 'flaky__ping', arguments: { n: 1 } }) as Promise<ToolResult>,
      ),
    );
    expect(after.filter((r) => r.isError).map(textOf)).toEqual([]);
    expect(await health()).toBe(200);
  }, 60_000);

  it('a stdio MCP upstream killed under load: calls fail clearly, then the next ones work on a new child', async () => {
    const stdio = sessions.filter((s) => STDIO_CUSTOMERS.includes(s.customer));
    let phase = 'before';
    const load = startLoad(
      sessions,
      (s, i) =>
        STDIO_CUSTOMERS.includes(s.customer)
          ? { name: 'everything__echo', args: { message: `m${i}` } }
          : { name: 'flaky__ping', args: { n: i } },
      () => phase,
    );
    let killed: number[] = [];
    try {
      await load.each('before', 2);
      killed = childPids(process.pid, 'server-everything');
      expect(killed.length).toBeGreaterThanOrEqual(STDIO_CUSTOMERS.length);
      for (const pid of killed) process.kill(pid, 'SIGKILL');
      phase = 'killed';
      // Every session gets a successful call that started after the kill.
      await load.each('killed', 2, (o) => !o.isError);
    } finally {
      await load.stop();
    }
    const { outcomes } = load;
    expect(outcomes.filter((o) => o.threw).map((o) => o.threw)).toEqual([]);
    const failed = outcomes.filter((o) => o.op === 'call' && o.isError);
    // Every failure is about the upstream that died, and says so.
    expect(
      failed.filter((o) => o.tool !== 'everything__echo' || !/upstream MCP server "everything"/.test(o.text)),
    ).toEqual([]);
    for (const o of failed) expect(o.text).toMatch(/stopped during the call|closed|Not connected|again/);
    // Portico started fresh children; the killed ones are gone.
    const now = childPids(process.pid, 'server-everything');
    expect(now.length).toBeGreaterThanOrEqual(STDIO_CUSTOMERS.length);
    expect(now.filter((pid) => killed.includes(pid))).toEqual([]);
    const ok = outcomes.filter(
      (o) => o.startPhase === 'killed' && o.tool === 'everything__echo' && !o.isError,
    );
    expect(new Set(ok.map((o) => o.session)).size).toBe(stdio.length);
  }, 60_000);

  it('a client that leaves mid-call: the upstream request is aborted, the server stays healthy, no session leaks', async () => {
    const url = `${gw.app.url}/mcp/gateway?customer_id=c3`;
    const headers = {
      authorization: `Bearer ${keys.c3}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const before = gw.app.sessionCount().gateway;
    const init = await fetch(url, { method: 'POST', headers, body: initializeBody });
    await init.text();
    const sid = init.headers.get('mcp-session-id') as string;
    expect(sid).toBeTruthy();
    const inSession = { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    await (
      await fetch(url, {
        method: 'POST',
        headers: inSession,
        body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      })
    ).text();
    expect(gw.app.sessionCount().gateway).toBe(before + 1);

    const waitFor = (event: 'request' | 'aborted') =>
      settle(
        new Promise<void>((resolve) => {
          const on = (path: string) => {
            if (path !== '/hang') return;
            up.events.off(event, on);
            resolve();
          };
          up.events.on(event, on);
        }),
        10_000,
        `the upstream to see /hang ${event}`,
      );

    // 1. The HTTP client goes away (the fetch is aborted, its socket closed).
    const reached = waitFor('request');
    const gone = waitFor('aborted');
    const controller = new AbortController();
    const call = fetch(url, {
      method: 'POST',
      headers: inSession,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'flaky__hang', arguments: {} },
      }),
      signal: controller.signal,
    })
      .then((res) => res.text())
      .catch((error: Error) => error.name);
    await reached;
    controller.abort();
    expect(await call).toBe('AbortError');
    await gone;

    // 1b. The same through the SDK transport (a progress token keeps it off the fast path).
    const reachedB = waitFor('request');
    const goneB = waitFor('aborted');
    const controllerB = new AbortController();
    const callB = fetch(url, {
      method: 'POST',
      headers: inSession,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 17,
        method: 'tools/call',
        params: { name: 'flaky__hang', arguments: {}, _meta: { progressToken: 'p1' } },
      }),
      signal: controllerB.signal,
    })
      .then((res) => res.text())
      .catch((error: Error) => error.name);
    await reachedB;
    controllerB.abort();
    expect(await callB).toBe('AbortError');
    await goneB;

    // 2. An MCP client cancels its call (notifications/cancelled).
    const client = sessions.find((s) => s.customer === 'c3')?.client as Client;
    const reached2 = waitFor('request');
    const gone2 = waitFor('aborted');
    const cancel = new AbortController();
    const cancelled = client
      .callTool({ name: 'flaky__hang', arguments: {} }, undefined, { signal: cancel.signal, timeout: 20_000 })
      .then(
        () => 'answered',
        (error: Error) => `${error.name}: ${error.message}`,
      );
    await reached2;
    cancel.abort();
    expect(await cancelled).toMatch(/AbortError|aborted/);
    await gone2;

    // Healthy: the same raw session still answers, and so do the others.
    expect((await fetch(`${gw.app.url}/healthz`)).status).toBe(200);
    const ping = await fetch(url, {
      method: 'POST',
      headers: inSession,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 8,
        method: 'tools/call',
        params: { name: 'flaky__ping', arguments: { n: 8 } },
      }),
    });
    expect(ping.status).toBe(200);
    expect(await ping.text()).toContain('\\"ok\\":true');
    expect(
      ((await client.callTool({ name: 'flaky__ping', arguments: {} })) as ToolResult).isError,
    ).toBeFalsy();

    // No session leaks: the raw one ends with DELETE, the SDK ones on termination.
    await (await fetch(url, { method: 'DELETE', headers: inSession })).text();
    expect(gw.app.sessionCount().gateway).toBe(before);
    for (const s of sessions.splice(0)) {
      await (s.client.transport as StreamableHTTPClientTransport).terminateSession();
      await s.client.close();
    }
    expect(gw.app.sessionCount()).toEqual({ admin: 0, gateway: 0 });
  }, 60_000);
});
