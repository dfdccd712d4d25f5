// Team mode (issue 15): rate limits live in the database on PostgreSQL, so a key's calls per
// minute and its concurrency limit hold across every replica; other keys are unaffected; a
// crashed replica's concurrency slots come back once their lease runs out.
import { randomBytes } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintKey } from '../../src/main/core/admin/keys';
import { type PorticoApp, startPortico } from '../../src/main/core/app';
import { SharedRateLimiter } from '../../src/main/core/gateway/shared-rate-limiter';
import { KeyFileProvider } from '../../src/main/core/store/secrets';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, initializeBody, rawPost } from '../helpers/gateway';
import { workspaceTarget } from '../helpers/store';
import { tempDir } from '../helpers/temp';

interface Result {
  isError?: boolean;
  content: { type: string; text?: string }[];
}
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

const apps: PorticoApp[] = [];
const clients: Client[] = [];
let a: PorticoApp;
let b: PorticoApp;
let echo: Awaited<ReturnType<typeof startEchoUpstream>>;

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  for (const app of apps) await app.close();
});

async function ok(app: PorticoApp, name: string, args: unknown) {
  const result = await app.callTool(name, args, 'internal');
  if (!result.ok) throw new Error(`${name}: ${result.error}`);
  return result.value as Record<string, unknown>;
}

/** Resolves once `app`'s workspace satisfies `check` (it hears other replicas' changes by NOTIFY). */
function until(app: PorticoApp, check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = app.store.onChange(() => {
      if (!check()) return;
      off();
      resolve();
    });
  });
}

/** A gateway key minted on A, known to B, with `limits` set through A. */
async function limitedKey(limits: Record<string, unknown>) {
  const minted = a.store.mutate((ws) => mintKey(ws, { name: 'agent', scope: 'gateway' }));
  await a.store.flushed();
  const id = minted.key.split('_')[1] ?? '';
  if (Object.keys(limits).length) await ok(a, 'set_rate_limits', { key_id: id, ...limits });
  const set = Object.keys(limits).length > 0;
  await until(b, () => Boolean(set ? b.store.data.apiKeys[id]?.limits : b.store.data.apiKeys[id]));
  return { key: minted.key, id };
}

async function clientOn(app: PorticoApp, key: string) {
  const client = await connectClient(`${app.url}/mcp/gateway?customer_id=acme`, bearer(key));
  clients.push(client);
  return client;
}
const call = async (client: Client, name = 'echo__ping') =>
  (await client.callTool({ name, arguments: {} })) as Result;

