import { createHash, randomBytes } from 'node:crypto';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { Database } from '../store/database';
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

/** One subject's part in `#admitAll`'s decision. */
interface Verdict {
  /** The subject's index in the order given. */
  ord: number;
  admitted: boolean;
  /** This subject refused the call (the first that did): by its concurrency if `is_full`, else its rate. */
  refused: boolean;
  is_full: boolean;
  /** Refilled, before the call's token was taken. */
  tokens: number;
  /** Refusals in a row before this call. */
  refused_in_row: number;
  /** The call's lease on this subject (admitted, with a concurrency limit). */
  lease: string | null;
}

const slotOf = (s: LimitSubject) => `${s.kind}:${s.id}`;
const newLeaseId = () => `rl_${randomBytes(9).toString('base64url')}`;
/** The database's clock (epoch ms), the one clock of every replica. */
const CLOCK = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::float8`;

/** How long a call's concurrency slot outlives a replica that stopped renewing it (crashed). */
const DEFAULT_LEASE_MS = 30_000;

/**
 * A statement kept prepared on each pooled connection (PREPARE once, then EXECUTE): the admission
 * of several subjects is one large statement whose parsing and planning would otherwise cost more
 * than its round trip. `text` takes `$1…` of `types`.
 */
interface Prepared {
  name: string;
  types: string[];
  text: string;
}

const prepared = (base: string, types: string[], text: string): Prepared => ({
  // (the text's hash in the name: a changed statement is never confused with an older one)
  name: `${base}_${createHash('sha256').update(text).digest('hex').slice(0, 12)}`,
  types,
  text,
});

/**
 * Any number of limited subjects in one statement: `$1` their order (as given), `$2` their
 * slots, `$3` calls per minute, `$4` concurrent calls (0: no limit), `$5` the call's lease per
 * subject with a concurrency limit, `$6` the lease's life (ms). Their bucket rows are locked in a
 * fixed order (`order by subject for update`: admissions of one subject anywhere serialize, and
 * never deadlock) and refilled on their latest values; then either every subject's token and slot
 * is taken and the call's leases written, or nothing is taken (all subjects or none, as in memory)
 * and the refusal is recorded on the subject that refused (the first in the order given; its
 * concurrency before its rate). A full subject first takes back the slots of leases no replica
 * renewed (a crashed one's); leases locked by a release under way are left to it. No rows when a
 * subject has no bucket row yet (its first call ever).
 */
const ADMIT_ALL = prepared(
  'portico_rate_admit',
  ['int[]', 'text[]', 'int[]', 'int[]', 'text[]', 'float8'],
  `with want as (
    select * from unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::text[])
      as w (ord, subject, per_minute, concurrent, lease)
  ),
  locked as (
    select subject, per_minute, tokens, at, refused_in_row, inflight from rate_buckets
    where subject = any($2::text[]) order by subject for update
  ),
  -- (an aggregate: its clock is read once every row above is locked)
  t as (select count(*)::int as n, (extract(epoch from clock_timestamp()) * 1000)::float8 as now from locked),
  gone as (
    delete from rate_leases where id in (
      select r.id from rate_leases r join want w on w.subject = r.subject join locked l on l.subject = r.subject
      where (select n from t) = cardinality($2::text[]) and w.concurrent > 0 and l.inflight >= w.concurrent
        and r.expires_at <= (select now from t)
      for update of r skip locked)
    returning subject
  ),
  calc as (
    select w.ord, w.subject, w.per_minute, w.concurrent, w.lease, t.now, l.at,
      coalesce((select count(*) from gone g where g.subject = w.subject), 0)::int as gone,
      l.inflight,
      case when w.per_minute = 0 then l.tokens
        when l.per_minute = w.per_minute then least(w.per_minute::float8,
          l.tokens + greatest(0, t.now - l.at) * w.per_minute / 60000.0)
        else w.per_minute::float8 end as tokens,
      case when l.per_minute = w.per_minute then l.refused_in_row else 0 end as refused_in_row
    from want w join locked l on l.subject = w.subject cross join t
    where t.n = cardinality($2::text[])
  ),
  judged as (
    select *, concurrent > 0 and inflight - gone >= concurrent as is_full,
      per_minute > 0 and tokens < 1 as is_empty from calc
  ),
  plan as (
    select j.*, f.first is null as admitted, j.ord = f.first and not j.is_full and j.is_empty as rate_refused,
      j.ord = f.first as refused
    from judged j cross join (select min(ord) filter (where is_full or is_empty) as first from judged) f
  ),
  taken as (
    update rate_buckets b set
      per_minute = case when p.admitted or p.rate_refused then p.per_minute else b.per_minute end,
      tokens = case when p.admitted and p.per_minute > 0 then p.tokens - 1
        when p.rate_refused then p.tokens else b.tokens end,
      at = case when p.admitted or p.rate_refused then greatest(b.at, p.now) else b.at end,
      refused_in_row = case when p.admitted then 0 when p.rate_refused then p.refused_in_row + 1
        else b.refused_in_row end,
      inflight = b.inflight - p.gone + case when p.admitted and p.concurrent > 0 then 1 else 0 end
    from plan p
    where b.subject = p.subject and (p.admitted or p.rate_refused or p.gone > 0)
    returning b.subject
  ),
  leased as (
    insert into rate_leases (id, subject, expires_at)
    select lease, subject, now + $6::float8 from plan where admitted and lease is not null
    returning id
  )
  select ord, admitted, refused, is_full, tokens, refused_in_row, lease from plan order by ord`,
);

/**
 * A call's leases (`$1`) deleted and their slots given back, the buckets locked in admission's
 * order once the leases are gone.
 */
const RELEASE = prepared(
  'portico_rate_release',
  ['text[]'],
  `with gone as (delete from rate_leases where id = any($1::text[]) returning subject),
  locked as (
    select subject from rate_buckets where subject = any(array(select subject from gone))
    order by subject for update
  )
  update rate_buckets set inflight = greatest(0, rate_buckets.inflight
    - (select count(*) from gone where gone.subject = rate_buckets.subject))
  from locked where rate_buckets.subject = locked.subject`,
);

/** A value written into SQL (EXECUTE takes no bind parameters): numbers, strings (escaped), arrays, null. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // E'…': backslashes and quotes escaped, whatever standard_conforming_strings says.
  if (typeof value === 'string') return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  if (Array.isArray(value)) return `array[${value.map(literal).join(', ')}]`;
  throw new Error(`no SQL literal for ${typeof value}`);
}

const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

/**
 * Rate limits shared by every replica on one PostgreSQL database (team mode): the same token
 * bucket and concurrency gate as `RateLimiter`, kept in `rate_buckets` and `rate_leases`
 * (migration 0006). An admission is one statement, a release another. One limited subject (the
 * common case) is one conditional upsert on its locked bucket row: a token and a slot (`inflight`)
 * taken, and the call's lease written. Otherwise (a refusal, a changed limit, or a key and a
 * customer both limited) one statement locks the subjects' rows in a fixed order and takes every
 * subject's token and slot, or nothing (all subjects or none, as in memory) and records the
 * refusal; only a subject's first call ever adds a round trip (its row is made, then the decision
 * asked again). A call in flight renews its lease; releasing deletes it and gives its slot back; a
 * crashed replica's leases expire after `leaseMs`, and a full subject takes their slots back.
 * Subjects without limits never reach this class.
 */
export class SharedRateLimiter implements Limiter {
  /** Leases this process holds, renewed while held. */
  readonly #held = new Set<string>();
  /** What this process last saw of each bucket (local clock), for `refuseBeforeDispatch`. */
  readonly #seen = new Map<string, Bucket>();
  #renewal: NodeJS.Timeout | undefined;
  /** Set when prepared statements do not hold on this database's connections (see `#run`). */
  #unprepared = false;

  constructor(
    private readonly database: Database,
    private readonly leaseMs = DEFAULT_LEASE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async admit(subjects: readonly LimitSubject[]): Promise<Admission> {
    // (checked in the order given, the key then its customer, as in memory; locked in a fixed order)
    const limited = limitedOnly(subjects);
    if (!limited.length) return ALWAYS_ADMITTED;
    try {
      if (limited.length === 1 && limited[0]) {
        const fast = await this.#fast(limited[0]);
        if (fast) return fast;
      }
      const admission = await this.#admitAll(limited);
      if (admission) return admission;
      // A subject's first call ever: make its bucket row, then decide.
      await this.#createBuckets(limited);
      const created = await this.#admitAll(limited);
      if (!created) throw new Error('its bucket rows are missing');
      return created;
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

  /**
   * Any number of limited subjects in one statement (`ADMIT_ALL`, one round trip); null when a
   * subject has no bucket row yet (its first call ever): the caller makes it and asks again.
   */
  async #admitAll(subjects: LimitSubject[]): Promise<Admission | null> {
    const slots = subjects.map(slotOf);
    const rows = await this.#run<Verdict>(ADMIT_ALL, [
      subjects.map((_, ord) => ord),
      slots,
      subjects.map((s) => s.limits?.callsPerMinute ?? 0),
      subjects.map((s) => s.limits?.concurrent ?? 0),
      subjects.map((s) => (s.limits?.concurrent ? newLeaseId() : null)),
      this.leaseMs,
    ]);
    if (rows.length !== subjects.length) return null;
    const local = this.now();
    const refused = rows.find((r) => r.refused);
    if (refused) {
      const subject = subjects[refused.ord] as LimitSubject;
      const { callsPerMinute = 0, concurrent = 0 } = subject.limits ?? {};
      if (refused.is_full) return concurrencyRefusal(subject, concurrent);
      const bucket: Bucket = {
        perMinute: callsPerMinute,
        tokens: refused.tokens,
        at: local,
        refusedInRow: refused.refused_in_row + 1,
      };
      this.#seen.set(slotOf(subject), bucket);
      return perMinuteRefusal(subject, callsPerMinute, secondsUntilToken(bucket));
    }
    for (const row of rows) {
      const perMinute = subjects[row.ord]?.limits?.callsPerMinute;
      if (perMinute)
        this.#seen.set(slots[row.ord] ?? '', {
          perMinute,
          tokens: row.tokens - 1,
          at: local,
          refusedInRow: 0,
        });
    }
    const leases = rows.flatMap((r) => (r.lease ? [r.lease] : []));
    return leases.length ? { ok: true, release: this.#hold(leases) } : ALWAYS_ADMITTED;
  }

  /**
   * Runs a `Prepared` statement: EXECUTE on a pooled connection, preparing it there first when it
   * is not (once per connection: two more round trips). Where session state does not hold (a
   * transaction-mode pooler in front of PostgreSQL), the plain statement from then on.
   */
  async #run<R>(statement: Prepared, values: unknown[]): Promise<R[]> {
    const plain = async (db: Kysely<unknown>) =>
      (await db.executeQuery<R>(CompiledQuery.raw(statement.text, values))).rows;
    if (this.#unprepared) return plain(this.database.db as Kysely<unknown>);
    return this.database.db.connection().execute(async (db) => {
      const conn = db as Kysely<unknown>;
      const args = values.map((v, i) => `${literal(v)}::${statement.types[i]}`).join(', ');
      const execute = async () =>
        (await conn.executeQuery<R>(CompiledQuery.raw(`execute ${statement.name}(${args})`))).rows;
      try {
        return await execute();
      } catch (error) {
        if (codeOf(error) !== '26000') throw error; // (invalid_sql_statement_name: not prepared here)
      }
      try {
        await conn.executeQuery(
          CompiledQuery.raw(`prepare ${statement.name} (${statement.types.join(', ')}) as ${statement.text}`),
        );
      } catch (error) {
        if (codeOf(error) !== '42P05') throw error; // (duplicate_prepared_statement: prepared meanwhile)
      }
      try {
        return await execute();
      } catch (error) {
        if (codeOf(error) !== '26000') throw error;
        this.#unprepared = true;
        return plain(conn);
      }
    });
  }

  /** Bucket rows for subjects that have none yet (full buckets); rows another replica made are kept. */
  async #createBuckets(subjects: LimitSubject[]): Promise<void> {
    const values = subjects.map((s) => {
      const perMinute = s.limits?.callsPerMinute ?? 0;
      return sql`(${slotOf(s)}, ${perMinute}::int, ${perMinute}::float8, ${CLOCK}, 0, 0)`;
    });
    await sql`insert into rate_buckets (subject, per_minute, tokens, at, refused_in_row, inflight)
      values ${sql.join(values)} on conflict (subject) do nothing`.execute(this.database.db);
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
      // The leases and their slots, in one statement; a failed one leaves leases that expire on their own.
      await this.#run(RELEASE, [ids]).catch(() => {});
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
