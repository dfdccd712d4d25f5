import type { AuthConfig } from '../store/schema';
import { fetchWithinOrigin, RedirectRefusedError, readCapped } from './network-guard';

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  expires_at?: string;
}

export class OAuthError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

type OAuth2 = NonNullable<AuthConfig['oauth2']>;

/** A token endpoint's answer is a few hundred bytes; nothing past this is read. */
const MAX_TOKEN_RESPONSE = 256 * 1024;

/**
 * Posts to the token endpoint. The form carries the client secret and codes or refresh tokens, so a
 * redirect is followed only within the endpoint's origin and only when it keeps the POST (307/308).
 */
const postForm = (tokenUrl: string, init: RequestInit): Promise<Response> =>
  fetchWithinOrigin(tokenUrl, init, { keeps: 'the client secret and tokens', body: 'form' });

/** Posts a form to the provider's token endpoint (client_secret_basic when there is a secret). */
async function tokenRequest(
  oauth: OAuth2,
  clientSecret: string | undefined,
  form: Record<string, string>,
): Promise<TokenSet> {
  const body = new URLSearchParams({ ...form, client_id: oauth.clientId });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (clientSecret)
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(oauth.clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  let response: Response;
  let text: string;
  try {
    response = await postForm(oauth.tokenUrl, {
      method: 'POST',
      headers,
      body: body.toString(),
      signal: AbortSignal.timeout(15_000),
    });
    const read = await readCapped(response, MAX_TOKEN_RESPONSE);
    if (read.truncated)
      throw new OAuthError(
        `the token endpoint's answer went past ${MAX_TOKEN_RESPONSE} bytes; Portico stopped reading it`,
        response.status,
      );
    text = read.bytes.toString('utf8');
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (error instanceof RedirectRefusedError) throw new OAuthError(`the token endpoint ${error.message}`);
    throw new OAuthError(
      `the token endpoint ${oauth.tokenUrl} could not be reached (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Some providers answer errors in plain text.
  }
  if (!response.ok || typeof json.access_token !== 'string') {
    const reason =
      typeof json.error === 'string'
        ? `${json.error}${typeof json.error_description === 'string' ? `: ${json.error_description}` : ''}`
        : text.slice(0, 200);
    throw new OAuthError(`the token endpoint answered HTTP ${response.status} (${reason})`, response.status);
  }
  const expiresIn = Number(json.expires_in);
  return {
    access_token: json.access_token,
    refresh_token: typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
    expires_at:
      Number.isFinite(expiresIn) && expiresIn > 0
        ? new Date(Date.now() + expiresIn * 1000).toISOString()
        : undefined,
  };
}

export const exchangeCode = (
  oauth: OAuth2,
  secret: string | undefined,
  code: string,
  verifier: string,
  redirectUri: string,
) =>
  tokenRequest(oauth, secret, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
  });

export const refreshTokens = (oauth: OAuth2, secret: string | undefined, refreshToken: string) =>
  tokenRequest(oauth, secret, { grant_type: 'refresh_token', refresh_token: refreshToken });

export const clientCredentials = (oauth: OAuth2, secret: string | undefined) =>
  tokenRequest(oauth, secret, {
    grant_type: 'client_credentials',
    ...(oauth.scopes.length ? { scope: oauth.scopes.join(' ') } : {}),
  });
