import { sql } from 'kysely';
import { z } from 'zod';
import { type DeliveryState, deliveryStates } from '../../../shared/schemas/webhooks';
import type { Database, WriteTx } from '../store/database';

export { type DeliveryState, deliveryStates };

/** What a webhook receives: the body is this, as JSON. */
export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const eventSchema = z.object({
  type: z.string(),
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** The outcome of one attempt, as listed by list_webhook_deliveries. Never holds the secret or the URL. */
export interface DeliveryAttempt {
  /** The message id (`webhook-id`). */
  id: string;
  webhook_id: string;
  event_type: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: string;
  /** The delivery's state after this attempt; `pending` means another attempt is scheduled. */
  state: DeliveryState;
  next_attempt_at: string | null;
}

const attemptRowSchema = z.object({
  seq: z.coerce.number(),
  delivery_id: z.string(),
  webhook_id: z.string(),
  event_type: z.string(),
  attempt: z.coerce.number(),
  status_code: z.coerce.number().nullable(),
  error: z.string().nullable(),
  duration_ms: z.coerce.number(),
  at: z.string(),
  state: z.enum(deliveryStates).catch('failed'),
  next_attempt_at: z.string().nullable(),
});

/** A delivery to write: one event for one webhook, persisted before any attempt. */
export interface NewDelivery {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  nextAttemptAt: number;
  createdAt: string;
}

/** A delivery this process claimed. `event` is null when the stored event could not be read. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  event: WebhookEvent | null;
  /** Attempts already made. */
  attempts: number;
  nextAttemptAt: number;
}

/** What an attempt leaves the delivery with. */
export interface Settlement {
  attempts: number;
  state: DeliveryState;
  nextAttemptAt: number;
}

export interface AttemptQuery {
  webhookId?: string;
  state?: DeliveryState;
  /** Only attempts older than this one (a page's cursor). */
  beforeSeq?: number;
  limit: number;
}

export interface AttemptPage {
  attempts: (DeliveryAttempt & { seq: number })[];
  /** Attempts matching the filter across all pages. */
  total: number;
  /** Whether older attempts follow the last one. */
  more: boolean;
}

function parseEvent(text: string): WebhookEvent | null {
  try {
    const parsed = eventSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The webhook outbox (`webhook_deliveries`) and attempt log (`webhook_attempts`) in the workspace
 * database. Every process on the database may enqueue; a delivery is attempted only by the process
 * whose claim (an atomic UPDATE with a lease) holds it.
 */
export class DeliveryOutbox {
  constructor(private readonly database: Database | null) {}

  /** The database for reads; null when there is none yet (a read-only view of an empty data dir). */
  #reader(): Database | null {
    return this.database?.hasSchema ? this.database : null;
  }

  #write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    const database = this.database;
    if (!database || database.readOnly || !database.hasSchema)
      return Promise.reject(new Error('the workspace database is not open for writing here'));
    return database.write(fn);
  }

  /** Writes new pending deliveries in one transaction. */
  async insert(deliveries: readonly NewDelivery[]): Promise<void> {
    if (!deliveries.length) return;
    await this.#write(async (tx) => {
      await tx
        .insertInto('webhook_deliveries')
        .values(
          deliveries.map((d) => ({
            id: d.id,
            webhook_id: d.webhookId,
            event: JSON.stringify({ type: d.event.type, timestamp: d.event.timestamp, data: d.event.data }),
            attempts: 0,
            next_attempt_at: d.nextAttemptAt,
            state: 'pending',
            claimed_by: null,
            claimed_until: null,
            created_at: d.createdAt,
          })),
        )
        .execute();
    });
  }

  /**
   * Claims up to `limit` due deliveries for `owner` until `now + leaseMs`: pending ones whose time
   * has come and that nobody holds (or whose holder's lease ran out). One UPDATE, so two processes
   * never claim the same delivery.
   */
  async claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const claimable = (tx: WriteTx, lock: boolean) => {
      const due = tx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit);
      // PostgreSQL: rows another replica is claiming right now are skipped, not waited for.
      return lock ? due.forUpdate().skipLocked() : due;
    };
    const update = (tx: WriteTx, lock: boolean) =>
      tx
        .updateTable('webhook_deliveries')
        .set({ claimed_by: owner, claimed_until: now + leaseMs })
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
        .where('id', 'in', claimable(tx, lock))
        .returning(['id', 'webhook_id', 'event', 'attempts', 'next_attempt_at'])
        .execute();
    const database = this.database;
    // On PostgreSQL claims need no workspace write lock: row locks with SKIP LOCKED let replicas
    // claim side by side, each delivery by exactly one. SQLite has one writer anyway.
    const rows =
      database?.engine === 'postgres' && !database.readOnly && database.hasSchema
        ? await database.db.transaction().execute((tx) => update(tx, true))
        : await this.#write((tx) => update(tx, false));
    return rows
      .map((r) => ({
        id: r.id,
        webhookId: r.webhook_id,
        event: parseEvent(r.event),
        attempts: Number(r.attempts),
        nextAttemptAt: Number(r.next_attempt_at),
      }))
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id.localeCompare(b.id));
  }

  /** Epoch ms when the earliest pending delivery can be claimed (its time, or its holder's lease end); null when none. */
  async nextDue(): Promise<number | null> {
    const reader = this.#reader();
    if (!reader) return null;
    const row = await reader.db
      .selectFrom('webhook_deliveries')
      .select(
        sql<
          number | string | null
        >`min(case when claimed_until > next_attempt_at then claimed_until else next_attempt_at end)`.as(
          'due',
        ),
      )
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return row?.due === null || row?.due === undefined ? null : Number(row.due);
  }

  /**
   * Records an attempt on a claimed delivery and leaves the delivery as `settlement` says, releasing
   * the claim. If the delivery was discarded meanwhile, it stays cancelled (and a scheduled retry is
   * recorded as cancelled). Returns the attempt as recorded.
   */
  async settle(owner: string, attempt: DeliveryAttempt, settlement: Settlement): Promise<DeliveryAttempt> {
    return this.#write(async (tx) => {
      const updated = await tx
        .updateTable('webhook_deliveries')
        .set({
          attempts: settlement.attempts,
          state: settlement.state,
          next_attempt_at: settlement.nextAttemptAt,
          claimed_by: null,
          claimed_until: null,
        })
        .where('id', '=', attempt.id)
        .where('claimed_by', '=', owner)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      let recorded = attempt;
      if (Number(updated.numUpdatedRows) === 0 && attempt.state === 'pending') {
        const now = await tx
          .selectFrom('webhook_deliveries')
          .select('state')
          .where('id', '=', attempt.id)
          .executeTakeFirst();
        if (now?.state !== 'pending') recorded = { ...attempt, state: 'cancelled', next_attempt_at: null };
      }
      await insertAttempt(tx, recorded);
      return recorded;
    });
  }

  /** Records an attempt made outside the outbox (test_webhook). */
  async record(attempt: DeliveryAttempt): Promise<void> {
    await this.#write((tx) => insertAttempt(tx, attempt));
  }

  /** Gives up claims without an attempt (the process is stopping): they are due again at once. */
  async release(owner: string, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.#write(async (tx) => {
      await tx
        .updateTable('webhook_deliveries')
        .set({ claimed_by: null, claimed_until: null })
        .where('id', 'in', ids)
        .where('claimed_by', '=', owner)
        .execute();
    });
  }

  /**
   * Makes delivery `id` due again at `now` (redeliver_webhook), keeping its message id and event: a
   * finished one (delivered, failed, cancelled) starts over with a fresh set of attempts; a pending
   * one waiting for its retry is attempted now. Returns null when there is no such delivery, and
   * `busy` when an attempt is under way.
   */
  async redeliver(
    id: string,
    now: number,
    /** Whether the delivery's webhook may receive it; when not, nothing changes (`refused`). */
    accept: (webhookId: string) => boolean = () => true,
  ): Promise<{
    webhookId: string;
    eventType: string;
    previous: DeliveryState;
    busy: boolean;
    refused: boolean;
  } | null> {
    return this.#write(async (tx) => {
      const row = await tx
        .selectFrom('webhook_deliveries')
        .select(['webhook_id', 'event', 'state', 'claimed_until'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return null;
      const previous = z.enum(deliveryStates).catch('failed').parse(row.state);
      const eventType = parseEvent(row.event)?.type ?? 'unknown';
      const busy = previous === 'pending' && row.claimed_until !== null && Number(row.claimed_until) > now;
      const refused = !accept(row.webhook_id);
      if (!busy && !refused)
        await tx
          .updateTable('webhook_deliveries')
          .set({
            state: 'pending',
            next_attempt_at: now,
            claimed_by: null,
            claimed_until: null,
            ...(previous === 'pending' ? {} : { attempts: 0 }),
          })
          .where('id', '=', id)
          .execute();
      return { webhookId: row.webhook_id, eventType, previous, busy, refused };
    });
  }

  /** Whether the attempt log holds attempts of `id` (a test_webhook attempt has no outbox row). */
  async attempted(id: string): Promise<boolean> {
    const reader = this.#reader();
    if (!reader) return false;
    const row = await reader.db
      .selectFrom('webhook_attempts')
      .select('seq')
      .where('delivery_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Cancels a webhook's pending deliveries, claimed ones too. Returns how many. */
  async discard(webhookId: string): Promise<number> {
    const result = await this.#write((tx) =>
      tx
        .updateTable('webhook_deliveries')
        .set({ state: 'cancelled', claimed_by: null, claimed_until: null })
        .where('webhook_id', '=', webhookId)
        .where('state', '=', 'pending')
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows);
  }

  /** Pending deliveries (waiting or being attempted) per webhook id. */
  async counts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const reader = this.#reader();
    if (!reader) return counts;
    const rows = await reader.db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['webhook_id', eb.fn.countAll().as('n')])
      .where('state', '=', 'pending')
      .groupBy('webhook_id')
      .execute();
    for (const row of rows) counts.set(row.webhook_id, Number(row.n));
    return counts;
  }

  /** Recorded attempts, newest first, one page at a time. */
  async attempts(query: AttemptQuery): Promise<AttemptPage> {
    const reader = this.#reader();
    if (!reader) return { attempts: [], total: 0, more: false };
    const filtered = reader.db
      .selectFrom('webhook_attempts')
      .$if(query.webhookId !== undefined, (q) => q.where('webhook_id', '=', query.webhookId ?? ''))
      .$if(query.state !== undefined, (q) => q.where('state', '=', query.state ?? 'pending'));
    const counted = await filtered.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const rows = await filtered
      .selectAll()
      .$if(query.beforeSeq !== undefined, (q) => q.where('seq', '<', query.beforeSeq ?? 0))
      .orderBy('seq', 'desc')
      .limit(query.limit + 1)
      .execute();
    const attempts = rows.slice(0, query.limit).map((row) => {
      const r = attemptRowSchema.parse(row);
      return {
        seq: r.seq,
        id: r.delivery_id,
        webhook_id: r.webhook_id,
        event_type: r.event_type,
        attempt: r.attempt,
        status_code: r.status_code,
        error: r.error,
        duration_ms: r.duration_ms,
        at: r.at,
        state: r.state,
        next_attempt_at: r.next_attempt_at,
      };
    });
    return { attempts, total: Number(counted?.n ?? 0), more: rows.length > query.limit };
  }

  /**
   * Keeps the newest `keep` attempts, and finished deliveries only while an attempt of theirs is
   * kept. Pending deliveries are never removed.
   */
  async prune(keep: number): Promise<void> {
    await this.#write(async (tx) => {
      const oldestDropped = await tx
        .selectFrom('webhook_attempts')
        .select('seq')
        .orderBy('seq', 'desc')
        .limit(1)
        .offset(keep)
        .executeTakeFirst();
      if (oldestDropped)
        await tx.deleteFrom('webhook_attempts').where('seq', '<=', oldestDropped.seq).execute();
      await tx
        .deleteFrom('webhook_deliveries')
        .where('state', '<>', 'pending')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_attempts')
                .select('seq')
                .whereRef('webhook_attempts.delivery_id', '=', 'webhook_deliveries.id'),
            ),
          ),
        )
        .execute();
    });
  }
}

async function insertAttempt(tx: WriteTx, a: DeliveryAttempt): Promise<void> {
  await tx
    .insertInto('webhook_attempts')
    .values({
      delivery_id: a.id,
      webhook_id: a.webhook_id,
      event_type: a.event_type,
      attempt: a.attempt,
      status_code: a.status_code,
      error: a.error,
      duration_ms: a.duration_ms,
      at: a.at,
      state: a.state,
      next_attempt_at: a.next_attempt_at,
    })
    .execute();
}
