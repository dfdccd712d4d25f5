import { z } from 'zod';
import { MASK } from '../connectors/credentials';
import type { Connector, Workspace } from '../store/schema';

export const connectorOutput = z.object({
  id: z.string(),
  slug: z.string().describe('Prefix of its tool names: <slug>__<action>.'),
  name: z.string(),
  kind: z.enum(['http', 'mcp']),
  description: z.string(),
  transport: z.enum(['stdio', 'http']).nullable().describe('MCP connectors: how the upstream is reached.'),
  base_url: z.string().nullable().describe('HTTP connectors: the API base URL.'),
  command: z.string().nullable(),
  args: z.array(z.string()).nullable(),
  env: z.record(z.string(), z.string()).nullable().describe('Environment names; values are masked.'),
  url: z.string().nullable(),
  headers: z.record(z.string(), z.string()).nullable().describe('Header names; values are masked.'),
  auth_scheme: z.string().describe('The auth config\'s scheme, or "none".'),
  action_count: z.number().int(),
  enabled_action_count: z.number().int(),
  connection_count: z.number().int(),
  catalog_id: z.string().nullable(),
  openapi_source: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

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
    connection_count: Object.values(ws.connections).filter((x) => x.connectorId === c.id).length,
    catalog_id: c.catalogId ?? null,
    openapi_source: c.kind === 'http' ? (c.openapiSource?.url ?? c.openapiSource?.path ?? null) : null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}
