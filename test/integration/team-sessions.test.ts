// Team mode (issue 15 item 1): MCP sessions live in the database, so any replica serves any
// session. Three replicas on one PostgreSQL behind a round-robin proxy: SDK clients on both
// planes keep their sessions (no re-initialize) while requests hop between replicas and while
// replicas close mid-session; a session id presented with another key is unknown on every
// replica; DELETE ends a session everywhere; a change made through one replica reaches a session
// held through another as notifications/tools/list_changed.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, initializeBody, rawPost } from '../helpers/gateway';
import { adminOk, startReplicas, until } from '../helpers/replicas';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy';
import { workspaceTarget } from '../helpers/store';
import { tempDir } from '../helpers/temp';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
}
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

const apps: PorticoApp[] = [];
const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  for (const app of apps) await app.close();
});

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

/** tools/list on one replica with a session id and key, as raw HTTP: its status. */
async function statusOn(url: string, sessionId: string, key: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': sessionId, ...bearer(key) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  await res.text();
  return res.status;
}

const sessionOf = (client: Client) => (client.transport as StreamableHTTPClientTransport).sessionId ?? '';

describe.skipIf(!inject('postgresUrl'))('MCP sessions across replicas on one PostgreSQL', () => {
  let replicas: PorticoApp[] = [];
  let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>;
  const keys = { admin: '', gateway: '', otherAdmin: '', otherGateway: '' };

  it('three replicas and a proxy start; keys and tools made on one are known on all', async () => {
    replicas = await startReplicas(3);
    apps.push(...replicas);
    const first = replicas[0] as PorticoApp;
    const echo = await startEchoUpstream();
    await adminOk(first, 'create_connector', {
      slug: 'echo',
      name: 'Echo',
      kind: 'http',
      base_url: echo.url,
    });
    await adminOk(first, 'create_action', {
      connector_id: 'echo',
      name: 'ping',
      method: 'GET',
      path: '/echo/ping',
    });
    await adminOk(first, 'create_action', {
      connector_id: 'echo',
      name: 'slow',
      method: 'GET',
      path: '/delay/300',
    });
    // Longer than a shutdown's grace period (5 s).
    await adminOk(first, 'create_action', {
      connector_id: 'echo',
      name: 'slower',
      method: 'GET',
      path: '/delay/8000',
    });
    await adminOk(first, 'create_customer', { id: 'acme', name: 'Acme' });
    await adminOk(first, 'create_customer', { id: 'globex', name: 'Globex' });
    await adminOk(first, 'create_connection', { customer_id: 'acme', connector_id: 'echo', credentials: {} });
    await adminOk(first, 'configure_customer_tools', { customer_id: 'acme', mode: 'all' });
    const ids: string[] = [];
    for (const [name, scope] of [
      ['admin', 'admin'],
      ['gateway', 'gateway'],
      ['otherAdmin', 'admin'],
      ['otherGateway', 'gateway'],
    ] as const) {
      const minted = first.store.mutate((ws) => mintKey(ws, { name, scope }));
      keys[name] = minted.key;
      ids.push(minted.record.id);
    }
    await first.store.flushed();
    await until(
      () =>
        replicas.every((r) => ids.every((id) => r.store.data.apiKeys[id]) && r.store.data.customers.globex),
      5_000,
      'the keys on every replica',
    );
    proxy = await startRoundRobinProxy(replicas.map((r) => r.url));
  });

  it('a session is served by every replica; another key gets 404 on each; DELETE ends it everywhere', async () => {
    const gateway = await connectClient(`${proxy.url}/mcp/gateway?customer_id=acme`, bearer(keys.gateway));
    clients.push(gateway);
    const admin = await connectClient(`${proxy.url}/mcp/admin`, bearer(keys.admin));
    clients.push(admin);
    const gatewayId = sessionOf(gateway);
    const adminId = sessionOf(admin);
    for (let i = 0; i < 6; i++) {
      const { tools } = await gateway.listTools();
      expect(tools.map((t) => t.name)).toContain('echo__ping');
      const result = (await gateway.callTool({ name: 'echo__ping', arguments: {} })) as Result;
      expect(result.isError, text(result)).toBeFalsy();
      const customers = (await admin.callTool({ name: 'list_customers', arguments: {} })) as Result;
      expect(customers.isError, text(customers)).toBeFalsy();
    }
    // Requests on the sessions reached every replica.
    const onSession = proxy.forwarded.filter((f) => f.rpc === 'tools/call' || f.rpc === 'tools/list');
    expect(new Set(onSession.map((f) => f.target)).size).toBe(3);
    // With the right key, every replica serves it; with another key (same scope, same customer), none.
    for (const replica of replicas) {
      expect(await statusOn(`${replica.url}/mcp/gateway?customer_id=acme`, gatewayId, keys.gateway)).toBe(
        200,
      );
      expect(
        await statusOn(`${replica.url}/mcp/gateway?customer_id=acme`, gatewayId, keys.otherGateway),
      ).toBe(404);
      expect(await statusOn(`${replica.url}/mcp/admin`, adminId, keys.otherAdmin)).toBe(404);
      // The owner's key pointed at another customer: refused, as on the replica that opened it.
      expect(await statusOn(`${replica.url}/mcp/gateway?customer_id=globex`, gatewayId, keys.gateway)).toBe(
        403,
      );
    }
    // DELETE (through whichever replica the proxy picks) ends the session on all three.
    await (gateway.transport as StreamableHTTPClientTransport).terminateSession();
    for (const replica of replicas)
      await until(
        async () =>
          (await statusOn(`${replica.url}/mcp/gateway?customer_id=acme`, gatewayId, keys.gateway)) === 404,
        1_000,
        `the deleted session to be gone on ${replica.url}`,
      );
  });

  it('a change made through replica A reaches a session held through replica B within a second', async () => {
    const [a, b] = replicas as [PorticoApp, PorticoApp];
    const client = await connectClient(`${b.url}/mcp/gateway?customer_id=acme`, bearer(keys.gateway));
    clients.push(client);
    let heard: number | undefined;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      heard ??= Date.now();
    });
    // The client's standalone stream may open a moment after initialize; a first change proves it.
    await until(
      async () => {
        heard = undefined;
        const started = Date.now();
        await adminOk(a, 'create_action', {
          connector_id: 'echo',
          name: `probe_${started}`,
          method: 'GET',
          path: '/echo/probe',
        });
        await until(() => heard !== undefined, 1_000, 'list_changed').catch(() => {});
        return heard !== undefined && heard - started < 1_000;
      },
      5_000,
      'list_changed from another replica',
    );
  });

  it('SDK clients keep their sessions while replicas close mid-session (no re-initialize)', async () => {
    const gateway = await connectClient(`${proxy.url}/mcp/gateway?customer_id=acme`, bearer(keys.gateway));
    clients.push(gateway);
    const admin = await connectClient(`${proxy.url}/mcp/admin`, bearer(keys.admin));
    clients.push(admin);
    const ids = [sessionOf(gateway), sessionOf(admin)];
    const initializes = () => proxy.forwarded.filter((f) => f.rpc === 'initialize').length;
    const before = initializes();
    const round = async () => {
      const { tools } = await gateway.listTools();
      expect(tools.map((t) => t.name)).toContain('echo__ping');
      const result = (await gateway.callTool({ name: 'echo__ping', arguments: {} })) as Result;
      expect(result.isError, text(result)).toBeFalsy();
      const customers = (await admin.callTool({ name: 'list_customers', arguments: {} })) as Result;
      expect(customers.isError, text(customers)).toBeFalsy();
    };
    for (let i = 0; i < 5; i++) await round();
    // Replica 2 closes between calls: the next requests go to the others, on the same sessions.
    await (replicas[1] as PorticoApp).close();
    for (let i = 0; i < 5; i++) await round();
    // Replica 3 closes with calls in flight on it: shutdown lets a short one finish (drain); those
    // still running after the grace period — on the fast path, and on the SDK's (a progress token)
    // — get an error saying why; the sessions carry on through replica 1.
    const third = replicas[2] as PorticoApp;
    const direct = await connectClient(`${third.url}/mcp/gateway?customer_id=acme`, bearer(keys.gateway));
    const inflight = direct.callTool({ name: 'echo__slow', arguments: {} }) as Promise<Result>;
    const cut = direct.callTool({ name: 'echo__slower', arguments: {} }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    const cutSdk = direct
      .callTool({ name: 'echo__slower', arguments: {} }, undefined, { onprogress: () => {} })
      .then(
        () => 'answered',
        (error: Error) => error.message,
      );
    await new Promise((r) => setTimeout(r, 100));
    const closing = third.close();
    const drained = await inflight;
    expect(drained.isError, text(drained)).toBeFalsy();
    expect(await cut).toMatch(/shutting down and stopped the call.*Retry it/);
    expect(await cutSdk).toMatch(/shutting down and stopped the call.*Retry it/);
    await closing;
    await direct.close().catch(() => {});
    for (let i = 0; i < 5; i++) await round();
    expect(initializes()).toBe(before);
    expect([sessionOf(gateway), sessionOf(admin)]).toEqual(ids);
    // The standalone GET stream, wherever it was, is open again on the replica left: a change
    // reaches the client there.
    let heard = false;
    gateway.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      heard = true;
    });
    await until(
      async () => {
        await adminOk(replicas[0] as PorticoApp, 'create_action', {
          connector_id: 'echo',
          name: `later_${Date.now()}`,
          method: 'GET',
          path: '/echo/later',
        });
        await until(() => heard, 1_000, 'list_changed').catch(() => {});
        return heard;
      },
      10_000,
      'list_changed after the GET stream moved',
    );
  }, 60_000);

  it('idle expiry counts activity on any replica; then the session ends on all', async () => {
    const target = await workspaceTarget('postgres');
    const options = { databaseUrl: target.databaseUrl, host: '127.0.0.1', port: 0, log: () => {} };
    const x = await startPortico({ ...options, dataDir: target.dataDir, sessionIdleTimeoutSeconds: 2 });
    apps.push(x);
    const y = await startPortico({ ...options, dataDir: tempDir(), sessionIdleTimeoutSeconds: 2 });
    apps.push(y);
    const minted = x.store.mutate((ws) => mintKey(ws, { name: 'idle', scope: 'admin' }));
    await x.store.flushed();
    await until(() => Boolean(y.store.data.apiKeys[minted.record.id]), 5_000, 'the key on replica y');
    const init = await rawPost(`${x.url}/mcp/admin`, initializeBody, bearer(minted.key));
    const id = init.headers.get('mcp-session-id') ?? '';
    expect(id).not.toBe('');
    // Used only through y for longer than the timeout: x's copy goes idle, the session does not.
    const busyUntil = Date.now() + 3_000;
    while (Date.now() < busyUntil) {
      expect(await statusOn(`${y.url}/mcp/admin`, id, minted.key)).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await statusOn(`${x.url}/mcp/admin`, id, minted.key)).toBe(200);
    // Left alone (no request at all: asking would be activity) for the timeout and a margin, it
    // has ended on both replicas.
    await new Promise((r) => setTimeout(r, 3_500));
    for (const app of [x, y]) expect(await statusOn(`${app.url}/mcp/admin`, id, minted.key)).toBe(404);
  }, 30_000);
});
