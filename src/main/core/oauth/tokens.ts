import { createHash, randomBytes } from 'node:crypto';
import type { Db, WriteTx } from '../store/database';
import { type Grant, grantFromRow } from './grants';

/** Lifetimes: an access token an hour, a refresh token 30 days, a code 10 minutes, a consent 15. */
export const TTL = {
  access: 60 * 60_000,
  refresh: 30 * 24 * 60 * 60_000,
  code: 10 * 60_000,
  request: 15 * 60_000,
} as const;

const ACCESS_PREFIX = 'ptoa_';
const REFRESH_PREFIX = 'ptor_';

/** An unguessable secret (256 bits), with a prefix that says what it is. */
export const randomSecret = (prefix = ''): string => `${prefix}${randomBytes(32).toString('base64url')}`;

/** What is stored for a secret: its SHA-256 (the secret itself never is). */
export const secretHash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** The PKCE S256 challenge of a verifier (RFC 7636). */
export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** Whether a presented bearer value is one of Portico's OAuth access tokens (rather than an API key). */
export const isAccessToken = (value: string): boolean => value.startsWith(ACCESS_PREFIX);
export const isRefreshToken = (value: string): boolean => value.startsWith(REFRESH_PREFIX);

/** Mints an access and a refresh token for a grant, stored hashed with their expiry. */
export async function issueTokens(
  tx: WriteTx,
  grantId: string,
  now = Date.now(),
): Promise<{ access: string; refresh: string }> {
  const access = randomSecret(ACCESS_PREFIX);
  const refresh = randomSecret(REFRESH_PREFIX);
  // Tokens past their lifetime go when new ones come (a used refresh token stays until then, so
  // that its reuse is recognized and revokes its grant).
  await tx
    .deleteFrom('oauth_tokens')
    .where('kind', 'in', ['access', 'refresh'])
    .where('expires_at', '<', now)
    .execute();
  await tx
    .insertInto('oauth_tokens')
    .values([
      {
        hash: secretHash(access),
        kind: 'access',
        grant_id: grantId,
        data: null,
        expires_at: now + TTL.access,
        used_at: null,
      },
      {
        hash: secretHash(refresh),
        kind: 'refresh',
        grant_id: grantId,
        data: null,
        expires_at: now + TTL.refresh,
        used_at: null,
      },
    ])
    .execute();
  return { access, refresh };
}

export type TokenCheck = { ok: true; grant: Grant } | { ok: false; why: string };

/** Checks a presented access token against the database: known, not expired, its grant not revoked. */
export async function verifyAccessToken(db: Db, token: string): Promise<TokenCheck> {
  const row = await db
    .selectFrom('oauth_tokens as t')
    .innerJoin('oauth_grants as g', 'g.id', 't.grant_id')
    .select(['t.expires_at', 'g.id', 'g.client_id', 'g.plane', 'g.data', 'g.created_at', 'g.revoked_at'])
    .where('t.hash', '=', secretHash(token))
    .where('t.kind', '=', 'access')
    .executeTakeFirst();
  if (!row) return { ok: false, why: 'unknown or revoked OAuth access token' };
  if (row.revoked_at) return { ok: false, why: 'the OAuth grant of this token was revoked' };
  if (Number(row.expires_at) <= Date.now()) return { ok: false, why: 'this OAuth access token expired' };
  return { ok: true, grant: grantFromRow(row) };
}
