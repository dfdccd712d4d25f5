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
  inflight: number;
  /** The database's clock (epoch ms), the one clock of every replica. */
  now: number;
}

const slotOf = (s: LimitSubject) => `${s.kind}:${s.id}`;
const newLeaseId = () => `rl_${randomBytes(9).toString('base64url')}`;
/** The database's clock (epoch ms), the one clock of every replica. */
const CLOCK = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::float8`;

/** How long a call's concurrency slot outlives a replica that stopped renewing it (crashed). */
const DEFAULT_LEASE_MS = 30_000;

/**
 * Rate limits shared by every replica on one PostgreSQL database (team mode): the same token
 * bucket and concurrency gate as `RateLimiter`, kept in `rate_buckets` and `rate_leases`
 * (migration 0006). One limited subject (the common case) is one conditional statement on its
 * locked bucket row: a token and a slot (`inflight`) taken, and the call's lease written. Otherwise
 * (a refusal, a changed limit, or a key and a customer both limited) one transaction: the bucket
 * rows upserted and locked in a fixed order (so admissions of one subject anywhere serialize), then
 * either every subject's token and slot taken, or nothing (all subjects or none, as in memory). A
 * call in flight renews its lease; releasing deletes it and gives its slot back in one statement;
 * a crashed replica's leases expire after `leaseMs`, and a full subject takes their slots back.
 * Subjects without limits never reach this class.
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
      if (limited.length === 1 && limited[0]) {
        const fast = await this.#fast(limited[0]);
        if (fast) return fast;
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
   * The common case in one statement (one round trip, no transaction): one limited subject. Takes
   * a token (if the refilled bucket holds one) and a concurrency slot (if fewer than the limit are
   * in flight) — the conditions are checked on the locked, latest row (ON CONFLICT … DO UPDATE …
   * WHERE) — and writes the call's lease; null when it did not, and the transaction then works out
   * the refusal (or a changed limit, or slots of a crashed replica to take back).
   */
  async #fast(subject: LimitSubject): Promise<Admission | null> {
    const slot = slotOf(subject);
    const perMinute = subject.limits?.callsPerMinute ?? 0;
    const concurrent = subject.limits?.concurrent ?? 0;
    const lease = concurrent ? newLeaseId() : null;
    const refilled = sql`least(excluded.per_minute::float8, rate_buckets.tokens
      + greatest(0, excluded.at - rate_buckets.at) * excluded.per_minute / 60000.0)`;
    const rows = (
      await sql<{ tokens: number }>`with b as (
        insert into rate_buckets as rate_buckets (subject, per_minute, tokens, at, refused_in_row, inflight)
        values (${slot}, ${perMinute}::int, ${Math.max(0, perMinute - 1)}::float8, ${CLOCK}, 0, ${concurrent ? 1 : 0}::int)
        on conflict (subject) do update set
          tokens = case when excluded.per_minute > 0 then ${refilled} - 1 else rate_buckets.tokens end,
          at = greatest(rate_buckets.at, excluded.at), refused_in_row = 0,
          inflight = rate_buckets.inflight + excluded.inflight
        where rate_buckets.per_minute = excluded.per_minute
          and (excluded.per_minute = 0 or ${refilled} >= 1)
          and (${concurrent}::int = 0 or rate_buckets.inflight < ${concurrent}::int)
        returning rate_buckets.subject, rate_buckets.tokens, rate_buckets.at
      ), leased as (
        insert into rate_leases (id, subject, expires_at)
        select ${lease}::text, subject, at + ${this.leaseMs}::float8 from b where ${lease}::text is not null
        returning id
      )
      select tokens from b`.execute(this.database.db)
    ).rows;
    const row = rows[0];
    if (!row) return null;
    if (perMinute) this.#seen.set(slot, { perMinute, tokens: row.tokens, at: this.now(), refusedInRow: 0 });
    return lease ? { ok: true, release: this.#hold([lease]) } : ALWAYS_ADMITTED;
  }

  async #admit(tx: WriteTx, limited: LimitSubject[]): Promise<Admission> {
    // Upsert-and-lock: a no-op update on conflict takes the row lock and returns the row.
    const values = limited.map((s) => {
      const perMinute = s.limits?.callsPerMinute ?? 0;
      return sql`(${slotOf(s)}, ${perMinute}::int, ${perMinute}::float8, ${CLOCK}, 0, 0)`;
    });
    const rows = (
      await sql<BucketRow>`insert into rate_buckets (subject, per_minute, tokens, at, refused_in_row, inflight)
        values ${sql.join(values)}
        on conflict (subject) do update set subject = excluded.subject
        returning subject, per_minute, tokens, at, refused_in_row, inflight, ${CLOCK} as now`.execute(tx)
    ).rows;
    const bySubject = new Map(rows.map((r) => [r.subject, r]));
    const now = rows[0]?.now ?? 0;
    const buckets = new Map<string, Bucket>();
    const local = this.now();
    for (const subject of limited) {
      const slot = slotOf(subject);
      const row = bySubject.get(slot);
      const { callsPerMinute, concurrent } = subject.limits ?? {};
      if (concurrent && (row?.inflight ?? 0) >= concurrent) {
        // Full: take back the slots of calls whose replica stopped renewing their lease (crashed).
        const left = await sql<{ inflight: number }>`with gone as (
            delete from rate_leases where subject = ${slot} and expires_at <= ${now} returning 1
          )
          update rate_buckets set inflight = greatest(0, inflight - (select count(*) from gone))
          where subject = ${slot} returning inflight`.execute(tx);
        if ((left.rows[0]?.inflight ?? 0) >= concurrent) return concurrencyRefusal(subject, concurrent);
      }
      if (!callsPerMinute) continue;
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
    // Admitted by every subject: take the tokens and slots, write the leases.
    const leases: { id: string; subject: string; expires_at: number }[] = [];
    const updates = limited.map((subject) => {
      const slot = slotOf(subject);
      const bucket = buckets.get(slot);
      if (bucket) {
        bucket.tokens -= 1;
        bucket.refusedInRow = 0;
        this.#seen.set(slot, { ...bucket, at: local });
      }
      const slotTaken = subject.limits?.concurrent ? 1 : 0;
      if (slotTaken) leases.push({ id: newLeaseId(), subject: slot, expires_at: now + this.leaseMs });
      return sql`(${slot}, ${bucket?.perMinute ?? 0}::int, ${bucket ? bucket.tokens : null}::float8, ${slotTaken}::int)`;
    });
    await sql`update rate_buckets set per_minute = v.per_minute, tokens = coalesce(v.tokens, rate_buckets.tokens),
        at = ${now}, refused_in_row = 0, inflight = rate_buckets.inflight + v.taken
      from (values ${sql.join(updates)}) as v(subject, per_minute, tokens, taken)
      where rate_buckets.subject = v.subject`.execute(tx);
    if (!leases.length) return ALWAYS_ADMITTED;
    await tx.insertInto('rate_leases').values(leases).execute();
    return { ok: true, release: this.#hold(leases.map((l) => l.id)) };
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
      // The lease and its slot, in one statement; a failed one leaves a lease that expires on its own.
      await sql`with gone as (delete from rate_leases where id in (${sql.join(ids)}) returning subject)
        update rate_buckets set inflight = greatest(0, rate_buckets.inflight - 1)
        from gone where rate_buckets.subject = gone.subject`
        .execute(this.database.db)
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
