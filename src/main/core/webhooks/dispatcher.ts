import { randomBytes } from 'node:crypto';
import type { EventBus, PorticoEvent } from '../events/event-bus';
import type { Webhook } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import type { Logger } from '../util/log';
import {
  type ClaimedDelivery,
  type DeliveryAttempt,
  DeliveryOutbox,
  type DeliveryState,
  type NewDelivery,
  type WebhookEvent,
} from './outbox';
import { type Sent, sendSigned } from './send';
import { newMessageId } from './signing';

export interface DispatcherOptions {
  store: WorkspaceStore;
  log: Logger;
  /** Unit of the retry schedule (default 5 s: retries after 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h). */
  backoffBaseMs?: number;
  /** Attempts before a delivery is marked failed (default 9, about 8 hours). */
  maxAttempts?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Attempts kept in the attempt log (default 5,000). */
  maxLogEntries?: number;
  /** How often a started dispatcher looks for due deliveries it was not told about (default 5 s). */
  pollMs?: number;
  /** How long a claim holds before another process may take the delivery over (default 60 s, at least 3 timeouts). */
  leaseMs?: number;
  /** Attempts in flight at once (default 8). */
  concurrency?: number;
}

/** Multiples of the backoff base after the 1st, 2nd, … failed attempt. */
const BACKOFF_FACTORS = [1, 6, 24, 120, 360, 720, 1440, 2880] as const;
/** Attempts recorded by one dispatcher between two prunings of the attempt log. */
const PRUNE_EVERY = 100;
const INSERT_BATCH = 500;
/**
 * How long queued deliveries wait to share one write transaction: a busy gateway's events (one per
 * tool call) cost one write per window, not one per call. Still written before any attempt.
 */
const COALESCE_MS = 10;

export function retryDelayMs(failedAttempts: number, baseMs: number): number {
  const index = Math.min(Math.max(failedAttempts, 1), BACKOFF_FACTORS.length) - 1;
  return baseMs * (BACKOFF_FACTORS[index] ?? 1);
}

/** Whether a webhook subscribed to `patterns` receives `type`: exact names, `*`, or `group.*`. */
export function subscribes(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))),
  );
}

/** The outcome of one attempt, as recorded, plus the receiver's reply excerpt when it failed. */
export interface AttemptOutcome extends DeliveryAttempt {
  delivered: boolean;
  response_excerpt: string | null;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Durable, signed webhook delivery through the workspace database. `enqueue` (any process: the
 * server or a CLI command) writes one outbox row per subscribed webhook before any attempt, in a
 * short background transaction; `start` (the server only) claims due rows with a lease and delivers
 * them, retrying with exponential backoff, across restarts and across processes.
 */
export class WebhookDispatcher {
  readonly outbox: DeliveryOutbox;
  /** This dispatcher's name in `claimed_by`: random, so two dispatchers never share a claim. */
  readonly owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  readonly #store: WorkspaceStore;
  readonly #log: Logger;
  readonly #base: number;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #maxLogEntries: number;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #concurrency: number;
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #listeners = new Set<(outcome: AttemptOutcome) => void>();
  #queued: NewDelivery[] = [];
  #writing: Promise<void> | undefined;
  #running = false;
  #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #again = false;
  #sincePrune = 0;
  #pruning: Promise<void> | undefined;

  constructor(options: DispatcherOptions) {
    this.#store = options.store;
    this.#log = options.log;
    this.#base = options.backoffBaseMs ?? 5_000;
    this.#maxAttempts = options.maxAttempts ?? 9;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxLogEntries = options.maxLogEntries ?? 5_000;
    this.#pollMs = options.pollMs ?? 5_000;
    // An attempt ends within its timeout, so three of them is a safe lease: a claim of a replica
    // that died is taken over that much later.
    this.#leaseMs = options.leaseMs ?? 3 * this.#timeoutMs;
    this.#concurrency = options.concurrency ?? 8;
    this.outbox = new DeliveryOutbox(options.store.database);
  }

  get running(): boolean {
    return this.#running;
  }

  /** Called after every recorded attempt (the UI's activity view, tests). */
  onAttempt(listener: (outcome: AttemptOutcome) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Enqueues every event of `events`. Returns a function that stops listening. */
  attach(events: EventBus): () => void {
    return events.on((event) => {
      try {
        this.enqueue(event);
      } catch (error) {
        this.#log(`webhooks: could not queue ${event.type}: ${errorText(error)}`);
      }
    });
  }

  /**
   * Queues one delivery per enabled webhook subscribed to the event and returns their message ids.
   * Never waits: the rows are written in one transaction with the rest of this turn's events
   * (`flush()` awaits that); a failed write is reported to the log.
   */
  enqueue(event: PorticoEvent): string[] {
    const at = Date.now();
    const ids: string[] = [];
    for (const webhook of Object.values(this.#store.data.webhooks)) {
      if (!webhook.enabled || !subscribes(webhook.events, event.type)) continue;
      const id = newMessageId(at);
      this.#queued.push({
        id,
        webhookId: webhook.id,
        event: { type: event.type, timestamp: event.timestamp, data: event.data },
        nextAttemptAt: at,
        createdAt: new Date(at).toISOString(),
      });
      ids.push(id);
    }
    if (ids.length) this.#writing ??= this.#writeQueued();
    return ids;
  }

