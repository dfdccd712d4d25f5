import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  type ResourceUpdatedNotification,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingServerCommand, startEverythingHttp } from '../helpers/everything';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';

// The data plane as an MCP aggregator, with the reference server-everything as the upstream twice
// over: `ev` over stdio and `evh` over Streamable HTTP. Two customers each have their own
// connection (their own child, their own HTTP session) to both.

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
let httpEverything: Awaited<ReturnType<typeof startEverythingHttp>>;
const open: Client[] = [];
const DOC = 'demo://resource/static/document/features.md';

const text = (result: unknown) =>
  ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function adminOk(name: string, args: Record<string, unknown>) {
  const result = (await admin.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}

interface Answers {
  elicit?: string;
  sample?: string;
}

/** A customer's session; `answers` declares (and answers) elicitation and sampling. */
async function session(customerId: string, answers: Answers = {}) {
  const capabilities = {
    ...(answers.elicit ? { elicitation: { form: {} } } : {}),
    ...(answers.sample ? { sampling: {} } : {}),
  };
  const client = new Client({ name: `test-${customerId}`, version: '1.0.0' }, { capabilities });
  const asked: string[] = [];
  if (answers.elicit)
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { name: answers.elicit as string } };
    });
  if (answers.sample)
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      asked.push(JSON.stringify(request.params.messages));
      return {
        model: 'test-model',
        role: 'assistant',
        content: { type: 'text', text: answers.sample as string },
      };
    });
  const updates: ResourceUpdatedNotification['params'][] = [];
  const waiters: (() => void)[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updates.push(n.params);
    for (const w of waiters.splice(0)) w();
  });
  const key = gw.mint('gateway', [customerId]);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gw.app.url}/mcp/gateway?customer_id=${customerId}`), {
      requestInit: { headers: bearer(key) },
    }),
  );
  open.push(client);
  const nextUpdate = () => new Promise<void>((resolve) => waiters.push(resolve));
  return { client, asked, updates, nextUpdate };
}

beforeAll(async () => {
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  httpEverything = await startEverythingHttp();
  for (const id of ['acme', 'globex']) await adminOk('create_customer', { id, name: id });
  await adminOk('create_connector', {
    slug: 'ev',
    name: 'Everything',
    kind: 'mcp',
    transport: 'stdio',
    ...everythingServerCommand(),
  });
  await adminOk('create_connector', {
    slug: 'evh',
    name: 'Everything HTTP',
    kind: 'mcp',
    transport: 'http',
    url: httpEverything.url,
  });
  for (const customer of ['acme', 'globex']) {
    await adminOk('create_connection', {
      customer_id: customer,
      connector_id: 'ev',
      credentials: { env: { WHO: customer } },
    });
    await adminOk('create_connection', {
      customer_id: customer,
      connector_id: 'evh',
      credentials: { headers: { 'x-who': customer } },
    });
    await adminOk('configure_customer_tools', { customer_id: customer, mode: 'all' });
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
  await admin?.close().catch(() => {});
  await gw?.app.close();
  await httpEverything?.close();
});

describe('server-everything behind the gateway (stdio and Streamable HTTP)', () => {
  it('declares the aggregated capabilities and merges the upstream instructions', async () => {
    const { client } = await session('acme');
    expect(client.getServerCapabilities()).toMatchObject({
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
    });
    // Opened by the session above's first request; a new session carries them.
    await client.listResources();
    const next = await session('acme');
    expect(next.client.getInstructions()).toContain('(ev)');
  });

  it('lists and reads resources and templates of both connectors; a colliding URI is portico://<slug>/…', async () => {
    const { client } = await session('acme');
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    const renamed = `portico://evh/${encodeURIComponent(DOC)}`;
    expect(uris).toContain(DOC);
    expect(uris).toContain(renamed);
    const direct = await client.readResource({ uri: DOC });
    const viaHttp = await client.readResource({ uri: renamed });
    expect(direct.contents[0]).toMatchObject({ uri: DOC, text: expect.stringContaining('#') });
    expect(viaHttp.contents[0]).toMatchObject({
      uri: renamed,
      text: (direct.contents[0] as { text: string }).text,
    });

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(
      expect.arrayContaining([
        'demo://resource/dynamic/text/{resourceId}',
        'demo://resource/dynamic/blob/{resourceId}',
      ]),
    );
    const blob = await client.readResource({ uri: 'demo://resource/dynamic/blob/3' });
    expect(blob.contents[0]).toMatchObject({
      uri: 'demo://resource/dynamic/blob/3',
      blob: expect.any(String),
    });
    const textual = await client.readResource({ uri: 'demo://resource/dynamic/text/2' });
    expect(textual.contents[0]).toMatchObject({ text: expect.stringContaining('2') });
    await expect(client.readResource({ uri: 'demo://nothing/here' })).rejects.toThrow(/Resource not found/);
  });

  it('lists prompts as <slug>__<prompt> and gets them with arguments and embedded resources', async () => {
    const { client } = await session('acme');
    const names = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['ev__simple-prompt', 'ev__args-prompt', 'evh__resource-prompt']),
    );
    const args = await client.getPrompt({ name: 'ev__args-prompt', arguments: { city: 'Lisbon' } });
    expect(JSON.stringify(args.messages)).toContain('Lisbon');
    const embedded = await client.getPrompt({
      name: 'evh__resource-prompt',
      arguments: { resourceType: 'Blob', resourceId: '4' },
    });
    expect(embedded.messages[1]?.content).toMatchObject({
      type: 'resource',
      resource: { uri: 'demo://resource/dynamic/blob/4', blob: expect.any(String) },
    });
    await expect(client.getPrompt({ name: 'nope__x' })).rejects.toThrow(/Unknown prompt "nope__x"/);
  });

  it('completes prompt arguments and template variables at the owning upstream', async () => {
    const { client } = await session('acme');
    const prompt = await client.complete({
      ref: { type: 'ref/prompt', name: 'evh__completable-prompt' },
      argument: { name: 'department', value: 'Eng' },
    });
    expect(prompt.completion.values).toEqual(['Engineering']);
    const narrowed = await client.complete({
      ref: { type: 'ref/prompt', name: 'ev__completable-prompt' },
      argument: { name: 'name', value: '' },
      context: { arguments: { department: 'Sales' } },
    });
    expect(narrowed.completion.values).toEqual(['David', 'Eve', 'Frank']);
    const template = await client.complete({
      ref: { type: 'ref/resource', uri: 'demo://resource/dynamic/text/{resourceId}' },
      argument: { name: 'resourceId', value: '1' },
    });
    expect(template.completion.values.length).toBeGreaterThan(0);
  });

  it("a subscription's updates reach the session that subscribed, not the customer's other sessions or another customer", async () => {
    const a1 = await session('acme');
    const a2 = await session('acme');
    const g = await session('globex');
    const renamed = `portico://evh/${encodeURIComponent(DOC)}`;
    await a1.client.listResources();
    await g.client.listResources();
    await a1.client.subscribeResource({ uri: DOC });
    await a1.client.subscribeResource({ uri: renamed });
    await g.client.subscribeResource({ uri: DOC });
    // server-everything sends an update for each subscribed resource at once when told to start.
    const both = new Promise<void>((resolve) => {
      const check = (): unknown => (a1.updates.length >= 2 ? resolve() : a1.nextUpdate().then(check));
      check();
    });
    for (const tool of ['ev__toggle-subscriber-updates', 'evh__toggle-subscriber-updates']) {
      const started = await a1.client.callTool({ name: tool, arguments: {} });
      expect(started.isError, text(started)).toBeFalsy();
    }
    await both;
    expect(a1.updates.map((u) => u.uri).sort()).toEqual([DOC, renamed].sort());
    // A round trip on each other session: anything sent to them with a1's updates has arrived.
    await Promise.all([a2.client.ping(), g.client.ping(), a2.client.listTools(), g.client.listTools()]);
    expect(a2.updates).toEqual([]);
    expect(g.updates).toEqual([]);
    for (const tool of ['ev__toggle-subscriber-updates', 'evh__toggle-subscriber-updates'])
      await a1.client.callTool({ name: tool, arguments: {} });
    await a1.client.unsubscribeResource({ uri: DOC });
  });

  it('refuses, with a clear error to the upstream, what the calling client did not declare', async () => {
    const plain = await session('acme');
    const refused = await plain.client.callTool({ name: 'ev__trigger-elicitation-request', arguments: {} });
    expect(text(refused)).toMatch(/cannot forward elicitation\/create.*`elicitation` capability/s);
    const elicitOnly = await session('globex', { elicit: 'Gia' });
    const noSampling = await elicitOnly.client.callTool({
      name: 'evh__trigger-sampling-request',
      arguments: { prompt: 'hi', maxTokens: 5 },
    });
    expect(text(noSampling)).toMatch(/cannot forward sampling\/createMessage.*`sampling` capability/s);
    expect(elicitOnly.asked).toEqual([]);
  });

  it('forwards elicitation and sampling to the calling session only, for each customer, concurrently', async () => {
    const sessions = await Promise.all([
      session('acme', { elicit: 'Ann', sample: 'from-ann' }),
      session('acme', { elicit: 'Bob', sample: 'from-bob' }),
      session('globex', { elicit: 'Gia', sample: 'from-gia' }),
    ]);
    const tools = (await sessions[0]?.client.listTools())?.tools.map((t) => t.name) ?? [];
    expect(tools).toEqual(
      expect.arrayContaining(['ev__trigger-elicitation-request', 'evh__trigger-sampling-request']),
    );
    const calls = sessions.flatMap(({ client }) => [
      client.callTool({ name: 'ev__trigger-elicitation-request', arguments: {} }),
      client.callTool({ name: 'evh__trigger-elicitation-request', arguments: {} }),
      client.callTool({ name: 'ev__trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } }),
      client.callTool({ name: 'evh__trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } }),
    ]);
    const results = (await Promise.all(calls)).map(text);
    const expected = [
      ['Ann', 'from-ann'],
      ['Bob', 'from-bob'],
      ['Gia', 'from-gia'],
    ];
    expected.forEach(([name, sample], i) => {
      const mine = results.slice(i * 4, i * 4 + 4);
      expect(mine[0]).toContain(name);
      expect(mine[1]).toContain(name);
      expect(mine[2]).toContain(sample);
      expect(mine[3]).toContain(sample);
      const others = expected.filter((_, j) => j !== i).flat();
      for (const other of others) expect(mine.join('\n')).not.toContain(other);
      expect(sessions[i]?.asked).toHaveLength(4);
    });
  });
});
