// Team mode (issue 15, "Done when"): a real PostgreSQL, three `portico serve` processes on it and a
// round-robin proxy in front, as a load balancer would run them. SDK clients on both planes keep
// their sessions (no re-initialize) while replicas are killed with SIGKILL mid-session; the one call
// in flight on a killed replica fails with a clear error — the proxy's 502 when it was answered as
// JSON, Portico's own error (the stream resumed on another replica) when it was an SSE stream; a
// change made through replica A reaches a session held through replica B as list_changed in under
// a second; a webhook event is delivered exactly once while the replica delivering it is killed; a
// rate limit holds across the replicas.
import { copyFileSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { type Served, serve } from '../helpers/cli';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, initializeBody, rawPost } from '../helpers/gateway';
import { BAD_GATEWAY, startRoundRobinProxy } from '../helpers/round-robin-proxy';
import { workspaceTarget } from '../helpers/store';
import { tempDir } from '../helpers/temp';
import { startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

/** Polls `check` until it gives a truthy value (returned), at most `ms`. */
async function until<T>(
  check: () => T | Promise<T>,
  ms: number,
  what: string,
): Promise<Exclude<T, false | null | undefined>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | null | undefined>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calls an admin tool and returns its structured result; throws with the tool's message when it fails. */
async function adminTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as Result;
  if (result.isError) throw new Error(`${name}: ${text(result)}`);
  return (result.structuredContent ?? JSON.parse(text(result))) as Record<string, unknown>;
}

/**
 * The replica process holding an established TCP connection to 127.0.0.1:`port` (Linux /proc):
 * which one is delivering a webhook right now.
 */
function replicaConnectedTo(replicas: Served[], port: number): Served | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let rows: string[] = [];
    try {
      rows = readFileSync(table, 'utf8').split('\n').slice(1);
    } catch {}
    for (const row of rows) {
      const fields = row.trim().split(/\s+/);
      const remote = Number.parseInt(fields[2]?.split(':')[1] ?? '', 16);
      if (remote === port && fields[3] === '01' && fields[9]) inodes.add(fields[9]);
    }
  }
  const holds = (pid: number | undefined) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          return inode !== undefined && inodes.has(inode);
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  return replicas.find((replica) => holds(replica.proc.pid));
}

const sessionOf = (client: Client) => (client.transport as StreamableHTTPClientTransport).sessionId ?? '';

