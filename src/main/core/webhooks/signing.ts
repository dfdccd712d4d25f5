import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signing: a `whsec_<base64>` secret,
 * `webhook-id` / `webhook-timestamp` / `webhook-signature: v1,<base64 HMAC-SHA256>` headers,
 * the HMAC taken over `${id}.${timestamp}.${body}` keyed with the base64-decoded secret.
 */
export const SECRET_PREFIX = 'whsec_';
/** How far a `webhook-timestamp` may be from now, either way, before `verify` rejects it. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class WebhookSecretError extends Error {}

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(bytes = 32): string {
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES)
    throw new RangeError(`a secret holds ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes`);
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The HMAC key of a `whsec_…` secret (the prefix is optional). Throws WebhookSecretError when malformed. */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = BASE64.test(encoded) && encoded.length % 4 === 0 ? Buffer.from(encoded, 'base64') : null;
  if (!key || key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookSecretError(
      `a webhook secret must be "${SECRET_PREFIX}" followed by the base64 of ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} random bytes ` +
        `(e.g. \`node -e "console.log('whsec_'+require('crypto').randomBytes(32).toString('base64'))"\`), or omitted to have one generated`,
    );
  }
  return key;
}

export function isValidSecret(secret: string): boolean {
  try {
    secretKey(secret);
    return true;
  } catch {
    return false;
  }
}

/** A unique, time-ordered message id (`msg_…`), the same across retries of one delivery. */
export function newMessageId(at = Date.now()): string {
  return `msg_${at.toString(36).padStart(10, '0')}${randomBytes(10).toString('hex')}`;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export type SignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * The three Standard Webhooks headers for one attempt; the timestamp is the attempt's time. With
 * several secrets (a rotation's grace period: the current one first), `webhook-signature` holds one
 * space-separated `v1,…` signature per secret, so a receiver holding either one verifies.
 */
export function signatureHeaders(
  secret: string | readonly string[],
  body: string,
  options: { id?: string; timestamp?: number } = {},
): SignatureHeaders {
  const id = options.id ?? newMessageId();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secrets = typeof secret === 'string' ? [secret] : [...new Set(secret)];
  if (!secrets.length) throw new WebhookSecretError('no signing secret to sign with');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export type VerifyResult = { ok: true; id: string; timestamp: number } | { ok: false; error: string };

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value.join(' ') : value;
}

/**
 * Checks a received webhook: headers present, timestamp within `toleranceSeconds` of now,
 * and one of the space-separated `v1,` signatures matching (compared in constant time).
 * `body` must be the raw request body, exactly as received.
 */
export function verify(
  secret: string,
  body: string,
  headers: HeaderSource,
  options: { toleranceSeconds?: number; now?: number } = {},
): VerifyResult {
  const id = header(headers, 'webhook-id');
  const stamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !stamp || !signatures)
    return { ok: false, error: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  const timestamp = Number(stamp);
  if (!/^\d+$/.test(stamp) || !Number.isSafeInteger(timestamp))
    return { ok: false, error: 'webhook-timestamp is not a unix time in seconds' };
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - timestamp) > tolerance)
    return { ok: false, error: `webhook-timestamp is more than ${tolerance} s away from now` };
  let key: Buffer;
  try {
    key = secretKey(secret);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected))
      return { ok: true, id, timestamp };
  }
  return { ok: false, error: 'no matching v1 signature' };
}
