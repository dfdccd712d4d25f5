import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A sign-in link works once, for this long. */
export const LOGIN_LINK_TTL_MS = 15 * 60_000;
/** A browser session ends after this long without a request… */
export const SESSION_IDLE_MS = 8 * 60 * 60_000;
/** …and at the latest this long after sign-in. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60_000;
/** Bounds memory if something mints sessions in a loop; the oldest go first. */
const MAX_SESSIONS = 1_000;
const MAX_LOGIN_TOKENS = 100;

export interface WebSession {
  csrf: string;
  /** The admin key the session was opened with, if any (recorded as the caller in activity). */
  keyId?: string;
  createdAt: number;
  lastSeen: number;
  /** Set when it is closed (logout, expiry, its key revoked): open event streams end. */
  ended?: boolean;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The web UI's sign-in: one-time login tokens (printed by `portico serve`, or minted for
 * `portico ui`) and the browser sessions they open. Only hashes are kept, so a memory dump
 * or a log holds nothing a browser could present. Sessions live in this process: a restart
 * signs the browser out (it gets a new link from the next start or `portico ui`).
 */
export class WebSessions {
  readonly #logins = new Map<string, number>();
  readonly #sessions = new Map<string, WebSession>();
  /** The cookie's name carries the port: cookies do not separate ports, two servers must not collide. */
  readonly cookieName: string;

  constructor(
    port: number,
    private readonly now: () => number = Date.now,
  ) {
    this.cookieName = `portico_session_${port}`;
  }

  /** A new one-time login token. */
  mintLoginToken(): string {
    this.#sweep();
    if (this.#logins.size >= MAX_LOGIN_TOKENS)
      this.#logins.delete(this.#logins.keys().next().value as string);
    const token = randomBytes(24).toString('base64url');
    this.#logins.set(digest(token), this.now() + LOGIN_LINK_TTL_MS);
    return token;
  }

  /** Spends a login token; true if it was valid (unused, unexpired). */
  redeemLoginToken(token: string): boolean {
    const key = digest(token);
    const expires = this.#logins.get(key);
    this.#logins.delete(key);
    return expires !== undefined && expires > this.now();
  }

  /** Opens a session; returns the cookie value (shown to nobody but the browser) and the session. */
  open(keyId?: string): { id: string; session: WebSession } {
    this.#sweep();
    if (this.#sessions.size >= MAX_SESSIONS) this.#drop(this.#sessions.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    const t = this.now();
    const session: WebSession = {
      csrf: randomBytes(24).toString('base64url'),
      createdAt: t,
      lastSeen: t,
      ...(keyId ? { keyId } : {}),
    };
    this.#sessions.set(digest(id), session);
    return { id, session };
  }

  /** The live session the request's cookie names, refreshed; undefined when none or expired. */
  fromRequest(req: IncomingMessage): WebSession | undefined {
    const id = this.#cookie(req);
    if (!id) return undefined;
    const key = digest(id);
    const session = this.#sessions.get(key);
    if (!session) return undefined;
    if (!this.#alive(session)) {
      this.#drop(key);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  /** Whether the request's cookie names a live session (without refreshing it): for open streams. */
  isAlive(session: WebSession): boolean {
    return !session.ended && this.#alive(session);
  }

  /** Whether the request carries this session's CSRF token. */
  checkCsrf(req: IncomingMessage, session: WebSession): boolean {
    const presented = req.headers['x-csrf-token'];
    return typeof presented === 'string' && sameSecret(presented, session.csrf);
  }

  /** Ends the request's session (logout). */
  close(req: IncomingMessage): void {
    const id = this.#cookie(req);
    if (id) this.#drop(digest(id));
  }

  /** Ends every session opened with a key (when it is revoked). */
  closeForKeys(alive: (keyId: string) => boolean): void {
    for (const [key, session] of this.#sessions) if (session.keyId && !alive(session.keyId)) this.#drop(key);
  }

  /** The Set-Cookie header that stores a session (or, with no id, clears it). */
  cookie(id?: string): string {
    const base = `${this.cookieName}=${id ?? ''}; Path=/; HttpOnly; SameSite=Strict`;
    return id ? `${base}; Max-Age=${Math.floor(SESSION_MAX_MS / 1000)}` : `${base}; Max-Age=0`;
  }

  #alive(session: WebSession): boolean {
    const t = this.now();
    return t - session.lastSeen < SESSION_IDLE_MS && t - session.createdAt < SESSION_MAX_MS;
  }

  #cookie(req: IncomingMessage): string | undefined {
    const header = req.headers.cookie;
    if (!header) return undefined;
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName)
        return part.slice(eq + 1).trim() || undefined;
    }
    return undefined;
  }

  #drop(key: string): void {
    const session = this.#sessions.get(key);
    if (session) session.ended = true;
    this.#sessions.delete(key);
  }

  #sweep(): void {
    const t = this.now();
    for (const [key, expires] of this.#logins) if (expires <= t) this.#logins.delete(key);
    for (const [key, session] of this.#sessions) if (!this.#alive(session)) this.#drop(key);
  }
}
