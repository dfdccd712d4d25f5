import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, WriteTx } from '../store/database';
import {
  type Admission,
  ALWAYS_ADMITTED,
  type Bucket,
  concurrencyRefusal,
  type Limiter,
  type LimitSubject,
  limitedOnly,
  perMinuteRefusal,
  refill,
  secondsUntilToken,
} from './rate-limiter';

interface BucketRow {
  subject: string;
  per_minute: number;
  tokens: number;
  at: number;
  refused_in_row: number;
  /** The database's clock (epoch ms), the one clock of every replica. */
  now: number;
}

const slotOf = (s: LimitSubject) => `${s.kind}:${s.id}`;

/** How long a call's concurrency slot outlives a replica that stopped renewing it (crashed). */
const DEFAULT_LEASE_MS = 30_000;

/**
 * Rate limits shared by every replica on one PostgreSQL database (team mode): the same token
 * bucket and concurrency gate as `RateLimiter`, kept in `rate_buckets` and `rate_leases`
 * (migration 0006). One admission is one transaction: the subjects' bucket rows are upserted
 * and locked in a fixed order (so admissions of one subject anywhere are serialized), the
 * unexpired leases counted, and then either the tokens are taken and the leases written, or
 * nothing is (all subjects or none, as in memory). A call in flight renews its lease; a crashed
 * replica's leases expire after `leaseMs`. Subjects without limits never reach this class.
 */
export class SharedRateLimiter implements Limiter {
  /** Leases this process holds, renewed while held. */
  readonly #held = new Set<string>();
  /** What this process last saw of each bucket (local clock), for `refuseBeforeDispatch`. */
  readonly #seen = new Map<string, Bucket>();
  #renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: Database,
    private readonly leaseMs = DEFAULT_LEASE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async admit(subjects: readonly LimitSubject[]): Promise<Admission> {
    const limited = limitedOnly(subjects).sort((a, b) => (slotOf(a) < slotOf(b) ? -1 : 1));
    if (!limited.length) return ALWAYS_ADMITTED;
    try {
      const only = limited.length === 1 ? limited[0] : undefined;
      if (only?.limits?.callsPerMinute && !only.limits.concurrent) {
        const taken = await this.#take(only, only.limits.callsPerMinute);
        if (taken) return ALWAYS_ADMITTED;
      }
      return await this.database.db.transaction().execute((tx) => this.#admit(tx, limited));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        retryAfterS: 1,
        message: `Rate limit of ${limited.map((s) => `${s.kind} ${s.id}`).join(' and ')} could not be checked (${reason}); the call was not run. Retry in 1 s.`,
      };
    }
  }

