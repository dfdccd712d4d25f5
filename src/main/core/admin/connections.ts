import type { z } from 'zod';
import type { connectionOutput } from '../../../shared/admin/connections';
import * as contracts from '../../../shared/admin/connections';
import { openCredentials, scrubberFor, upstreamSecrets } from '../connectors/connection-secrets';
import { type Credentials, credentialKeys, maskCredentials } from '../connectors/credentials';
import { buildHttpRequest } from '../connectors/http-request';
import { callHttp } from '../connectors/http-runtime';
import { connectUpstream, listAllTools } from '../connectors/mcp-upstream';
import { ConnectionExpiredError, OAuthManager } from '../connectors/oauth-manager';
import { OAuthError } from '../connectors/oauth-tokens';
import { emitConnectionStatus } from '../events/connection-status';
import type { Connection, Connector, Workspace } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { byId, now } from './common';
import { newId, requireConnector } from './connector-records';
import { requireCustomer } from './customers';
import { paginate } from './pagination';
import { type AdminContext, implement, ToolError } from './registry';

export function connectionView(c: Connection): z.infer<typeof connectionOutput> {
  return {
    id: c.id,
    customer_id: c.customerId,
    connector_id: c.connectorId,
    status: c.status,
    status_reason: c.statusReason ?? null,
    credentials: maskCredentials(c.credentialKeys),
    last_tested_at: c.lastTestedAt ?? null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function requireConnection(ws: Workspace, id: string): Connection {
  const c = ws.connections[id];
  if (!c) throw new ToolError(`No connection with id "${id}". Use list_connections to see the ids.`);
  return c;
}

/** Checks that the credentials fit how the connector authenticates, naming what is missing. */
function checkCredentials(ws: Workspace, connector: Connector, creds: Credentials): void {
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new ToolError(`Connector "${connector.id}" ${what}.`);
  };
  if (connector.kind === 'mcp') {
    if (connector.transport === 'stdio')
      need(
        !creds.headers,
        'is a stdio MCP server: pass credentials as `env` (environment variables), not headers',
      );
    else need(!creds.env, 'is an HTTP MCP server: pass credentials as `headers` or `token`, not env');
    return;
  }
  const auth = ws.authConfigs[connector.id];
  switch (auth?.scheme ?? 'none') {
    case 'api_key':
      need(
        Boolean(creds.api_key),
        `authenticates with an API key (${auth?.in ?? 'header'} "${auth?.name}"): pass credentials {"api_key": "…"}`,
      );
      break;
    case 'bearer':
      need(
        Boolean(creds.token ?? creds.access_token),
        'authenticates with a bearer token: pass credentials {"token": "…"}',
      );
      break;
    case 'basic':
      need(
        creds.username !== undefined && creds.password !== undefined,
        'uses basic auth: pass credentials {"username": "…", "password": "…"}',
      );
      break;
    case 'oauth2':
      need(
        Boolean(creds.access_token) || auth?.oauth2?.grant === 'client_credentials',
        'uses OAuth2: pass {"access_token": "…", "refresh_token": "…"}, or send the customer to get_connect_url',
      );
      break;
    default:
      break;
  }
}

export function storeCredentials(store: WorkspaceStore, connection: Connection, creds: Credentials): void {
  connection.credentials = store.secrets.seal(creds, `connection:${connection.id}`);
  connection.credentialKeys = credentialKeys(creds);
}

const listConnections = implement(
  contracts.listConnections,
  ({ cursor, limit, customer_id, connector_id }, { store }) => {
    const all = byId(store.data.connections).filter(
      (c) =>
        (!customer_id || c.customerId === customer_id) && (!connector_id || c.connectorId === connector_id),
    );
    const { page, ...rest } = paginate(all, cursor, limit);
    return { connections: page.map(connectionView), ...rest };
  },
);

const getConnection = implement(contracts.getConnection, ({ connection_id }, { store }) =>
  connectionView(requireConnection(store.data, connection_id)),
);

const createConnection = implement(
  contracts.createConnection,
  ({ customer_id, connector_id, credentials }, { store, events }) => {
    const created = store.mutate((ws) => {
      requireCustomer(ws, customer_id);
      const connector = requireConnector(ws, connector_id);
      const existing = Object.values(ws.connections).find(
        (c) => c.customerId === customer_id && c.connectorId === connector.id,
      );
      if (existing)
        throw new ToolError(
          `Customer "${customer_id}" already has connection ${existing.id} for "${connector.id}". Use update_connection to change its credentials.`,
        );
      checkCredentials(ws, connector, credentials);
      const at = now();
      const connection: Connection = {
        id: newId('conn'),
        customerId: customer_id,
        connectorId: connector.id,
        credentials: '',
        credentialKeys: [],
        status: 'untested',
        createdAt: at,
        updatedAt: at,
      };
      storeCredentials(store, connection, credentials);
      ws.connections[connection.id] = connection;
      return connection;
    });
    events.emit('connection.created', {
      connection_id: created.id,
      customer_id,
      connector_id: created.connectorId,
    });
    return connectionView(created);
  },
);

const updateConnection = implement(
  contracts.updateConnection,
  ({ connection_id, credentials }, { store, events }) => {
    const updated = store.mutate((ws) => {
      const c = requireConnection(ws, connection_id);
      checkCredentials(ws, requireConnector(ws, c.connectorId), credentials);
      storeCredentials(store, c, credentials);
      c.status = 'untested';
      c.statusReason = undefined;
      c.updatedAt = now();
      return c;
    });
    events.emit('connection.updated', {
      connection_id,
      customer_id: updated.customerId,
      connector_id: updated.connectorId,
      status: updated.status,
    });
    return connectionView(updated);
  },
);

const deleteConnection = implement(contracts.deleteConnection, ({ connection_id }, { store, events }) => {
  const removed = store.mutate((ws) => {
    const c = requireConnection(ws, connection_id);
    delete ws.connections[c.id];
    return c;
  });
  events.emit('connection.deleted', {
    connection_id,
    customer_id: removed.customerId,
    connector_id: removed.connectorId,
  });
  return { ok: true as const, message: `Deleted connection ${connection_id}.` };
});

type Probe = { status: 'active' | 'error' | 'expired'; reason: string };

async function probe(ctx: AdminContext, connection: Connection): Promise<Probe> {
  const { store } = ctx;
  const ws = store.data;
  const connector = requireConnector(ws, connection.connectorId);
  const creds = openCredentials(store, connection) ?? {};
  if (connector.kind === 'mcp') {
    try {
      const client = await connectUpstream(connector, upstreamSecrets(store, connector, creds), 20_000);
      try {
        const tools = await listAllTools(client, 20_000);
        return { status: 'active', reason: `MCP handshake succeeded; ${tools.length} tools.` };
      } finally {
        await client.close().catch(() => {});
      }
    } catch (error) {
      // The upstream's error may repeat what it was started with: scrubbed like a call's answer.
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'error', reason: scrubberFor(store, connector, creds).text(message) };
    }
  }
  // A cheap read: a GET action that needs no arguments.
  const read = connector.actions.find(
    (a) => a.http?.method === 'GET' && a.http.params.every((p) => !p.required) && !a.http.body,
  );
  if (!read) {
    return {
      status: 'error',
      reason:
        'No GET action without required parameters to probe with; test an action with test_action instead.',
    };
  }
  // A probe, not a tool call: sent directly (no activity row or tool event), scrubbed like one.
  const request = buildHttpRequest(connector, read, {}, ws.authConfigs[connector.id], creds);
  const scrubber = scrubberFor(store, connector, creds);
  const result = await callHttp(request, { timeoutMs: 15_000, scrub: (text) => scrubber.text(text) });
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ');
  if (!result.isError) return { status: 'active', reason: `${read.name} succeeded.` };
  const status = /HTTP (\d{3})/.exec(text)?.[1];
  if (status === '401' || status === '403') {
    const expired = ws.authConfigs[connector.id]?.scheme === 'oauth2';
    return {
      status: expired ? 'expired' : 'error',
      reason: `The upstream rejected the credentials (HTTP ${status}) on ${read.name}.`,
    };
  }
  return { status: 'error', reason: text.slice(0, 500) };
}

