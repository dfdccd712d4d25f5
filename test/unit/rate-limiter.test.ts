import { describe, expect, it } from 'vitest';
import { type LimitSubject, RateLimiter } from '../../src/main/core/gateway/rate-limiter';

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

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

describe('RateLimiter', () => {
  it('admits a full bucket of calls, then refuses with the time until the next token', () => {
    const c = clock();
    const limiter = new RateLimiter(c.now);
    for (let i = 0; i < 3; i++) expect(limiter.admit([key('k1', 3)]).ok).toBe(true);
    const refused = limiter.admit([key('k1', 3)]);
    expect(refused).toMatchObject({ ok: false, retryAfterS: 20 });
    if (refused.ok) throw new Error('admitted');
    expect(refused.message).toBe('Rate limit: 3 calls per minute for key k1. Retry in 20 s.');
    c.t = 19_000;
    expect(limiter.admit([key('k1', 3)])).toMatchObject({ ok: false, retryAfterS: 1 });
    c.t = 20_000;
    expect(limiter.admit([key('k1', 3)]).ok).toBe(true);
    expect(limiter.admit([key('k1', 3)]).ok).toBe(false);
  });

  it('refills continuously up to the limit, never beyond', () => {
    const c = clock();
    const limiter = new RateLimiter(c.now);
    for (let i = 0; i < 2; i++) expect(limiter.admit([key('k', 2)]).ok).toBe(true);
    c.t = 10 * 60_000; // a long pause still holds only 2 tokens
    expect(limiter.admit([key('k', 2)]).ok).toBe(true);
    expect(limiter.admit([key('k', 2)]).ok).toBe(true);
    expect(limiter.admit([key('k', 2)]).ok).toBe(false);
  });

  it('keeps keys and customers apart, and takes nothing from one subject when another refuses', () => {
    const c = clock();
    const limiter = new RateLimiter(c.now);
    expect(limiter.admit([key('a', 1), customer('acme', 2)]).ok).toBe(true);
    expect(limiter.admit([key('a', 1), customer('acme', 2)]).ok).toBe(false); // key a is empty
    expect(limiter.admit([key('b', 1), customer('acme', 2)]).ok).toBe(true); // acme kept its token
    const third = limiter.admit([key('c', 5), customer('acme', 2)]);
    expect(third).toMatchObject({ ok: false });
    if (!third.ok) expect(third.message).toContain('for customer acme');
    expect(limiter.admit([key('c', 5), customer('other', 2)]).ok).toBe(true);
  });

  it('gates concurrent calls until released, once per admission', () => {
    const limiter = new RateLimiter(clock().now);
    const first = limiter.admit([key('k', undefined, 2)]);
    const second = limiter.admit([key('k', undefined, 2)]);
    expect(first.ok && second.ok).toBe(true);
    const third = limiter.admit([key('k', undefined, 2)]);
    expect(third).toMatchObject({ ok: false, retryAfterS: 1 });
    if (!third.ok) expect(third.message).toContain('2 concurrent calls for key k');
    if (first.ok) {
      first.release();
      first.release(); // a second release frees nothing more
    }
    expect(limiter.admit([key('k', undefined, 2)]).ok).toBe(true);
    expect(limiter.admit([key('k', undefined, 2)]).ok).toBe(false);
  });

  it('a changed limit starts a fresh bucket; no limits admit everything', () => {
    const limiter = new RateLimiter(clock().now);
    expect(limiter.admit([key('k', 1)]).ok).toBe(true);
    expect(limiter.admit([key('k', 1)]).ok).toBe(false);
    expect(limiter.admit([key('k', 2)]).ok).toBe(true);
    for (let i = 0; i < 100; i++)
      expect(limiter.admit([{ kind: 'key', id: 'k', limits: undefined }]).ok).toBe(true);
  });

  it('refuses before dispatch only a client that kept calling after as many refusals as its limit', () => {
    const c = clock();
    const limiter = new RateLimiter(c.now);
    const subjects = [key('k', 2), customer('acme')];
    expect(limiter.refuseBeforeDispatch(subjects)).toBe(0); // no bucket yet
    limiter.admit(subjects);
    limiter.admit(subjects);
    expect(limiter.refuseBeforeDispatch(subjects)).toBe(0); // empty, but not yet told to wait
    expect(limiter.admit(subjects).ok).toBe(false);
    expect(limiter.refuseBeforeDispatch(subjects)).toBe(0);
    expect(limiter.admit(subjects).ok).toBe(false);
    expect(limiter.refuseBeforeDispatch(subjects)).toBe(30);
    expect(limiter.refuseBeforeDispatch([key('other', 2)])).toBe(0);
    c.t = 30_000; // a token is back: the call goes through again
    expect(limiter.refuseBeforeDispatch(subjects)).toBe(0);
    expect(limiter.admit(subjects).ok).toBe(true);
  });
});
