import type { Database, WriteTx } from '../store/database';
import { createGrant, revokeGrantIn } from './grants';
import { type OAuthResponse, oauthError } from './metadata';
import { linkCode, redeemCode } from './requests';
import { isRefreshToken, issueTokens, s256, secretHash, TTL } from './tokens';

/** Revocations decided inside a token request, announced once it is saved. */
type Outcome = { response: OAuthResponse; revoked?: string };

const granted = (tokens: { access: string; refresh: string }, scope: string): OAuthResponse => ({
  status: 200,
  headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  json: {
    access_token: tokens.access,
    token_type: 'Bearer',
    expires_in: TTL.access / 1000,
    refresh_token: tokens.refresh,
    scope,
  },
});

/**
 * POST /oauth/token: exchanges a code (with its PKCE verifier) or rotates a refresh token. Public
 * clients: client_id in the body (or as HTTP Basic user name). A refresh token works once: using
 * it again revokes its whole grant (a stolen token's family dies with it).
 */
export async function tokenRequest(
  database: Database,
  params: URLSearchParams,
  basicClientId: string | undefined,
  onRevoked: (grantId: string) => void,
): Promise<OAuthResponse> {
  const clientId = params.get('client_id') ?? basicClientId;
  if (!clientId)
    return oauthError(400, 'invalid_request', 'client_id is missing (public clients send it in the body).');
  const grantType = params.get('grant_type');
  let outcome: Outcome;
  if (grantType === 'authorization_code')
    outcome = await database.write((tx) => exchangeCode(tx, params, clientId));
  else if (grantType === 'refresh_token')
    outcome = await database.write((tx) => refresh(tx, params, clientId));
  else
    return grantType
      ? oauthError(
          400,
          'unsupported_grant_type',
          `grant_type "${grantType}" is not supported; use authorization_code or refresh_token.`,
        )
      : oauthError(400, 'invalid_request', 'grant_type is missing.');
  if (outcome.revoked) onRevoked(outcome.revoked);
  return outcome.response;
}

async function exchangeCode(tx: WriteTx, params: URLSearchParams, clientId: string): Promise<Outcome> {
  const secret = params.get('code');
  const verifier = params.get('code_verifier');
  if (!secret) return { response: oauthError(400, 'invalid_request', 'code is missing.') };
  if (!verifier)
    return {
      response: oauthError(
        400,
        'invalid_request',
        'code_verifier is missing: PKCE is required for every client.',
      ),
    };
  const found = await redeemCode(tx, secret);
  if (found.status === 'reused') {
    if (found.grantId) await revokeGrantIn(tx, found.grantId);
    return {
      response: oauthError(
        400,
        'invalid_grant',
        'This authorization code was already used; the tokens issued for it are revoked. Start a new authorization.',
      ),
      ...(found.grantId ? { revoked: found.grantId } : {}),
    };
  }
  if (found.status !== 'ok')
    return {
      response: oauthError(
        400,
        'invalid_grant',
        found.status === 'expired'
          ? 'The authorization code expired (codes last 10 minutes). Start a new authorization.'
          : 'Unknown authorization code. Start a new authorization.',
      ),
    };
  const code = found.code;
  if (code.clientId !== clientId)
    return {
      response: oauthError(400, 'invalid_grant', 'The authorization code was issued to another client.'),
    };
  const redirectUri = params.get('redirect_uri');
  if (redirectUri !== null && redirectUri !== code.redirectUri)
    return {
      response: oauthError(
        400,
        'invalid_grant',
        'redirect_uri does not match the one of the authorization request.',
      ),
    };
  if (s256(verifier) !== code.codeChallenge)
    return {
      response: oauthError(
        400,
        'invalid_grant',
        'PKCE verification failed: code_verifier does not match code_challenge.',
      ),
    };
  const resource = params.get('resource');
  if (resource !== null && code.resource !== null && resource !== code.resource)
    return {
      response: oauthError(
        400,
        'invalid_target',
        `resource "${resource}" is not the one authorized (${code.resource}).`,
      ),
    };
  const grant = await createGrant(tx, {
    clientId: code.clientId,
    clientName: code.clientName,
    redirectUri: code.redirectUri,
    plane: code.plane,
    customers: code.customers,
    approvedBy: code.approvedBy,
  });
  await linkCode(tx, found.hash, grant.id);
  return { response: granted(await issueTokens(tx, grant.id), grant.plane) };
}

async function refresh(tx: WriteTx, params: URLSearchParams, clientId: string): Promise<Outcome> {
  const token = params.get('refresh_token');
  if (!token) return { response: oauthError(400, 'invalid_request', 'refresh_token is missing.') };
  const invalid = (description: string) => ({ response: oauthError(400, 'invalid_grant', description) });
  if (!isRefreshToken(token)) return invalid('That is not a Portico refresh token.');
  const hash = secretHash(token);
  const row = await tx
    .selectFrom('oauth_tokens as t')
    .innerJoin('oauth_grants as g', 'g.id', 't.grant_id')
    .select(['t.expires_at', 't.used_at', 'g.id', 'g.client_id', 'g.plane', 'g.revoked_at'])
    .where('t.hash', '=', hash)
    .where('t.kind', '=', 'refresh')
    .executeTakeFirst();
  if (!row) return invalid('Unknown or revoked refresh token. Sign in again.');
  if (row.revoked_at) return invalid('The grant of this refresh token was revoked. Sign in again.');
  if (row.client_id !== clientId) return invalid('The refresh token was issued to another client.');
  if (row.used_at !== null) {
    await revokeGrantIn(tx, row.id);
    return {
      ...invalid(
        'This refresh token was already used (each works once). As it may have been stolen, its grant is now revoked; sign in again.',
      ),
      revoked: row.id,
    };
  }
  if (Number(row.expires_at) <= Date.now()) return invalid('The refresh token expired. Sign in again.');
  const resource = params.get('resource');
  if (resource !== null && !sameAudience(resource, row.plane))
    return {
      response: oauthError(
        400,
        'invalid_target',
        `resource "${resource}" is not the plane this grant is for (/mcp/${row.plane}).`,
      ),
    };
  await tx.updateTable('oauth_tokens').set({ used_at: Date.now() }).where('hash', '=', hash).execute();
  return { response: granted(await issueTokens(tx, row.id), row.plane) };
}

/** Whether a refresh's `resource` names the grant's plane (or the server as a whole, the root form). */
function sameAudience(resource: string, plane: string): boolean {
  try {
    const path = new URL(resource).pathname.replace(/\/+$/, '');
    return path === '' || path === `/mcp/${plane}`;
  } catch {
    return false;
  }
}
