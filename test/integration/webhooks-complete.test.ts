import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionExpiredError, OAuthManager } from '../../src/main/core/connectors/oauth-manager';
import { emitConnectionStatus } from '../../src/main/core/events/connection-status';
import type { AuthConfig } from '../../src/main/core/store/schema';
import type { DispatcherOptions } from '../../src/main/core/webhooks/dispatcher';
import type { DeliveryAttempt } from '../../src/main/core/webhooks/outbox';
import { workspaceTarget } from '../helpers/store';
import { type Target, webhookProcess } from '../helpers/webhook-process';
import { type Received, startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

interface Redelivered {
  id: string;
  webhook_id: string;
  event_type: string;
  state: string;
  message: string;
}
interface Rotated {
  webhook_id: string;
  secret: string;
  previous_secret_valid_until: string | null;
  message: string;
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One process on a workspace: store, dispatcher (not started), event bus wired to it, webhook tools. */
const processFor = (target: Target, options: Partial<DispatcherOptions> = {}) =>
  webhookProcess(target, cleanups, options);

const verifies = (secret: string, r: Received) => {
  try {
    verifiedByStandardWebhooks(secret, r);
    return true;
  } catch {
    return false;
  }
};
const signatures = (r: Received) => String(r.headers['webhook-signature']).split(' ');

describe('webhooks, complete: verified with the standardwebhooks package', () => {
  it('retries after a 500 and after a timeout; every attempt verifies, with one message id', async () => {
    const receiver = await startReceiver([500, 'hang', 200]);
    const p = await processFor(await workspaceTarget('sqlite'), { backoffBaseMs: 40, timeoutMs: 300 });
    const hook = await p.call('create_webhook', { url: receiver.url, events: ['key.created'] });
    p.webhooks.start();
    const delivered = p.attempt((o) => o.state === 'delivered');
    p.events.emit('key.created', { key_id: 'abcd1234' });
    const outcome = await delivered;
    expect(receiver.received).toHaveLength(3);
    for (const r of receiver.received) {
      expect(verifiedByStandardWebhooks(hook.secret, r)).toMatchObject({
        type: 'key.created',
        data: { key_id: 'abcd1234' },
      });
      expect(r.headers['webhook-id']).toBe(outcome.id);
    }
    const { deliveries } = await p.call<{ deliveries: DeliveryAttempt[] }>('list_webhook_deliveries');
    expect(deliveries.map((d) => [d.attempt, d.state, d.status_code])).toEqual([
      [3, 'delivered', 200],
      [2, 'pending', null],
      [1, 'pending', 500],
    ]);
    expect(deliveries[1]?.error).toMatch(/timed out/);
  });

  it('a delivery survives a restart in the middle of a retry and completes in the next process', async () => {
    const receiver = await startReceiver([500, 'hang', 200]);
    const target = await workspaceTarget('sqlite');
    const first = await processFor(target, { backoffBaseMs: 30, timeoutMs: 5_000 });
    const hook = await first.call('create_webhook', { url: receiver.url, events: ['connection.*'] });
    first.webhooks.start();
    first.events.emit('connection.created', { connection_id: 'c1' });
    await receiver.request(2); // the retry is in flight (the receiver hangs)
    await first.webhooks.stop(); // stopping interrupts it and releases the delivery

    const second = await processFor(target, { pollMs: 50 });
    const done = second.attempt((o) => o.state === 'delivered');
    second.webhooks.start();
    const outcome = await done;
    const last = await receiver.request(3);
    expect(verifiedByStandardWebhooks(hook.secret, last)).toMatchObject({ type: 'connection.created' });
    expect(last.headers['webhook-id']).toBe(receiver.received[0]?.headers['webhook-id']);
    expect(outcome).toMatchObject({ attempt: 2, state: 'delivered' });
  });

  it('redeliver_webhook sends the same event again with the same webhook-id, signed', async () => {
    const receiver = await startReceiver([200, 200]);
    const p = await processFor(await workspaceTarget('sqlite'));
    const hook = await p.call('create_webhook', { url: receiver.url, events: ['customer.updated'] });
    p.webhooks.start();
    const firstDone = p.attempt((o) => o.state === 'delivered');
    p.events.emit('customer.updated', { customer_id: 'acme' });
    const original = await firstDone;

    const again = p.attempt((o) => o.state === 'delivered');
    const redelivered = await p.call<Redelivered>('redeliver_webhook', { delivery_id: original.id });
    expect(redelivered).toMatchObject({
      id: original.id,
      webhook_id: hook.id,
      event_type: 'customer.updated',
      state: 'pending',
    });
    expect(await again).toMatchObject({ id: original.id, attempt: 1, state: 'delivered' });
    const [a, b] = receiver.received as [Received, Received];
    expect(b.headers['webhook-id']).toBe(a.headers['webhook-id']);
    expect(b.body).toBe(a.body);
    expect(verifiedByStandardWebhooks(hook.secret, b)).toMatchObject({ data: { customer_id: 'acme' } });

    expect(await p.fail('redeliver_webhook', { delivery_id: 'msg_nope' })).toMatch(
      /Cannot redeliver "msg_nope": there is no such delivery.*list_webhook_deliveries/,
    );
    const test = await p.call<{ id: string }>('test_webhook', { webhook_id: hook.id });
    expect(await p.fail('redeliver_webhook', { delivery_id: test.id })).toMatch(/test_webhook attempt/);
    expect(await p.fail('redeliver_webhook', {})).toMatch(/delivery_id/);

    // A delivery whose webhook was deleted stays as it was.
    await p.call('delete_webhook', { webhook_id: hook.id });
    expect(await p.fail('redeliver_webhook', { delivery_id: original.id })).toMatch(
      /its webhook ".*" was deleted/,
    );
    const state = await p.store.database?.db
      .selectFrom('webhook_deliveries')
      .select('state')
      .where('id', '=', original.id)
      .executeTakeFirst();
    expect(state?.state).toBe('delivered');
  });

  it('rotate_webhook_secret: both secrets verify during the grace period, then only the new one', async () => {
    const receiver = await startReceiver();
    const p = await processFor(await workspaceTarget('sqlite'));
    const hook = await p.call('create_webhook', { url: receiver.url, events: ['key.revoked'] });
    p.webhooks.start();
    const send = async (n: number) => {
      const done = p.attempt((o) => o.state === 'delivered');
      p.events.emit('key.revoked', { key_id: `k${n}` });
      await done;
      return receiver.request(n);
    };

    const rotated = await p.call<Rotated>('rotate_webhook_secret', { webhook_id: hook.id, grace_s: 2 });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.previous_secret_valid_until ?? '')).toBeGreaterThan(Date.now());
    const shown = await p.call('get_webhook', { webhook_id: hook.id });
    expect(shown.secret).not.toBe(rotated.secret);
    expect(shown.previous_secret_valid_until).toBe(rotated.previous_secret_valid_until);

    const during = await send(1);
    expect(signatures(during)).toHaveLength(2);
    expect(verifies(rotated.secret, during)).toBe(true);
    expect(verifies(hook.secret, during)).toBe(true);

    await new Promise((resolve) =>
      setTimeout(resolve, Date.parse(rotated.previous_secret_valid_until ?? '') - Date.now() + 50),
    );
    const after = await send(2);
    expect(signatures(after)).toHaveLength(1);
    expect(verifies(rotated.secret, after)).toBe(true);
    expect(verifies(hook.secret, after)).toBe(false);
    expect((await p.call('get_webhook', { webhook_id: hook.id })).previous_secret_valid_until).toBeNull();

    // grace_s=0: the previous secret stops at once.
    const abrupt = await p.call<Rotated>('rotate_webhook_secret', { webhook_id: hook.id, grace_s: 0 });
    expect(abrupt.previous_secret_valid_until).toBeNull();
    const next = await send(3);
    expect(signatures(next)).toHaveLength(1);
    expect(verifies(abrupt.secret, next)).toBe(true);
    expect(verifies(rotated.secret, next)).toBe(false);

    expect(await p.fail('rotate_webhook_secret', { webhook_id: 'wh_nope' })).toMatch(/No webhook with id/);
    expect(await p.fail('rotate_webhook_secret', { webhook_id: hook.id, grace_s: -1 })).toMatch(/grace_s/);
  });
});

