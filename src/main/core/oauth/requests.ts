import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Database, Db, WriteTx } from '../store/database';
import { randomSecret, secretHash, TTL } from './tokens';

const plane = z.enum(['admin', 'gateway']);

/** An authorization request waiting for an admin's consent (from /oauth/authorize). */
const requestSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  clientUri: z.string().optional(),
  redirectUri: z.string(),
  state: z.string().optional(),
  codeChallenge: z.string(),
  /** The RFC 8707 resource the client asked for (null: none; the admin picks the plane). */
  resource: z.string().nullable(),
  plane: plane.nullable(),
  /** A customer named in the resource URL (`…/mcp/gateway?customer_id=A`): the consent page's suggestion. */
  customerHint: z.string().optional(),
  scope: z.string().optional(),
  /** This authorization server's issuer as the client saw it (RFC 9207 `iss` in the response). */
  issuer: z.string(),
  expiresAt: z.number(),
});
export type AuthorizationRequest = z.infer<typeof requestSchema>;

/** An approved request: what the code stands for until it is exchanged. */
const codeSchema = z.object({
  clientId: z.string(),
  clientName: z.string(),
  redirectUri: z.string(),
  codeChallenge: z.string(),
  resource: z.string().nullable(),
  plane,
  customers: z.array(z.string()).nullable(),
  approvedBy: z.string(),
});
export type AuthorizationCode = z.infer<typeof codeSchema>;

/** Records a request for consent; returns its id (the consent page's address). */
export async function saveRequest(
  database: Database,
  request: Omit<AuthorizationRequest, 'id' | 'expiresAt'>,
): Promise<AuthorizationRequest> {
  const now = Date.now();
  const saved: AuthorizationRequest = {
    ...request,
    id: randomBytes(18).toString('base64url'),
    expiresAt: now + TTL.request,
  };
  await database.write(async (tx) => {
    // Expired requests and codes go when new ones come.
    await tx
      .deleteFrom('oauth_tokens')
      .where('kind', 'in', ['request', 'code'])
      .where('expires_at', '<', now)
      .execute();
    await tx
      .insertInto('oauth_tokens')
      .values({
        hash: saved.id,
        kind: 'request',
        grant_id: null,
        data: JSON.stringify(saved),
        expires_at: saved.expiresAt,
        used_at: null,
      })
      .execute();
  });
  return saved;
}

/** A request still waiting for consent, or undefined (unknown, decided or expired). */
export async function getRequest(db: Db | WriteTx, id: string): Promise<AuthorizationRequest | undefined> {
  const row = await db
    .selectFrom('oauth_tokens')
    .select(['data', 'expires_at'])
    .where('hash', '=', id)
    .where('kind', '=', 'request')
    .executeTakeFirst();
  if (!row?.data || Number(row.expires_at) <= Date.now()) return undefined;
  return requestSchema.parse(JSON.parse(row.data));
}

/** Takes a request for a decision: it can be decided once. */
export async function takeRequest(tx: WriteTx, id: string): Promise<AuthorizationRequest | undefined> {
  const request = await getRequest(tx, id);
  await tx.deleteFrom('oauth_tokens').where('hash', '=', id).where('kind', '=', 'request').execute();
  return request;
}

/** Stores an approved request's code (hashed); returns the code, given once to the client. */
export async function saveCode(tx: WriteTx, code: AuthorizationCode): Promise<string> {
  const secret = randomSecret();
  await tx
    .insertInto('oauth_tokens')
    .values({
      hash: secretHash(secret),
      kind: 'code',
      grant_id: null,
      data: JSON.stringify(code),
      expires_at: Date.now() + TTL.code,
      used_at: null,
    })
    .execute();
  return secret;
}

export type CodeLookup =
  | { status: 'ok'; code: AuthorizationCode; hash: string }
  | { status: 'unknown' | 'expired' }
  /** Used before: the tokens it gave (its grant) are to be revoked (OAuth 2.1 §4.1.3). */
  | { status: 'reused'; grantId: string | null };

/** Marks a code used (single use) and returns what it stands for. */
export async function redeemCode(tx: WriteTx, secret: string): Promise<CodeLookup> {
  const hash = secretHash(secret);
  const row = await tx
    .selectFrom('oauth_tokens')
    .select(['data', 'expires_at', 'used_at', 'grant_id'])
    .where('hash', '=', hash)
    .where('kind', '=', 'code')
    .executeTakeFirst();
  if (!row?.data) return { status: 'unknown' };
  if (row.used_at !== null) return { status: 'reused', grantId: row.grant_id };
  if (Number(row.expires_at) <= Date.now()) return { status: 'expired' };
  await tx.updateTable('oauth_tokens').set({ used_at: Date.now() }).where('hash', '=', hash).execute();
  return { status: 'ok', code: codeSchema.parse(JSON.parse(row.data)), hash };
}

/** Notes which grant a used code gave, so that its reuse revokes that grant. */
export async function linkCode(tx: WriteTx, hash: string, grantId: string): Promise<void> {
  await tx.updateTable('oauth_tokens').set({ grant_id: grantId }).where('hash', '=', hash).execute();
}

/** Where the browser goes after the decision: the client's redirect_uri with the code or the error, `state` and `iss`. */
export function decisionRedirect(
  request: Pick<AuthorizationRequest, 'redirectUri' | 'state' | 'issuer'>,
  params: Record<string, string>,
): string {
  const target = new URL(request.redirectUri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  if (request.state !== undefined) target.searchParams.set('state', request.state);
  target.searchParams.set('iss', request.issuer);
  return target.toString();
}
