import { describe, expect, it } from 'vitest';
import type { WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { type DeliveryAttempt, DeliveryOutbox, type NewDelivery } from '../../src/main/core/webhooks/outbox';
import { newMessageId } from '../../src/main/core/webhooks/signing';
import { engines, openStore, workspaceTarget } from '../helpers/store';

const T0 = 1_800_000_000_000;

function outboxOf(store: WorkspaceStore): DeliveryOutbox {
  return new DeliveryOutbox(store.database);
}

function deliveries(webhookId: string, count: number, at = T0): NewDelivery[] {
  return Array.from({ length: count }, (_, i) => ({
    id: newMessageId(at + i),
    webhookId,
    event: { type: 'tool.called', timestamp: new Date(at).toISOString(), data: { n: i } },
    nextAttemptAt: at + i,
    createdAt: new Date(at).toISOString(),
  }));
}

function attemptOf(
  id: string,
  webhookId: string,
  attempt: number,
  state: DeliveryAttempt['state'],
): DeliveryAttempt {
  return {
    id,
    webhook_id: webhookId,
    event_type: 'tool.called',
    attempt,
    status_code: state === 'delivered' ? 200 : 500,
    error: state === 'delivered' ? null : 'the receiver answered HTTP 500',
    duration_ms: 3,
    at: new Date(T0 + attempt).toISOString(),
    state,
    next_attempt_at: state === 'pending' ? new Date(T0 + 60_000).toISOString() : null,
  };
}

describe.each(engines())('the webhook outbox on %s', (engine) => {
  it('a claim is exclusive: two processes claiming at once never get the same delivery', async () => {
    const target = await workspaceTarget(engine);
    const a = outboxOf(await openStore(target));
    const b = outboxOf(await openStore(target));
    const queued = deliveries('wh_1', 30);
    await a.insert(queued);

    const seen: string[] = [];
    for (let round = 0; round < 30; round += 1) {
      const [mine, theirs] = await Promise.all([
        a.claim('process-a', T0 + 100, 60_000, 4),
        b.claim('process-b', T0 + 100, 60_000, 4),
      ]);
      if (!mine.length && !theirs.length) break;
      seen.push(...mine.map((d) => d.id), ...theirs.map((d) => d.id));
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen)).toEqual(new Set(queued.map((d) => d.id)));
    // Claimed rows keep their event and are counted as pending until settled.
    expect(await a.counts()).toEqual(new Map([['wh_1', 30]]));
  });

  it('claims only what is due, oldest first, and hands the event back as it was queued', async () => {
    const outbox = outboxOf(await openStore(await workspaceTarget(engine)));
    const [early, late] = [deliveries('wh_1', 1, T0)[0], deliveries('wh_1', 1, T0 + 5_000)[0]];
    if (!early || !late) throw new Error('no deliveries');
    await outbox.insert([late, early]);
    expect(await outbox.nextDue()).toBe(T0);

    const first = await outbox.claim('p', T0, 10_000, 10);
    expect(first).toEqual([
      { id: early.id, webhookId: 'wh_1', event: early.event, attempts: 0, nextAttemptAt: T0 },
    ]);
    // The claimed one is due again only when its lease ends (T0 + 10 s); the other at its own time.
    expect(await outbox.nextDue()).toBe(T0 + 5_000);
    expect(await outbox.claim('p', T0 + 4_999, 10_000, 10)).toEqual([]);
    expect((await outbox.claim('p', T0 + 5_000, 10_000, 10)).map((d) => d.id)).toEqual([late.id]);
    expect(await outbox.nextDue()).toBe(T0 + 10_000);
  });

  it('a lease that ran out (its process died) lets another process take the delivery over', async () => {
    const target = await workspaceTarget(engine);
    const dead = outboxOf(await openStore(target));
    const alive = outboxOf(await openStore(target));
    const [delivery] = deliveries('wh_1', 1);
    if (!delivery) throw new Error('no delivery');
    await dead.insert([delivery]);
    expect(await dead.claim('dead-process', T0, 60_000, 1)).toHaveLength(1);

    expect(await alive.claim('alive-process', T0 + 59_999, 60_000, 1)).toEqual([]);
    const taken = await alive.claim('alive-process', T0 + 60_000, 60_000, 1);
    expect(taken.map((d) => d.id)).toEqual([delivery.id]);

    // The dead process's late settlement no longer counts: the taker's does.
    const late = attemptOf(delivery.id, 'wh_1', 1, 'pending');
    await dead.settle('dead-process', late, { attempts: 1, state: 'pending', nextAttemptAt: T0 });
    await alive.settle('alive-process', attemptOf(delivery.id, 'wh_1', 1, 'delivered'), {
      attempts: 1,
      state: 'delivered',
      nextAttemptAt: T0,
    });
    expect(await alive.counts()).toEqual(new Map());
    expect(await alive.nextDue()).toBeNull();
  });

  it('settling records the attempt, schedules the retry and releases the claim', async () => {
    const outbox = outboxOf(await openStore(await workspaceTarget(engine)));
    const [delivery] = deliveries('wh_1', 1);
    if (!delivery) throw new Error('no delivery');
    await outbox.insert([delivery]);
    await outbox.claim('p', T0, 60_000, 1);
    const failed = attemptOf(delivery.id, 'wh_1', 1, 'pending');
    expect(
      await outbox.settle('p', failed, { attempts: 1, state: 'pending', nextAttemptAt: T0 + 30_000 }),
    ).toEqual(failed);
    expect(await outbox.nextDue()).toBe(T0 + 30_000);
    const [again] = await outbox.claim('q', T0 + 30_000, 60_000, 1);
    expect(again).toMatchObject({ id: delivery.id, attempts: 1 });
  });

  it('discard cancels a webhook’s pending deliveries, claimed ones too; a retry scheduled after it stays cancelled', async () => {
    const outbox = outboxOf(await openStore(await workspaceTarget(engine)));
    const mine = deliveries('wh_mine', 3);
    await outbox.insert([...mine, ...deliveries('wh_other', 2, T0 + 100)]);
    expect(await outbox.counts()).toEqual(
      new Map([
        ['wh_mine', 3],
        ['wh_other', 2],
      ]),
    );
    const claimed = await outbox.claim('p', T0, 60_000, 1);
    expect(claimed.map((d) => d.id)).toEqual([mine[0]?.id]);

    expect(await outbox.discard('wh_mine')).toBe(3);
    expect(await outbox.discard('wh_mine')).toBe(0);
    expect(await outbox.counts()).toEqual(new Map([['wh_other', 2]]));

    const inFlight = attemptOf(claimed[0]?.id ?? '', 'wh_mine', 1, 'pending');
    const recorded = await outbox.settle('p', inFlight, { attempts: 1, state: 'pending', nextAttemptAt: T0 });
    expect(recorded).toMatchObject({ state: 'cancelled', next_attempt_at: null });
    expect(await outbox.counts()).toEqual(new Map([['wh_other', 2]]));
  });

  it('lists attempts newest first, filtered and paged in SQL', async () => {
    const outbox = outboxOf(await openStore(await workspaceTarget(engine)));
    for (let n = 1; n <= 5; n += 1) {
      await outbox.record(
        attemptOf(`msg_a${n}`, n % 2 ? 'wh_odd' : 'wh_even', n, n === 5 ? 'delivered' : 'pending'),
      );
    }
    const all = await outbox.attempts({ limit: 50 });
    expect(all.attempts.map((a) => a.attempt)).toEqual([5, 4, 3, 2, 1]);
    expect(all).toMatchObject({ total: 5, more: false });
    expect(all.attempts[0]).toMatchObject({
      id: 'msg_a5',
      webhook_id: 'wh_odd',
      event_type: 'tool.called',
      status_code: 200,
      error: null,
      duration_ms: 3,
      state: 'delivered',
      next_attempt_at: null,
    });

    const first = await outbox.attempts({ webhookId: 'wh_odd', limit: 2 });
    expect(first.attempts.map((a) => a.id)).toEqual(['msg_a5', 'msg_a3']);
    expect(first).toMatchObject({ total: 3, more: true });
    const second = await outbox.attempts({
      webhookId: 'wh_odd',
      limit: 2,
      beforeSeq: first.attempts[1]?.seq,
    });
    expect(second.attempts.map((a) => a.id)).toEqual(['msg_a1']);
    expect(second.more).toBe(false);

    const pending = await outbox.attempts({ state: 'pending', limit: 50 });
    expect(pending.attempts.map((a) => a.attempt)).toEqual([4, 3, 2, 1]);
  });

  it('pruning keeps the newest attempts and pending deliveries, and drops finished ones with no attempt left', async () => {
    const store = await openStore(await workspaceTarget(engine));
    const outbox = outboxOf(store);
    const [done, waiting] = deliveries('wh_1', 2);
    const [cancelled] = deliveries('wh_2', 1, T0 + 100);
    if (!done || !waiting || !cancelled) throw new Error('no deliveries');
    await outbox.insert([done, waiting, cancelled]);
    expect((await outbox.claim('p', T0, 60_000, 1)).map((d) => d.id)).toEqual([done.id]);
    await outbox.settle('p', attemptOf(done.id, 'wh_1', 1, 'delivered'), {
      attempts: 1,
      state: 'delivered',
      nextAttemptAt: T0,
    });
    await outbox.discard('wh_2');
    for (let n = 2; n <= 25; n += 1) await outbox.record(attemptOf(`msg_x${n}`, 'wh_1', n, 'delivered'));

    await outbox.prune(10);
    const kept = await outbox.attempts({ limit: 100 });
    expect(kept.attempts.map((a) => a.attempt)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(kept.total).toBe(10);
    const rows = await store.database?.db.selectFrom('webhook_deliveries').select(['id', 'state']).execute();
    expect(rows).toEqual([{ id: waiting.id, state: 'pending' }]);
    await outbox.prune(10);
    expect((await outbox.attempts({ limit: 100 })).total).toBe(10);
  });
});

describe.skipIf(!engines().includes('postgres'))('claims on PostgreSQL', () => {
  it('skip rows another replica has locked and never wait for the workspace write lock', async () => {
    const target = await workspaceTarget('postgres');
    const store = await openStore(target);
    const other = await openStore(target);
    const outbox = outboxOf(store);
    const queued = deliveries('wh_1', 6);
    await outbox.insert(queued);
    const database = other.database;
    if (!database) throw new Error('no database');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // Another replica: inside a workspace write (holding the write lock), it has locked two rows.
    const writer = database.write(async (tx) => {
      await tx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where(
          'id',
          'in',
          queued.slice(0, 2).map((d) => d.id),
        )
        .forUpdate()
        .execute();
      locked();
      await held;
    });
    await lockTaken;
    try {
      const claimed = await outbox.claim('replica-a', T0 + 100, 60_000, 10);
      expect(claimed.map((d) => d.id)).toEqual(queued.slice(2).map((d) => d.id));
    } finally {
      release();
      await writer;
    }
    // Once released, the two rows are claimable.
    expect((await outbox.claim('replica-a', T0 + 100, 60_000, 10)).map((d) => d.id)).toEqual(
      queued.slice(0, 2).map((d) => d.id),
    );
  });
});
