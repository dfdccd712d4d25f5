import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

// A small SDK upstream over Streamable HTTP, told apart per connection by its `x-who` header: the
// gateway must pass through exactly what it returns, and route what it asks and announces to the
// right session of the right customer.

const TINY_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Every content type, with annotations, _meta and icons, and structured content. */
const ALL_CONTENT: CallToolResult = {
  content: [
    { type: 'text', text: 'plain text', annotations: { audience: ['user'], priority: 0.5 }, _meta: { k: 1 } },
    {
      type: 'image',
      data: TINY_PNG,
      mimeType: 'image/png',
      annotations: { lastModified: '2025-01-01T00:00:00Z' },
    },
    { type: 'audio', data: 'UklGRiQAAABXQVZF', mimeType: 'audio/wav' },
    { type: 'resource', resource: { uri: 'who://embedded/text', mimeType: 'text/plain', text: 'embedded' } },
    {
      type: 'resource',
      resource: { uri: 'who://embedded/blob', mimeType: 'application/octet-stream', blob: 'AAEC' },
    },
    {
      type: 'resource_link',
      uri: 'who://profile',
      name: 'profile',
      title: 'The profile',
      mimeType: 'text/plain',
      icons: [{ src: 'https://example.com/icon.png', mimeType: 'image/png', sizes: ['16x16'] }],
      annotations: { priority: 1 },
    },
  ],
  structuredContent: { answer: 42, nested: { list: [1, 'two', null] } },
  _meta: { 'example.com/trace': 'abc' },
};

/** `secret` is the connection's header value: whatever echoes it must reach clients masked. */
function upstreamServer(who: string, secret: string): McpServer {
  const server = new McpServer(
    { name: `who-${who}`, version: '1.0.0' },
    { capabilities: { logging: {} }, instructions: `Upstream instructions for ${who} (${secret}).` },
  );
  server.registerTool('all-content', { description: 'Every content type.' }, async () => ALL_CONTENT);
  server.registerTool('ask', { description: 'Asks the user their name (form mode).' }, async () => {
    try {
      const answer = await server.server.elicitInput({
        mode: 'form',
        message: `${who} asks your name (${secret})`,
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      });
      return { content: [{ type: 'text', text: `answer: ${JSON.stringify(answer)}` }] };
    } catch (error) {
      return { content: [{ type: 'text', text: `refused: ${(error as Error).message}` }], isError: true };
    }
  });
  server.registerTool('ask-briefly', { description: 'Gives up on its question after 300 ms.' }, async () => {
    try {
      await server.server.elicitInput(
        { mode: 'form', message: 'quick!', requestedSchema: { type: 'object', properties: {} } },
        { timeout: 300 },
      );
      return { content: [{ type: 'text', text: 'answered' }] };
    } catch (error) {
      return { content: [{ type: 'text', text: `gave up: ${(error as Error).message}` }] };
    }
  });
  server.registerTool('hang', { description: 'Never answers.' }, () => new Promise<CallToolResult>(() => {}));
  server.registerTool('ask-url', { description: 'URL-mode elicitation.' }, async () => {
    try {
      const answer = await server.server.elicitInput({
        mode: 'url',
        message: 'Sign in',
        url: 'https://example.com/sign-in',
        elicitationId: `el-${who}`,
      });
      return { content: [{ type: 'text', text: `answer: ${JSON.stringify(answer)}` }] };
    } catch (error) {
      return { content: [{ type: 'text', text: `refused: ${(error as Error).message}` }], isError: true };
    }
  });
  server.registerTool('sample-with-tools', { description: 'Sampling with tools.' }, async () => {
    try {
      const answer = await server.server.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: `weather for ${who}?` } }],
        maxTokens: 50,
        tools: [
          { name: 'get_weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } },
        ],
      });
      return { content: [{ type: 'text', text: `sampled: ${JSON.stringify(answer)}` }] };
    } catch (error) {
      return { content: [{ type: 'text', text: `refused: ${(error as Error).message}` }], isError: true };
    }
  });
  server.registerTool(
    'announce',
    { description: 'Says its resources and prompts changed, and logs.' },
    async (extra) => {
      server.sendResourceListChanged();
      server.sendPromptListChanged();
      // Filtered by the level the gateway set for this upstream session.
      await server.sendLoggingMessage({ level: 'debug', data: `debug from ${who}` }, extra.sessionId);
      await server.sendLoggingMessage(
        { level: 'error', data: `error from ${who} (${secret})` },
        extra.sessionId,
      );
      return { content: [{ type: 'text', text: 'announced' }] };
    },
  );
  server.registerResource('profile', 'who://profile', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: `profile of ${who}` }],
  }));
  server.registerPrompt('greet', { argsSchema: { name: z.string() } }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `hello ${name} from ${who}` } }],
  }));
  return server;
}

