import type { z } from 'zod';
import type { connectorOutput } from '../../../shared/admin/connectors';
import { MASK } from '../connectors/credentials';
import { connectionsOfConnector } from '../store/indexes';
import type { Connector, Workspace } from '../store/schema';

const masked = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, MASK]));

export function connectorView(c: Connector, ws: Workspace): z.infer<typeof connectorOutput> {
  return {
    id: c.id,
    slug: c.slug,
    name: c.name,
    kind: c.kind,
    description: c.description,
    transport: c.kind === 'mcp' ? c.transport : null,
    base_url: c.kind === 'http' ? c.baseUrl : null,
    command: c.kind === 'mcp' && c.transport === 'stdio' ? c.command : null,
    args: c.kind === 'mcp' && c.transport === 'stdio' ? c.args : null,
    env: c.kind === 'mcp' && c.transport === 'stdio' ? masked(c.envKeys) : null,
    url: c.kind === 'mcp' && c.transport === 'http' ? c.url : null,
    headers: c.kind === 'mcp' && c.transport === 'http' ? masked(c.headerKeys) : null,
    auth_scheme: ws.authConfigs[c.id]?.scheme ?? 'none',
    action_count: c.actions.length,
    enabled_action_count: c.actions.filter((a) => a.enabled).length,
    connection_count: connectionsOfConnector(ws, c.id).length,
    catalog_id: c.catalogId ?? null,
    openapi_source: c.kind === 'http' ? (c.openapiSource?.url ?? c.openapiSource?.path ?? null) : null,
    strict_output: c.strictOutput === true,
    trust_updates: c.kind === 'mcp' && c.trustUpdates === true,
    pending_tool_changes: c.actions.filter((a) => a.pendingChange).length,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}
