import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import type { PlaneName } from '../store/schema';
import { boundedText } from './clients';
import { planeResource } from './metadata';

/**
 * An external OpenID Connect provider as the authorization server (`--oauth-issuer URL`): access
 * tokens are JWTs it signed, checked here against its JWKS (fetched from its discovery document,
 * bounded in size and time, cached, refetched for an unknown key id at most every 30 s).
 *
 * Claims mapped to a key's powers:
 * - `aud` must include the plane's URL (`BASE/mcp/admin` or `BASE/mcp/gateway`: RFC 8707
 *   audience), and `scope` (or `scp`) must include the plane's name, `admin` or `gateway`;
 * - a gateway token names its customers in a `customers` claim (an array, or a space- or
 *   comma-separated string; `*` = every customer) — without it the token opens no customer.
 */
export interface OidcPrincipal {
  subject: string;
  plane: PlaneName;
  customers: string[] | null;
}

export type OidcCheck = { ok: true; principal: OidcPrincipal } | { ok: false; why: string };

const READ_LIMIT = 256 * 1024;
const TIMEOUT_MS = 5_000;
const SKEW_S = 60;

const ALGORITHMS: Record<string, { hash: string | null; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
  EdDSA: { hash: null },
};

/** Whether a presented bearer value has the shape of a JWT. */
export const looksLikeJwt = (value: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, {
    redirect: 'error',
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return JSON.parse(await boundedText(response, READ_LIMIT));
}

const decodePart = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class OidcVerifier {
  readonly issuer: string;
  #jwksUri: string | undefined;
  #keys = new Map<string, { key: KeyObject; alg?: string }>();
  #fetchedAt = 0;
  /** Why the last read of the keys failed: repeated for 30 s rather than asking the issuer on every request. */
  #failure: Error | undefined;
  #loading: Promise<void> | undefined;

  constructor(issuer: string) {
    this.issuer = issuer.replace(/\/+$/, '');
  }

  /** The discovery document's jwks_uri (OpenID Connect Discovery, else RFC 8414). */
  async #discover(): Promise<string> {
    if (this.#jwksUri) return this.#jwksUri;
    let lastError: unknown;
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      try {
        const doc = await getJson(`${this.issuer}${path}`);
        if (!isRecord(doc) || typeof doc.jwks_uri !== 'string') throw new Error(`${path} names no jwks_uri`);
        if (typeof doc.issuer === 'string' && doc.issuer.replace(/\/+$/, '') !== this.issuer)
          throw new Error(`${path} names another issuer (${doc.issuer})`);
        this.#jwksUri = doc.jwks_uri;
        return doc.jwks_uri;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  async #loadKeys(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const jwks = await getJson(await this.#discover());
        const keys = new Map<string, { key: KeyObject; alg?: string }>();
        for (const jwk of isRecord(jwks) && Array.isArray(jwks.keys) ? jwks.keys : []) {
          if (!isRecord(jwk) || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
          try {
            const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
            keys.set(typeof jwk.kid === 'string' ? jwk.kid : '', {
              key,
              ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}),
            });
          } catch {
            // A key this Node cannot use is skipped; tokens signed with it are refused.
          }
        }
        this.#keys = keys;
        this.#failure = undefined;
      } catch (error) {
        this.#failure = error instanceof Error ? error : new Error(String(error));
        throw this.#failure;
      } finally {
        this.#fetchedAt = Date.now();
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }

  async #key(kid: string): Promise<{ key: KeyObject; alg?: string } | undefined> {
    const cached =
      this.#keys.get(kid) ?? (kid === '' && this.#keys.size === 1 ? [...this.#keys.values()][0] : undefined);
    if (cached) return cached;
    if (Date.now() - this.#fetchedAt < 30_000 && this.#fetchedAt > 0) {
      if (this.#failure) throw this.#failure;
      return undefined;
    }
    await this.#loadKeys();
    return (
      this.#keys.get(kid) ?? (kid === '' && this.#keys.size === 1 ? [...this.#keys.values()][0] : undefined)
    );
  }

  /** Checks a JWT access token for `plane` as reached at `base`; maps its claims to a key's powers. */
  async check(token: string, base: string, plane: PlaneName): Promise<OidcCheck> {
    const [h = '', p = '', s = ''] = token.split('.');
    let header: unknown;
    let payload: unknown;
    try {
      header = decodePart(h);
      payload = decodePart(p);
    } catch {
      return { ok: false, why: 'the bearer token is not a readable JWT' };
    }
    if (!isRecord(header) || !isRecord(payload)) return { ok: false, why: 'the bearer token is not a JWT' };
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const spec = ALGORITHMS[alg];
    if (!spec) return { ok: false, why: `the token's signature algorithm "${alg}" is not accepted` };
    let found: { key: KeyObject; alg?: string } | undefined;
    try {
      found = await this.#key(typeof header.kid === 'string' ? header.kid : '');
    } catch (error) {
      return {
        ok: false,
        why: `the issuer's keys could not be read (${error instanceof Error ? error.message : String(error)})`,
      };
    }
    if (!found) return { ok: false, why: "the token was not signed with one of the issuer's keys" };
    if (found.alg && found.alg !== alg)
      return { ok: false, why: 'the token’s algorithm does not match its key' };
    const data = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(s, 'base64url');
    const good = spec.pss
      ? verify(
          spec.hash,
          data,
          {
            key: found.key,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          },
          signature,
        )
      : spec.ec
        ? verify(spec.hash, data, { key: found.key, dsaEncoding: 'ieee-p1363' }, signature)
        : verify(spec.hash, data, found.key, signature);
    if (!good) return { ok: false, why: 'the token’s signature does not verify' };
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iss !== 'string' || payload.iss.replace(/\/+$/, '') !== this.issuer)
      return { ok: false, why: `the token was not issued by ${this.issuer}` };
    if (typeof payload.exp !== 'number' || payload.exp + SKEW_S <= now)
      return { ok: false, why: 'the token expired' };
    if (typeof payload.nbf === 'number' && payload.nbf - SKEW_S > now)
      return { ok: false, why: 'the token is not valid yet' };
    const audience = planeResource(base, plane);
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!aud.some((a) => typeof a === 'string' && a.replace(/\/+$/, '') === audience))
      return { ok: false, why: `the token's audience is not ${audience}` };
    const scopes = claimList(payload.scope ?? payload.scp);
    if (!scopes.includes(plane)) return { ok: false, why: `the token's scope does not include "${plane}"` };
    const subject = typeof payload.sub === 'string' ? payload.sub : 'unknown';
    if (plane === 'admin') return { ok: true, principal: { subject, plane, customers: null } };
    const customers = claimList(payload.customers);
    if (!customers.length)
      return { ok: false, why: 'the token names no customers (a "customers" claim: ids, or "*" for all)' };
    return { ok: true, principal: { subject, plane, customers: customers.includes('*') ? null : customers } };
  }
}

/** A claim as a list: an array of strings, or a space- or comma-separated string. */
function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}
