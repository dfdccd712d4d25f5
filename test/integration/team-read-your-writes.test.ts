// Team mode: a client behind a load balancer sees its own writes. Each replica keeps the workspace
// in memory and hears of other replicas' commits a few milliseconds later; a request sent right
// after a write can land on a replica that has not heard yet. Every kind of request that depends
// on an earlier write — an admin call (MCP, /api), a key presented to a plane, a customer named on
// the data plane — must see it at once, on the replica that did not make it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import type { PorticoApp } from '../../src/main/core/app';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, initializeBody, rawPost } from '../helpers/gateway';
import { startReplicas, until } from '../helpers/replicas';

const ROUNDS = 25;

describe.skipIf(!inject('postgresUrl'))('read your writes across replicas', () => {
  let a: PorticoApp;
  let b: PorticoApp;
  let adminKey = '';

  beforeAll(async () => {
    [a, b] = (await startReplicas(2)) as [PorticoApp, PorticoApp];
    const minted = a.store.mutate((ws) => mintKey(ws, { name: 'ops', scope: 'admin' }));
    adminKey = minted.key;
    await a.store.flushed();
    await until(() => Boolean(b.store.data.apiKeys[minted.record.id]), 5_000, 'the key on B');
  }, 30_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** An admin tool through a replica's /api door (as the web UI or a script sends it). */
  async function api(app: PorticoApp, tool: string, args: unknown) {
    const res = await fetch(`${app.url}/api/tools/${tool}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(adminKey) },
      body: JSON.stringify(args),
    });
    return (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: string };
  }

  it('an admin call on B sees what the call before it wrote on A (registry and /api)', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const made = await a.callTool('create_customer', { id: `c${i}`, name: `C${i}` }, 'internal');
      expect(made.ok, made.ok ? '' : made.error).toBe(true);
      const read = await b.callTool('get_customer', { customer_id: `c${i}` }, 'internal');
      expect(read.ok, read.ok ? '' : read.error).toBe(true);
      const key = await api(a, 'create_api_key', { name: `k${i}`, scope: 'gateway' });
      expect(key.ok, key.error).toBe(true);
      const limited = await api(b, 'set_rate_limits', { key_id: key.value?.id, calls_per_minute: 5 });
      expect(limited.ok, limited.error).toBe(true);
    }
  }, 60_000);

  it("a tool whose connection was made on A a moment ago is called on B's session at once", async () => {
    const echo = await startEchoUpstream();
    try {
      const setup = [
        ['create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url }],
        ['create_action', { connector_id: 'echo', name: 'ping', method: 'GET', path: '/echo/ping' }],
        ['create_customer', { id: 'late', name: 'Late' }],
        ['configure_customer_tools', { customer_id: 'late', mode: 'all' }],
      ] as const;
      for (const [tool, args] of setup) expect((await a.callTool(tool, args, 'internal')).ok).toBe(true);
      const key = await a.callTool('create_api_key', { name: 'late', scope: 'gateway' }, 'internal');
      const secret = String((key.ok && (key.value as { key: string }).key) || '');
      const client = await connectClient(`${b.url}/mcp/gateway?customer_id=late`, bearer(secret));
      try {
        const made = await a.callTool(
          'create_connection',
          { customer_id: 'late', connector_id: 'echo', credentials: {} },
          'internal',
        );
        expect(made.ok).toBe(true);
        const result = (await client.callTool({ name: 'echo__ping', arguments: {} })) as {
          isError?: boolean;
          content: { text?: string }[];
        };
        expect(result.isError, result.content[0]?.text).toBeFalsy();
      } finally {
        await client.close();
      }
    } finally {
      await echo.close();
    }
  });

  it('a plane switched off on A answers 503 on B within a second, and serves again when switched on', async () => {
    const key = await a.callTool('create_api_key', { name: 'planes', scope: 'gateway' }, 'internal');
    const secret = String((key.ok && (key.value as { key: string }).key) || '');
    await a.callTool('create_customer', { id: 'planes', name: 'Planes' }, 'internal');
    const status = async () =>
      (await rawPost(`${b.url}/mcp/gateway?customer_id=planes`, initializeBody, bearer(secret))).status;
    expect(await status()).toBe(200);
    for (const [enabled, expected] of [
      [false, 503],
      [true, 200],
    ] as const) {
      const switched = await a.callTool('set_plane_enabled', { plane: 'gateway', enabled }, 'internal');
      expect(switched.ok).toBe(true);
      const started = Date.now();
      while ((await status()) !== expected) {
        expect(Date.now() - started, `B still answers otherwise than ${expected}`).toBeLessThan(1_000);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  });

  it('a key made on A opens a session on B at once, for a customer made on A', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const made = await a.callTool('create_customer', { id: `g${i}`, name: `G${i}` }, 'internal');
      expect(made.ok).toBe(true);
      const key = await a.callTool('create_api_key', { name: `gk${i}`, scope: 'gateway' }, 'internal');
      expect(key.ok).toBe(true);
      const secret = String((key.ok && (key.value as { key: string }).key) || '');
      const opened = await rawPost(`${b.url}/mcp/gateway?customer_id=g${i}`, initializeBody, bearer(secret));
      expect(opened.status, opened.text).toBe(200);
    }
  }, 60_000);
});
