// Issue 13 (governance), optional OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, every call
// — data plane and admin plane, successes and failures — arrives at a local OTLP/HTTP receiver as
// a span with customer, tool, outcome and duration; unset, nothing is started.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry, tracesUrl } from '../../src/main/core/activity/otel';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
  status: { code: number; message?: string };
}

async function receiver() {
  const bodies: { path: string; type: string; body: string }[] = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  afterAll(() => http.close());
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, bodies };
}

/** An MCP server over Streamable HTTP keeping each tools/call's `_meta`. */
async function metaMcp() {
  const metas: unknown[] = [];
  const http = createServer(async (req, res) => {
    const server = new Server({ name: 'meta', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: 'look', inputSchema: { type: 'object' } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, (request) => {
      metas.push(request.params._meta ?? null);
      return { content: [{ type: 'text', text: 'ok' }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  afterAll(() => {
    http.closeAllConnections();
    http.close();
  });
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`, metas };
}

const attrs = (span: Span) =>
  Object.fromEntries(span.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue]));

describe('OpenTelemetry', () => {
  it('is off without an endpoint: nothing is started', () => {
    expect(tracesUrl({})).toBeNull();
    expect(startTelemetry({}, () => {}, '1')).toBeNull();
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    const lines: string[] = [];
    expect(
      startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, (l) => lines.push(l), '1'),
    ).toBeNull();
    expect(lines.join('\n')).toMatch(/OpenTelemetry is off: .*not a URL/);
  });

  it('sends each call as a span with customer, tool, outcome and duration', async () => {
    const collector = await receiver();
    const echo = await startEchoUpstream();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
    let gw: Awaited<ReturnType<typeof startTestGateway>>;
    try {
      gw = await startTestGateway();
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    }
    const admin = async (name: string, args: unknown) => {
      const r = await gw.app.callTool(name, args, 'internal');
      if (!r.ok) throw new Error(`${name}: ${r.error}`);
    };
    await admin('create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url });
    await admin('create_action', { connector_id: 'echo', name: 'ping', method: 'GET', path: '/echo/ping' });
    await admin('create_action', { connector_id: 'echo', name: 'boom', method: 'GET', path: '/status/500' });
    const mcp = await metaMcp();
    await admin('create_connector', {
      slug: 'meta',
      name: 'Meta',
      kind: 'mcp',
      transport: 'http',
      url: mcp.url,
    });
    await admin('create_customer', { id: 'acme', name: 'Acme' });
    await admin('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['echo', 'meta'],
    });
    await admin('create_connection', { customer_id: 'acme', connector_id: 'meta', credentials: {} });
    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    await client.callTool({ name: 'echo__ping', arguments: {} });
    await client.callTool({ name: 'echo__boom', arguments: {} });
    const looked = (await client.callTool({ name: 'meta__look', arguments: {} })) as { isError?: boolean };
    expect(looked.isError, JSON.stringify(looked)).toBeFalsy();
    await client.close();
    expect((await gw.app.callTool('delete_customer', { customer_id: 'ghost' }, 'ipc')).ok).toBe(false);
    await gw.app.close();

    expect(collector.bodies.length).toBeGreaterThan(0);
    for (const b of collector.bodies) {
      expect(b.path).toBe('/v1/traces');
      expect(b.type).toBe('application/json');
    }
    const spans = collector.bodies.flatMap((b) =>
      (
        JSON.parse(b.body) as {
          resourceSpans: { resource: unknown; scopeSpans: { spans: Span[] }[] }[];
        }
      ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
    expect(JSON.stringify(JSON.parse(collector.bodies[0]?.body ?? '{}').resourceSpans[0].resource)).toContain(
      'portico',
    );
    const ping = spans.find((s) => s.name === 'gateway echo__ping');
    const boom = spans.find((s) => s.name === 'gateway echo__boom');
    const ghost = spans.find((s) => s.name === 'admin delete_customer');
    if (!ping || !boom || !ghost) throw new Error(`missing spans in ${spans.map((s) => s.name).join(', ')}`);
    expect(attrs(ping)).toMatchObject({
      'portico.plane': 'gateway',
      'portico.entry_point': 'mcp',
      'portico.customer_id': 'acme',
      'portico.tool': 'echo__ping',
      'portico.outcome': 'ok',
    });
    expect(ping.status.code).toBe(1);
    expect(ping.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ping.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(BigInt(ping.endTimeUnixNano) >= BigInt(ping.startTimeUnixNano)).toBe(true);
    expect(Number(attrs(ping)['portico.duration_ms'])).toBeGreaterThanOrEqual(0);
    // traceparent went to the HTTP upstream (a header) and the MCP upstream (_meta), naming the span.
    const sentPing = echo.received.find((r) => r.path === '/echo/ping');
    expect(sentPing?.headers.traceparent).toBe(`00-${ping.traceId}-${ping.spanId}-01`);
    const look = spans.find((s) => s.name === 'gateway meta__look');
    expect(look).toBeDefined();
    expect(mcp.metas).toContainEqual(
      expect.objectContaining({ traceparent: `00-${look?.traceId}-${look?.spanId}-01` }),
    );
    expect(attrs(boom)['portico.outcome']).toBe('error');
    expect(boom.status).toMatchObject({ code: 2 });
    expect(boom.status.message).toMatch(/500/);
    expect(attrs(ghost)).toMatchObject({
      'portico.plane': 'admin',
      'portico.entry_point': 'ipc',
      'portico.outcome': 'error',
    });
    expect(spans.filter((s) => s.name.startsWith('admin create_')).length).toBeGreaterThanOrEqual(4);
  });

  it('off by default: no traceparent goes upstream', async () => {
    const echo = await startEchoUpstream();
    const gw = await startTestGateway();
    afterAll(() => gw.app.close());
    const admin = async (name: string, args: unknown) => {
      const r = await gw.app.callTool(name, args, 'internal');
      if (!r.ok) throw new Error(`${name}: ${r.error}`);
    };
    await admin('create_connector', { slug: 'echo', name: 'Echo', kind: 'http', base_url: echo.url });
    await admin('create_action', { connector_id: 'echo', name: 'ping', method: 'GET', path: '/echo/ping' });
    await admin('create_customer', { id: 'acme', name: 'Acme' });
    await admin('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['echo'],
    });
    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    const r = (await client.callTool({ name: 'echo__ping', arguments: {} })) as { isError?: boolean };
    await client.close();
    expect(r.isError).toBeFalsy();
    expect(echo.received).toHaveLength(1);
    expect(echo.received[0]?.headers.traceparent).toBeUndefined();
    expect(gw.app.services.activity.tracing).toBe(false);
  });
});