describe('connection.expired', () => {
  it('is emitted once when a refresh marks a connection expired, and delivered to subscribers', async () => {
    const receiver = await startReceiver();
    const p = await processFor(await workspaceTarget('sqlite'));
    const hook = await p.call('create_webhook', { url: receiver.url, events: ['connection.expired'] });
    p.webhooks.start();
    const at = new Date().toISOString();
    const credentials = {
      access_token: 'stale-token',
      expires_at: new Date(Date.now() - 60_000).toISOString(),
    };
    p.store.mutate((ws) => {
      ws.connections.conn_exp = {
        id: 'conn_exp',
        customerId: 'acme',
        connectorId: 'crm',
        credentials: p.store.secrets.seal(credentials, 'connection:conn_exp'),
        credentialKeys: ['access_token'],
        status: 'active',
        createdAt: at,
        updatedAt: at,
      };
    });
    const auth = {
      connectorId: 'crm',
      scheme: 'oauth2',
      oauth2: { grant: 'authorization_code' },
    } as unknown as AuthConfig;
    const seen: string[] = [];
    p.events.on((e) => seen.push(e.type));
    const manager = new OAuthManager(p.store, (c, previous) => emitConnectionStatus(p.events, c, previous));
    const connection = p.store.data.connections.conn_exp;
    if (!connection) throw new Error('the connection was not stored');

    const delivered = p.attempt((o) => o.state === 'delivered');
    await expect(manager.fresh(connection, auth, credentials)).rejects.toBeInstanceOf(ConnectionExpiredError);
    expect(p.store.data.connections.conn_exp?.status).toBe('expired');
    // Already expired: the next failure changes nothing and emits no second connection.expired.
    await expect(manager.fresh(connection, auth, credentials)).rejects.toBeInstanceOf(ConnectionExpiredError);
    expect(seen).toEqual(['connection.updated', 'connection.expired', 'connection.updated']);

    await delivered;
    expect(receiver.received).toHaveLength(1);
    expect(verifiedByStandardWebhooks(hook.secret, receiver.received[0] as Received)).toMatchObject({
      type: 'connection.expired',
      data: { connection_id: 'conn_exp', customer_id: 'acme', connector_id: 'crm', status: 'expired' },
    });
  });
});
