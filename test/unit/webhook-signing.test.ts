import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  isValidSecret,
  newMessageId,
  secretKey,
  sign,
  signatureHeaders,
  verify,
} from '../../src/main/core/webhooks/signing';

/** The Standard Webhooks algorithm, written out independently of the code under test. */
function referenceSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

describe('Standard Webhooks signing', () => {
  it('generates whsec_ secrets of 32 random bytes, different every time', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(secretKey(a)).toHaveLength(32);
    expect(() => generateSecret(8)).toThrow(RangeError);
  });

  it('matches the Standard Webhooks reference test vector', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs id.timestamp.body with the base64-decoded secret', () => {
    const secret = generateSecret();
    const body = JSON.stringify({
      type: 'tool.called',
      timestamp: '2025-01-01T00:00:00.000Z',
      data: { x: 1 },
    });
    const headers = signatureHeaders(secret, body, { id: 'msg_abc', timestamp: 1_700_000_000 });
    expect(headers).toEqual({
      'webhook-id': 'msg_abc',
      'webhook-timestamp': '1700000000',
      'webhook-signature': referenceSignature(secret, 'msg_abc', 1_700_000_000, body),
    });
    const fresh = signatureHeaders(secret, body);
    expect(fresh['webhook-id']).toMatch(/^msg_[a-z0-9]+$/);
    expect(Math.abs(Number(fresh['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('message ids are unique and sort by time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newMessageId()));
    expect(ids.size).toBe(1000);
    expect(newMessageId(1_000) < newMessageId(2_000_000_000_000)).toBe(true);
  });

  it('verify accepts a genuine request and rejects tampering, wrong secrets and stale timestamps', () => {
    const secret = generateSecret();
    const other = generateSecret();
    const body = '{"type":"key.created","timestamp":"2025-01-01T00:00:00.000Z","data":{"id":"abc"}}';
    const headers = signatureHeaders(secret, body);
    expect(verify(secret, body, headers)).toMatchObject({ ok: true, id: headers['webhook-id'] });
    expect(verify(secret, body, new Headers({ ...headers }))).toMatchObject({ ok: true });
    expect(verify(secret, body.replace('abc', 'abd'), headers)).toEqual({
      ok: false,
      error: 'no matching v1 signature',
    });
    expect(verify(other, body, headers).ok).toBe(false);
    expect(verify(secret, body, { ...headers, 'webhook-id': 'msg_other' }).ok).toBe(false);

    const old = signatureHeaders(secret, body, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(verify(secret, body, old)).toMatchObject({ ok: false, error: expect.stringMatching(/300 s/) });
    expect(verify(secret, body, old, { toleranceSeconds: 900 }).ok).toBe(true);
    const future = signatureHeaders(secret, body, { timestamp: Math.floor(Date.now() / 1000) + 600 });
    expect(verify(secret, body, future).ok).toBe(false);

    const { 'webhook-signature': _sig, ...unsigned } = headers;
    expect(verify(secret, body, unsigned)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/missing/),
    });
    expect(verify(secret, body, { ...headers, 'webhook-timestamp': 'yesterday' }).ok).toBe(false);
  });

  it('verify accepts any of several space-separated signatures (secret rotation on the receiver side)', () => {
    const secret = generateSecret();
    const body = '{}';
    const headers = signatureHeaders(secret, body);
    const multi = { ...headers, 'webhook-signature': `v1,AAAA v2,zzz ${headers['webhook-signature']}` };
    expect(verify(secret, body, multi).ok).toBe(true);
  });

  it('rejects malformed secrets with a message that says how to make one', () => {
    expect(isValidSecret('whsec_short')).toBe(false);
    expect(isValidSecret('whsec_not base64!!')).toBe(false);
    expect(isValidSecret(`whsec_${Buffer.alloc(100).toString('base64')}`)).toBe(false);
    expect(() => secretKey('whsec_short')).toThrow(/base64 of 24-64 random bytes/);
    // The prefix is optional on input, as in the reference libraries.
    const secret = generateSecret();
    expect(secretKey(secret.slice(6)).equals(secretKey(secret))).toBe(true);
  });
});

describe('signing with two secrets (a rotation grace period)', () => {
  it('sends one space-separated v1 signature per secret, the current one first; either secret verifies', async () => {
    const { Webhook } = await import('standardwebhooks');
    const current = generateSecret();
    const previous = generateSecret();
    const other = generateSecret();
    const body = '{"type":"tool.called","timestamp":"2025-01-01T00:00:00.000Z","data":{}}';
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders([current, previous], body, { id: 'msg_rot', timestamp });
    expect(headers['webhook-signature']).toBe(
      `${referenceSignature(current, 'msg_rot', timestamp, body)} ${referenceSignature(previous, 'msg_rot', timestamp, body)}`,
    );
    expect(verify(current, body, headers)).toMatchObject({ ok: true });
    expect(verify(previous, body, headers)).toMatchObject({ ok: true });
    expect(verify(other, body, headers)).toEqual({ ok: false, error: 'no matching v1 signature' });
    // The reference implementation agrees.
    expect(new Webhook(current).verify(body, headers)).toMatchObject({ type: 'tool.called' });
    expect(new Webhook(previous).verify(body, headers)).toMatchObject({ type: 'tool.called' });
    expect(() => new Webhook(other).verify(body, headers)).toThrow();
  });

  it('one secret (or the same one twice) gives one signature; none is an error', () => {
    const secret = generateSecret();
    const one = signatureHeaders(secret, '{}', { id: 'msg_1', timestamp: 1 });
    expect(signatureHeaders([secret, secret], '{}', { id: 'msg_1', timestamp: 1 })).toEqual(one);
    expect(one['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => signatureHeaders([], '{}')).toThrow(/no signing secret/);
  });
});
