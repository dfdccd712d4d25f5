import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminRegistry } from '../../src/main/core/admin/registry';
import { webhookTools } from '../../src/main/core/admin/webhooks';
import type { DispatcherOptions } from '../../src/main/core/webhooks/dispatcher';
import type { DeliveryAttempt } from '../../src/main/core/webhooks/outbox';
import { verify } from '../../src/main/core/webhooks/signing';
import { workspaceTarget } from '../helpers/store';
import { type Target, webhookProcess } from '../helpers/webhook-process';
import {
  closedPortUrl,
  type Received,
  startReceiver,
  verifiedByStandardWebhooks,
} from '../helpers/webhook-receiver';

interface TestResult {
  delivered: boolean;
  id: string;
  status_code: number | null;
  error: string | null;
  message: string;
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const newTarget = () => workspaceTarget('sqlite');

/** One process's view of a workspace: store, dispatcher (not started), events wired, admin tools. */
const processFor = (target: Target, options: Partial<DispatcherOptions> = {}) =>
  webhookProcess(target, cleanups, options);

/** Standard Webhooks verification, implemented here independently of the product's code. */
function signedBy(secret: string, r: Received): boolean {
  const id = String(r.headers['webhook-id']);
  const timestamp = String(r.headers['webhook-timestamp']);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return (
    fresh &&
    String(r.headers['webhook-signature'])
      .split(' ')
      .some((s) => {
        const given = Buffer.from(s.replace(/^v1,/, ''), 'base64');
        return s.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected);
      })
  );
}

/** Every file of a data dir (the database, its WAL, the key file), as text: secrets must appear in none. */
function dataDirText(dataDir: string): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(readFileSync(path).toString('latin1'));
    }
  };
  walk(dataDir);
  return out.join('\n');
}

