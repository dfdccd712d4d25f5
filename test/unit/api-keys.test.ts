import { describe, expect, it } from 'vitest';
import { generateApiKey, hashSecret, verifyApiKey } from '../../src/main/core/auth/api-keys';
import type { ApiKey } from '../../src/main/core/store/schema';

describe('API keys', () => {
  it('look like ptc_<8 alphanumeric>_<32+ alphanumeric> and store only a hash', () => {
    const { id, key, hash } = generateApiKey();
    expect(key).toMatch(/^ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}$/);
    expect(key.startsWith(`ptc_${id}_`)).toBe(true);
    expect(hash).toBe(hashSecret(key.split('_')[2] ?? ''));
    expect(hash).not.toContain(key.split('_')[2]);
  });

  it('verifies, and rejects wrong secrets, unknown ids, malformed and revoked keys', () => {
    const { id, key, hash } = generateApiKey();
    const record: ApiKey = {
      id,
      name: 'k',
      scope: 'admin',
      customers: null,
      hash,
      createdAt: '',
      revokedAt: null,
    };
    expect(verifyApiKey(key, { [id]: record })).toMatchObject({ ok: true });
    expect(verifyApiKey(`${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`, { [id]: record })).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(verifyApiKey(key, {})).toEqual({ ok: false, reason: 'unknown' });
    expect(verifyApiKey('ptc_short', { [id]: record })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyApiKey(key, { [id]: { ...record, revokedAt: '2026-01-01T00:00:00Z' } })).toEqual({
      ok: false,
      reason: 'revoked',
    });
  });

  it('never reuses an existing id', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const { id } = generateApiKey(taken);
      expect(taken.has(id)).toBe(false);
      taken.add(id);
    }
  });
});
