// The shared (PostgreSQL) rate limiter on its own: database round trips per admission and release
// (counted on the pg client, BEGIN and COMMIT included), and the in-memory limiter's rules on both
// subjects at once — all or nothing, the messages, refusals in a row, a changed limit, a crashed
// replica's slots.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LimitSubject, RateLimiter } from '../../src/main/core/gateway/rate-limiter';
import { SharedRateLimiter } from '../../src/main/core/gateway/shared-rate-limiter';
import { type Database, openDatabase } from '../../src/main/core/store/database';
import type { Tables } from '../../src/main/core/store/tables';
import { workspaceTarget } from '../helpers/store';

const key = (id: string, callsPerMinute?: number, concurrent?: number): LimitSubject => ({
  kind: 'key',
  id,
  limits: { callsPerMinute, concurrent },
});
const customer = (id: string, callsPerMinute?: number, concurrent?: number): LimitSubject => ({
  kind: 'customer',
  id,
  limits: { callsPerMinute, concurrent },
});

let opened: Database | null = null;
/** The migrated test database, seen through a pool that counts the statements it sends. */
let database: Database;
let pool: pg.Pool;
let sent: string[] = [];
let forgetPrepared = false;
const limiters: SharedRateLimiter[] = [];
let ids = 0;
/** Fresh subject ids per test: the buckets live on in the database. */
const fresh = (name: string) => `${name}${++ids}`;

function limiter(leaseMs?: number): SharedRateLimiter {
  const l = new SharedRateLimiter(database, leaseMs);
  limiters.push(l);
  return l;
}

/** Round trips to the database while `fn` runs. */
async function roundTrips(fn: () => Promise<unknown>): Promise<number> {
  sent = [];
  await fn();
  return sent.length;
}

async function bucket(slot: string) {
  return (
    await sql<{
      per_minute: number;
      tokens: number;
      refused_in_row: number;
      inflight: number;
    }>`select per_minute, tokens, refused_in_row, inflight from rate_buckets where subject = ${slot}`.execute(
      database.db,
    )
  ).rows[0];
}

