import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { AdminRegistry, AdminServices, CallResult } from '../admin/registry';
import { redact } from '../util/log';
import { VERSION } from '../util/version';

/** A tool result as MCP clients expect it: structured content plus the same as text. */
export function toCallToolResult(result: CallResult): CallToolResult {
  if (!result.ok) return { content: [{ type: 'text', text: redact(result.error) }], isError: true };
  return {
    content: [{ type: 'text', text: JSON.stringify(result.value, null, 2) }],
    structuredContent: result.value,
  };
}

/** The Admin MCP server of one session (opened with `keyId`): the admin registry's tools. */
export function createAdminMcpServer(
  registry: AdminRegistry,
  services: AdminServices,
  keyId: string,
): Server {
  const server = new Server(
    { name: 'portico-admin', title: 'Portico admin', version: VERSION },
    {
      capabilities: { tools: { listChanged: true } },
      instructions:
        'Portico control plane: manage the integration workspace — connectors, actions, auth, connections, customers, webhooks, API keys. ' +
        'Secrets are write-only; outputs mask them.',
    },
  );
  const tools = registry.list();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools as never[] }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const progressToken = request.params._meta?.progressToken;
    const result = await registry.call(request.params.name, request.params.arguments ?? {}, services, {
      entryPoint: 'mcp',
      keyId,
      signal: extra.signal,
      ...(progressToken === undefined
        ? {}
        : {
            onProgress: (p) =>
              void extra
                .sendNotification({ method: 'notifications/progress', params: { progressToken, ...p } })
                .catch(() => {}),
          }),
    });
    return toCallToolResult(result);
  });
  return server;
}