/** The upstream: a new McpServer per session, named after the connection's x-who header. */
async function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http: HttpServer = createServer(async (req: IncomingMessage, res) => {
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    if (!transport) {
      // The header is the connection's secret: the gateway masks it in answers, so `who` is a part of it.
      const secret = String(req.headers['x-who']);
      const who = /^secret-(\w+)-/.exec(secret)?.[1] ?? 'nobody';
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid): void => {
          transports.set(sid, created);
        },
      });
      transport = created;
      await upstreamServer(who, secret).connect(created);
    }
    await transport?.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
const open: Client[] = [];

const text = (result: unknown) =>
  ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function adminOk(name: string, args: Record<string, unknown>) {
  const result = (await admin.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}

/** A customer's session, with its client's capabilities and a record of what reached it. */
async function session(customerId: string, capabilities: Record<string, unknown> = {}) {
  const client = new Client({ name: 'test', version: '1.0.0' }, { capabilities });
  const seen: string[] = [];
  if (capabilities.elicitation)
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      seen.push(`elicit:${request.params.message}`);
      return request.params.mode === 'url'
        ? { action: 'accept' }
        : { action: 'accept', content: { name: customerId } };
    });
  if (capabilities.sampling)
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      seen.push(`sample:${(request.params.tools ?? []).map((t) => t.name).join(',')}`);
      return { model: 'm', role: 'assistant', content: { type: 'text', text: `sunny for ${customerId}` } };
    });
  const changes: string[] = [];
  const notices: Record<string, (() => void)[]> = {};
  const note = (what: string) => {
    changes.push(what);
    for (const w of notices[what]?.splice(0) ?? []) w();
  };
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => note('resources'));
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => note('prompts'));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
    note(`log:${String(n.params.data)}`),
  );
  const waitFor = (what: string) => {
    if (changes.includes(what)) return Promise.resolve();
    const waiting = notices[what] ?? [];
    notices[what] = waiting;
    return new Promise<void>((resolve) => waiting.push(resolve));
  };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gw.app.url}/mcp/gateway?customer_id=${customerId}`), {
      requestInit: { headers: bearer(gw.mint('gateway', [customerId])) },
    }),
  );
  open.push(client);
  return { client, seen, changes, waitFor };
}

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  upstream = await startUpstream();
  await adminOk('create_connector', {
    slug: 'who',
    name: 'Who',
    kind: 'mcp',
    transport: 'http',
    url: upstream.url,
  });
  for (const customer of ['acme', 'globex']) {
    await adminOk('create_customer', { id: customer, name: customer });
    await adminOk('create_connection', {
      customer_id: customer,
      connector_id: 'who',
      credentials: { headers: { 'x-who': `secret-${customer}-7f3a9c` } },
    });
    await adminOk('configure_customer_tools', { customer_id: customer, mode: 'all' });
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
  await admin?.close().catch(() => {});
  await gw?.app.close();
  await upstream?.close();
});

describe('an SDK upstream behind the gateway', () => {
  it('keeps every content type, annotations, _meta, icons and structured content exactly', async () => {
    const { client } = await session('acme');
    const result = await client.callTool({ name: 'who__all-content', arguments: {} });
    expect(result).toEqual(ALL_CONTENT);
  });

  it("shows each customer only its own connection's resources, prompts and instructions", async () => {
    const acme = await session('acme');
    const globex = await session('globex');
    for (const [{ client }, who] of [
      [acme, 'acme'],
      [globex, 'globex'],
    ] as const) {
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.uri)).toEqual(['who://profile']);
      const read = await client.readResource({ uri: 'who://profile' });
      expect(read.contents).toEqual([
        { uri: 'who://profile', mimeType: 'text/plain', text: `profile of ${who}` },
      ]);
      const prompt = await client.getPrompt({ name: 'who__greet', arguments: { name: 'Ada' } });
      expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: `hello Ada from ${who}` });
    }
    const later = await session('globex');
    expect(later.client.getInstructions()).toContain('Upstream instructions for globex (***).');
    expect(later.client.getInstructions()).not.toContain('acme');
  });

  it('forwards URL-mode elicitation and sampling with tools; refuses modes the client did not declare', async () => {
    const full = await session('acme', { elicitation: { form: {}, url: {} }, sampling: { tools: {} } });
    const url = await full.client.callTool({ name: 'who__ask-url', arguments: {} });
    expect(text(url)).toContain('"action":"accept"');
    const sampled = await full.client.callTool({ name: 'who__sample-with-tools', arguments: {} });
    expect(text(sampled)).toContain('sunny for acme');
    expect(full.seen).toEqual(['elicit:Sign in', 'sample:get_weather']);

    const formOnly = await session('globex', { elicitation: {}, sampling: {} });
    const noUrl = await formOnly.client.callTool({ name: 'who__ask-url', arguments: {} });
    expect(noUrl.isError).toBe(true);
    expect(text(noUrl)).toMatch(/did not declare the `elicitation.url` capability/);
    const noTools = await formOnly.client.callTool({ name: 'who__sample-with-tools', arguments: {} });
    expect(text(noTools)).toMatch(/did not declare the `sampling.tools` capability/);
    const form = await formOnly.client.callTool({ name: 'who__ask', arguments: {} });
    expect(text(form)).toContain('"name":"globex"');
    expect(formOnly.seen).toEqual(['elicit:globex asks your name (***)']);

    const none = await session('globex');
    const refused = await none.client.callTool({ name: 'who__ask', arguments: {} });
    expect(text(refused)).toMatch(/cannot forward elicitation\/create.*`elicitation` capability/s);
  });

  it('sends list changes and logs to that customer’s sessions only, at the level they set', async () => {
    const a1 = await session('acme');
    const a2 = await session('acme');
    const g = await session('globex');
    await a1.client.setLoggingLevel('error');
    const done = await a1.client.callTool({ name: 'who__announce', arguments: {} });
    expect(text(done)).toBe('announced');
    await Promise.all([
      a1.waitFor('resources'),
      a1.waitFor('prompts'),
      a2.waitFor('resources'),
      a2.waitFor('prompts'),
      a1.waitFor('log:error from acme (***)'),
    ]);
    expect(a1.changes).not.toContain('log:debug from acme');
    await Promise.all([g.client.ping(), g.client.listTools()]);
    expect(g.changes).toEqual([]);
  });

  it("follows the customer's curation: hidden resources and prompts, renamed prompts, bare naming", async () => {
    const watching = await session('globex');
    await adminOk('set_tool_overrides', {
      customer_id: 'globex',
      connector_id: 'who',
      overrides: [
        { name: 'who://profile', kind: 'resource', hidden: true },
        { name: 'greet', kind: 'prompt', rename: 'say_hello' },
      ],
    });
    await adminOk('configure_customer_tools', { customer_id: 'acme', mode: 'all', naming: 'bare' });
    try {
      // Sessions already open are told their resources and prompts changed.
      await Promise.all([watching.waitFor('resources'), watching.waitFor('prompts')]);
      const globex = await session('globex');
      expect((await globex.client.listResources()).resources).toEqual([]);
      await expect(globex.client.readResource({ uri: 'who://profile' })).rejects.toThrow(
        /Resource not found/,
      );
      expect((await globex.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['say_hello']);
      const hello = await globex.client.getPrompt({ name: 'say_hello', arguments: { name: 'Ada' } });
      expect(hello.messages[0]?.content).toEqual({ type: 'text', text: 'hello Ada from globex' });
      await expect(
        globex.client.getPrompt({ name: 'who__greet', arguments: { name: 'Ada' } }),
      ).rejects.toThrow(/Unknown prompt "who__greet"/);
      const acme = await session('acme');
      expect((await acme.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['greet']);
      const completed = await acme.client.getPrompt({ name: 'greet', arguments: { name: 'Bo' } });
      expect(completed.messages[0]?.content).toEqual({ type: 'text', text: 'hello Bo from acme' });
      expect((await acme.client.listResources()).resources.map((r) => r.uri)).toEqual(['who://profile']);
    } finally {
      await adminOk('set_tool_overrides', { customer_id: 'globex', connector_id: 'who', overrides: [] });
      await adminOk('configure_customer_tools', { customer_id: 'acme', mode: 'all', naming: 'prefixed' });
    }
  });

  it("a call's timeout is held while the client answers, and still applies to an upstream that hangs", async () => {
    const timeoutMs = 400;
    gw.app.store.mutate((ws) => {
      ws.settings.upstreamTimeoutMs = timeoutMs;
    });
    try {
      const client = new Client({ name: 'slow', version: '1.0.0' }, { capabilities: { elicitation: {} } });
      // A person who takes three timeouts to answer (a timer stands for their reading time).
      client.setRequestHandler(ElicitRequestSchema, async () => {
        await new Promise((resolve) => setTimeout(resolve, timeoutMs * 3));
        return { action: 'accept', content: { name: 'slow reader' } };
      });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${gw.app.url}/mcp/gateway?customer_id=acme`), {
          requestInit: { headers: bearer(gw.mint('gateway', ['acme'])) },
        }),
      );
      open.push(client);
      const answered = await client.callTool({ name: 'who__ask', arguments: {} });
      expect(text(answered)).toContain('slow reader');
      const hung = await client.callTool({ name: 'who__hang', arguments: {} });
      expect(hung.isError).toBe(true);
      expect(text(hung)).toMatch(/did not answer within 0.4s/);
    } finally {
      gw.app.store.mutate((ws) => {
        ws.settings.upstreamTimeoutMs = 60_000;
      });
    }
  });

  it('an upstream that gives up on its question cancels it in the client too', async () => {
    const client = new Client({ name: 'cancel', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    let cancelled!: () => void;
    const wasCancelled = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    // The person answers the first question at once and never the second, which the upstream withdraws
    // (notifications/cancelled). (The first is answered because the SDK client cannot cancel a request
    // whose id is 0: it ignores falsy ids.)
    client.setRequestHandler(ElicitRequestSchema, (request, extra) =>
      request.params.message !== 'quick!'
        ? Promise.resolve({ action: 'accept', content: { name: 'first' } })
        : new Promise((_resolve, reject) => {
            extra.signal.addEventListener('abort', () => {
              cancelled();
              reject(new Error('withdrawn'));
            });
          }),
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gw.app.url}/mcp/gateway?customer_id=acme`), {
        requestInit: { headers: bearer(gw.mint('gateway', ['acme'])) },
      }),
    );
    open.push(client);
    expect(text(await client.callTool({ name: 'who__ask', arguments: {} }))).toContain('first');
    const result = await client.callTool({ name: 'who__ask-briefly', arguments: {} });
    expect(text(result)).toMatch(/gave up: .*timed out/i);
    await wasCancelled;
  });
});
