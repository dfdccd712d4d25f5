// Every path out of the process — tool results and errors, the activity log, webhook bodies, the
// server's log, admin outputs — carries no secret of a call in any form it was sent in: raw,
// base64 (Basic auth), URL-encoded, JSON-escaped, hex.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../helpers/echo-upstream';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

const SECRETS = {
  token: 'tok-"Secret"/+=\\ é-9f8e7d6c5b4a',
  customerHeader: 'cust-hdr+Secret/0123456789==',
  connectorHeader: 'conn-hdr Secret&x=1-abcdef',
  password: 'p@ss:w/rd+Secret-42',
  apiKey: 'k3y with spaces&Secret=?-77',
};

/** Every form a secret could leave in. */
function forms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('hex'),
  ];
}

/** An MCP server over Streamable HTTP that answers with the request headers it got — also in errors. */
async function echoingMcp() {
  const http = createServer(async (req: IncomingMessage, res) => {
    const seen = JSON.stringify(req.headers);
    if (req.headers['x-fail-everything']) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`refused, you sent ${seen}`);
      return;
    }
    const server = new Server({ name: 'echo', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [
        { name: 'headers', inputSchema: { type: 'object' } },
        { name: 'fail', inputSchema: { type: 'object' } },
      ],
    }));
    server.setRequestHandler(CallToolRequestSchema, (request) => {
      if (request.params.name === 'fail') throw new Error(`I will not, you sent ${seen}`);
      return {
        content: [{ type: 'text', text: seen }],
        structuredContent: { headers: req.headers, base64: Buffer.from(seen).toString('base64') },
      };
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
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
}

/** A webhook receiver keeping every body. */
async function receiver() {
  const bodies: string[] = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  afterAll(() => http.close());
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`, bodies };
}

describe('no secret leaves the process', () => {
  it('through MCP and HTTP upstreams that echo what they got, in every encoding and on every path out', async () => {
    const gw = await startTestGateway();
    const mcpUrl = await echoingMcp();
    const http = await startEchoUpstream();
    const hook = await receiver();
    const out: string[] = [];
    const admin = async (name: string, args: unknown) => {
      const r = await gw.app.callTool(name, args, 'internal');
      out.push(JSON.stringify(r));
      if (!r.ok) throw new Error(`${name}: ${r.error}`);
      return r.value;
    };
    await admin('create_webhook', {
      url: hook.url,
      events: ['tool.called', 'tool.failed', 'connection.updated', 'connection.created'],
    });
    await admin('create_customer', { id: 'acme', name: 'Acme' });
    await admin('create_connector', {
      slug: 'echo',
      name: 'Echo',
      kind: 'mcp',
      transport: 'http',
      url: mcpUrl,
      headers: { 'x-connector-secret': SECRETS.connectorHeader },
    });
    await admin('create_connection', {
      customer_id: 'acme',
      connector_id: 'echo',
      credentials: { token: SECRETS.token, headers: { 'x-customer-secret': SECRETS.customerHeader } },
    });
    await admin('refresh_connector', { connector_id: 'echo', customer_id: 'acme' });
    await admin('create_connector', { slug: 'basic', name: 'Basic', kind: 'http', base_url: http.url });
    await admin('set_auth_config', { connector_id: 'basic', scheme: 'basic' });
    await admin('create_action', { connector_id: 'basic', name: 'me', method: 'GET', path: '/echo/me' });
    await admin('create_action', { connector_id: 'basic', name: 'fail', method: 'GET', path: '/status/401' });
    await admin('create_connection', {
      customer_id: 'acme',
      connector_id: 'basic',
      credentials: { username: 'acme-user', password: SECRETS.password },
    });
    await admin('create_connector', { slug: 'keyed', name: 'Keyed', kind: 'http', base_url: http.url });
    await admin('set_auth_config', { connector_id: 'keyed', scheme: 'api_key', in: 'query', name: 'key' });
    await admin('create_action', { connector_id: 'keyed', name: 'me', method: 'GET', path: '/echo/keyed' });
    await admin('create_connection', {
      customer_id: 'acme',
      connector_id: 'keyed',
      credentials: { api_key: SECRETS.apiKey },
    });

    const client = await connectClient(
      `${gw.app.url}/mcp/gateway?customer_id=acme`,
      bearer(gw.mint('gateway')),
    );
    for (const name of ['echo__headers', 'echo__fail', 'basic__me', 'basic__fail', 'keyed__me']) {
      const r = await client.callTool({ name, arguments: {} });
      out.push(JSON.stringify(r));
    }
    // The upstreams did receive the secrets: what comes back is the scrubbed form.
    expect(JSON.stringify(http.received)).toContain(
      Buffer.from(`acme-user:${SECRETS.password}`).toString('base64'),
    );
    out.push(
      JSON.stringify(
        await admin('test_action', { customer_id: 'acme', tool: 'keyed__me', arguments: {}, dry_run: true }),
      ),
    );
    out.push(
      JSON.stringify(
        await admin('test_action', { customer_id: 'acme', tool: 'echo__headers', arguments: {} }),
      ),
    );
    for (const tool of ['get_connector', 'list_connections', 'list_activity'])
      out.push(JSON.stringify(await admin(tool, tool === 'get_connector' ? { connector_id: 'echo' } : {})));
    // A discovery that fails while the upstream echoes the headers in its error.
    await admin('update_connection', {
      connection_id: (
        (await admin('list_connections', { connector_id: 'echo' })).connections as { id: string }[]
      )[0]?.id,
      credentials: {
        token: SECRETS.token,
        headers: { 'x-customer-secret': SECRETS.customerHeader, 'x-fail-everything': 'yes' },
      },
    });
    const failed = await gw.app.callTool(
      'refresh_connector',
      { connector_id: 'echo', customer_id: 'acme' },
      'internal',
    );
    out.push(JSON.stringify(failed));
    out.push(JSON.stringify(await client.callTool({ name: 'echo__headers', arguments: {} })));
    const tested = await gw.app.callTool(
      'test_connection',
      {
        connection_id: (
          (await admin('list_connections', { connector_id: 'echo' })).connections as { id: string }[]
        )[0]?.id,
      },
      'internal',
    );
    out.push(JSON.stringify(tested));
    await client.close();
    await gw.app.services.activity.flush();
    await gw.app.services.webhooks.flush();
    out.push(JSON.stringify(await admin('list_activity', { limit: 200 })));
    // Webhook deliveries of this run's events.
    await expect.poll(() => hook.bodies.length, { timeout: 15_000 }).toBeGreaterThan(4);
    const everything = [...out, ...hook.bodies, ...gw.logs].join('\n');
    for (const [name, secret] of Object.entries(SECRETS))
      for (const form of forms(secret)) expect(everything, `${name} as ${form}`).not.toContain(form);
    expect(everything).not.toContain(Buffer.from(`acme-user:${SECRETS.password}`).toString('base64'));
  }, 60_000);
});