  /**
   * The common case in one statement (one round trip, no transaction): one subject with only a
   * per-minute limit. Takes a token if the refilled bucket holds one — the condition is checked on
   * the locked, latest row (ON CONFLICT … DO UPDATE … WHERE) — and says whether it did; a refusal
   * (or a changed limit) is then worked out by the transaction.
   */
  async #take(subject: LimitSubject, perMinute: number): Promise<boolean> {
    const slot = slotOf(subject);
    const clock = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::float8`;
    const refilled = sql`least(excluded.per_minute::float8, rate_buckets.tokens
      + greatest(0, excluded.at - rate_buckets.at) * excluded.per_minute / 60000.0)`;
    const rows = (
      await sql<BucketRow>`insert into rate_buckets as rate_buckets (subject, per_minute, tokens, at, refused_in_row)
        values (${slot}, ${perMinute}::int, ${perMinute - 1}::float8, ${clock}, 0)
        on conflict (subject) do update set tokens = ${refilled} - 1,
          at = greatest(rate_buckets.at, excluded.at), refused_in_row = 0
        where rate_buckets.per_minute = excluded.per_minute and ${refilled} >= 1
        returning subject, per_minute, tokens, at, refused_in_row, at as now`.execute(this.database.db)
    ).rows;
    const row = rows[0];
    if (!row) return false;
    this.#seen.set(slot, { perMinute, tokens: row.tokens, at: this.now(), refusedInRow: 0 });
    return true;
  }

  async #admit(tx: WriteTx, limited: LimitSubject[]): Promise<Admission> {
    const clock = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::float8`;
    // Upsert-and-lock: a no-op update on conflict takes the row lock and returns the row.
    const values = limited.map((s) => {
      const perMinute = s.limits?.callsPerMinute ?? 0;
      return sql`(${slotOf(s)}, ${perMinute}::int, ${perMinute}::float8, ${clock}, 0)`;
    });
    const rows = (
      await sql<BucketRow>`insert into rate_buckets (subject, per_minute, tokens, at, refused_in_row)
        values ${sql.join(values)}
        on conflict (subject) do update set subject = excluded.subject
        returning subject, per_minute, tokens, at, refused_in_row, ${clock} as now`.execute(tx)
    ).rows;
    const bySubject = new Map(rows.map((r) => [r.subject, r]));
    const now = rows[0]?.now ?? 0;
    const withConcurrency = limited.filter((s) => s.limits?.concurrent);
    const inflight = new Map<string, number>();
    if (withConcurrency.length) {
      // A statement after the lock: it sees every lease committed before the lock was granted.
      const counted = await sql<{ subject: string; n: number }>`select subject, count(*)::int as n
        from rate_leases where subject in (${sql.join(withConcurrency.map(slotOf))}) and expires_at > ${now}
        group by subject`.execute(tx);
      for (const row of counted.rows) inflight.set(row.subject, row.n);
    }
    const buckets = new Map<string, Bucket>();
    const local = this.now();
    for (const subject of limited) {
      const slot = slotOf(subject);
      const { callsPerMinute, concurrent } = subject.limits ?? {};
      if (concurrent && (inflight.get(slot) ?? 0) >= concurrent)
        return concurrencyRefusal(subject, concurrent);
      if (!callsPerMinute) continue;
      const row = bySubject.get(slot);
      // A changed limit starts a fresh, full bucket (as in memory).
      const bucket: Bucket =
        row && row.per_minute === callsPerMinute
          ? { perMinute: callsPerMinute, tokens: row.tokens, at: row.at, refusedInRow: row.refused_in_row }
          : { perMinute: callsPerMinute, tokens: callsPerMinute, at: now, refusedInRow: 0 };
      refill(bucket, now);
      buckets.set(slot, bucket);
      if (bucket.tokens < 1) {
        bucket.refusedInRow += 1;
        await tx
          .updateTable('rate_buckets')
          .set({
            per_minute: callsPerMinute,
            tokens: bucket.tokens,
            at: now,
            refused_in_row: bucket.refusedInRow,
          })
          .where('subject', '=', slot)
          .execute();
        this.#seen.set(slot, { ...bucket, at: local });
        return perMinuteRefusal(subject, callsPerMinute, secondsUntilToken(bucket));
      }
    }
    // Admitted by every subject: take the tokens, write the leases.
    const taken = [...buckets].map(([slot, b]) => {
      b.tokens -= 1;
      b.refusedInRow = 0;
      this.#seen.set(slot, { ...b, at: local });
      return sql`(${slot}, ${b.perMinute}::int, ${b.tokens}::float8)`;
    });
    if (taken.length)
      await sql`update rate_buckets set per_minute = v.per_minute, tokens = v.tokens, at = ${now}, refused_in_row = 0
        from (values ${sql.join(taken)}) as v(subject, per_minute, tokens)
        where rate_buckets.subject = v.subject`.execute(tx);
    if (!withConcurrency.length) return ALWAYS_ADMITTED;
    const leases = withConcurrency.map((s) => ({
      id: `rl_${randomBytes(9).toString('base64url')}`,
      subject: slotOf(s),
      expires_at: now + this.leaseMs,
    }));
    await tx.insertInto('rate_leases').values(leases).execute();
    const ids = leases.map((l) => l.id);
    return { ok: true, release: this.#hold(ids) };
  }

  /** Holds leases (renewed until released); returns their release, which deletes them once. */
  #hold(ids: string[]): () => Promise<void> {
    for (const id of ids) this.#held.add(id);
    if (!this.#renewal) {
      this.#renewal = setInterval(() => void this.#renew(), Math.max(50, this.leaseMs / 3));
      this.#renewal.unref();
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      for (const id of ids) this.#held.delete(id);
      if (!this.#held.size) this.#stopRenewal();
      // A failed delete leaves a lease that expires on its own.
      await this.database.db
        .deleteFrom('rate_leases')
        .where('id', 'in', ids)
        .execute()
        .catch(() => {});
    };
  }

  async #renew(): Promise<void> {
    const ids = [...this.#held];
    if (!ids.length) return;
    await sql`update rate_leases set expires_at = (extract(epoch from clock_timestamp()) * 1000)::float8 + ${this.leaseMs}
      where id in (${sql.join(ids)})`
      .execute(this.database.db)
      .catch(() => {});
  }

  #stopRenewal(): void {
    clearInterval(this.#renewal);
    this.#renewal = undefined;
  }

  /**
   * The 429 rule of `RateLimiter.refuseBeforeDispatch`, on what this replica last saw of the
   * bucket — no database round trip. Other replicas only take tokens, so a bucket seen empty
   * here (refilled by the time since) is empty in the database too: a 429 is never wrong, at
   * worst a call gets the `isError` answer where one replica alone would have sent a 429.
   */
  refuseBeforeDispatch(subjects: readonly LimitSubject[]): number {
    let wait = 0;
    for (const subject of subjects) {
      const perMinute = subject.limits?.callsPerMinute;
      if (!perMinute) continue;
      const bucket = this.#seen.get(slotOf(subject));
      if (!bucket || bucket.perMinute !== perMinute) continue;
      refill(bucket, this.now());
      if (bucket.tokens < 1 && bucket.refusedInRow >= perMinute) {
        bucket.refusedInRow += 1;
        wait = Math.max(wait, secondsUntilToken(bucket));
      }
    }
    return wait;
  }

  /** Stops renewing; leases still held expire on their own. */
  close(): void {
    this.#stopRenewal();
  }
}
