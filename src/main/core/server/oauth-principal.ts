import type { IncomingMessage } from 'node:http';
import { looksLikeJwt, type OidcVerifier } from '../oauth/oidc';
import { isAccessToken, verifyAccessToken } from '../oauth/tokens';
import type { Database } from '../store/database';
import type { PlaneName } from '../store/schema';
import { KEY_HELP } from './request-guards';

/** Who a plane request is from: an API key, an OAuth grant (`oauth:ID`) or an OIDC subject (`oidc:SUB`). */
export interface Principal {
  id: string;
  scope: PlaneName;
  customers: string[] | null;
}

export type TokenAuth = { ok: true; principal: Principal } | { ok: false; message: string };

/**
 * A plane request's OAuth bearer token, checked: Portico's own access token against the database
 * (so a revocation anywhere holds at once), or the external issuer's JWT against its keys — either
 * bound to its plane (RFC 8707 audience). Undefined when the request carries no such token (an API
 * key, or nothing): the caller checks it as a key.
 */
export async function oauthPrincipal(
  req: IncomingMessage,
  plane: PlaneName,
  base: string,
  source: { database: Database; oidc?: OidcVerifier },
): Promise<TokenAuth | undefined> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer) return undefined;
  const refused = (why: string, where: string): TokenAuth => ({
    ok: false,
    message: `Unauthorized: ${why}. Sign in again with ${where} (MCP clients do it by themselves), or pass an API key. ${KEY_HELP}`,
  });
  const { oidc } = source;
  if (oidc) {
    if (!looksLikeJwt(bearer)) return undefined;
    const check = await oidc.check(bearer, base, plane);
    if (!check.ok) return refused(check.why, oidc.issuer);
    const { subject, customers } = check.principal;
    return { ok: true, principal: { id: `oidc:${subject}`, scope: plane, customers } };
  }
  if (!isAccessToken(bearer)) return undefined;
  const check = await verifyAccessToken(source.database.db, bearer);
  if (!check.ok) return refused(check.why, 'OAuth');
  const grant = check.grant;
  if (grant.plane !== plane)
    return refused(
      `this OAuth access token was issued for /mcp/${grant.plane}, not /mcp/${plane} (its audience)`,
      'OAuth',
    );
  return { ok: true, principal: { id: `oauth:${grant.id}`, scope: grant.plane, customers: grant.customers } };
}
