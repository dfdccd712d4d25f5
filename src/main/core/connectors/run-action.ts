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

export function openCredentials(
  store: WorkspaceStore,
  connection: Connection | undefined,
): Credentials | undefined {
  return connection
    ? store.secrets.open<Credentials>(connection.credentials, `connection:${connection.id}`)
    : undefined;
}

export function openConnectorSecrets(store: WorkspaceStore, connector: Connector) {
  if (connector.kind !== 'mcp') return { env: {}, headers: {} };
  const env =
    connector.transport === 'stdio' && connector.env
      ? store.secrets.open<Record<string, string>>(connector.env, `connector:${connector.id}:env`)
      : {};
  const headers =
    connector.transport === 'http' && connector.headers
      ? store.secrets.open<Record<string, string>>(connector.headers, `connector:${connector.id}:headers`)
      : {};
  return { env, headers };
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
  const shared = openConnectorSecrets(store, connector);
  const headers = { ...shared.headers, ...credentials?.headers };
  if (credentials?.token ?? credentials?.access_token)
    headers.authorization = `Bearer ${credentials?.access_token ?? credentials?.token}`;
  let client: Awaited<ReturnType<typeof connectUpstream>>;
  try {
    client = await connectUpstream(
      connector,
      { env: { ...shared.env, ...credentials?.env }, headers },
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
