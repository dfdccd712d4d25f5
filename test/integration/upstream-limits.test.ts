// Class: unbounded reads. Real servers on 127.0.0.1 stream endless chunked bodies to every reader of
// the connector runtime — an HTTP connector's answer, an MCP Streamable HTTP upstream's JSON answer
// and SSE event, an OAuth token endpoint — and the reader stops at its limit: the bytes the server
// manages to send stay near the limit, the process's memory hardly grows, and the call says why.
import type { ServerResponse } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_MAX_MESSAGE_BYTES } from '../../src/main/core/connectors/network-guard';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { json, type Seen, startRecordingServer } from '../helpers/recording-server';

type Result = { isError?: boolean; content: { text?: string }[] };
const MB = 1024 * 1024;
/** What loopback socket buffers may hold beyond what the reader took: generous, and far below "everything". */
const SOCKET_SLACK = 16 * MB;

/** One endless response: how much the server got to write, and the peak RSS seen meanwhile. */
interface Flood {
  sent: number;
  peakRss: number;
  done: Promise<void>;
}

/**
 * Writes `head`, then `chunk` forever (respecting backpressure), until the reader goes away.
 * A reader without a limit would take it all: hundreds of MB within seconds.
 */
function flood(res: ServerResponse, contentType: string, head: string, chunk: string): Flood {
  const state: Flood = { sent: 0, peakRss: process.memoryUsage().rss, done: Promise.resolve() };
  const block = Buffer.from(chunk.repeat(Math.ceil((64 * 1024) / chunk.length)));
  state.done = new Promise<void>((resolve) => {
    res.on('close', () => resolve());
    res.writeHead(200, { 'content-type': contentType });
    res.write(head);
    const pump = () => {
      while (!res.destroyed) {
        state.sent += block.length;
        state.peakRss = Math.max(state.peakRss, process.memoryUsage().rss);
        if (!res.write(block)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  return state;
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let client: Client;
const floods: Flood[] = [];

/**
 * A hand-written MCP upstream whose tools/call answer never ends (as JSON, or as one SSE event) —
 * or, `sse-long`, is a 24 MB stream of small SSE comments before its result: long, but each event small.
 */
function mcpHandler(mode: 'json' | 'sse' | 'sse-long') {
  return (_req: unknown, res: ServerResponse, seen: Seen) => {
    if (seen.method !== 'POST') return res.writeHead(405).end();
    const message = JSON.parse(seen.body) as { id?: number; method: string };
    if (message.id === undefined) return res.writeHead(202).end();
    if (message.method === 'initialize')
      return json(res, 200, {
        jsonrpc: '2.0',
        id: message.id,
        result: {
          protocolVersion: '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'flood', version: '1' },
        },
      });
    if (message.method === 'tools/list')
      return json(res, 200, {
        jsonrpc: '2.0',
        id: message.id,
        result: { tools: [{ name: 'flood', inputSchema: { type: 'object' } }] },
      });
    if (mode === 'sse-long') {
      const padding = `: ${'p'.repeat(1022)}\n\n`.repeat(1024); // 1 MB of 1 KB events
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 24; i += 1) res.write(padding);
      const done = { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'done' }] } };
      return res.end(`event: message\ndata: ${JSON.stringify(done)}\n\n`);
    }
    const head = `{"jsonrpc":"2.0","id":${message.id},"result":{"content":[{"type":"text","text":"`;
    floods.push(
      mode === 'json'
        ? flood(res, 'application/json', head, 'x')
        : flood(res, 'text/event-stream', `event: message\ndata: ${head}`, 'x'),
    );
  };
}

async function admin(name: string, args: Record<string, unknown>) {
  const r = await gw.app.callTool(name, args, 'internal');
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return r.value as Record<string, unknown>;
}
const text = (r: Result) => r.content.map((c) => c.text ?? '').join('\n');

beforeAll(async () => {
  gw = await startTestGateway();
  await admin('create_customer', { id: 'acme', name: 'Acme' });
  await admin('configure_customer_tools', { customer_id: 'acme', mode: 'all', tool_mode: 'direct' });
  client = await connectClient(`${gw.app.url}/mcp/gateway?customer_id=acme`, bearer(gw.mint('gateway')));
});
afterAll(async () => {
  await client?.close();
});

/** Calls a tool while its upstream floods; returns the result and what the flood managed. */
async function underFlood(tool: string) {
  const before = floods.length;
  const baseline = process.memoryUsage().rss;
  const result = (await client.callTool({ name: tool, arguments: {} })) as Result;
  const f = floods[before];
  expect(f, 'the upstream was reached').toBeDefined();
  await f?.done; // the reader went away: the server saw its connection close
  return { result, sent: f?.sent ?? 0, growth: (f?.peakRss ?? 0) - baseline };
}

describe('reads from upstreams stop at their limit', () => {
  it("an HTTP connector's endless answer is cut at 1 MB, never buffered beyond", async () => {
    const api = await startRecordingServer((_req, res) => {
      floods.push(flood(res, 'application/json', '[', '{"a":1},'));
    });
    await admin('import_openapi', {
      slug: 'endless',
      base_url: api.origin,
      spec: {
        openapi: '3.0.3',
        info: { title: 'Endless', version: '1' },
        paths: { '/items': { get: { operationId: 'items', responses: { '200': { description: 'ok' } } } } },
      },
    });
    await admin('create_connection', { customer_id: 'acme', connector_id: 'endless', credentials: {} });
    const { result, sent, growth } = await underFlood('endless__items');
    expect(result.isError).toBeFalsy();
    expect(text(result)).toMatch(/truncated at 1048576 bytes/);
    expect(text(result).length).toBeLessThan(1.1 * MB);
    expect(sent).toBeLessThan(1 * MB + SOCKET_SLACK);
    expect(growth).toBeLessThan(100 * MB);
  });

  for (const mode of ['json', 'sse'] as const) {
    it(`an MCP upstream's endless ${mode === 'json' ? 'JSON answer' : 'SSE event'} fails the call at 16 MB`, async () => {
      const upstream = await startRecordingServer(mcpHandler(mode));
      const slug = `flood${mode}`;
      await admin('create_connector', {
        slug,
        name: slug,
        kind: 'mcp',
        transport: 'http',
        url: `${upstream.origin}/mcp`,
      });
      await admin('create_connection', { customer_id: 'acme', connector_id: slug, credentials: {} });
      await admin('refresh_connector', { connector_id: slug, customer_id: 'acme' });
      const { result, sent, growth } = await underFlood(`${slug}__flood`);
      expect(result.isError).toBe(true);
      expect(text(result)).toContain(`${upstream.origin}/mcp`);
      expect(text(result)).toMatch(
        /Portico stopped reading (its response|an event of its stream): it went past 16 MB \(the limit for one MCP message\)/,
      );
      expect(sent).toBeGreaterThan(MCP_MAX_MESSAGE_BYTES);
      expect(sent).toBeLessThan(MCP_MAX_MESSAGE_BYTES + SOCKET_SLACK);
      expect(growth).toBeLessThan(200 * MB);
      // The session is still good for the next call (the upstream answers it the same way).
      const again = (await client.callTool({ name: `${slug}__flood`, arguments: {} })) as Result;
      expect(text(again)).toContain('went past 16 MB');
      await floods.at(-1)?.done;
    });
  }

  it('a long SSE answer made of small events is read whole: the limit is per message', async () => {
    const upstream = await startRecordingServer(mcpHandler('sse-long'));
    await admin('create_connector', {
      slug: 'longsse',
      name: 'Long SSE',
      kind: 'mcp',
      transport: 'http',
      url: `${upstream.origin}/mcp`,
    });
    await admin('create_connection', { customer_id: 'acme', connector_id: 'longsse', credentials: {} });
    await admin('refresh_connector', { connector_id: 'longsse', customer_id: 'acme' });
    const result = (await client.callTool({ name: 'longsse__flood', arguments: {} })) as Result;
    expect(result.isError, text(result)).toBeFalsy();
    expect(text(result)).toBe('done');
  });

  it("an OAuth token endpoint's endless answer is cut, and the call says so", async () => {
    const provider = await startRecordingServer((_req, res) => {
      floods.push(flood(res, 'application/json', '{"access_token":"', 'a'));
    });
    const api = await startRecordingServer((_req, res) => json(res, 200, { ok: true }));
    await admin('import_openapi', {
      slug: 'oaflood',
      base_url: api.origin,
      spec: {
        openapi: '3.0.3',
        info: { title: 'OAuth flood', version: '1' },
        paths: { '/me': { get: { operationId: 'me', responses: { '200': { description: 'ok' } } } } },
      },
    });
    await admin('set_auth_config', {
      connector_id: 'oaflood',
      scheme: 'oauth2',
      grant: 'client_credentials',
      client_id: 'flood-client',
      client_secret: 'flood-client-secret-123',
      token_url: `${provider.origin}/token`,
    });
    await admin('create_connection', { customer_id: 'acme', connector_id: 'oaflood', credentials: {} });
    const { result, sent, growth } = await underFlood('oaflood__me');
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/token endpoint's answer went past 262144 bytes/);
    expect(sent).toBeLessThan(256 * 1024 + SOCKET_SLACK);
    expect(growth).toBeLessThan(100 * MB);
    expect(api.seen).toHaveLength(0);
  });
});
