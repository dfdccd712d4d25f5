import type { Connection, Workspace } from './schema';

/**
 * Lookups over a snapshot's connections, built once per snapshot of the collection (a new object
 * whenever any connection changes, identical otherwise): calls and change checks look up a
 * customer's connections without scanning every connection of the workspace. Snapshots only —
 * never a draft inside `mutate`, whose collection changes under the index.
 */
interface ConnectionIndex {
  byPair: Map<string, Connection>;
  byCustomer: Map<string, Connection[]>;
  byConnector: Map<string, Connection[]>;
}

const indexes = new WeakMap<Workspace['connections'], ConnectionIndex>();
const pair = (customerId: string, connectorId: string) => `${customerId}\u0000${connectorId}`;

function indexOf(ws: Workspace): ConnectionIndex {
  let index = indexes.get(ws.connections);
  if (!index) {
    index = { byPair: new Map(), byCustomer: new Map(), byConnector: new Map() };
    for (const c of Object.values(ws.connections)) {
      const key = pair(c.customerId, c.connectorId);
      if (!index.byPair.has(key)) index.byPair.set(key, c);
      index.byCustomer.set(c.customerId, [...(index.byCustomer.get(c.customerId) ?? []), c]);
      index.byConnector.set(c.connectorId, [...(index.byConnector.get(c.connectorId) ?? []), c]);
    }
    indexes.set(ws.connections, index);
  }
  return index;
}

/** A customer's connection for a connector (the first, if several). */
export const connectionFor = (
  ws: Workspace,
  customerId: string,
  connectorId: string,
): Connection | undefined => indexOf(ws).byPair.get(pair(customerId, connectorId));

/** A customer's connections, in the collection's order. */
export const connectionsOfCustomer = (ws: Workspace, customerId: string): readonly Connection[] =>
  indexOf(ws).byCustomer.get(customerId) ?? [];

/** A connector's connections, in the collection's order. */
export const connectionsOfConnector = (ws: Workspace, connectorId: string): readonly Connection[] =>
  indexOf(ws).byConnector.get(connectorId) ?? [];
