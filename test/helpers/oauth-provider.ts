import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  type MutableRedirectUri,
  type MutableResponse,
  type MutableToken,
  OAuth2Server,
  type TokenRequestIncomingMessage,
} from 'oauth2-mock-server';
import { afterAll } from 'vitest';

/** One request to the token endpoint, as the provider judged it. */
export interface TokenCall {
  grant: string;
  clientId: string | undefined;
  /** `ok`, or the OAuth error code answered. */
  outcome: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string | undefined;
  method: string | undefined;
  scope: string;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/**
 * `oauth2-mock-server` on 127.0.0.1, made strict through its hooks: registered clients
 * with secrets (client_secret_basic or client_secret_post), authorization codes bound to
 * their redirect URI and single use, PKCE S256 required, refresh tokens that rotate (each
 * works once), and a configurable access-token lifetime (JWT `exp` and `expires_in`).
 */
export async function startOAuthProvider(clients: Record<string, string>) {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const url = server.issuer.url as string;
  const service = server.service;
  const codes = new Map<string, IssuedCode>();
  const liveRefreshTokens = new Map<string, string>();
  const refreshScopes = new Map<string, string>();
  /** Every secret value the provider ever handed out: access, refresh and ID tokens. */
  const issued = new Set<string>();
  const tokenCalls: TokenCall[] = [];
  const events = new EventEmitter();
  const settings = { ttlSeconds: 3600, failRefresh: false };
  let pkceVerified = 0;
  const latest = new Map<string, { access_token: string; refresh_token?: string }>();

  service.on(
    'beforeAuthorizeRedirect',
    (redirect: MutableRedirectUri, req: { query: Record<string, unknown> }) => {
      const code = redirect.url.searchParams.get('code');
      if (!code) return;
      const q = req.query;
      const clientId = typeof q.client_id === 'string' ? q.client_id : '';
      if (!(clientId in clients)) {
        redirect.url.searchParams.delete('code');
        redirect.url.searchParams.set('error', 'unauthorized_client');
        return;
      }
      codes.set(code, {
        clientId,
        redirectUri: String(q.redirect_uri),
        challenge: typeof q.code_challenge === 'string' ? q.code_challenge : undefined,
        method: typeof q.code_challenge_method === 'string' ? q.code_challenge_method : undefined,
        scope: typeof q.scope === 'string' ? q.scope : '',
      });
    },
  );

  service.on('beforeTokenSigning', (token: MutableToken, req: TokenRequestIncomingMessage) => {
    // Unique even when issued in the same second with the same claims.
    token.payload.jti = randomUUID();
    token.payload.exp = Math.floor(Date.now() / 1000) + settings.ttlSeconds;
    const body = req.body as unknown as Record<string, string | undefined>;
    token.payload.client_id = basicCredentials(req.headers.authorization)?.id ?? body.client_id;
    // The scope granted at the authorize step (the mock would say "dummy").
    const granted =
      body.grant_type === 'authorization_code'
        ? codes.get(body.code ?? '')?.scope
        : body.grant_type === 'refresh_token'
          ? refreshScopes.get(body.refresh_token ?? '')
          : undefined;
    if (granted !== undefined) token.payload.scope = granted;
  });

  service.on('beforeResponse', (response: MutableResponse, req: TokenRequestIncomingMessage) => {
    const body = req.body as unknown as Record<string, string | undefined>;
    const grant = body.grant_type ?? '';
    const scope =
      grant === 'authorization_code'
        ? codes.get(body.code ?? '')?.scope
        : grant === 'refresh_token'
          ? refreshScopes.get(body.refresh_token ?? '')
          : body.scope;
    const basic = basicCredentials(req.headers.authorization);
    const clientId = basic?.id ?? body.client_id;
    const secret = basic?.secret ?? body.client_secret;
    const reject = (status: number, error: string, description: string) => {
      response.statusCode = status;
      response.body = { error, error_description: description };
      tokenCalls.push({ grant, clientId, outcome: error });
      events.emit('token', tokenCalls.at(-1));
    };
    if (!clientId || !(clientId in clients) || clients[clientId] !== secret)
      return reject(401, 'invalid_client', 'unknown client or wrong client secret');
    if (grant === 'authorization_code') {
      const entry = codes.get(body.code ?? '');
      codes.delete(body.code ?? '');
      if (!entry || entry.clientId !== clientId)
        return reject(400, 'invalid_grant', 'unknown or already used authorization code');
      if (entry.redirectUri !== body.redirect_uri)
        return reject(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
      if (entry.method !== 'S256' || !entry.challenge || !body.code_verifier)
        return reject(400, 'invalid_request', 'PKCE (S256) is required');
      const derived = createHash('sha256').update(body.code_verifier).digest('base64url');
      if (derived !== entry.challenge)
        return reject(400, 'invalid_grant', 'code_verifier does not match code_challenge');
      pkceVerified += 1;
    } else if (grant === 'refresh_token') {
      if (settings.failRefresh) return reject(400, 'invalid_grant', 'the refresh token was revoked');
      const owner = liveRefreshTokens.get(body.refresh_token ?? '');
      if (owner !== clientId) return reject(400, 'invalid_grant', 'unknown or already used refresh token');
      liveRefreshTokens.delete(body.refresh_token ?? '');
    } else if (grant !== 'client_credentials') {
      return reject(400, 'unsupported_grant_type', grant);
    }
    const out = response.body as Record<string, unknown>;
    out.expires_in = settings.ttlSeconds;
    for (const key of ['access_token', 'refresh_token', 'id_token']) {
      const value = out[key];
      if (typeof value === 'string') issued.add(value);
    }
    if (scope !== undefined) out.scope = scope;
    if (typeof out.refresh_token === 'string') {
      liveRefreshTokens.set(out.refresh_token, clientId);
      refreshScopes.set(out.refresh_token, scope ?? '');
    }
    latest.set(clientId, {
      access_token: out.access_token as string,
      ...(typeof out.refresh_token === 'string' ? { refresh_token: out.refresh_token } : {}),
    });
    tokenCalls.push({ grant, clientId, outcome: 'ok' });
    events.emit('token', tokenCalls.at(-1));
  });

  const stop = () => server.stop();
  afterAll(stop);
  return {
    url,
    authorizeUrl: `${url}/authorize`,
    tokenUrl: `${url}/token`,
    jwksUrl: `${url}/jwks`,
    settings,
    tokenCalls,
    issued,
    get pkceVerified() {
      return pkceVerified;
    },
    /** The tokens most recently issued to a client. */
    latest: (clientId: string) => latest.get(clientId),
    /** Token requests of one grant so far. */
    count: (grant: string, outcome = 'ok') =>
      tokenCalls.filter((c) => c.grant === grant && c.outcome === outcome).length,
    events,
    stop,
  };
}

export type OAuthProvider = Awaited<ReturnType<typeof startOAuthProvider>>;
