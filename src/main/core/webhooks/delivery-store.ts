import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { pidAlive } from '../process-alive';
import { withFileLock } from '../store/file-lock';

/** Files of the webhook subsystem inside a data dir. */
export function webhookPaths(dataDir: string) {
  const dir = join(dataDir, 'webhooks');
  return {
    dir,
    queue: join(dir, 'queue'),
    log: join(dir, 'deliveries.jsonl'),
    logLock: join(dir, 'deliveries.lock'),
  };
}

/** One pending delivery of one event to one webhook, persisted before any attempt. */
export const queuedDeliverySchema = z.object({
  /** The message id: the `webhook-id` header, the same on every retry. */
  id: z.string().regex(/^msg_[A-Za-z0-9]+$/),
  webhookId: z.string(),
  event: z.object({ type: z.string(), timestamp: z.string(), data: z.record(z.string(), z.unknown()) }),
  /** Attempts already made. */
  attempts: z.number().int().min(0),
  /** Epoch milliseconds of the next attempt. */
  nextAttemptAt: z.number(),
  createdAt: z.string(),
});
export type QueuedDelivery = z.infer<typeof queuedDeliverySchema>;

export const deliveryStates = ['delivered', 'pending', 'failed', 'cancelled'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/** One line of deliveries.jsonl: the outcome of one attempt. Never holds the secret or the URL. */
export interface DeliveryAttempt {
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

const PENDING = /^(msg_[A-Za-z0-9]+)\.json$/;
const INFLIGHT = /^(msg_[A-Za-z0-9]+)\.json\.inflight-(\d+)$/;
const TEMP = /^\.tmp-/;

/** Queue files this process has claimed (module-wide: one claim set per process). */
const claimedHere = new Set<string>();

function writeAtomic(path: string, dir: string, text: string): void {
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * `<dataDir>/webhooks/queue/`: one `<msg id>.json` per pending delivery. A process claims a
 * file by renaming it to `<msg id>.json.inflight-<pid>` (atomic: only one process wins);
 * files claimed by a process that died are put back.
 */
export class DeliveryQueue {
  #ready = false;

  constructor(
    readonly dir: string,
    private readonly onProblem: (message: string) => void = () => {},
  ) {}

  #ensure(): void {
    if (this.#ready) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.#ready = true;
  }

  #pendingPath = (id: string) => join(this.dir, `${id}.json`);
  #inflightPath = (id: string) => join(this.dir, `${id}.json.inflight-${process.pid}`);

  /** Writes (creates or replaces) a pending delivery, atomically. */
  write(delivery: QueuedDelivery): void {
    this.#ensure();
    writeAtomic(this.#pendingPath(delivery.id), this.dir, `${JSON.stringify(delivery)}\n`);
  }

  #names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  #read(path: string): QueuedDelivery | null {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      return queuedDeliverySchema.parse(JSON.parse(text));
    } catch (error) {
      const aside = `${path}.corrupt`;
      try {
        renameSync(path, aside);
      } catch {
        // Another process moved it first.
      }
      this.onProblem(
        `webhook queue file ${path} is unreadable (${(error as Error).message}); moved to ${aside}`,
      );
      return null;
    }
  }

  /** Pending (unclaimed) deliveries, oldest first. */
  pending(): QueuedDelivery[] {
    const out: QueuedDelivery[] = [];
    for (const name of this.#names().sort()) {
      if (!PENDING.test(name)) continue;
      const delivery = this.#read(join(this.dir, name));
      if (delivery) out.push(delivery);
    }
    return out;
  }

  /** Puts back files claimed by dead processes (or by an earlier process that had our pid). */
  recoverStale(): number {
    let recovered = 0;
    const now = Date.now();
    for (const name of this.#names()) {
      const path = join(this.dir, name);
      if (TEMP.test(name)) {
        try {
          if (now - statSync(path).mtimeMs > 3_600_000) rmSync(path, { force: true });
        } catch {
          // Gone already.
        }
        continue;
      }
      const match = INFLIGHT.exec(name);
      if (!match) continue;
      const [, id, pidText] = match as unknown as [string, string, string];
      const pid = Number(pidText);
      const stale = pid === process.pid ? !claimedHere.has(id) : !pidAlive(pid);
      if (!stale) continue;
      try {
        if (existsSync(this.#pendingPath(id))) rmSync(path, { force: true });
        else renameSync(path, this.#pendingPath(id));
        recovered += 1;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return recovered;
  }

  /** Claims a pending delivery for this process; null when another process took it first. */
  claim(id: string): QueuedDelivery | null {
    if (claimedHere.has(id)) return null;
    claimedHere.add(id);
    try {
      renameSync(this.#pendingPath(id), this.#inflightPath(id));
    } catch (error) {
      claimedHere.delete(id);
      if (isMissing(error)) return null;
      throw error;
    }
    const delivery = this.#read(this.#inflightPath(id));
    if (!delivery) claimedHere.delete(id);
    return delivery;
  }

  /** Returns a claimed delivery to the queue with its new state (a retry is scheduled). */
  requeue(delivery: QueuedDelivery): void {
    this.write(delivery);
    this.#release(delivery.id);
  }

  /** Puts a claimed delivery back unchanged (the attempt was interrupted). */
  unclaim(id: string): void {
    try {
      renameSync(this.#inflightPath(id), this.#pendingPath(id));
    } finally {
      claimedHere.delete(id);
    }
  }

  /** Removes a claimed delivery: delivered, failed for good, or cancelled. */
  finish(id: string): void {
    this.#release(id);
  }

  #release(id: string): void {
    rmSync(this.#inflightPath(id), { force: true });
    claimedHere.delete(id);
  }

  /** Deletes a webhook's pending deliveries (not those in flight). Returns how many. */
  discard(webhookId: string): number {
    let count = 0;
    for (const delivery of this.pending()) {
      if (delivery.webhookId !== webhookId) continue;
      rmSync(this.#pendingPath(delivery.id), { force: true });
      count += 1;
    }
    return count;
  }

  /** Pending and in-flight deliveries per webhook id. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const name of this.#names()) {
      if (!PENDING.test(name) && !INFLIGHT.test(name)) continue;
      const delivery = this.#read(join(this.dir, name));
      if (delivery) counts.set(delivery.webhookId, (counts.get(delivery.webhookId) ?? 0) + 1);
    }
    return counts;
  }
}

/**
 * `<dataDir>/webhooks/deliveries.jsonl`: every attempt's outcome, appended under a
 * cross-process lock and trimmed to the newest `maxLines` when it grows 10% past that.
 */
export class DeliveryLog {
  #lines: number | undefined;

  constructor(
    readonly path: string,
    readonly lockPath: string,
    readonly maxLines = 5_000,
  ) {}

  append(attempt: DeliveryAttempt): void {
    mkdirSync(join(this.path, '..'), { recursive: true, mode: 0o700 });
    withFileLock(this.lockPath, () => {
      this.#lines ??= this.#rawLines().length;
      appendFileSync(this.path, `${JSON.stringify(attempt)}\n`, { mode: 0o600 });
      this.#lines += 1;
      if (this.#lines > this.maxLines + Math.ceil(this.maxLines / 10)) {
        const keep = this.#rawLines().slice(-this.maxLines);
        writeAtomic(this.path, join(this.path, '..'), `${keep.join('\n')}\n`);
        this.#lines = keep.length;
      }
    });
  }

  #rawLines(): string[] {
    try {
      return readFileSync(this.path, 'utf8').split('\n').filter(Boolean);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /** All recorded attempts, newest first; unreadable lines are skipped. */
  read(): DeliveryAttempt[] {
    const out: DeliveryAttempt[] = [];
    for (const line of this.#rawLines()) {
      try {
        const value = JSON.parse(line) as DeliveryAttempt;
        if (value && typeof value.id === 'string' && typeof value.webhook_id === 'string') out.push(value);
      } catch {
        // A torn or foreign line: skip it.
      }
    }
    return out.reverse();
  }
}
