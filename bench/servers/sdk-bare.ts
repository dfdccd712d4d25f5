// The baseline: a bare @modelcontextprotocol/sdk Streamable HTTP server (low-level Server,
// one StreamableHTTPServerTransport per session, as the SDK's examples do) answering an
// `echo` tool. With {tools: N} it also lists N generated tools, and `touch` makes it send
// notifications/tools/list_changed to every session (the scale scenario's baselines).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  isInitializeRequest,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { generatedToolList } from '../lib/workspace';

const config = JSON.parse(process.argv[2] ?? '{}') as { connectors?: number; actions?: number };
const echoTool = {
  name: 'echo',
  description: 'Echoes the message back.',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
};
const touchTool = {
  name: 'touch',
  description: 'Sends tools/list_changed.',
  inputSchema: { type: 'object' },
};
const tools = [
  echoTool,
  touchTool,
  ...(config.connectors ? generatedToolList(config.connectors, config.actions ?? 50) : []),
];

const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: Server }>();

function newServer(): Server {
  const server = new Server(
    { name: 'bare', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools as never }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name === 'touch') {
      for (const s of sessions.values()) void s.server.sendToolListChanged().catch(() => {});
      return { content: [{ type: 'text', text: 'ok' }] };
    }
    const message = String((request.params.arguments as { message?: unknown } | undefined)?.message ?? '');
    return { content: [{ type: 'text', text: message }] };
  });
  return server;
}

const http = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const body: unknown = text ? JSON.parse(text) : undefined;
  const id = req.headers['mcp-session-id'] as string | undefined;
  const existing = id ? sessions.get(id) : undefined;
  if (existing) {
    await existing.transport.handleRequest(req, res, body);
    return;
  }
  if (req.method === 'POST' && isInitializeRequest(body)) {
    const server = newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => {
        sessions.set(sid, { transport, server });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    return;
  }
  res
    .writeHead(400, { 'content-type': 'application/json' })
    .end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"no session"},"id":null}');
});
http.keepAliveTimeout = 65_000;
http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}/mcp` })}\n`);
});
process.on('SIGTERM', () => {
  for (const s of sessions.values()) void s.server.close();
  http.closeAllConnections();
  http.close(() => process.exit(0));
});
