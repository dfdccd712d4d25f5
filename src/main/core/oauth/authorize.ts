import type { Database } from '../store/database';
import { resolveClient } from './clients';
import { type OAuthResponse, oauthError, resourceTarget } from './metadata';
import { decisionRedirect, saveRequest } from './requests';

const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * GET /oauth/authorize (authorization code with PKCE S256 only). Until the client and its
 * redirect_uri are known good, errors are shown here (never redirected: RFC 6749 §4.1.2.1); after,
 * they go back to the client's redirect_uri with `error`, `state` and `iss`. A good request is
 * recorded and the browser sent to the web UI's consent page, where a signed-in admin decides.
 */
export async function authorize(database: Database, base: string, url: URL): Promise<OAuthResponse> {
  const p = url.searchParams;
  const once = (name: string) => {
    const values = p.getAll(name);
    return values.length === 1 ? values[0] : values.length ? null : undefined;
  };
  const clientId = once('client_id');
  if (!clientId)
    return oauthError(
      400,
      'invalid_request',
      clientId === null ? 'client_id is given more than once.' : 'client_id is missing.',
    );
  const lookup = await resolveClient(database.db, clientId);
  if (!lookup.ok) return oauthError(400, lookup.error, lookup.description);
  const client = lookup.client;
  const redirectUri = once('redirect_uri');
  if (!redirectUri)
    return oauthError(
      400,
      'invalid_request',
      `redirect_uri is missing; it must be one of the client's registered redirect URIs: ${client.redirectUris.join(', ')}.`,
    );
  if (!client.redirectUris.includes(redirectUri))
    return oauthError(
      400,
      'invalid_request',
      `redirect_uri "${redirectUri}" is not one of the client's registered redirect URIs (${client.redirectUris.join(', ')}); it must match exactly.`,
    );
  const state = once('state') ?? undefined;
  const fail = (error: string, description: string): OAuthResponse => ({
    status: 302,
    headers: {
      location: decisionRedirect(
        { redirectUri, issuer: base, ...(state ? { state } : {}) },
        { error, error_description: description },
      ),
      'cache-control': 'no-store',
    },
  });
  const responseType = once('response_type');
  if (responseType !== 'code')
    return responseType
      ? fail('unsupported_response_type', `response_type "${responseType}" is not supported; use "code".`)
      : fail('invalid_request', 'response_type is missing; use response_type=code.');
  const challenge = once('code_challenge');
  const method = once('code_challenge_method');
  if (!challenge)
    return fail(
      'invalid_request',
      'PKCE is required: send code_challenge (the base64url SHA-256 of your code_verifier) with code_challenge_method=S256.',
    );
  if (method !== 'S256')
    return fail(
      'invalid_request',
      method
        ? `code_challenge_method "${method}" is not supported; only S256 is (the plain method is not allowed).`
        : 'code_challenge_method is missing; send code_challenge_method=S256 (plain is not allowed).',
    );
  if (!CHALLENGE.test(challenge))
    return fail('invalid_request', 'code_challenge must be 43 to 128 characters of [A-Za-z0-9._~-].');
  const resources = p.getAll('resource');
  if (resources.length > 1)
    return fail('invalid_target', 'Give one resource: the plane URL (…/mcp/admin or …/mcp/gateway).');
  const resource = resources[0] ?? null;
  const target = resourceTarget(base, resource);
  if (!target.ok) return fail('invalid_target', target.description);
  const scope = once('scope') ?? undefined;
  const request = await saveRequest(database, {
    clientId: client.clientId,
    clientName: client.name,
    ...(client.uri ? { clientUri: client.uri } : {}),
    redirectUri,
    ...(state ? { state } : {}),
    codeChallenge: challenge,
    resource,
    plane: target.plane,
    ...(target.customer ? { customerHint: target.customer } : {}),
    ...(scope ? { scope } : {}),
    issuer: base,
  });
  return {
    status: 302,
    headers: { location: `${base}/#/consent/${request.id}`, 'cache-control': 'no-store' },
  };
}
