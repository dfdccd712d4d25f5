// Large workspaces written straight through store.mutate (one change), for speed: the scale
// workspace (CONNECTORS × ACTIONS HTTP tools, CUSTOMERS customers) and other customers' connections.
import type { Connection, Customer, Workspace } from '../../src/main/core/store/schema';
import type { WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { connectorSlug, generateActions } from './workspace';

export interface ScaleShape {
  connectors: number;
  actions: number;
  customers: number;
  /** Customers c000… connected to every connector (c000 direct, c001 search, the rest direct). */
  wide: number;
  /** Connectors each other customer is connected to. */
  links: number;
  upstream?: string;
}

const customerId = (k: number) => `c${String(k).padStart(3, '0')}`;

function customer(
  id: string,
  name: string,
  toolMode: Customer['exposure']['toolMode'],
  time: string,
): Customer {
  return {
    id,
    name,
    exposure: { mode: 'all', connectorIds: [], actions: {}, toolMode },
    metadata: {},
    createdAt: time,
    updatedAt: time,
  };
}

function connection(store: WorkspaceStore, customer: string, connector: string, time: string): Connection {
  const id = `conn_${customer}_${connector}`;
  return {
    id,
    customerId: customer,
    connectorId: connector,
    credentials: store.secrets.seal({ api_key: `key-${customer}-${connector}` }, `connection:${id}`),
    credentialKeys: ['api_key'],
    status: 'active',
    createdAt: time,
    updatedAt: time,
  };
}

/** Writes the scale workspace and waits until it is in the database. */
export async function writeScaleWorkspace(store: WorkspaceStore, shape: ScaleShape) {
  const time = new Date().toISOString();
  const started = performance.now();
  let connections = 0;
  store.mutate((ws: Workspace) => {
    for (let c = 0; c < shape.connectors; c += 1) {
      const slug = connectorSlug(c);
      ws.connectors[slug] = {
        id: slug,
        slug,
        name: `${slug.toUpperCase()} API`,
        description: `Generated connector ${slug}`,
        kind: 'http',
        baseUrl: shape.upstream ?? 'http://127.0.0.1:9',
        actions: generateActions(c, shape.actions).map((a) => ({
          name: a.name,
          description: a.description,
          inputSchema: a.inputSchema,
          annotations:
            a.method === 'GET'
              ? { readOnlyHint: true }
              : a.method === 'DELETE'
                ? { destructiveHint: true }
                : {},
          enabled: true,
          http: { method: a.method, path: a.path, params: a.params.map((p) => ({ ...p, required: false })) },
        })),
        createdAt: time,
        updatedAt: time,
      };
      ws.authConfigs[slug] = {
        connectorId: slug,
        scheme: 'api_key',
        in: 'header',
        name: 'X-Api-Key',
        updatedAt: time,
      };
    }
    for (let k = 0; k < shape.customers; k += 1) {
      const id = customerId(k);
      const linked =
        k < shape.wide
          ? Array.from({ length: shape.connectors }, (_, i) => i)
          : Array.from({ length: shape.links }, (_, i) => (k * 7 + i) % shape.connectors);
      ws.customers[id] = customer(
        id,
        `Customer ${k}`,
        k === 1 ? 'search' : k < shape.wide ? 'direct' : 'auto',
        time,
      );
      for (const c of new Set(linked)) {
        const conn = connection(store, id, connectorSlug(c), time);
        ws.connections[conn.id] = conn;
        connections += 1;
      }
    }
  });
  const mutateMs = performance.now() - started;
  await store.flushed();
  return {
    mutateMs: Math.round(mutateMs),
    writeMs: Math.round(performance.now() - started),
    tools: shape.connectors * shape.actions,
    customers: shape.customers,
    connections,
  };
}

/** Adds `count` other customers, each with its own connection (API key) to `connectorId`. */
export async function writeOtherConnections(store: WorkspaceStore, connectorId: string, count: number) {
  const time = new Date().toISOString();
  const started = performance.now();
  store.mutate((ws: Workspace) => {
    for (let k = 0; k < count; k += 1) {
      const id = `other${String(k).padStart(5, '0')}`;
      ws.customers[id] = customer(id, `Other ${k}`, 'direct', time);
      const conn = connection(store, id, connectorId, time);
      ws.connections[conn.id] = conn;
    }
  });
  await store.flushed();
  return { writeMs: Math.round(performance.now() - started) };
}

/** Writes `count` customers named by `idOf` in one change (the UI bench's long list). */
export async function writeCustomers(store: WorkspaceStore, count: number, idOf: (k: number) => string) {
  const time = new Date().toISOString();
  store.mutate((ws: Workspace) => {
    for (let k = 0; k < count; k += 1)
      ws.customers[idOf(k)] = customer(idOf(k), `Customer ${k}`, 'auto', time);
  });
  await store.flushed();
}
