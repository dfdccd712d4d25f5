import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Customer } from '../store/schema';
import { VERSION } from '../version';

export const EMPTY_TOOLSET_MESSAGE = 'No tools configured. Click Configure to enable connectors.';

/** The data-plane MCP server of one customer session. */
export function createCustomerMcpServer(customer: Customer): Server {
  // Toolsets are computed from connections and exposure (data-plane issue); none exist yet.
  const tools: never[] = [];
  const server = new Server(
    { name: `portico-${customer.id}`, title: `Portico gateway — ${customer.name}`, version: VERSION },
    {
      capabilities: { tools: { listChanged: true } },
      instructions: tools.length
        ? `Tools of ${customer.name}'s connected systems, via Portico.`
        : EMPTY_TOOLSET_MESSAGE,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (request) => ({
    content: [
      {
        type: 'text',
        text: `Unknown tool "${request.params.name}" for customer "${customer.id}". ${EMPTY_TOOLSET_MESSAGE}`,
      },
    ],
    isError: true,
  }));
  return server;
}
