import type { McpConnector } from '../connectors/mcp-upstream';
import { connectionsOfCustomer } from '../store/indexes';
import type { Workspace } from '../store/schema';

/**
 * The MCP connectors a customer's gateway exposes (the same exposure as its tools: every connected
 * connector, or the selected ones), by slug. Their resources, prompts and completions are the
 * customer's too.
 */
export function exposedMcpConnectors(ws: Workspace, customerId: string): McpConnector[] {
  const customer = ws.customers[customerId];
  if (!customer) return [];
  const { exposure } = customer;
  const ids =
    exposure.mode === 'all'
      ? connectionsOfCustomer(ws, customerId).map((c) => c.connectorId)
      : exposure.connectorIds;
  return [...new Set(ids)]
    .map((id) => ws.connectors[id])
    .filter((c): c is McpConnector => c?.kind === 'mcp')
    .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : a.id < b.id ? -1 : 1));
}
