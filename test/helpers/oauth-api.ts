import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/** One request the API received. */
export interface ApiHit {
  path: string;
  authorization: string | undefined;
  /** The bearer token presented, if any. */
  token: string | undefined;
  status: number;
}

const b64json = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * A protected HTTP API on 127.0.0.1 that accepts only currently valid access tokens: JWTs
 * signed by a key in the issuer's JWKS (fetched over HTTP), from that issuer, not expired,
 * and not revoked. Anything else gets 401 with `WWW-Authenticate: Bearer error="invalid_token"`.
 * GET /me → the token's subject, client and scope; GET /orders → a small list.
 */
export async function startProtectedApi(issuer: string, jwksUrl: string) {
  const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  const publicKeys = new Map<string, KeyObject>(
    keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]),
  );
  const revoked = new Set<string>();
  const hits: ApiHit[] = [];
  const state = { rejectAll: false, holdRejections: false, held: 0 };
  let answeredRejection = false;
  let held: (() => void)[] = [];
  const releaseHeld = () => {
    const waiting = held;
    held = [];
    for (const answer of waiting) answer();
  };

  function check(token: string): { ok: true; claims: Record<string, unknown> } | { ok: false; why: string } {
    const [h, p, s] = token.split('.');
    if (!h || !p || !s) return { ok: false, why: 'not a JWT' };
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = b64json(h);
      claims = b64json(p);
    } catch {
      return { ok: false, why: 'malformed JWT' };
    }
    const key = publicKeys.get(String(header.kid));
    if (header.alg !== 'RS256' || !key) return { ok: false, why: 'unknown signing key' };
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')))
      return { ok: false, why: 'bad signature' };
    if (claims.iss !== issuer) return { ok: false, why: 'wrong issuer' };
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now())
      return { ok: false, why: 'token expired' };
    if (revoked.has(token) || state.rejectAll) return { ok: false, why: 'token revoked' };
    return { ok: true, claims };
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const authorization = req.headers.authorization;
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      hits.push({ path: url.pathname, authorization, token, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const verdict = token ? check(token) : ({ ok: false, why: 'no bearer token' } as const);
    if (!verdict.ok) {
      const reject = () =>
        answer(
          401,
          { error: 'invalid_token', error_description: verdict.why },
          { 'www-authenticate': `Bearer error="invalid_token", error_description="${verdict.why}"` },
        );
      // Hold every rejection but the first until a request with a good token got through, so
      // those callers learn of the 401 only after someone else's refresh finished.
      if (state.holdRejections && answeredRejection) {
        state.held += 1;
        held.push(reject);
        return;
      }
      answeredRejection = true;
      return reject();
    }
    const { claims } = verdict;
    if (held.length) setImmediate(releaseHeld);
    if (req.method === 'GET' && url.pathname === '/me')
      return answer(200, {
        sub: claims.sub ?? null,
        client_id: claims.client_id ?? null,
        scope: claims.scope ?? null,
      });
    if (req.method === 'GET' && url.pathname === '/orders')
      return answer(200, {
        orders: [
          { id: 'o-1', total: 12.5 },
          { id: 'o-2', total: 99 },
        ],
      });
    answer(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      releaseHeld();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  afterAll(close);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    state,
    /** Stops holding rejections and answers the held ones. */
    holdRejections(on: boolean) {
      state.holdRejections = on;
      state.held = 0;
      answeredRejection = false;
      if (!on) releaseHeld();
    },
    /** Revokes an access token: the API answers 401 to it from now on. */
    revoke: (token: string) => revoked.add(token),
    /** The token the last successful request carried. */
    lastAccepted: () => hits.filter((h) => h.status === 200).at(-1)?.token,
    unauthorized: () => hits.filter((h) => h.status === 401).length,
    close,
  };
}
