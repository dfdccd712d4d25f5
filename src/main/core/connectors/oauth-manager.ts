import type { AuthConfig, Connection } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { type Credentials, credentialKeys } from './credentials';
import { clientCredentials, OAuthError, refreshTokens } from './oauth-tokens';

/** Refresh this long before the access token's stated expiry. */
const SKEW_MS = 60_000;

/** The connection can no longer be renewed here: the customer has to connect again. */
export class ConnectionExpiredError extends Error {}

/**
 * Refreshes in flight, per connection id — shared by every manager in this process (the data
 * plane and the refresh_connection admin tool), so one connection never has two refreshes
 * racing with the same (rotating) refresh token.
 */
const inflight = new Map<string, Promise<Credentials>>();

const expiryOf = (credentials: Credentials) =>
  credentials.expires_at ? Date.parse(credentials.expires_at) : Number.POSITIVE_INFINITY;

/**
 * The token endpoint refused the grant (RFC 6749 §5.2: HTTP 400/401, e.g. `invalid_grant`):
 * renewing will not work until the customer connects again. Network errors and 5xx answers
 * are transient and leave the connection as it is.
 */
const grantRejected = (error: OAuthError) =>
  error.status !== undefined && error.status >= 400 && error.status < 500;

/**
 * Keeps OAuth2 connections' access tokens fresh: refreshes before expiry and on demand (after
 * a 401), with concurrent calls for one connection sharing a single refresh. A refresh the
 * provider refuses marks the connection `expired`.
 */
export class OAuthManager {
  constructor(
    private readonly store: WorkspaceStore,
    /** After a refresh wrote the connection; `previous` is its status before. */
    private readonly onUpdated: (connection: Connection, previous: Connection['status']) => void = () => {},
  ) {}

  /**
   * Credentials ready to use: refreshed first when the token is (about to be) expired, or when
   * `force` — which means "the upstream just rejected `credentials`": if another call already
   * replaced that token, the stored one is used instead of refreshing again.
   */
  async fresh(
    connection: Connection,
    auth: AuthConfig | undefined,
    credentials: Credentials,
    force = false,
  ): Promise<Credentials> {
    if (auth?.scheme !== 'oauth2' || !auth.oauth2) return credentials;
    const expiresAt = expiryOf(credentials);
    const stale = !credentials.access_token || expiresAt - SKEW_MS <= Date.now();
    if (!force && !stale) return credentials;
    const pending = inflight.get(connection.id);
    if (pending) return pending;
    if (force) {
      const stored = this.#stored(connection.id);
      if (
        stored?.access_token &&
        stored.access_token !== credentials.access_token &&
        expiryOf(stored) - SKEW_MS > Date.now()
      )
        return stored;
    }
    if (auth.oauth2.grant === 'authorization_code' && !credentials.refresh_token) {
      if (!force && credentials.access_token && expiresAt > Date.now()) return credentials;
      this.#markExpired(connection.id, 'The access token expired and there is no refresh token.');
      throw new ConnectionExpiredError('the access token expired and there is no refresh token to renew it');
    }
    const renewal = this.#renew(connection.id, auth, credentials).finally(() =>
      inflight.delete(connection.id),
    );
    inflight.set(connection.id, renewal);
    return renewal;
  }

  #stored(id: string): Credentials | undefined {
    const c = this.store.data.connections[id];
    return c ? this.store.secrets.open<Credentials>(c.credentials, `connection:${c.id}`) : undefined;
  }

  async #renew(id: string, auth: AuthConfig, credentials: Credentials): Promise<Credentials> {
    const oauth = auth.oauth2 as NonNullable<AuthConfig['oauth2']>;
    const secret = oauth.clientSecret
      ? this.store.secrets.open<string>(oauth.clientSecret, `auth:${auth.connectorId}`)
      : undefined;
    // The stored refresh token is the newest (providers that rotate accept only that one).
    const current = { ...credentials, ...this.#stored(id) };
    let next: Credentials;
    try {
      const tokens =
        oauth.grant === 'client_credentials'
          ? await clientCredentials(oauth, secret)
          : await refreshTokens(oauth, secret, current.refresh_token as string);
      next = { ...current, ...tokens, refresh_token: tokens.refresh_token ?? current.refresh_token };
      if (!tokens.expires_at) delete next.expires_at;
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (!grantRejected(error))
        throw new OAuthError(`refreshing the access token failed (${error.message}); try again shortly`);
      this.#markExpired(id, `Token refresh failed: ${error.message}`);
      throw new ConnectionExpiredError(`refreshing the access token failed (${error.message})`);
    }
    let previous: Connection['status'] = 'active';
    const updated = this.store.mutate((ws) => {
      const c = ws.connections[id];
      if (!c) return undefined;
      previous = c.status;
      c.credentials = this.store.secrets.seal(next, `connection:${c.id}`);
      c.credentialKeys = credentialKeys(next);
      c.status = 'active';
      c.statusReason = 'Access token refreshed.';
      c.updatedAt = new Date().toISOString();
      return c;
    });
    if (updated) this.onUpdated(updated, previous);
    return next;
  }

  #markExpired(id: string, reason: string): void {
    let previous: Connection['status'] = 'expired';
    const updated = this.store.mutate((ws) => {
      const c = ws.connections[id];
      if (!c) return undefined;
      previous = c.status;
      c.status = 'expired';
      c.statusReason = reason;
      c.updatedAt = new Date().toISOString();
      return c;
    });
    if (updated) this.onUpdated(updated, previous);
  }
}
