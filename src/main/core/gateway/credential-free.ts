import { randomBytes } from 'node:crypto';
import { findCatalogEntry } from '../catalog/catalog';
import { connectionFor } from '../store/indexes';
import type { Connection, Connector, Workspace } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';

/**
 * Whether a connector's calls need a customer's own credentials: an auth config with a scheme
 * other than "none", or a catalog entry that asks each customer for some (an API key in its env,
 * say). A connector that needs none works for a customer without a hand-made connection.
 */
export function needsCredentials(ws: Workspace, connector: Connector): boolean {
  const auth = Object.hasOwn(ws.authConfigs, connector.id) ? ws.authConfigs[connector.id] : undefined;
  if (auth && auth.scheme !== 'none') return true;
  const entry = connector.catalogId ? findCatalogEntry(connector.catalogId) : undefined;
  return Boolean(entry && Object.keys(entry.connection).length > 0);
}

/**
 * A customer's connection for a connector that needs no credentials: the one it has, or a new one
 * with empty credentials (status active), so its tools work at once — also in mode "all", which
 * exposes the connectors a customer has connections for. Null when the connector needs credentials
 * and the customer has none. `created` tells the caller to announce it (connection.created).
 */
export function ensureConnection(
  store: WorkspaceStore,
  customerId: string,
  connectorId: string,
): { connection: Connection; created: boolean } | null {
  const existing = connectionFor(store.data, customerId, connectorId);
  if (existing) return { connection: existing, created: false };
  return store.mutate((ws) => {
    // Checked again on the draft: another call may have made it meanwhile.
    const current = Object.values(ws.connections).find(
      (c) => c.customerId === customerId && c.connectorId === connectorId,
    );
    if (current) return { connection: current, created: false };
    const connector = Object.hasOwn(ws.connectors, connectorId) ? ws.connectors[connectorId] : undefined;
    if (!connector || !Object.hasOwn(ws.customers, customerId) || needsCredentials(ws, connector))
      return null;
    const id = `conn_${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}`;
    const at = new Date().toISOString();
    const connection: Connection = {
      id,
      customerId,
      connectorId,
      credentials: store.secrets.seal({}, `connection:${id}`),
      credentialKeys: [],
      status: 'active',
      statusReason: `${connector.name} needs no credentials: connected automatically.`,
      createdAt: at,
      updatedAt: at,
    };
    ws.connections[id] = connection;
    return { connection, created: true };
  });
}
