import { hash, randomInt, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../store/schema';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^ptc_([A-Za-z0-9]{8})_([A-Za-z0-9]{32,128})$/;

function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

// One-shot crypto.hash: no Hash object, which costs more than hashing a key (every authenticated
// request hashes its key once).
export const hashSecret = (secret: string): string => hash('sha256', secret, 'hex');

/** A new key: the full text (shown once) and what is stored (the id and the secret's hash). */
export function generateApiKey(existingIds: Iterable<string> = []): {
  id: string;
  key: string;
  hash: string;
} {
  const taken = new Set(existingIds);
  let id = randomAlphanumeric(8);
  while (taken.has(id)) id = randomAlphanumeric(8);
  const secret = randomAlphanumeric(40);
  return { id, key: `ptc_${id}_${secret}`, hash: hashSecret(secret) };
}

export type KeyCheck = { ok: true; key: ApiKey } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

/** Finds and verifies a presented key against the stored hashes (constant-time compare). */
export function verifyApiKey(presented: string, keys: Readonly<Record<string, ApiKey>>): KeyCheck {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, id, secret] = match as unknown as [string, string, string];
  const stored = keys[id];
  if (!stored) return { ok: false, reason: 'unknown' };
  const expected = Buffer.from(stored.hash, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
    return { ok: false, reason: 'unknown' };
  if (stored.revokedAt) return { ok: false, reason: 'revoked' };
  return { ok: true, key: stored };
}

/** Shows a key id without its secret, e.g. for lists and logs. */
export const maskedKey = (id: string): string => `ptc_${id}_••••`;