describe.skipIf(!inject('postgresUrl'))('SharedRateLimiter', () => {
  beforeAll(async () => {
    const target = await workspaceTarget('postgres');
    opened = await openDatabase(target);
    if (!opened) throw new Error('no database');
    pool = new pg.Pool({
      connectionString: target.databaseUrl,
      max: 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0];
        const text = typeof first === 'string' ? first : String((first as { text?: string })?.text);
        sent.push(text);
        // A transaction-mode pooler: each statement may reach another server connection.
        if (forgetPrepared && /^execute portico_/.test(text))
          return Promise.reject(
            Object.assign(new Error('prepared statement does not exist'), { code: '26000' }),
          );
        return query(...args);
      };
    });
    database = { ...opened, db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }) };
  }, 30_000);

  afterAll(async () => {
    for (const l of limiters) l.close();
    await database?.db.destroy();
    await opened?.close();
  });

  describe('round trips', () => {
    it('one statement admits a call whose key and customer are both limited, one releases it', async () => {
      const l = limiter();
      const subjects = [key(fresh('k'), 1000, 100), customer(fresh('c'), 1000, 100)];
      const first = await l.admit(subjects);
      if (!first.ok) throw new Error(first.message);
      await first.release();
      let admission = await l.admit(subjects);
      for (let i = 0; i < 5; i++) {
        let next: Awaited<ReturnType<SharedRateLimiter['admit']>> | undefined;
        expect(await roundTrips(async () => (next = await l.admit(subjects))), sent.join('\n')).toBe(1);
        if (!next?.ok) throw new Error('refused');
        expect(await roundTrips(async () => next?.ok && (await next.release()))).toBe(1);
      }
      if (admission.ok) await admission.release();
      // Calls per minute only, on both: one statement, nothing to release.
      const perMinute = [key(fresh('k'), 1000), customer(fresh('c'), 1000)];
      await l.admit(perMinute);
      expect(
        await roundTrips(async () => {
          admission = await l.admit(perMinute);
          if (admission.ok) await admission.release();
        }),
      ).toBe(1);
      expect(admission.ok).toBe(true);
    });

    it('a refusal of a key and customer pair is one statement too', async () => {
      const l = limiter();
      const subjects = [key(fresh('k'), 1), customer(fresh('c'), 10)];
      expect((await l.admit(subjects)).ok).toBe(true);
      for (let i = 0; i < 3; i++) {
        let refused: Awaited<ReturnType<SharedRateLimiter['admit']>> | undefined;
        expect(await roundTrips(async () => (refused = await l.admit(subjects)))).toBe(1);
        expect(refused?.ok).toBe(false);
      }
    });

    it('one limited subject: one statement per minute-limited call, two with a concurrency limit', async () => {
      const l = limiter();
      const perMinute = [key(fresh('k'), 1000)];
      expect(await roundTrips(() => l.admit(perMinute))).toBe(1); // a new bucket too
      expect(await roundTrips(() => l.admit(perMinute))).toBe(1);
      const concurrent = [customer(fresh('c'), 1000, 10)];
      expect(
        await roundTrips(async () => {
          const admission = await l.admit(concurrent);
          if (admission.ok) await admission.release();
        }),
      ).toBe(2);
      // Subjects without limits: nothing.
      expect(await roundTrips(() => l.admit([key(fresh('k')), customer(fresh('c'))]))).toBe(0);
    });

    it('where prepared statements do not hold (a pooler), the plain statement from then on', async () => {
      forgetPrepared = true;
      try {
        const l = limiter();
        const subjects = [key(fresh('k'), 10, 10), customer(fresh('c'), 10, 10)];
        const first = await l.admit(subjects);
        expect(first.ok).toBe(true);
        if (first.ok) await first.release();
        let admission: Awaited<ReturnType<SharedRateLimiter['admit']>> | undefined;
        expect(await roundTrips(async () => (admission = await l.admit(subjects)))).toBe(1);
        expect(sent[0]).toMatch(/^with want/);
        if (admission?.ok) await admission.release();
        expect(await bucket(`key:${subjects[0]?.id}`)).toMatchObject({ inflight: 0 });
        expect((await bucket(`key:${subjects[0]?.id}`))?.tokens).toBeCloseTo(8, 1);
      } finally {
        forgetPrepared = false;
      }
    });

    it('the first call of a new key and customer pair creates their buckets, at most three round trips', async () => {
      const l = limiter();
      // (another pair first: the statement is prepared on the connection, as it is past a replica's first calls)
      const warm = await l.admit([key(fresh('k'), 10, 10), customer(fresh('c'), 10, 10)]);
      if (warm.ok) await warm.release();
      const subjects = [key(fresh('k'), 10, 10), customer(fresh('c'), 10, 10)];
      let admission: Awaited<ReturnType<SharedRateLimiter['admit']>> | undefined;
      expect(await roundTrips(async () => (admission = await l.admit(subjects)))).toBeLessThanOrEqual(3);
      expect(admission?.ok).toBe(true);
      if (admission?.ok) await admission.release();
    });
  });

  describe('both subjects limited: the rules of the in-memory limiter', () => {
    it("a call refused by the customer's concurrency takes no token from the key, and the reverse", async () => {
      const l = limiter();
      const k = fresh('k');
      const c = fresh('c');
      const held = await l.admit([key(k, 3), customer(c, undefined, 1)]);
      expect(held.ok).toBe(true);
      const refused = await l.admit([key(k, 3), customer(c, undefined, 1)]);
      expect(refused).toMatchObject({
        ok: false,
        retryAfterS: 1,
        message: `Rate limit: 1 concurrent call for customer ${c}. Retry in 1 s, once one of them has finished.`,
      });
      expect((await bucket(`key:${k}`))?.tokens).toBeCloseTo(2, 2);
      if (held.ok) await held.release();
      expect((await bucket(`customer:${c}`))?.inflight).toBe(0);
      // The key's two tokens left, then its refusal takes no slot from the customer.
      const first = await l.admit([key(k, 3), customer(c, undefined, 1)]);
      expect(first.ok).toBe(true);
      if (first.ok) await first.release();
      const second = await l.admit([key(k, 3), customer(c, undefined, 1)]);
      expect(second.ok).toBe(true);
      // (the customer's one slot is held by `second`; release it to show the key's refusal alone)
      if (second.ok) await second.release();
      const byKey = await l.admit([key(k, 3), customer(c, undefined, 1)]);
      expect(byKey).toMatchObject({ ok: false, retryAfterS: 20 });
      if (!byKey.ok)
        expect(byKey.message).toBe(`Rate limit: 3 calls per minute for key ${k}. Retry in 20 s.`);
      expect(await bucket(`customer:${c}`)).toMatchObject({ inflight: 0 });
      expect(await bucket(`key:${k}`)).toMatchObject({ refused_in_row: 1 });
    });

    it("a call refused by the key's rate takes no token from the customer; refusals in a row lead to the 429", async () => {
      const l = limiter();
      const k = fresh('k');
      const c = fresh('c');
      const both = () => [key(k, 2), customer(c, 10)];
      expect((await l.admit(both())).ok).toBe(true);
      expect((await l.admit(both())).ok).toBe(true);
      for (let i = 0; i < 3; i++) expect((await l.admit(both())).ok).toBe(false);
      expect((await bucket(`customer:${c}`))?.tokens).toBeCloseTo(8, 2);
      expect(await bucket(`key:${k}`)).toMatchObject({ refused_in_row: 3 });
      // Refused at least as many calls as its limit: refused before dispatch (here and on a replica
      // that saw none of it, once it has been answered once).
      expect(l.refuseBeforeDispatch(both())).toBeGreaterThanOrEqual(1);
      const other = limiter();
      expect(other.refuseBeforeDispatch(both())).toBe(0);
      expect((await other.admit(both())).ok).toBe(false);
      expect(other.refuseBeforeDispatch(both())).toBeGreaterThanOrEqual(1);
    });

    it('subjects are checked in the order given (the key, then the customer), as in memory', async () => {
      const l = limiter();
      const k = fresh('k');
      const c = fresh('c');
      expect((await l.admit([key(k, 1), customer(c, 1)])).ok).toBe(true);
      const refused = await l.admit([key(k, 1), customer(c, 1)]);
      if (refused.ok) throw new Error('admitted');
      expect(refused.message).toBe(`Rate limit: 1 call per minute for key ${k}. Retry in 60 s.`);
      expect(await bucket(`key:${k}`)).toMatchObject({ refused_in_row: 1 });
      expect(await bucket(`customer:${c}`)).toMatchObject({ refused_in_row: 0 });
      // A subject's concurrency limit is checked before its rate.
      const k2 = fresh('k');
      const held = await l.admit([key(k2, 1, 1), customer(c, undefined, 5)]);
      expect(held.ok).toBe(true);
      const full = await l.admit([key(k2, 1, 1), customer(c, undefined, 5)]);
      if (full.ok) throw new Error('admitted');
      expect(full.message).toContain(`1 concurrent call for key ${k2}`);
      if (held.ok) await held.release();
    });

    it('ids with quotes and backslashes are written as they are', async () => {
      const l = limiter();
      const k = `${fresh('k')}'; drop table rate_buckets; --\\'`;
      const c = `${fresh('c')}\\n"é'`;
      const admission = await l.admit([key(k, 5, 1), customer(c, 5, 1)]);
      expect(admission.ok).toBe(true);
      expect(await bucket(`key:${k}`)).toMatchObject({ per_minute: 5, inflight: 1 });
      expect(await bucket(`customer:${c}`)).toMatchObject({ per_minute: 5, inflight: 1 });
      if (admission.ok) await admission.release();
      expect(await bucket(`key:${k}`)).toMatchObject({ inflight: 0 });
    });

    it('a changed limit starts a fresh, full bucket', async () => {
      const l = limiter();
      const k = fresh('k');
      const c = fresh('c');
      expect((await l.admit([key(k, 1), customer(c, 5)])).ok).toBe(true);
      expect((await l.admit([key(k, 1), customer(c, 5)])).ok).toBe(false);
      expect((await l.admit([key(k, 2), customer(c, 5)])).ok).toBe(true);
      expect(await bucket(`key:${k}`)).toMatchObject({ per_minute: 2, refused_in_row: 0 });
      expect((await bucket(`key:${k}`))?.tokens).toBeCloseTo(1, 2);
      expect((await bucket(`customer:${c}`))?.tokens).toBeCloseTo(3, 2);
    });

    it('many calls at once from two replicas: exactly the limits, slots all given back', async () => {
      const [one, two] = [limiter(), limiter()];
      const k = fresh('k');
      const c = fresh('c');
      const subjects = [key(k, 7, 3), customer(c, 100, 100)];
      // Prime the rows (the first call ever creates them).
      const first = await one.admit(subjects);
      if (first.ok) await first.release();
      const admissions = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? two : one).admit(subjects)),
      );
      const admitted = admissions.filter((a) => a.ok);
      expect(admitted).toHaveLength(3); // the key's 3 slots
      expect((await bucket(`key:${k}`))?.inflight).toBe(3);
      expect((await bucket(`customer:${c}`))?.inflight).toBe(3);
      await Promise.all(admitted.map((a) => a.ok && a.release()));
      expect((await bucket(`key:${k}`))?.inflight).toBe(0);
      expect((await bucket(`customer:${c}`))?.inflight).toBe(0);
      expect((await bucket(`key:${k}`))?.tokens).toBeCloseTo(3, 1);
      expect((await bucket(`customer:${c}`))?.tokens).toBeCloseTo(96, 0);
      const more = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? two : one).admit(subjects)),
      );
      expect(more.filter((a) => a.ok)).toHaveLength(3); // 3 tokens left
      await Promise.all(more.map((a) => a.ok && a.release()));
      // Admissions and releases racing on both rows, in both orders of subjects: no deadlock, no
      // error, and every slot back at the end.
      const busy = [key(fresh('k'), 10_000, 4), customer(fresh('c'), 10_000, 4)];
      const racing = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const admission = await (i % 2 ? two : one).admit(i % 3 ? busy : [...busy].reverse());
          if (admission.ok) await admission.release();
          return admission;
        }),
      );
      expect(racing.filter((a) => !a.ok && !/concurrent calls for/.test(a.message))).toEqual([]);
      expect(racing.filter((a) => a.ok).length).toBeGreaterThanOrEqual(4);
      for (const s of busy) expect(await bucket(`${s.kind}:${s.id}`)).toMatchObject({ inflight: 0 });
    });

    it("a crashed replica's slots on both subjects come back when their leases run out", async () => {
      const k = fresh('k');
      const c = fresh('c');
      const subjects = [key(k, undefined, 1), customer(c, 100, 1)];
      const crashed = limiter(300);
      expect((await crashed.admit(subjects)).ok).toBe(true);
      crashed.close(); // never released, never renewed
      const other = limiter(300);
      const refused = await other.admit(subjects);
      if (refused.ok) throw new Error('admitted');
      expect(refused.message).toContain(`1 concurrent call for key ${k}`);
      const started = Date.now();
      let admitted = await other.admit(subjects);
      while (!admitted.ok && Date.now() - started < 5_000) {
        await new Promise((r) => setTimeout(r, 50));
        admitted = await other.admit(subjects);
      }
      expect(admitted.ok).toBe(true);
      expect(await bucket(`key:${k}`)).toMatchObject({ inflight: 1 });
      expect(await bucket(`customer:${c}`)).toMatchObject({ inflight: 1 });
      if (admitted.ok) await admitted.release();
      expect(await bucket(`customer:${c}`)).toMatchObject({ inflight: 0 });
      const leases = await sql<{ n: number }>`select count(*)::int as n from rate_leases
        where subject in (${`key:${k}`}, ${`customer:${c}`})`.execute(database.db);
      expect(leases.rows[0]?.n).toBe(0);
    });

    it('agrees with the in-memory limiter call by call (limits too small to refill during the test)', async () => {
      const shared = limiter();
      const memory = new RateLimiter();
      const k = fresh('k');
      const c = fresh('c');
      // A fixed pseudo-random sequence of admissions and releases.
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const limitsOf = [
        [key(k, 6, 2), customer(c, 4, 3)],
        [key(k, 6), customer(c, undefined, 1)],
        [key(k, undefined, 2), customer(c, 5, 3)],
      ];
      const held: [() => unknown, () => unknown][] = [];
      const refusals = new Set<string>();
      for (let step = 0; step < 60; step++) {
        if (held.length && rand(3) === 0) {
          const [a, b] = held.splice(rand(held.length), 1)[0] ?? [];
          await a?.();
          await b?.();
          continue;
        }
        const subjects = limitsOf[Math.floor(step / 20)] ?? [];
        const s = await shared.admit(subjects);
        const m = memory.admit(subjects);
        expect(s.ok, `step ${step}`).toBe(m.ok);
        if (!s.ok && !m.ok) {
          // Retry times are whole seconds from each clock: the same but for a second of rounding.
          expect(s.message.replace(/\d+ s\.$/, '')).toBe(m.message.replace(/\d+ s\.$/, ''));
          expect(Math.abs(s.retryAfterS - m.retryAfterS)).toBeLessThanOrEqual(1);
        }
        if (!m.ok) refusals.add(m.message.includes('concurrent') ? 'concurrency' : 'rate');
        if (s.ok && m.ok) held.push([s.release, m.release]);
        expect(shared.refuseBeforeDispatch(subjects) > 0, `step ${step}`).toBe(
          memory.refuseBeforeDispatch(subjects) > 0,
        );
      }
      for (const [a, b] of held) {
        await a();
        await b();
      }
      expect([...refusals].sort()).toEqual(['concurrency', 'rate']);
      expect(await bucket(`key:${k}`)).toMatchObject({ inflight: 0 });
      expect(await bucket(`customer:${c}`)).toMatchObject({ inflight: 0 });
    });
  });
});