  /** Resolves once every delivery queued so far is written (or its failure logged). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #writeQueued(): Promise<void> {
    // Let the events of the next few milliseconds join the same transaction.
    await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
    try {
      while (this.#queued.length) {
        const batch = this.#queued.splice(0, INSERT_BATCH);
        try {
          await this.outbox.insert(batch);
        } catch (error) {
          const what = batch.length === 1 ? 'a delivery' : `${batch.length} deliveries`;
          this.#log(`webhooks: could not queue ${what} (${batch[0]?.event.type}): ${errorText(error)}`);
        }
      }
    } finally {
      this.#writing = undefined;
    }
    this.#wake();
  }

  /** Starts delivering: what is due now, then whatever comes due, polling the database every `pollMs`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.#prune();
    this.#wake();
  }

  /**
   * Stops delivering: attempts in flight are interrupted and their deliveries released for the next
   * process (or start); queued deliveries are written first.
   */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#inflight.values()]);
    await this.#round;
    await this.flush();
    await this.#pruning;
  }

  /**
   * Queues delivery `id` again (redeliver_webhook) with its message id and event, due now; see
   * DeliveryOutbox.redeliver. Returns null for an unknown id; `refused` when its webhook was deleted.
   */
  async redeliver(id: string): Promise<Awaited<ReturnType<DeliveryOutbox['redeliver']>>> {
    const result = await this.outbox.redeliver(id, Date.now(), (webhookId) =>
      Boolean(this.#store.data.webhooks[webhookId]),
    );
    if (result && !result.busy && !result.refused) this.#wake();
    return result;
  }

  /** One immediate attempt outside the outbox (test_webhook), recorded in the attempt log. */
  async deliverNow(webhookId: string, event: PorticoEvent): Promise<AttemptOutcome> {
    const webhook = this.#store.data.webhooks[webhookId];
    if (!webhook) throw new Error(`no webhook with id "${webhookId}"`);
    const id = newMessageId();
    const sent = await this.#send(webhook, id, event, new AbortController().signal);
    const delivered = sent.status !== null && sent.status >= 200 && sent.status < 300;
    const attempt = this.#attemptOf(
      webhookId,
      id,
      event.type,
      1,
      sent,
      delivered ? 'delivered' : 'failed',
      null,
    );
    return this.#recorded(
      await this.#save(() => this.outbox.record(attempt).then(() => attempt), attempt),
      sent,
    );
  }

  /** Runs a round now, or once more after the one under way. */
  #wake(): void {
    if (!this.#running) return;
    if (this.#round) {
      this.#again = true;
      return;
    }
    this.#round = this.#rounds().finally(() => {
      this.#round = undefined;
    });
  }

  async #rounds(): Promise<void> {
    do {
      this.#again = false;
      clearTimeout(this.#timer);
      let due: number | null = null;
      try {
        due = await this.#claimDue();
      } catch (error) {
        this.#log(`webhooks: reading the outbox failed: ${errorText(error)}`);
      }
      if (!this.#running) return;
      const full = this.#inflight.size >= this.#concurrency;
      const wait =
        due === null || full ? this.#pollMs : Math.min(Math.max(due - Date.now(), 5), this.#pollMs);
      this.#timer = setTimeout(() => this.#wake(), wait);
      this.#timer.unref();
    } while (this.#again && this.#running);
  }

  /** Claims what is due (as many as there are free slots) and starts attempting it. Returns when more comes due. */
  async #claimDue(): Promise<number | null> {
    // Every slot busy (a receiver that never answers): no query until an attempt ends and wakes us.
    if (this.#inflight.size >= this.#concurrency) return null;
    const due = await this.outbox.nextDue();
    const free = this.#concurrency - this.#inflight.size;
    if (due === null || due > Date.now() || free <= 0) return due;
    const claimed = await this.outbox.claim(this.owner, Date.now(), this.#leaseMs, free);
    for (const delivery of claimed) {
      if (this.#inflight.has(delivery.id) || !this.#running) continue;
      const run = this.#attempt(delivery)
        .catch((error: unknown) =>
          this.#log(`webhooks: delivery ${delivery.id} failed to run: ${errorText(error)}`),
        )
        .finally(() => {
          this.#inflight.delete(delivery.id);
          this.#wake();
        });
      this.#inflight.set(delivery.id, run);
    }
    if (!this.#running)
      await this.outbox.release(
        this.owner,
        claimed.map((d) => d.id),
      );
    return this.outbox.nextDue();
  }

  async #attempt(delivery: ClaimedDelivery): Promise<void> {
    const { id, webhookId } = delivery;
    const attempt = delivery.attempts + 1;
    const dropped = (state: DeliveryState, error: string, type: string) =>
      this.#settle(
        this.#attemptOf(
          webhookId,
          id,
          type,
          attempt,
          { status: null, error, excerpt: null, durationMs: 0 },
          state,
          null,
        ),
        delivery.nextAttemptAt,
        null,
      );
    const event = delivery.event;
    if (!event) return dropped('failed', 'the queued event is unreadable; delivery dropped', 'unknown');
    const webhook = await this.#currentWebhook(webhookId);
    if (!webhook?.enabled) {
      const why = webhook ? 'the webhook was disabled' : 'the webhook was deleted';
      return dropped('cancelled', `${why}; delivery dropped`, event.type);
    }
    const sent = await this.#send(webhook, id, event, this.#abort.signal);
    if (sent.error && this.#abort.signal.aborted) return this.outbox.release(this.owner, [id]);
    const delivered = sent.status !== null && sent.status >= 200 && sent.status < 300;
    if (delivered || attempt >= this.#maxAttempts) {
      const state = delivered ? 'delivered' : 'failed';
      return this.#settle(
        this.#attemptOf(webhookId, id, event.type, attempt, sent, state, null),
        delivery.nextAttemptAt,
        sent,
      );
    }
    const next = Date.now() + retryDelayMs(attempt, this.#base);
    const line = this.#attemptOf(
      webhookId,
      id,
      event.type,
      attempt,
      sent,
      'pending',
      new Date(next).toISOString(),
    );
    return this.#settle(line, next, sent);
  }

  /** The webhook as it is now: a snapshot that lacks it (or has it disabled) is brought up to date first. */
  async #currentWebhook(id: string): Promise<Webhook | undefined> {
    const known = this.#store.data.webhooks[id];
    if (known?.enabled) return known;
    await this.#store.sync().catch((error: unknown) => this.#log(`webhooks: ${errorText(error)}`));
    return this.#store.data.webhooks[id];
  }

  async #settle(attempt: DeliveryAttempt, nextAttemptAt: number, sent: Sent | null): Promise<void> {
    const settlement = { attempts: attempt.attempt, state: attempt.state, nextAttemptAt };
    const recorded = await this.#save(() => this.outbox.settle(this.owner, attempt, settlement), attempt);
    this.#recorded(recorded, sent);
  }

  /** Runs a write of the attempt log; a failure is logged (the claim then lapses and the delivery is retried). */
  async #save(write: () => Promise<DeliveryAttempt>, attempt: DeliveryAttempt): Promise<DeliveryAttempt> {
    try {
      const recorded = await write();
      this.#sincePrune += 1;
      if (this.#sincePrune >= PRUNE_EVERY) this.#prune();
      return recorded;
    } catch (error) {
      this.#log(`webhooks: could not record a delivery attempt: ${errorText(error)}`);
      return attempt;
    }
  }

  #prune(): void {
    this.#sincePrune = 0;
    if (this.#pruning || !this.#store.database || this.#store.readOnly) return;
    this.#pruning = this.outbox
      .prune(this.#maxLogEntries)
      .catch((error: unknown) => this.#log(`webhooks: pruning the attempt log failed: ${errorText(error)}`))
      .finally(() => {
        this.#pruning = undefined;
      });
  }

  async #send(webhook: Webhook, id: string, event: WebhookEvent, stop: AbortSignal): Promise<Sent> {
    let secret: string | string[];
    try {
      secret = this.#store.secrets.open<string>(webhook.secret, `webhook:${webhook.id}`);
      // A rotation's grace period: signed with the previous secret too, until it expires.
      const graceUntil = webhook.previousSecretExpiresAt ? Date.parse(webhook.previousSecretExpiresAt) : 0;
      if (webhook.previousSecret && graceUntil > Date.now())
        secret = [secret, this.#store.secrets.open<string>(webhook.previousSecret, `webhook:${webhook.id}`)];
    } catch (error) {
      return {
        status: null,
        error: `cannot open the signing secret: ${errorText(error)}`,
        excerpt: null,
        durationMs: 0,
      };
    }
    return sendSigned(webhook.url, secret, id, event, { stop, timeoutMs: this.#timeoutMs });
  }

  #attemptOf(
    webhookId: string,
    id: string,
    type: string,
    attempt: number,
    sent: Sent,
    state: DeliveryState,
    nextAttemptAt: string | null,
  ): DeliveryAttempt {
    return {
      id,
      webhook_id: webhookId,
      event_type: type,
      attempt,
      status_code: sent.status,
      error: sent.error,
      duration_ms: sent.durationMs,
      at: new Date().toISOString(),
      state,
      next_attempt_at: nextAttemptAt,
    };
  }

  #recorded(attempt: DeliveryAttempt, sent: Sent | null): AttemptOutcome {
    const outcome: AttemptOutcome = {
      ...attempt,
      delivered: attempt.state === 'delivered',
      response_excerpt: sent?.excerpt ?? null,
    };
    for (const listener of this.#listeners) {
      try {
        listener(outcome);
      } catch {
        // A listener must not break delivery.
      }
    }
    return outcome;
  }
}
