import type { AuthConfig, Connection } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { type Credentials, credentialKeys } from './credentials';
import { clientCredentials, OAuthError, refreshTokens } from './oauth-tokens';

/** Refresh this long before the access token's stated expiry. */
const SKEW_MS = 60_000;

export class ConnectionExpiredError extends Error {}

/**
 * Keeps OAuth2 connections' access tokens fresh: refreshes before expiry and on demand (after
 * a 401), with concurrent calls for one connection sharing a single refresh. A failed refresh
 * marks the connection `expired`.
 */
export class OAuthManager {
  readonly #inflight = new Map<string, Promise<Credentials>>();

  constructor(
    private readonly store: WorkspaceStore,
    private readonly onUpdated: (connection: Connection) => void = () => {},
  ) {}

  /** Credentials ready to use: refreshed first when the token is (about to be) expired, or when `force`. */
  async fresh(
    connection: Connection,
    auth: AuthConfig | undefined,
    credentials: Credentials,
    force = false,
  ): Promise<Credentials> {
    if (auth?.scheme !== 'oauth2' || !auth.oauth2) return credentials;
    const grant = auth.oauth2.grant;
    const expiresAt = credentials.expires_at ? Date.parse(credentials.expires_at) : Number.POSITIVE_INFINITY;
    const stale = !credentials.access_token || expiresAt - SKEW_MS <= Date.now();
    if (!force && !stale) return credentials;
    if (grant === 'authorization_code' && !credentials.refresh_token) {
      if (!force && credentials.access_token && expiresAt > Date.now()) return credentials;
      this.#markExpired(connection.id, 'The access token expired and there is no refresh token.');
      throw new ConnectionExpiredError('the access token expired and there is no refresh token to renew it');
    }
    let pending = this.#inflight.get(connection.id);
    if (!pending) {
      pending = this.#renew(connection, auth, credentials).finally(() =>
        this.#inflight.delete(connection.id),
      );
      this.#inflight.set(connection.id, pending);
    }
    return pending;
  }

  async #renew(connection: Connection, auth: AuthConfig, credentials: Credentials): Promise<Credentials> {
    const oauth = auth.oauth2 as NonNullable<AuthConfig['oauth2']>;
    const secret = oauth.clientSecret
      ? this.store.secrets.open<string>(oauth.clientSecret, `auth:${auth.connectorId}`)
      : undefined;
    let next: Credentials;
    try {
      const tokens =
        oauth.grant === 'client_credentials'
          ? await clientCredentials(oauth, secret)
          : await refreshTokens(oauth, secret, credentials.refresh_token as string);
      next = { ...credentials, ...tokens, refresh_token: tokens.refresh_token ?? credentials.refresh_token };
      if (!tokens.expires_at) delete next.expires_at;
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      this.#markExpired(connection.id, `Token refresh failed: ${error.message}`);
      throw new ConnectionExpiredError(`refreshing the access token failed (${error.message})`);
    }
    const updated = this.store.mutate((ws) => {
      const c = ws.connections[connection.id];
      if (!c) return undefined;
      c.credentials = this.store.secrets.seal(next, `connection:${c.id}`);
      c.credentialKeys = credentialKeys(next);
      c.status = 'active';
      c.statusReason = 'Access token refreshed.';
      c.updatedAt = new Date().toISOString();
      return c;
    });
    if (updated) this.onUpdated(updated);
    return next;
  }

  #markExpired(id: string, reason: string): void {
    const updated = this.store.mutate((ws) => {
      const c = ws.connections[id];
      if (!c) return undefined;
      c.status = 'expired';
      c.statusReason = reason;
      c.updatedAt = new Date().toISOString();
      return c;
    });
    if (updated) this.onUpdated(updated);
  }
}