describe.skipIf(!inject('postgresUrl'))(
  'a team cluster: three `portico serve` on PostgreSQL behind a proxy',
  () => {
    const clients: Client[] = [];
    const replicas: Served[] = [];
    let env: NodeJS.ProcessEnv;
    let firstDir: string;
    let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
    let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>;
    const keys = { admin: '', gateway: '' };
    /** SDK clients through the proxy, one per plane, kept for the whole file. */
    let gateway: Client;
    let admin: Client;
    let sessions: string[];

    /** Another replica: its own data dir with the workspace's key file (replicas share it), the same database. */
    async function startReplica(): Promise<Served> {
      const dir = tempDir();
      copyFileSync(join(firstDir, 'secret.key'), join(dir, 'secret.key'));
      return serve(['--data-dir', dir, '--host', '127.0.0.1'], env);
    }

    /** SIGKILLs a replica and waits for it to be gone. */
    async function kill(victim: Served) {
      victim.proc.kill('SIGKILL');
      await victim.stop();
    }

    /** A fresh replica takes a dead one's place behind the proxy (as an orchestrator would restart it). */
    async function replace(victim: Served) {
      if (!replicas.includes(victim)) return; // replaced already
      const fresh = await startReplica();
      replicas[replicas.indexOf(victim)] = fresh;
      proxy.targets[proxy.targets.indexOf(victim.url)] = fresh.url;
    }

    /**
     * Starts a gateway call (through the proxy, on the shared session) that the upstream holds, and
     * resolves once it is in flight there: its outcome (the answer's or the error's message), the
     * proxy's record of it and the replica running it.
     */
    async function holdCall(options?: RequestOptions) {
      const sent = proxy.forwarded.length;
      const slow = slowCalls();
      const outcome = gateway.callTool({ name: 'echo__hang', arguments: {} }, undefined, options).then(
        () => 'answered',
        (error: Error) => error.message,
      );
      const held = await until(
        () =>
          slowCalls() > slow && proxy.forwarded.slice(sent).find((f) => f.rpc === 'tools/call' && !f.ended),
        10_000,
        'the call to reach the upstream',
      );
      const replica = replicas.find((r) => r.url === held.target);
      if (!replica) throw new Error(`no replica at ${held.target}`);
      return { outcome, held, replica, sent };
    }

    async function connect(url: string, key: string) {
      const client = await connectClient(url, bearer(key));
      clients.push(client);
      return client;
    }

    /** A few calls on both planes through the proxy, each of which must succeed. */
    async function round() {
      const { tools } = await gateway.listTools();
      expect(tools.map((t) => t.name)).toContain('echo__ping');
      const result = (await gateway.callTool({ name: 'echo__ping', arguments: {} })) as Result;
      expect(result.isError, text(result)).toBeFalsy();
      const customers = (await admin.callTool({ name: 'list_customers', arguments: {} })) as Result;
      expect(customers.isError, text(customers)).toBeFalsy();
    }

    const initializes = () => proxy.forwarded.filter((f) => f.rpc === 'initialize').length;
    const slowCalls = () => echo.received.filter((r) => r.path === '/slow').length;

    beforeAll(async () => {
      const target = await workspaceTarget('postgres');
      firstDir = target.dataDir;
      // A short webhook timeout: a claim's lease (3 timeouts) runs out 6 s after a replica dies.
      env = { PORTICO_DATABASE_URL: target.databaseUrl ?? '', PORTICO_WEBHOOK_TIMEOUT: '2' };
      echo = await startEchoUpstream();
      const first = await serve(['--data-dir', firstDir, '--host', '127.0.0.1'], env);
      replicas.push(first);
      keys.admin = /^\s+(ptc_\w+)\s*$/m.exec(first.output())?.[1] ?? '';
      expect(keys.admin, first.output()).not.toBe('');
      const setup = await connect(`${first.url}/mcp/admin`, keys.admin);
      await adminTool(setup, 'create_connector', {
        slug: 'echo',
        name: 'Echo',
        kind: 'http',
        base_url: echo.url,
      });
      await adminTool(setup, 'create_action', {
        connector_id: 'echo',
        name: 'ping',
        method: 'GET',
        path: '/echo/ping',
      });
      // The upstream holds this one until it is closed: a call in flight for as long as needed.
      await adminTool(setup, 'create_action', {
        connector_id: 'echo',
        name: 'hang',
        method: 'GET',
        path: '/slow',
      });
      await adminTool(setup, 'create_customer', { id: 'acme', name: 'Acme' });
      await adminTool(setup, 'create_connection', {
        customer_id: 'acme',
        connector_id: 'echo',
        credentials: {},
      });
      await adminTool(setup, 'configure_customer_tools', { customer_id: 'acme', mode: 'all' });
      keys.gateway = String(
        (await adminTool(setup, 'create_api_key', { name: 'agent', scope: 'gateway' })).key ?? '',
      );
      replicas.push(...(await Promise.all([startReplica(), startReplica()])));
      // Every replica knows the keys and the customer.
      for (const replica of replicas) {
        const init = await rawPost(
          `${replica.url}/mcp/gateway?customer_id=acme`,
          initializeBody,
          bearer(keys.gateway),
        );
        expect(init.status, init.text).toBe(200);
      }
      proxy = await startRoundRobinProxy(replicas.map((r) => r.url));
      gateway = await connect(`${proxy.url}/mcp/gateway?customer_id=acme`, keys.gateway);
      admin = await connect(`${proxy.url}/mcp/admin`, keys.admin);
      sessions = [sessionOf(gateway), sessionOf(admin)];
      for (let i = 0; i < 3; i++) await round();
      // Requests on the two sessions reached every replica.
      const onSessions = proxy.forwarded.filter((f) => f.rpc === 'tools/call' || f.rpc === 'tools/list');
      expect(new Set(onSessions.map((f) => f.target)).size).toBe(3);
    }, 60_000);

    afterAll(async () => {
      for (const client of clients) await client.close().catch(() => {});
      await proxy?.close();
      await Promise.all(
        replicas.map((replica) => {
          replica.proc.kill('SIGKILL');
          return replica.stop();
        }),
      );
    });

    it('a change made through replica A reaches a session held through replica B as list_changed in under a second', async () => {
      const [a, b] = replicas as [Served, Served];
      const onA = await connect(`${a.url}/mcp/admin`, keys.admin);
      const onB = await connect(`${b.url}/mcp/gateway?customer_id=acme`, keys.gateway);
      let heard: number | undefined;
      onB.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        heard ??= Date.now();
      });
      let n = 0;
      const change = () =>
        adminTool(onA, 'create_action', {
          connector_id: 'echo',
          name: `probe_${n++}`,
          method: 'GET',
          path: '/echo/probe',
        });
      // The client opens its GET stream a moment after initialize: a first change, repeated until it
      // is heard, proves the stream is open on B.
      await until(
        async () => {
          heard = undefined;
          await change();
          return until(() => heard, 1_000, 'list_changed').catch(() => false);
        },
        10_000,
        'a first list_changed on B',
      );
      heard = undefined;
      const started = Date.now();
      await change();
      await until(() => heard, 5_000, 'list_changed on B');
      const latency = (heard ?? Number.POSITIVE_INFINITY) - started;
      expect(latency, `list_changed after ${latency} ms`).toBeLessThan(1_000);
      const { tools } = await onB.listTools();
      expect(tools.map((t) => t.name)).toContain(`echo__probe_${n - 1}`);
    }, 30_000);

    it('a rate limit of N calls per minute holds across the replicas: exactly N of 3N calls pass', async () => {
      const N = 4;
      const created = await adminTool(admin, 'create_api_key', { name: 'limited', scope: 'gateway' });
      const id = String(created.id);
      await adminTool(admin, 'set_rate_limits', { key_id: id, calls_per_minute: N });
      // Every replica has heard of the limit (each asked directly).
      for (const replica of replicas) {
        const direct = await connect(`${replica.url}/mcp/admin`, keys.admin);
        await until(
          async () => {
            const listed = (await adminTool(direct, 'list_api_keys')).keys as {
              id: string;
              limits?: { calls_per_minute: number | null };
            }[];
            return listed.find((k) => k.id === id)?.limits?.calls_per_minute === N;
          },
          5_000,
          `the limit on ${replica.url}`,
        );
      }
      const limited = await connect(`${proxy.url}/mcp/gateway?customer_id=acme`, String(created.key));
      const before = proxy.forwarded.length;
      // Each call: passed, or refused — as an error result, or (a client that keeps calling) as HTTP
      // 429 before dispatch, which the SDK throws.
      const outcomes: { passed: boolean; message: string }[] = [];
      for (let i = 0; i < 3 * N; i++) {
        outcomes.push(
          await limited.callTool({ name: 'echo__ping', arguments: {} }).then(
            (r) => ({ passed: !(r as Result).isError, message: text(r as Result) }),
            (error: Error) => ({ passed: false, message: error.message }),
          ),
        );
      }
      const calls = proxy.forwarded.slice(before).filter((f) => f.rpc === 'tools/call');
      expect(new Set(calls.map((f) => f.target)).size, 'calls spread over the replicas').toBe(3);
      expect(outcomes.filter((o) => o.passed)).toHaveLength(N);
      expect(outcomes.slice(0, N).every((o) => o.passed)).toBe(true);
      for (const refused of outcomes.slice(N))
        expect(refused.message).toMatch(
          new RegExp(
            `(^Rate limit: |Too Many Requests: rate limit of )${N} calls per minute for key ${id}\\. Retry in \\d+ s\\.`,
          ),
        );
      // The shared sessions, on an unlimited key, are untouched.
      await round();
    }, 30_000);

    it('a webhook event is delivered exactly once when the replica delivering it is killed mid-delivery', async () => {
      // The receiver holds the first request (the delivery in flight when its replica dies), then answers 200.
      const receiver = await startReceiver(['hang']);
      const hook = await adminTool(admin, 'create_webhook', {
        url: receiver.url,
        events: ['customer.created'],
      });
      await adminTool(admin, 'create_customer', { id: 'initech', name: 'Initech' });
      const first = await receiver.request(1);
      const port = Number(new URL(receiver.url).port);
      const delivering = await until(
        () => replicaConnectedTo(replicas, port),
        2_000,
        'the delivering replica',
      );
      await kill(delivering);
      // Three replicas again afterwards, whatever happens here (the later cases count on them).
      onTestFinished(() => replace(delivering));
      // One of the two replicas left takes the claim over once its lease ran out, and delivers the same message.
      const second = await receiver.request(2);
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      const event = verifiedByStandardWebhooks(String(hook.secret), second) as {
        type: string;
        data: { customer_id: string };
      };
      expect(event).toMatchObject({ type: 'customer.created', data: { customer_id: 'initech' } });
      // Delivered: nothing more arrives (a retry would come within the backoff's first seconds).
      await new Promise((r) => setTimeout(r, 3_000));
      expect(receiver.received).toHaveLength(2);
      const listed = (await adminTool(admin, 'list_webhook_deliveries', { webhook_id: hook.id }))
        .deliveries as {
        state: string;
      }[];
      expect(listed.filter((d) => d.state === 'delivered')).toHaveLength(1);
      expect(listed.filter((d) => d.state !== 'delivered')).toEqual([]);
      // The sessions went on meanwhile.
      await round();
    }, 45_000);

    it('SDK clients keep their sessions while a replica is SIGKILLed with a call in flight on it (answered as JSON)', async () => {
      const before = initializes();
      await round();
      const { outcome, held, replica } = await holdCall();
      await kill(replica);
      onTestFinished(() => replace(replica));
      // The call in flight on the dead replica: the load balancer's clear error, nothing else.
      expect(await outcome).toContain(BAD_GATEWAY);
      expect(held.ended).toBe('bad-gateway');
      // Everything after it succeeds, on the same sessions, with two replicas — then three again.
      for (let i = 0; i < 4; i++) await round();
      await replace(replica);
      for (let i = 0; i < 3; i++) await round();
      expect(initializes()).toBe(before);
      expect([sessionOf(gateway), sessionOf(admin)]).toEqual(sessions);
    }, 45_000);

    it('a replica drained with SIGTERM answers its unfinished call with a clear error and exits 0; the sessions go on', async () => {
      const before = initializes();
      const { outcome, replica } = await holdCall();
      onTestFinished(() => replace(replica));
      // Drain: no new requests reach it (the proxy's next connection is refused), the call still
      // running past the grace period gets the error that says so, and the process exits cleanly.
      const exited = replica.stop('SIGTERM');
      for (let i = 0; i < 3; i++) await round();
      expect(await outcome).toMatch(/shutting down and stopped the call.*Retry it if that is safe/s);
      expect(await exited).toBe(0);
      await replace(replica);
      for (let i = 0; i < 3; i++) await round();
      expect(initializes()).toBe(before);
      expect([sessionOf(gateway), sessionOf(admin)]).toEqual(sessions);
    }, 45_000);

    it('a call answered as an SSE stream, cut by the kill, is resumed on another replica and answered with a clear error', async () => {
      const before = initializes();
      // A progress token takes the SDK transport's path: the answer is an SSE stream.
      const { outcome, held, replica, sent } = await holdCall({ onprogress: () => {}, timeout: 15_000 });
      // The stream has started (its headers went through the proxy) before the replica dies.
      await until(() => held.status, 5_000, 'the SSE stream to start');
      expect(held.contentType).toMatch(/^text\/event-stream/);
      await kill(replica);
      await replace(replica);
      expect(held.ended).toBe('cut');
      // The client resumed the stream (GET with Last-Event-ID) through the proxy, on a live replica,
      // which answered the call with Portico's clear error.
      expect(await outcome).toMatch(/(replica|server)\b.*stopped.*Retry it if that is safe/is);
      const resumed = proxy.forwarded.slice(sent).filter((f) => f.method === 'GET' && f.lastEventId);
      expect(resumed.length, 'a GET with Last-Event-ID').toBeGreaterThan(0);
      expect(resumed.every((f) => f.target !== replica.url)).toBe(true);
      // The sessions go on.
      for (let i = 0; i < 3; i++) await round();
      expect(initializes()).toBe(before);
      expect([sessionOf(gateway), sessionOf(admin)]).toEqual(sessions);
    }, 30_000);
  },
);
