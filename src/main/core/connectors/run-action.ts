import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Action, Connection, Connector, Workspace } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { type Credentials, secretValues } from './credentials';
import { buildHttpRequest, RequestBuildError } from './http-request';
import { callHttp } from './http-runtime';
import { connectUpstream } from './mcp-upstream';

export function connectionFor(
  ws: Workspace,
  customerId: string,
  connectorId: string,
): Connection | undefined {
  return Object.values(ws.connections).find(
    (c) => c.customerId === customerId && c.connectorId === connectorId,
  );
}

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

const errorResult = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/**
 * Runs one action once, outside a gateway session (test_action, test_connection): HTTP
 * actions send the real request; MCP actions open a short-lived upstream session.
 */
export async function runActionOnce(
  store: WorkspaceStore,
  connector: Connector,
  action: Action,
  args: Record<string, unknown>,
  credentials: Credentials | undefined,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CallToolResult> {
  const secrets = secretValues(credentials);
  if (connector.kind === 'http') {
    let request: ReturnType<typeof buildHttpRequest>;
    try {
      request = buildHttpRequest(connector, action, args, store.data.authConfigs[connector.id], credentials);
    } catch (error) {
      if (error instanceof RequestBuildError) return errorResult(error.message);
      throw error;
    }
    return callHttp(request, { ...options, secrets });
  }
  let client: Awaited<ReturnType<typeof connectUpstream>>;
  try {
    client = await connectUpstream(
      connector,
      upstreamSecrets(store, connector, credentials),
      options.timeoutMs,
    );
  } catch (error) {
    return errorResult((error as Error).message);
  }
  try {
    return (await client.callTool({ name: action.upstreamName ?? action.name, arguments: args }, undefined, {
      timeout: options.timeoutMs ?? 30_000,
      signal: options.signal,
    })) as CallToolResult;
  } catch (error) {
    return errorResult(`The upstream MCP server failed the call: ${(error as Error).message}`);
  } finally {
    await client.close().catch(() => {});
  }
}