describe.skipIf(!inject('postgresUrl'))('rate limits across replicas on one PostgreSQL', () => {
  beforeAll(async () => {
    const target = await workspaceTarget('postgres');
    // Replicas share the secrets key file (docs/deployment.md).
    writeFileSync(join(target.dataDir, 'secret.key'), `${randomBytes(32).toString('base64')}\n`, {
      mode: 0o600,
    });
    a = await startPortico({
      ...target,
      host: '127.0.0.1',
      port: 0,
      log: () => {},
      keyProvider: new KeyFileProvider(),
    });
    apps.push(a);
    // Another replica: its own data dir (with the shared secrets key file), the same database.
    const dataDir = tempDir();
    copyFileSync(join(target.dataDir, 'secret.key'), join(dataDir, 'secret.key'));
    b = await startPortico({
      dataDir,
      keyProvider: new KeyFileProvider(),
      databaseUrl: target.databaseUrl,
      host: '127.0.0.1',
      port: 0,
      log: () => {},
    });
    apps.push(b);
    echo = await startEchoUpstream();
    await ok(a, 'create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url });
    await ok(a, 'create_action', { connector_id: 'echo', name: 'ping', method: 'GET', path: '/echo/ping' });
    await ok(a, 'create_action', { connector_id: 'echo', name: 'slow', method: 'GET', path: '/delay/500' });
    await ok(a, 'create_customer', { id: 'acme', name: 'Acme' });
    await ok(a, 'configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['echo'],
    });
    await until(b, () => Boolean(b.store.data.customers.acme));
  }, 30_000);

  it('a key limited to N calls per minute gets exactly N across both replicas; other keys are unaffected', async () => {
    const { key, id } = await limitedKey({ calls_per_minute: 4 });
    const [onA, onB] = [await clientOn(a, key), await clientOn(b, key)];
    // One after another, alternating replicas.
    const results: Result[] = [];
    for (let i = 0; i < 8; i++) results.push(await call(i % 2 ? onB : onA));
    expect(results.filter((r) => !r.isError)).toHaveLength(4);
    expect(results.slice(0, 4).every((r) => !r.isError)).toBe(true);
    for (const refused of results.slice(4))
      expect(text(refused)).toMatch(
        new RegExp(`^Rate limit: 4 calls per minute for key ${id}\\. Retry in \\d+ s\\.$`),
      );

    // At once, on both replicas: still exactly N in total.
    const burst = await limitedKey({ calls_per_minute: 5 });
    const [burstA, burstB] = [await clientOn(a, burst.key), await clientOn(b, burst.key)];
    const together = await Promise.all(Array.from({ length: 12 }, (_, i) => call(i % 2 ? burstB : burstA)));
    expect(together.filter((r) => !r.isError)).toHaveLength(5);

    // Another key of the same customer, on either replica: untouched.
    const other = await limitedKey({});
    for (const client of [await clientOn(a, other.key), await clientOn(b, other.key)]) {
      for (let i = 0; i < 6; i++) expect((await call(client)).isError, 'unlimited key').toBeFalsy();
    }
  }, 30_000);

  it('a concurrency limit of 1 holds across replicas, and the slot is free once the call ends', async () => {
    const { key, id } = await limitedKey({ concurrent: 1 });
    const [onA, onB] = [await clientOn(a, key), await clientOn(b, key)];
    const before = echo.received.length;
    const slow = call(onA, 'echo__slow');
    // Once the slow call reached the upstream, it holds the key's one slot.
    while (!echo.received.slice(before).some((r) => r.path.startsWith('/delay')))
      await new Promise((r) => setImmediate(r));
    const refused = await call(onB);
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain(`Rate limit: 1 concurrent call for key ${id}.`);
    expect((await slow).isError, 'the slow call').toBeFalsy();
    // The answer came after the slot was given back: the next call passes, on either replica.
    const third = await call(onB);
    expect(third.isError, text(third)).toBeFalsy();
    expect((await call(onA)).isError).toBeFalsy();
  }, 30_000);

  it('a key and its customer both limited: a call refused by one takes nothing from the other, on any replica', async () => {
    await ok(a, 'create_customer', { id: 'globex', name: 'Globex' });
    await ok(a, 'configure_customer_tools', {
      customer_id: 'globex',
      mode: 'selected',
      connector_ids: ['echo'],
    });
    await ok(a, 'set_rate_limits', { customer_id: 'globex', concurrent: 2 });
    const { key } = await limitedKey({ calls_per_minute: 3 });
    await until(b, () => Boolean(b.store.data.customers.globex?.limits));
    const on = async (app: PorticoApp) => {
      const client = await connectClient(`${app.url}/mcp/gateway?customer_id=globex`, bearer(key));
      clients.push(client);
      return client;
    };
    const [onA, onB] = [await on(a), await on(b)];
    // Six slow calls at once across both replicas: the customer's two slots admit exactly two.
    const slow = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(i % 2 ? onB : onA, 'echo__slow')),
    );
    expect(slow.filter((r) => !r.isError)).toHaveLength(2);
    expect(slow.filter((r) => text(r).includes('2 concurrent calls for customer globex'))).toHaveLength(4);
    // The four refused calls took no token from the key's 3 per minute: one is left, then none.
    const third = await call(onB);
    expect(third.isError, text(third)).toBeFalsy();
    const fourth = await call(onA);
    expect(fourth.isError).toBe(true);
    expect(text(fourth)).toMatch(/^Rate limit: 3 calls per minute for key /);
  }, 30_000);

  it('a client that keeps calling past the limit gets 429 with Retry-After before dispatch, on each replica', async () => {
    const { key } = await limitedKey({ calls_per_minute: 2 });
    const rawSession = async (app: PorticoApp) => {
      const url = `${app.url}/mcp/gateway?customer_id=acme`;
      const init = await rawPost(url, initializeBody, bearer(key));
      expect(init.status, init.text).toBe(200);
      const headers = {
        ...bearer(key),
        'mcp-session-id': init.headers.get('mcp-session-id') ?? '',
        'mcp-protocol-version': '2025-06-18',
      };
      await rawPost(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), headers);
      let id = 1;
      return () =>
        rawPost(
          url,
          JSON.stringify({
            jsonrpc: '2.0',
            id: id++,
            method: 'tools/call',
            params: { name: 'echo__ping', arguments: {} },
          }),
          headers,
        );
    };
    const [onA, onB] = [await rawSession(a), await rawSession(b)];
    // Two admitted, then two retry answers (isError) — the bucket and its refusals are shared.
    const answers = [await onA(), await onB(), await onA(), await onB()];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(answers.filter((r) => r.text.includes('"isError":true'))).toHaveLength(2);
    // B saw the second refusal in a row: its next call is refused before dispatch.
    const refused = await onB();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.json?.error?.message).toMatch(
      /rate limit of 2 calls per minute for key \w+\. Retry in \d+ s\./,
    );
    // A learns it from the database on its next call (another retry answer), then refuses too.
    expect((await onA()).text).toContain('"isError":true');
    expect((await onA()).status).toBe(429);
  }, 30_000);

  it("a crashed replica's slots come back when their lease runs out", async () => {
    const database = a.store.database;
    if (!database) throw new Error('no database');
    const subject = { kind: 'customer' as const, id: 'crash-test', limits: { concurrent: 1 } };
    const crashed = new SharedRateLimiter(database, 300);
    const held = await crashed.admit([subject]);
    expect(held.ok).toBe(true);
    crashed.close(); // stops renewing, never releases: as if its process died
    const other = new SharedRateLimiter(database, 300);
    expect((await other.admit([subject])).ok).toBe(false);
    const started = Date.now();
    let admitted = await other.admit([subject]);
    while (!admitted.ok && Date.now() - started < 5_000) {
      await new Promise((r) => setTimeout(r, 50));
      admitted = await other.admit([subject]);
    }
    expect(admitted.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    if (admitted.ok) await admitted.release();
    other.close();
  }, 15_000);
});
