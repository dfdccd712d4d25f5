import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EventBus, type PorticoEvent } from '../../src/main/core/events/event-bus';
import type { Webhook } from '../../src/main/core/store/schema';
import type { WorkspaceStore } from '../../src/main/core/store/workspace-store';
import {
  type AttemptOutcome,
  type DispatcherOptions,
  WebhookDispatcher,
} from '../../src/main/core/webhooks/dispatcher';
import { generateSecret } from '../../src/main/core/webhooks/signing';
import { engines, openStore, workspaceTarget } from '../helpers/store';
import { closedPortUrl, startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

/** Adds a webhook the way create_webhook stores it (secret sealed) and waits until it is saved. */
async function addWebhook(
  store: WorkspaceStore,
  fields: Partial<Webhook> & { url: string },
): Promise<{ id: string; secret: string }> {
  const id = `wh_${randomBytes(8).toString('hex')}`;
  const secret = generateSecret();
  const at = new Date().toISOString();
  const sealed = store.secrets.seal(secret, `webhook:${id}`);
  store.mutate((ws) => {
    ws.webhooks[id] = {
      id,
      events: ['*'],
      enabled: true,
      description: '',
      createdAt: at,
      updatedAt: at,
      ...fields,
      secret: sealed,
    };
  });
  await store.flushed();
  return { id, secret };
}

/** A dispatcher on `store` (one process's), stopped when the test ends. */
function dispatcherOn(store: WorkspaceStore, options: Partial<DispatcherOptions> = {}) {
  const logs: string[] = [];
  const dispatcher = new WebhookDispatcher({
    store,
    log: (line) => logs.push(line),
    backoffBaseMs: 25,
    ...options,
  });
  onTestFinished(() => dispatcher.stop());
  return { dispatcher, logs };
}

/** Resolves with the first attempt (on any of `dispatchers`) matching `match`. Register before triggering it. */
function nextAttempt(
  dispatchers: WebhookDispatcher[],
  match: (o: AttemptOutcome) => boolean = () => true,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const offs = dispatchers.map((d) =>
      d.onAttempt((o) => {
        if (!match(o)) return;
        for (const off of offs) off();
        resolve(o);
      }),
    );
  });
}

/** Resolves once `count` attempts matching `match` were recorded across `dispatchers`. */
function attempts(
  dispatchers: WebhookDispatcher[],
  count: number,
  match: (o: AttemptOutcome) => boolean,
): Promise<AttemptOutcome[]> {
  const seen: AttemptOutcome[] = [];
  return new Promise((resolve) => {
    for (const d of dispatchers)
      d.onAttempt((o) => {
        if (!match(o)) return;
        seen.push(o);
        if (seen.length === count) resolve(seen);
      });
  });
}

const event = (type: PorticoEvent['type'], data: Record<string, unknown> = {}): PorticoEvent => ({
  type,
  timestamp: new Date().toISOString(),
  data,
});

