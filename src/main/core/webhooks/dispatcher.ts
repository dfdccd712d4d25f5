import { type FSWatcher, mkdirSync, watch } from 'node:fs';
import type { EventBus, PorticoEvent } from '../events/event-bus';
import { type Logger, redact } from '../log';
import type { Webhook } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { VERSION } from '../version';
import {
  type DeliveryAttempt,
  DeliveryLog,
  DeliveryQueue,
  type DeliveryState,
  type QueuedDelivery,
  webhookPaths,
} from './delivery-store';
import { newMessageId, signatureHeaders } from './signing';

export interface DispatcherOptions {
  store: WorkspaceStore;
  dataDir: string;
  log: Logger;
  /** Unit of the retry schedule (default 5 s: retries after 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h). */
  backoffBaseMs?: number;
  /** Attempts before a delivery is marked failed (default 9, about 8 hours). */
  maxAttempts?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Lines kept in deliveries.jsonl (default 5,000). */
  maxLogLines?: number;
  /** Rescan of the queue even without a change seen (default 30 s). */
  pollMs?: number;
  /** Attempts in flight at once (default 8). */
  concurrency?: number;
}

/** Multiples of the backoff base after the 1st, 2nd, … failed attempt. */
const BACKOFF_FACTORS = [1, 6, 24, 120, 360, 720, 1440, 2880] as const;
const EXCERPT_BYTES = 512;

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

type Sent = { status: number | null; error: string | null; excerpt: string | null; durationMs: number };

async function readExcerpt(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return redact(Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'));
}

function describeError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `timed out after ${timeoutMs / 1000} s without a response`;
  if (err.name === 'AbortError') return 'interrupted: Portico was stopping';
  return redact(err.cause?.message ?? err.message);
}

/**
 * Durable, signed webhook delivery. `enqueue` (any process: the server or `portico admin`)
 * persists one queue file per subscribed webhook before any attempt; `start` (the server
 * only) delivers them, retrying with exponential backoff, across restarts.
 */
export class WebhookDispatcher {
  readonly queue: DeliveryQueue;
  readonly deliveries: DeliveryLog;
  readonly #store: WorkspaceStore;
  readonly #log: Logger;
  readonly #base: number;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #listeners = new Set<(outcome: AttemptOutcome) => void>();
  #running = false;
  #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;