function recordStatus(ctx: AdminContext, id: string, result: Probe): Connection {
  let previous: Connection['status'] | undefined;
  const updated = ctx.store.mutate((ws) => {
    const c = requireConnection(ws, id);
    previous = c.status;
    c.status = result.status;
    c.statusReason = result.reason;
    c.lastTestedAt = now();
    c.updatedAt = now();
    return c;
  });
  emitConnectionStatus(ctx.events, updated, previous);
  return updated;
}

const testConnection = implement(contracts.testConnection, async ({ connection_id }, ctx) => {
  const connection = requireConnection(ctx.store.data, connection_id);
  return connectionView(recordStatus(ctx, connection_id, await probe(ctx, connection)));
});

const refreshConnection = implement(contracts.refreshConnection, async ({ connection_id }, ctx) => {
  const { store } = ctx;
  const connection = requireConnection(store.data, connection_id);
  const auth = store.data.authConfigs[connection.connectorId];
  if (auth?.scheme !== 'oauth2' || !auth.oauth2)
    return connectionView(recordStatus(ctx, connection_id, await probe(ctx, connection)));
  const creds = openCredentials(store, connection) ?? {};
  if (auth.oauth2.grant === 'authorization_code' && !creds.refresh_token)
    throw new ToolError('This connection has no refresh token; reconnect the customer with get_connect_url.');
  // The data plane's manager: shares an in-flight refresh instead of racing it.
  const oauth = new OAuthManager(store, (c, previous) => emitConnectionStatus(ctx.events, c, previous));
  try {
    await oauth.fresh(connection, auth, creds, true);
  } catch (error) {
    if (error instanceof ConnectionExpiredError)
      throw new ToolError(
        `Refreshing the token failed: ${error.message}. The connection is marked expired; reconnect the customer with get_connect_url.`,
      );
    if (error instanceof OAuthError) throw new ToolError(`${error.message}.`);
    throw error;
  }
  return connectionView(requireConnection(store.data, connection_id));
});

export const connectionTools = [
  listConnections,
  getConnection,
  createConnection,
  updateConnection,
  deleteConnection,
  testConnection,
  refreshConnection,
] as const;
