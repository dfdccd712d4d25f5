import type { Connection, Connector } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { createScrubber, type Scrubber } from '../util/scrubber';
import { type Credentials, secretValues } from './credentials';

export { connectionFor } from '../store/indexes';

// Records are immutable snapshots replaced on every change, so a decrypted value can be kept per
// record: a call decrypts a connection's credentials once, not on every request.
const openedCredentials = new WeakMap<Connection, Credentials>();
const openedShared = new WeakMap<
  Connector,
  { env: Record<string, string>; headers: Record<string, string> }
>();

export function openCredentials(
  store: WorkspaceStore,
  connection: Connection | undefined,
): Credentials | undefined {
  if (!connection) return undefined;
  let credentials = openedCredentials.get(connection);
  if (!credentials) {
    credentials = store.secrets.open<Credentials>(connection.credentials, `connection:${connection.id}`);
    openedCredentials.set(connection, credentials);
  }
  return credentials;
}

/** An MCP connector's shared env (stdio) or headers (HTTP), decrypted. */
export function openConnectorSecrets(store: WorkspaceStore, connector: Connector) {
  if (connector.kind !== 'mcp') return { env: {}, headers: {} };
  let shared = openedShared.get(connector);
  if (!shared) {
    const open = (sealed: string | undefined, what: string) =>
      sealed ? store.secrets.open<Record<string, string>>(sealed, `connector:${connector.id}:${what}`) : {};
    shared =
      connector.transport === 'stdio'
        ? { env: open(connector.env, 'env'), headers: {} }
        : { env: {}, headers: open(connector.headers, 'headers') };
    openedShared.set(connector, shared);
  }
  return shared;
}

/** What an MCP upstream is started or called with: shared secrets overlaid by the customer's. */
export function upstreamSecrets(
  store: WorkspaceStore,
  connector: Connector,
  credentials: Credentials | undefined,
) {
  const shared = openConnectorSecrets(store, connector);
  const token = credentials?.access_token ?? credentials?.token;
  return {
    env: { ...shared.env, ...credentials?.env },
    headers: {
      ...shared.headers,
      ...credentials?.headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  };
}

const scrubbers = new WeakMap<Connector, WeakMap<Credentials, Scrubber>>();

/**
 * A call's scrubber: the connection's credentials (a refresh gives new ones, so a new scrubber),
 * the connector's shared env/headers, Basic's user:password and the OAuth client secret — in
 * every encoding. Kept per immutable record pair, so a call does not rebuild it.
 */
export function scrubberFor(
  store: WorkspaceStore,
  connector: Connector,
  credentials: Credentials,
  mask?: string,
): Scrubber {
  let byCredentials = scrubbers.get(connector);
  if (!byCredentials) {
    byCredentials = new WeakMap();
    scrubbers.set(connector, byCredentials);
  }
  const cached = mask === undefined ? byCredentials.get(credentials) : undefined;
  if (cached) return cached;
  const shared = openConnectorSecrets(store, connector);
  const secrets = [
    ...secretValues(credentials),
    ...Object.values(shared.env),
    ...Object.values(shared.headers),
  ];
  if (credentials.username !== undefined && credentials.password)
    secrets.push(`${credentials.username}:${credentials.password}`);
  const oauth = store.data.authConfigs[connector.id]?.oauth2;
  if (oauth?.clientSecret)
    secrets.push(store.secrets.open<string>(oauth.clientSecret, `auth:${connector.id}`));
  // A custom mask (a dry run shows the admin's ••••••••) is not kept: dry runs are rare.
  const scrubber = createScrubber(secrets, mask === undefined ? {} : { mask });
  if (mask === undefined) byCredentials.set(credentials, scrubber);
  return scrubber;
}