  constructor(options: DispatcherOptions) {
    const paths = webhookPaths(options.dataDir);
    this.#store = options.store;
    this.#log = options.log;
    this.#base = options.backoffBaseMs ?? 5_000;
    this.#maxAttempts = options.maxAttempts ?? 9;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 30_000;
    this.#concurrency = options.concurrency ?? 8;
    this.queue = new DeliveryQueue(paths.queue, (m) => this.#log(m));
    this.deliveries = new DeliveryLog(paths.log, paths.logLock, options.maxLogLines);
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
        this.#log(`webhooks: could not queue ${event.type}: ${(error as Error).message}`);
      }
    });
  }

  /** Persists one pending delivery per enabled webhook subscribed to the event. Returns their ids. */
  enqueue(event: PorticoEvent): string[] {
    try {
      this.#store.refresh();
    } catch {
      // Keep the last good workspace.
    }
    const targets = Object.values(this.#store.data.webhooks).filter(
      (w) => w.enabled && subscribes(w.events, event.type),
    );
    const ids: string[] = [];
    for (const webhook of targets) {
      const delivery: QueuedDelivery = {
        id: newMessageId(),
        webhookId: webhook.id,
        event: { type: event.type, timestamp: event.timestamp, data: event.data },
        attempts: 0,
        nextAttemptAt: Date.now(),
        createdAt: new Date().toISOString(),
      };
      this.queue.write(delivery);
      ids.push(delivery.id);
    }
    if (ids.length) this.#kick();
    return ids;
  }

  /** Starts delivering: pending files now, new ones as they appear, retries when due. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    try {
      mkdirSync(this.queue.dir, { recursive: true, mode: 0o700 });
      this.#watcher = watch(this.queue.dir, { persistent: false }, (_event, file) => {
        if (file && !file.endsWith('.json')) return;
        clearTimeout(this.#debounce);
        this.#debounce = setTimeout(() => this.#kick(), 10);
        this.#debounce.unref();
      });
      this.#watcher.on('error', (error) =>
        this.#log(`webhooks: watching the queue failed: ${error.message}`),
      );
    } catch (error) {
      this.#log(`webhooks: cannot watch ${this.queue.dir} (${(error as Error).message}); polling instead`);
    }
    this.#kick();
  }

  /** Stops delivering; attempts in flight are interrupted and stay queued. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    clearTimeout(this.#debounce);
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#abort.abort();
    await Promise.allSettled([...this.#inflight.values()]);
  }

  /** One immediate attempt outside the queue (test_webhook), recorded in the deliveries log. */
  async deliverNow(webhookId: string, event: PorticoEvent): Promise<AttemptOutcome> {
    const webhook = this.#webhook(webhookId);
    if (!webhook) throw new Error(`no webhook with id "${webhookId}"`);
    const id = newMessageId();
    const sent = await this.#send(webhook, id, event, new AbortController().signal);
    const delivered = sent.status !== null && sent.status >= 200 && sent.status < 300;
    return this.#record(webhookId, id, event.type, 1, sent, delivered ? 'delivered' : 'failed', null);
  }

  #webhook(id: string): Webhook | undefined {
    try {
      this.#store.refresh();
    } catch {
      // Keep the last good workspace.
    }
    return this.#store.data.webhooks[id];
  }

  #kick(): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    let next = Number.POSITIVE_INFINITY;
    try {
      this.queue.recoverStale();
      const now = Date.now();
      for (const delivery of this.queue.pending()) {
        if (this.#inflight.has(delivery.id)) continue;
        if (delivery.nextAttemptAt > now) {
          next = Math.min(next, delivery.nextAttemptAt);
          continue;
        }
        if (this.#inflight.size >= this.#concurrency) break;
        const run = this.#attempt(delivery.id)
          .catch((error: Error) =>
            this.#log(`webhooks: delivery ${delivery.id} failed to run: ${error.message}`),
          )
          .finally(() => {
            this.#inflight.delete(delivery.id);
            this.#kick();
          });
        this.#inflight.set(delivery.id, run);
      }
    } catch (error) {
      this.#log(`webhooks: reading the queue failed: ${(error as Error).message}`);
    }
    if (!this.#running) return;
    const delay = Math.max(0, Math.min(next - Date.now(), this.#pollMs));
    this.#timer = setTimeout(() => this.#kick(), delay);
    this.#timer.unref();
  }

  async #attempt(id: string): Promise<void> {
    const delivery = this.queue.claim(id);
    if (!delivery) return;
    try {
      await this.#attemptClaimed(delivery);
    } catch (error) {
      // Leave it queued for the next round rather than stuck in flight.
      try {
        this.queue.unclaim(id);
      } catch {
        // Already finished or requeued.
      }
      throw error;
    }
  }

  async #attemptClaimed(delivery: QueuedDelivery): Promise<void> {
    const id = delivery.id;
    if (delivery.nextAttemptAt > Date.now()) return this.queue.unclaim(id);
    const attempt = delivery.attempts + 1;
    const type = delivery.event.type;
    const webhook = this.#webhook(delivery.webhookId);
    if (!webhook?.enabled) {
      const why = webhook ? 'the webhook was disabled' : 'the webhook was deleted';
      this.queue.finish(id);
      const sent = { status: null, error: `${why}; delivery dropped`, excerpt: null, durationMs: 0 };
      this.#record(delivery.webhookId, id, type, attempt, sent, 'cancelled', null);
      return;
    }
    const event = delivery.event as PorticoEvent;
    const sent = await this.#send(webhook, id, event, this.#abort.signal);
    if (sent.error && this.#abort.signal.aborted) return this.queue.unclaim(id);
    const delivered = sent.status !== null && sent.status >= 200 && sent.status < 300;
    if (delivered || attempt >= this.#maxAttempts) {
      this.queue.finish(id);
      this.#record(webhook.id, id, type, attempt, sent, delivered ? 'delivered' : 'failed', null);
      return;
    }
    const nextAttemptAt = Date.now() + retryDelayMs(attempt, this.#base);
    this.queue.requeue({ ...delivery, attempts: attempt, nextAttemptAt });
    this.#record(webhook.id, id, type, attempt, sent, 'pending', new Date(nextAttemptAt).toISOString());
  }

  async #send(webhook: Webhook, id: string, event: PorticoEvent, stop: AbortSignal): Promise<Sent> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    let secret: string;
    try {
      secret = this.#store.secrets.open<string>(webhook.secret, `webhook:${webhook.id}`);
    } catch (error) {
      return {
        status: null,
        error: `cannot open the signing secret: ${(error as Error).message}`,
        excerpt: null,
        durationMs: 0,
      };
    }
    const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
    try {
      const res = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `Portico-Webhooks/${VERSION}`,
          ...signatureHeaders(secret, body, { id }),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([stop, AbortSignal.timeout(this.#timeoutMs)]),
      });
      const ok = res.status >= 200 && res.status < 300;
      const text = await readExcerpt(res).catch(() => '');
      const excerpt = ok ? null : text;
      const error = ok
        ? null
        : `the receiver answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`;
      return { status: res.status, error, excerpt, durationMs: took() };
    } catch (error) {
      return {
        status: null,
        error: describeError(error, this.#timeoutMs),
        excerpt: null,
        durationMs: took(),
      };
    }
  }

  #record(
    webhookId: string,
    id: string,
    type: string,
    attempt: number,
    sent: Sent,
    state: DeliveryState,
    nextAttemptAt: string | null,
  ): AttemptOutcome {
    const line: DeliveryAttempt = {
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
    try {
      this.deliveries.append(line);
    } catch (error) {
      this.#log(`webhooks: could not record a delivery attempt: ${(error as Error).message}`);
    }
    const outcome: AttemptOutcome = {
      ...line,
      delivered: state === 'delivered',
      response_excerpt: sent.excerpt,
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
