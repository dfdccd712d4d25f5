import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  isInitializeRequest,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll } from 'vitest';

/**
 * A real Streamable HTTP MCP upstream on 127.0.0.1 whose tools' descriptions can be changed;
 * `announce()` tells its open sessions tools/list_changed, as a server changing its tools would.
 */
export async function startMutableUpstream(instructions?: string) {
  const descriptions: Record<string, string> = {
    add: 'Adds two numbers.',
    multiply: 'Multiplies two numbers.',
  };
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: Server }>();
  const makeServer = () => {
    const server = new Server(
      { name: 'mutable', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } }, instructions },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: Object.entries(descriptions).map(([name, description]) => ({
        name,
        description,
        inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, (request) => ({
      content: [{ type: 'text', text: `ran ${request.params.name}` }],
    }));
    return server;
  };
  const http: HttpServer = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return void res.writeHead(404).end();
      await session.transport.handleRequest(req, res, body);
      if (req.method === 'DELETE') sessions.delete(sessionId);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) return void res.writeHead(400).end('no session');
    const server = makeServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  afterAll(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    descriptions,
    /** Sends tools/list_changed on every open session; how many got it. */
    async announce() {
      let sent = 0;
      for (const { server } of sessions.values()) {
        await server.sendToolListChanged().then(
          () => sent++,
          () => {},
        );
      }
      return sent;
    },
  };
}