describe('webhooks: admin tools', () => {
  it('create shows the whsec_ secret once; list, get, update and the workspace file never do', async () => {
    const p = await processFor(await newTarget());
    const created = await p.call('create_webhook', {
      url: 'https://example.com/hooks/portico',
      events: ['connection.created', 'tool.*'],
      description: 'CRM sync',
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      url: 'https://example.com/hooks/portico',
      events: ['connection.created', 'tool.*'],
      enabled: true,
      description: 'CRM sync',
      pending_deliveries: 0,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    const bare = created.secret.slice(6);

    const outputs = [
      await p.call('list_webhooks'),
      await p.call('get_webhook', { webhook_id: created.id }),
      await p.call('update_webhook', { webhook_id: created.id, description: 'CRM' }),
      await p.call('list_webhooks', { limit: 1 }),
    ];
    for (const output of outputs) {
      const json = JSON.stringify(output);
      expect(json).not.toContain(bare);
      expect(json).toContain('whsec_••••');
    }
    await p.store.flushed();
    expect(dataDirText(p.target.dataDir)).not.toContain(bare);

    const own = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const mine = await p.call('create_webhook', { url: 'http://127.0.0.1:1/x', events: ['*'], secret: own });
    expect(mine.secret).toBe(own);
    expect((await p.call('get_webhook', { webhook_id: mine.id })).secret).toBe('whsec_••••');

    const rotated = await p.call('update_webhook', { webhook_id: created.id, rotate_secret: true });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(JSON.stringify(await p.call('list_webhooks'))).not.toContain(rotated.secret.slice(6));
  });

  it('test_webhook sends a correctly signed webhook.test now and records it', async () => {
    const receiver = await startReceiver();
    const p = await processFor(await newTarget());
    const hook = await p.call('create_webhook', { url: receiver.url, events: ['*'], enabled: false });

    const result = await p.call<TestResult>('test_webhook', { webhook_id: hook.id });
    expect(result).toMatchObject({ delivered: true, status_code: 200, error: null });
    expect(result.message).toMatch(/Delivered/);

    const request = await receiver.request(1);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(result.id);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(signedBy(hook.secret, request)).toBe(true);
    expect(verify(hook.secret, request.body, request.headers)).toMatchObject({ ok: true, id: result.id });
    verifiedByStandardWebhooks(hook.secret, request);
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ type: 'webhook.test', data: { webhook_id: hook.id } });
    expect(new Date(body.timestamp).toString()).not.toBe('Invalid Date');

    const { deliveries } = await p.call<{ deliveries: DeliveryAttempt[] }>('list_webhook_deliveries', {
      webhook_id: hook.id,
    });
    expect(deliveries).toEqual([
      expect.objectContaining({
        id: result.id,
        webhook_id: hook.id,
        event_type: 'webhook.test',
        attempt: 1,
        state: 'delivered',
        status_code: 200,
        error: null,
      }),
    ]);

    // After rotation the receiver must use the new secret: the old one no longer verifies.
    const rotated = await p.call('update_webhook', { webhook_id: hook.id, rotate_secret: true });
    await p.call('test_webhook', { webhook_id: hook.id });
    const second = await receiver.request(2);
    expect(signedBy(rotated.secret, second)).toBe(true);
    expect(signedBy(hook.secret, second)).toBe(false);

    const log = JSON.stringify(await p.webhooks.outbox.attempts({ limit: 100 }));
    expect(log).not.toContain(hook.secret.slice(6));
    expect(log).not.toContain(rotated.secret.slice(6));
    expect(log).not.toContain(receiver.url);
    await p.store.flushed();
    const files = dataDirText(p.target.dataDir);
    expect(files).not.toContain(hook.secret.slice(6));
    expect(files).not.toContain(rotated.secret.slice(6));
  });

  it('bad inputs give actionable errors and change nothing', async () => {
    const p = await processFor(await newTarget());
    const hook = await p.call('create_webhook', { url: 'https://example.com/a', events: ['key.created'] });
    const before = p.store.revision;

    expect(await p.fail('create_webhook', { url: 'ftp://example.com/x', events: ['*'] })).toMatch(
      /must start with http:\/\/ or https:\/\/ \(got ftp:\/\/\)/,
    );
    expect(await p.fail('create_webhook', { url: 'example.com/hook', events: ['*'] })).toMatch(
      /not a valid absolute URL.*https:\/\//,
    );
    expect(await p.fail('create_webhook', { url: 'https://u:p@example.com/', events: ['*'] })).toMatch(
      /user:password/,
    );
    const unknownEvent = await p.fail('create_webhook', { url: 'https://e.com/', events: ['tool.calld'] });
    expect(unknownEvent).toMatch(/Unknown event type\(s\): tool\.calld/);
    expect(unknownEvent).toContain('tool.called');
    expect(unknownEvent).toContain('connection.deleted');
    expect(await p.fail('create_webhook', { url: 'https://e.com/', events: [] })).toMatch(/events/);
    expect(
      await p.fail('create_webhook', { url: 'https://e.com/', events: ['*'], secret: 'whsec_short' }),
    ).toMatch(/Invalid `secret`.*base64/);
    expect(await p.fail('update_webhook', { webhook_id: hook.id, url: 'file:///etc/passwd' })).toMatch(
      /http:\/\/ or https:\/\//,
    );
    expect(await p.fail('update_webhook', { webhook_id: hook.id, events: ['nope'] })).toMatch(/nope/);
    expect(await p.fail('update_webhook', { webhook_id: hook.id, secret: 'x' })).toMatch(/unexpected field/);

    for (const tool of ['get_webhook', 'update_webhook', 'delete_webhook', 'test_webhook']) {
      expect(await p.fail(tool, { webhook_id: 'wh_nope' })).toBe(
        'No webhook with id "wh_nope". Use list_webhooks to see the ids, or create_webhook to add one.',
      );
    }
    expect(await p.fail('list_webhook_deliveries', { webhook_id: 'wh_nope' })).toMatch(/wh_nope/);

    expect(await p.fail('list_webhook_deliveries', { cursor: 'bm9wZQ' })).toMatch(/Invalid cursor "bm9wZQ"/);

    expect(p.store.revision).toBe(before);
    expect(Object.keys(p.store.data.webhooks)).toEqual([hook.id]);
    expect(await p.pending()).toEqual([]);
  });

  it('annotations are honest', () => {
    const byName = Object.fromEntries(new AdminRegistry(webhookTools).list().map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual([
      'create_webhook',
      'delete_webhook',
      'get_webhook',
      'list_webhook_deliveries',
      'list_webhooks',
      'redeliver_webhook',
      'rotate_webhook_secret',
      'test_webhook',
      'update_webhook',
    ]);
    for (const name of ['list_webhooks', 'get_webhook', 'list_webhook_deliveries'])
      expect(byName[name]?.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.delete_webhook?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.test_webhook?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(byName.rotate_webhook_secret?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    expect(byName.redeliver_webhook?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
  });
});

describe('webhooks: durable delivery', () => {
  it('events become outbox rows only for enabled webhooks subscribed to them', async () => {
    const p = await processFor(await newTarget());
    const all = await p.call('create_webhook', { url: 'https://e.com/1', events: ['*'] });
    const failed = await p.call('create_webhook', { url: 'https://e.com/2', events: ['tool.failed'] });
    const group = await p.call('create_webhook', { url: 'https://e.com/3', events: ['connection.*'] });
    await p.call('create_webhook', { url: 'https://e.com/4', events: ['*'], enabled: false });

    const at = new Date().toISOString();
    const connection = p.webhooks.enqueue({ type: 'connection.created', timestamp: at, data: { id: 'c1' } });
    const tool = p.webhooks.enqueue({ type: 'tool.failed', timestamp: at, data: { tool: 'x' } });
    expect(p.webhooks.enqueue({ type: 'key.created', timestamp: at, data: {} })).toHaveLength(1);

    await p.webhooks.flush();
    const targets = async (ids: string[]) => {
      const rows = await p.store.database?.db
        .selectFrom('webhook_deliveries')
        .select(['webhook_id', 'attempts'])
        .where('id', 'in', ids)
        .execute();
      for (const row of rows ?? []) expect(row.attempts).toBe(0);
      return (rows ?? []).map((r) => r.webhook_id).sort();
    };
    expect(await targets(connection)).toEqual([all.id, group.id].sort());
    expect(await targets(tool)).toEqual([all.id, failed.id].sort());
    expect(await p.pending()).toHaveLength(5);
    expect((await p.call('get_webhook', { webhook_id: all.id })).pending_deliveries).toBe(3);
  });

  it('retries a 500 with backoff until a 2xx, with one message id, and lists both attempts', async () => {
    const receiver = await startReceiver([500, 200]);
    const p = await processFor(await newTarget(), { backoffBaseMs: 60 });
    const hook = await p.call('create_webhook', { url: receiver.url, events: ['connection.created'] });
    p.webhooks.start();

    const delivered = p.attempt((o) => o.state === 'delivered');
    p.events.emit('connection.created', { connection_id: 'c1', customer_id: 'acme' });
    const first = await receiver.request(1);
    const second = await receiver.request(2);
    const outcome = await delivered;

    expect(signedBy(hook.secret, first)).toBe(true);
    expect(signedBy(hook.secret, second)).toBe(true);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(outcome).toMatchObject({ id: first.headers['webhook-id'], attempt: 2, status_code: 200 });
    expect(second.at - first.at).toBeGreaterThanOrEqual(55);
    expect(JSON.parse(second.body)).toMatchObject({
      type: 'connection.created',
      data: { connection_id: 'c1', customer_id: 'acme' },
    });

    const { deliveries, total } = await p.call<{ deliveries: DeliveryAttempt[]; total: number }>(
      'list_webhook_deliveries',
      { webhook_id: hook.id },
    );
    expect(total).toBe(2);
    expect(deliveries[0]).toMatchObject({ attempt: 2, state: 'delivered', status_code: 200, error: null });
    expect(deliveries[1]).toMatchObject({
      attempt: 1,
      state: 'pending',
      status_code: 500,
      error: expect.stringMatching(/HTTP 500/),
      next_attempt_at: expect.any(String),
    });
    const pending = await p.call<{ deliveries: DeliveryAttempt[] }>('list_webhook_deliveries', {
      state: 'pending',
    });
    expect(pending.deliveries).toHaveLength(1);
    expect(await p.pending()).toEqual([]);

    // Paged newest first through the tool: one attempt per page, then none left.
    const page1 = await p.call<{ deliveries: DeliveryAttempt[]; next_cursor: string | null }>(
      'list_webhook_deliveries',
      { webhook_id: hook.id, limit: 1 },
    );
    expect(page1.deliveries.map((d) => d.attempt)).toEqual([2]);
    const page2 = await p.call<{ deliveries: DeliveryAttempt[]; next_cursor: string | null }>(
      'list_webhook_deliveries',
      { webhook_id: hook.id, limit: 1, cursor: page1.next_cursor },
    );
    expect(page2.deliveries.map((d) => d.attempt)).toEqual([1]);
    expect(page2.next_cursor).toBeNull();
  });

  it('a delivery queued by another process (the CLI) is delivered by the server, before and after a restart', async () => {
    const receiver = await startReceiver([200, 503, 200]);
    const target = await newTarget();
    const cli = await processFor(target);
    const hook = await cli.call('create_webhook', { url: receiver.url, events: ['key.*'] });

    // No server yet: the event waits in the database.
    cli.events.emit('key.created', { key_id: 'abcd1234' });
    expect(await cli.pending()).toHaveLength(1);
    expect(receiver.received).toHaveLength(0);

    // The server starts (its own store and dispatcher) and delivers what was queued.
    const server = await processFor(target, { backoffBaseMs: 150, pollMs: 50 });
    const firstDone = server.attempt((o) => o.state === 'delivered');
    server.webhooks.start();
    const first = await receiver.request(1);
    expect(signedBy(hook.secret, first)).toBe(true);
    expect(JSON.parse(first.body)).toMatchObject({ type: 'key.created', data: { key_id: 'abcd1234' } });
    await firstDone;

    // While it runs, another process's event is picked up (by polling) without a restart.
    const retryScheduled = server.attempt((o) => o.state === 'pending');
    cli.events.emit('key.revoked', { key_id: 'abcd1234' });
    const second = await receiver.request(2);
    expect(JSON.parse(second.body).type).toBe('key.revoked');
    await retryScheduled;

    // The server stops before the retry is due; a new server process honours the schedule and delivers it.
    await server.webhooks.stop();
    expect(await cli.pending()).toEqual([second.headers['webhook-id']]);
    const restarted = await processFor(target);
    const done = restarted.attempt((o) => o.state === 'delivered');
    restarted.webhooks.start();
    const third = await receiver.request(3);
    expect(third.headers['webhook-id']).toBe(second.headers['webhook-id']);
    expect(third.at - second.at).toBeGreaterThanOrEqual(140);
    expect(signedBy(hook.secret, third)).toBe(true);
    expect(await done).toMatchObject({ attempt: 2, event_type: 'key.revoked' });

    const { deliveries } = await restarted.call<{ deliveries: DeliveryAttempt[] }>('list_webhook_deliveries');
    expect(deliveries.map((d) => [d.event_type, d.attempt, d.state])).toEqual([
      ['key.revoked', 2, 'delivered'],
      ['key.revoked', 1, 'pending'],
      ['key.created', 1, 'delivered'],
    ]);
    expect(await cli.pending()).toEqual([]);
  });

  it('an unreachable receiver: every attempt is recorded with the error, then the delivery fails', async () => {
    const url = await closedPortUrl();
    const p = await processFor(await newTarget(), { backoffBaseMs: 10, maxAttempts: 3 });
    const hook = await p.call('create_webhook', { url, events: ['tool.failed'] });
    p.webhooks.start();
    const failed = p.attempt((o) => o.state === 'failed');
    p.events.emit('tool.failed', { tool: 'crm__create_contact', customer_id: 'acme' });
    expect(await failed).toMatchObject({
      attempt: 3,
      status_code: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });

    const { deliveries } = await p.call<{ deliveries: DeliveryAttempt[] }>('list_webhook_deliveries', {
      webhook_id: hook.id,
    });
    expect(deliveries.map((d) => [d.attempt, d.state])).toEqual([
      [3, 'failed'],
      [2, 'pending'],
      [1, 'pending'],
    ]);
    for (const d of deliveries) expect(d.error).toMatch(/ECONNREFUSED/);
    expect(await p.pending()).toEqual([]);

    const test = await p.call<TestResult>('test_webhook', { webhook_id: hook.id });
    expect(test).toMatchObject({ delivered: false, status_code: null });
    expect(test.message).toMatch(/not delivered: .*ECONNREFUSED.*reachable/);
  });

  it('delete_webhook drops its queued deliveries; a delivery whose webhook vanished is cancelled, not sent', async () => {
    const receiver = await startReceiver();
    const p = await processFor(await newTarget());
    const hook = await p.call('create_webhook', { url: receiver.url, events: ['*'] });
    p.events.emit('customer.created', { customer_id: 'a' });
    expect(await p.pending()).toHaveLength(1);
    expect((await p.call('get_webhook', { webhook_id: hook.id })).pending_deliveries).toBe(1);
    const deleted = await p.call<{ message: string }>('delete_webhook', { webhook_id: hook.id });
    expect(deleted.message).toBe(`Deleted webhook "${hook.id}" and dropped 1 queued delivery.`);
    expect(await p.pending()).toEqual([]);

    const other = await p.call('create_webhook', { url: receiver.url, events: ['*'] });
    p.events.emit('customer.created', { customer_id: 'b' });
    await p.webhooks.flush();
    // Removed by another process that did not clean the queue.
    p.store.mutate((ws) => {
      delete ws.webhooks[other.id];
    });
    const cancelled = p.attempt((o) => o.webhook_id === other.id);
    p.webhooks.start();
    expect(await cancelled).toMatchObject({ state: 'cancelled', error: expect.stringMatching(/deleted/) });
    expect(receiver.received).toHaveLength(0);
    expect(await p.pending()).toEqual([]);
  });
});
