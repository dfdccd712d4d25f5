import type { RateLimits } from '../store/schema';

/** Who a limit belongs to: an API key or a customer (set_rate_limits). */
export interface LimitSubject {
  kind: 'key' | 'customer';
  id: string;
  limits: RateLimits | undefined;
}

export type Admission =
  | { ok: true; release: () => void | Promise<void> }
  | { ok: false; message: string; retryAfterS: number };

export interface Bucket {
  /** The limit the bucket was filled for: a changed limit starts a fresh, full bucket. */
  perMinute: number;
  tokens: number;
  at: number;
  /** Calls refused in a row since the last admitted one (see `refuseBeforeDispatch`). */
  refusedInRow: number;
}

export const ALWAYS_ADMITTED: Admission = { ok: true, release: () => {} };

/**
 * What the gateway asks of a limiter: the in-memory one below (one server: SQLite), or the
 * database's (team mode on PostgreSQL: shared-rate-limiter.ts). `refuseBeforeDispatch` is
 * synchronous on both: no database round trip before dispatch.
 */
export interface Limiter {
  admit(subjects: readonly LimitSubject[]): Admission | Promise<Admission>;
  refuseBeforeDispatch(subjects: readonly LimitSubject[]): number;
  close?(): void;
}

/** Subjects that have a limit (the others cost nothing). */
export const limitedOnly = (subjects: readonly LimitSubject[]): LimitSubject[] =>
  subjects.filter((s) => s.limits?.callsPerMinute || s.limits?.concurrent);

export const concurrencyRefusal = (subject: LimitSubject, concurrent: number): Admission => ({
  ok: false,
  retryAfterS: 1,
  message: `Rate limit: ${concurrent} concurrent call${concurrent === 1 ? '' : 's'} for ${subject.kind} ${subject.id}. Retry in 1 s, once one of them has finished.`,
});

export const perMinuteRefusal = (
  subject: LimitSubject,
  callsPerMinute: number,
  retryAfterS: number,
): Admission => ({
  ok: false,
  retryAfterS,
  message: `Rate limit: ${callsPerMinute} call${callsPerMinute === 1 ? '' : 's'} per minute for ${subject.kind} ${subject.id}. Retry in ${retryAfterS} s.`,
});

/**
 * Per key and per customer limits of the data plane: a token bucket of `callsPerMinute` (full to
 * start with, refilled continuously) and a gate of `concurrent` calls in flight. In memory, per
 * process; the clock is injected for tests. Subjects without limits cost nothing: no bucket, no
 * counter.
 */
export class RateLimiter implements Limiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #inflight = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Admits one call for all of `subjects` (a key and its customer) or none: a call refused by
   * one subject takes nothing from the others. The admitted call holds its concurrency slots
   * until `release` (call it in a finally; a second call does nothing).
   */
  admit(subjects: readonly LimitSubject[]): Admission {
    const limited = limitedOnly(subjects);
    if (!limited.length) return ALWAYS_ADMITTED;
    const now = this.now();
    for (const subject of limited) {
      const { callsPerMinute, concurrent } = subject.limits ?? {};
      const slot = `${subject.kind}:${subject.id}`;
      if (concurrent && (this.#inflight.get(slot) ?? 0) >= concurrent)
        return concurrencyRefusal(subject, concurrent);
      if (callsPerMinute) {
        const bucket = this.#bucket(slot, callsPerMinute, now);
        if (bucket.tokens < 1) {
          bucket.refusedInRow += 1;
          return perMinuteRefusal(subject, callsPerMinute, secondsUntilToken(bucket));
        }
      }
    }
    const held: string[] = [];
    for (const subject of limited) {
      const slot = `${subject.kind}:${subject.id}`;
      if (subject.limits?.callsPerMinute) {
        const bucket = this.#bucket(slot, subject.limits.callsPerMinute, now);
        bucket.tokens -= 1;
        bucket.refusedInRow = 0;
      }
      if (subject.limits?.concurrent) {
        this.#inflight.set(slot, (this.#inflight.get(slot) ?? 0) + 1);
        held.push(slot);
      }
    }
    if (!held.length) return ALWAYS_ADMITTED;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        for (const slot of held) {
          const left = (this.#inflight.get(slot) ?? 1) - 1;
          if (left > 0) this.#inflight.set(slot, left);
          else this.#inflight.delete(slot);
        }
      },
    };
  }

  /**
   * The HTTP layer's check, before JSON-RPC dispatch. The rule: a tools/call is refused there
   * (429 with Retry-After) only for a client that ignores the retry advice — the subject's bucket
   * is empty AND, since its last admitted call, it has already been refused at least as many calls
   * as its per-minute limit (so with 3 calls per minute: 3 calls pass, the next 3 get the
   * `isError` result, later ones 429 until a token is back). Returns the seconds to wait, or 0.
   * It takes nothing from the bucket.
   */
  refuseBeforeDispatch(subjects: readonly LimitSubject[]): number {
    let wait = 0;
    for (const subject of subjects) {
      const perMinute = subject.limits?.callsPerMinute;
      if (!perMinute) continue;
      const slot = `${subject.kind}:${subject.id}`;
      const bucket = this.#buckets.get(slot);
      if (!bucket || bucket.perMinute !== perMinute) continue;
      refill(bucket, this.now());
      if (bucket.tokens < 1 && bucket.refusedInRow >= perMinute) {
        bucket.refusedInRow += 1;
        wait = Math.max(wait, secondsUntilToken(bucket));
      }
    }
    return wait;
  }

  /** Forgets a subject's bucket (its limits changed or were cleared); calls in flight keep their slots. */
  forget(kind: LimitSubject['kind'], id: string): void {
    this.#buckets.delete(`${kind}:${id}`);
  }

  #bucket(slot: string, perMinute: number, now: number): Bucket {
    let bucket = this.#buckets.get(slot);
    if (!bucket || bucket.perMinute !== perMinute) {
      bucket = { perMinute, tokens: perMinute, at: now, refusedInRow: 0 };
      this.#buckets.set(slot, bucket);
    } else refill(bucket, now);
    return bucket;
  }
}

export function refill(bucket: Bucket, now: number): void {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(bucket.perMinute, bucket.tokens + (elapsed * bucket.perMinute) / 60_000);
  bucket.at = now;
}

/** Whole seconds until the bucket holds one token again (at least 1). */
export function secondsUntilToken(bucket: Bucket): number {
  // (less a hair, so floating-point dust such as 1.0000000002 s is not rounded up to 2)
  return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60_000) / bucket.perMinute / 1000 - 1e-6));
}