describe.each(engines())('webhook delivery on %s', (engine) => {
  it('enqueue writes one delivery per enabled, subscribed webhook without waiting; flush awaits the write', async () => {
    const store = await openStore(await workspaceTarget(engine));
    const all = await addWebhook(store, { url: 'https://e.com/1', events: ['*'] });
    const failed = await addWebhook(store, { url: 'https://e.com/2', events: ['tool.failed'] });
    const group = await addWebhook(store, { url: 'https://e.com/3', events: ['connection.*'] });
    await addWebhook(store, { url: 'https://e.com/4', events: ['*'], enabled: false });
    const { dispatcher, logs } = dispatcherOn(store);
    const events = new EventBus();
    dispatcher.attach(events);

    const connection = dispatcher.enqueue(event('connection.created', { id: 'c1' }));
    const tool = dispatcher.enqueue(event('tool.failed', { tool: 'x' }));
    events.emit('key.created', { key_id: 'k1' });
    expect(connection).toHaveLength(2);
    expect(tool).toHaveLength(2);
    await dispatcher.flush();

    expect(await dispatcher.outbox.counts()).toEqual(
      new Map([
        [all.id, 3],
        [failed.id, 1],
        [group.id, 1],
      ]),
    );
    const rows = await store.database?.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'webhook_id', 'event', 'attempts', 'state', 'claimed_by'])
      .where('id', 'in', connection)
      .execute();
    expect(rows?.map((r) => r.webhook_id).sort()).toEqual([all.id, group.id].sort());
    for (const row of rows ?? []) {
      expect(row).toMatchObject({ attempts: 0, state: 'pending', claimed_by: null });
      expect(JSON.parse(row.event)).toMatchObject({ type: 'connection.created', data: { id: 'c1' } });
    }
    expect(logs).toEqual([]);
  });

  it('delivers signed (verified by the standardwebhooks package), retries with backoff under one message id, and lists attempts newest first', async () => {
    const receiver = await startReceiver([500, 200]);
    const store = await openStore(await workspaceTarget(engine));
    const hook = await addWebhook(store, { url: receiver.url, events: ['connection.created'] });
    const { dispatcher } = dispatcherOn(store, { backoffBaseMs: 60 });
    dispatcher.start();

    const delivered = nextAttempt([dispatcher], (o) => o.state === 'delivered');
    const [id] = dispatcher.enqueue(event('connection.created', { connection_id: 'c1' }));
    const first = await receiver.request(1);
    const second = await receiver.request(2);
    expect(await delivered).toMatchObject({ id, attempt: 2, status_code: 200, error: null });

    for (const request of [first, second]) {
      expect(request.headers['webhook-id']).toBe(id);
      expect(verifiedByStandardWebhooks(hook.secret, request)).toMatchObject({
        type: 'connection.created',
        data: { connection_id: 'c1' },
      });
    }
    expect(() => verifiedByStandardWebhooks(generateSecret(), first)).toThrow();
    expect(second.at - first.at).toBeGreaterThanOrEqual(55);

    const page = await dispatcher.outbox.attempts({ webhookId: hook.id, limit: 10 });
    expect(page.total).toBe(2);
    expect(page.attempts).toEqual([
      expect.objectContaining({ id, attempt: 2, state: 'delivered', status_code: 200, error: null }),
      expect.objectContaining({
        id,
        attempt: 1,
        state: 'pending',
        status_code: 500,
        error: 'the receiver answered HTTP 500',
        next_attempt_at: expect.any(String),
      }),
    ]);
    expect(await dispatcher.outbox.counts()).toEqual(new Map());
  });

  it('two dispatchers on one database deliver every event exactly once', async () => {
    const receiver = await startReceiver();
    const target = await workspaceTarget(engine);
    const one = await openStore(target);
    const hook = await addWebhook(one, { url: receiver.url });
    const two = await openStore(target);
    const a = dispatcherOn(one, { concurrency: 2 }).dispatcher;
    const b = dispatcherOn(two, { concurrency: 2 }).dispatcher;
    const ids: string[] = [];
    for (let n = 0; n < 12; n += 1) ids.push(...a.enqueue(event('tool.called', { n })));
    await a.flush();

    const done = attempts([a, b], 12, (o) => o.state === 'delivered');
    a.start();
    b.start();
    const outcomes = await done;
    expect(new Set(outcomes.map((o) => o.id))).toEqual(new Set(ids));
    expect(receiver.received.map((r) => r.headers['webhook-id']).sort()).toEqual([...ids].sort());
    for (const request of receiver.received) verifiedByStandardWebhooks(hook.secret, request);
    expect((await a.outbox.attempts({ limit: 100 })).total).toBe(12);
  });

  it('a delivery claimed by a process that died is taken over once its lease has run out', async () => {
    const receiver = await startReceiver();
    const target = await workspaceTarget(engine);
    const dead = await openStore(target);
    const hook = await addWebhook(dead, { url: receiver.url });
    const crashed = dispatcherOn(dead).dispatcher;
    const [id] = crashed.enqueue(event('customer.updated', { customer_id: 'acme' }));
    await crashed.flush();
    // The crashed process had claimed it and never settled it.
    const claimedAt = Date.now();
    expect(await crashed.outbox.claim(crashed.owner, claimedAt, 300, 10)).toHaveLength(1);

    const survivor = dispatcherOn(await openStore(target)).dispatcher;
    const delivered = nextAttempt([survivor], (o) => o.state === 'delivered');
    survivor.start();
    const request = await receiver.request(1);
    expect(request.headers['webhook-id']).toBe(id);
    expect(request.at).toBeGreaterThanOrEqual(claimedAt + 300);
    verifiedByStandardWebhooks(hook.secret, request);
    expect(await delivered).toMatchObject({ id, attempt: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it('pending deliveries survive a restart; stop() interrupts an attempt and releases it to the next process', async () => {
    const receiver = await startReceiver(['hang', 200]);
    const target = await workspaceTarget(engine);
    const first = await openStore(target);
    const hook = await addWebhook(first, { url: receiver.url });
    const server = dispatcherOn(first).dispatcher;
    server.start();
    const [id] = server.enqueue(event('connector.created', { connector_id: 'crm' }));
    await receiver.request(1);
    await server.stop();
    const row = await first.database?.db
      .selectFrom('webhook_deliveries')
      .select(['attempts', 'state', 'claimed_by', 'claimed_until'])
      .executeTakeFirst();
    expect(row).toEqual({ attempts: 0, state: 'pending', claimed_by: null, claimed_until: null });
    expect((await server.outbox.attempts({ limit: 10 })).total).toBe(0);
    await first.close();

    const restarted = dispatcherOn(await openStore(target)).dispatcher;
    const delivered = nextAttempt([restarted]);
    restarted.start();
    const again = await receiver.request(2);
    expect(again.headers['webhook-id']).toBe(id);
    verifiedByStandardWebhooks(hook.secret, again);
    expect(await delivered).toMatchObject({ id, attempt: 1, state: 'delivered' });
  });

  it('a webhook another process created after this one opened is delivered to, not cancelled', async () => {
    const receiver = await startReceiver();
    const target = await workspaceTarget(engine);
    const server = await openStore(target);
    const cli = await openStore(target);
    const hook = await addWebhook(cli, { url: receiver.url });
    const queuing = dispatcherOn(cli).dispatcher;
    queuing.enqueue(event('key.created', { key_id: 'k1' }));
    await queuing.flush();
    expect(server.data.webhooks[hook.id]).toBeUndefined();

    const delivering = dispatcherOn(server).dispatcher;
    const outcome = nextAttempt([delivering]);
    delivering.start();
    expect(await outcome).toMatchObject({ webhook_id: hook.id, state: 'delivered' });
    verifiedByStandardWebhooks(hook.secret, await receiver.request(1));
  });

  it('a delivery whose webhook was deleted or disabled is cancelled, not sent; discard drops the rest', async () => {
    const receiver = await startReceiver();
    const store = await openStore(await workspaceTarget(engine));
    const deleted = await addWebhook(store, { url: receiver.url });
    const disabled = await addWebhook(store, { url: receiver.url });
    const discarded = await addWebhook(store, { url: receiver.url });
    const { dispatcher } = dispatcherOn(store);
    dispatcher.enqueue(event('customer.created', { customer_id: 'a' }));
    dispatcher.enqueue(event('customer.created', { customer_id: 'b' }));
    await dispatcher.flush();
    expect(await dispatcher.outbox.discard(discarded.id)).toBe(2);
    store.mutate((ws) => {
      delete ws.webhooks[deleted.id];
      const webhook = ws.webhooks[disabled.id];
      if (webhook) webhook.enabled = false;
    });
    await store.flushed();

    const cancelled = attempts([dispatcher], 4, (o) => o.state === 'cancelled');
    dispatcher.start();
    const outcomes = await cancelled;
    expect(outcomes.filter((o) => o.webhook_id === deleted.id).map((o) => o.error)).toEqual([
      'the webhook was deleted; delivery dropped',
      'the webhook was deleted; delivery dropped',
    ]);
    expect(outcomes.filter((o) => o.webhook_id === disabled.id)).toHaveLength(2);
    expect(receiver.received).toHaveLength(0);
    expect(await dispatcher.outbox.counts()).toEqual(new Map());
  });

  it('an unreachable receiver: every attempt is recorded with its error, then the delivery fails', async () => {
    const store = await openStore(await workspaceTarget(engine));
    const hook = await addWebhook(store, { url: await closedPortUrl() });
    const { dispatcher } = dispatcherOn(store, { backoffBaseMs: 10, maxAttempts: 3 });
    dispatcher.start();
    const failed = nextAttempt([dispatcher], (o) => o.state === 'failed');
    dispatcher.enqueue(event('tool.failed', { tool: 'crm__create_contact' }));
    expect(await failed).toMatchObject({
      attempt: 3,
      status_code: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
    const { attempts: listed } = await dispatcher.outbox.attempts({ webhookId: hook.id, limit: 10 });
    expect(listed.map((a) => [a.attempt, a.state])).toEqual([
      [3, 'failed'],
      [2, 'pending'],
      [1, 'pending'],
    ]);
    expect(await dispatcher.outbox.counts()).toEqual(new Map());
  });

  it('a receiver that does not answer in time is a failed attempt with a timeout error', async () => {
    const receiver = await startReceiver(['hang']);
    const store = await openStore(await workspaceTarget(engine));
    await addWebhook(store, { url: receiver.url });
    const { dispatcher } = dispatcherOn(store, { timeoutMs: 200, backoffBaseMs: 60_000 });
    dispatcher.start();
    const attempted = nextAttempt([dispatcher]);
    dispatcher.enqueue(event('customer.deleted', { customer_id: 'x' }));
    expect(await attempted).toMatchObject({
      state: 'pending',
      status_code: null,
      error: 'timed out after 0.2 s without a response',
    });
  });

  it('deliverNow (test_webhook) makes one signed attempt outside the outbox and records it', async () => {
    const receiver = await startReceiver([503]);
    const store = await openStore(await workspaceTarget(engine));
    const hook = await addWebhook(store, { url: receiver.url, enabled: false });
    const { dispatcher } = dispatcherOn(store);
    const outcome = await dispatcher.deliverNow(hook.id, event('webhook.test', { webhook_id: hook.id }));
    expect(outcome).toMatchObject({
      delivered: false,
      attempt: 1,
      state: 'failed',
      status_code: 503,
      response_excerpt: 'receiver says no',
    });
    verifiedByStandardWebhooks(hook.secret, await receiver.request(1));
    const { attempts: listed } = await dispatcher.outbox.attempts({ limit: 10 });
    expect(listed).toEqual([
      expect.objectContaining({ id: outcome.id, event_type: 'webhook.test', state: 'failed' }),
    ]);
    expect(await dispatcher.outbox.counts()).toEqual(new Map());
  });
});
