import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../store/secrets';

/** How long a connect link works: long enough to send to a customer and be opened the same day. */
export const CONNECT_LINK_TTL_SECONDS = 24 * 60 * 60;

const CONTEXT = 'connect-link';

interface Payload {
  c: string;
  k: string;
  /** Issued and expiry, in ms since the epoch. */
  iat: number;
  exp: number;
  n: string;
}

export interface ConnectGrant {
  customerId: string;
  connectorId: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * A connect link's token: the customer and connector sealed (encrypted and authenticated) with the
 * workspace's key, so it cannot be forged or widened, and minting one writes nothing — a gateway
 * error may hand one out on every failed call. It works until it expires or until a connection for
 * that pair is saved after it was issued (`isSpent`): one use, across restarts and replicas.
 */
export function mintConnectToken(
  box: SecretBox,
  customerId: string,
  connectorId: string,
  now = Date.now(),
): { token: string; expiresAt: number } {
  const exp = now + CONNECT_LINK_TTL_SECONDS * 1000;
  const payload: Payload = {
    c: customerId,
    k: connectorId,
    iat: now,
    exp,
    n: randomBytes(6).toString('hex'),
  };
  return { token: toUrlSafe(box.seal(payload, CONTEXT)), expiresAt: exp };
}

/** The grant a token carries, or why it does not work (a message for the person holding the link). */
export function openConnectToken(
  box: SecretBox,
  token: string,
  now = Date.now(),
): { ok: true; grant: ConnectGrant } | { ok: false; error: string } {
  let payload: Payload;
  try {
    payload = box.open<Payload>(fromUrlSafe(token), CONTEXT);
  } catch {
    return {
      ok: false,
      error:
        'This connect link is not valid (it may be incomplete or from another Portico). Ask for a new one.',
    };
  }
  if (typeof payload?.c !== 'string' || typeof payload.k !== 'string' || typeof payload.exp !== 'number')
    return { ok: false, error: 'This connect link is not valid. Ask for a new one.' };
  if (payload.exp <= now) return { ok: false, error: 'This connect link has expired. Ask for a new one.' };
  return {
    ok: true,
    grant: { customerId: payload.c, connectorId: payload.k, issuedAt: payload.iat, expiresAt: payload.exp },
  };
}

/** Whether the link was used: a connection for its pair was saved after it was issued. */
export function isSpent(grant: ConnectGrant, connectionUpdatedAt: string | undefined): boolean {
  return connectionUpdatedAt !== undefined && Date.parse(connectionUpdatedAt) >= grant.issuedAt;
}

// `v1:` + base64 → URL-safe without padding, so the token survives a URL fragment and a mail client.
function toUrlSafe(sealed: string): string {
  return sealed.slice(3).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromUrlSafe(token: string): string {
  if (!/^[A-Za-z0-9_-]{20,2000}$/.test(token)) throw new Error('malformed');
  return `v1:${token.replace(/-/g, '+').replace(/_/g, '/')}`;
}

/** The connect page for one customer and connector (the ids are for people; the token decides). */
export function connectPageUrl(
  base: string,
  box: SecretBox,
  customerId: string,
  connectorId: string,
): string {
  const { token } = mintConnectToken(box, customerId, connectorId);
  const query = new URLSearchParams({ customer_id: customerId, connector_id: connectorId, token });
  return `${base}/#/connect?${query}`;
}
