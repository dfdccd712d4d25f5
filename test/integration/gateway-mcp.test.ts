import { createHash, randomUUID } from 'node:crypto';
import { existsSync, type FSWatcher, readdirSync, readFileSync, watch } from 'node:fs';
import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  isInitializeRequest,
  ListToolsRequestSchema,
  LoggingMessageNotificationSchema,
  type Progress,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpUpstreamPool, type UpstreamTarget } from '../../src/main/core/connectors/mcp-pool';
import type { McpConnector } from '../../src/main/core/connectors/mcp-upstream';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

const FIXTURE = fileURLToPath(new URL('../fixtures/mcp/fixture-server.mjs', import.meta.url));
const RECORD_PID = pathToFileURL(
  fileURLToPath(new URL('../fixtures/mcp/record-pid.mjs', import.meta.url)),
).href;

let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;
const pidRoot = tempDir('portico-mcp-pids-');
const open: Client[] = [];

// ── helpers ────────────────────────────────────────────────────────────────

/** Resolves with the promise, or fails the test with `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const text = (result: unknown) =>
  ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

async function adminOk(name: string, args: Record<string, unknown>) {
  const result = (await admin.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}

const pidsIn = (dir: string): number[] => {
  try {
    return readdirSync(join(pidRoot, dir))
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Children of a fixture connector still running (refresh_connector's short-lived one has exited). */
const livePids = (dir: string) => pidsIn(dir).filter(alive);

/** Resolves when the fixture child `pid` has exited normally (it writes `<pid>.exit` then). */
async function exited(dir: string, pid: number, ms = 10_000): Promise<void> {
  const marker = join(pidRoot, dir, `${pid}.exit`);
  let watcher: FSWatcher | undefined;
  try {
    await within(
      new Promise<void>((resolve) => {
        watcher = watch(join(pidRoot, dir), () => existsSync(marker) && resolve());
        if (existsSync(marker)) resolve();
      }),
      ms,
      `child ${pid} to exit`,
    );
  } finally {
    watcher?.close();
  }
}

/** Notifications a gateway session received, waitable. */
class Inbox {
  readonly items: { kind: 'log' | 'list_changed'; params: unknown }[] = [];
  readonly #waiters = new Set<() => void>();

  push(kind: 'log' | 'list_changed', params: unknown) {
    this.items.push({ kind, params });
    for (const wake of this.#waiters) wake();
  }

  /** The first notification of `kind` (after `from`) that matches. */
  wait(
    kind: 'log' | 'list_changed',
    match: (params: unknown) => boolean = () => true,
    from = 0,
    ms = 10_000,
  ) {
    const find = () => this.items.slice(from).find((i) => i.kind === kind && match(i.params));
    return within(
      new Promise<unknown>((resolve) => {
        const check = () => {
          const hit = find();
          if (!hit) return;
          this.#waiters.delete(check);
          resolve(hit.params);
        };
        this.#waiters.add(check);
        check();
      }),
      ms,
      `a ${kind} notification`,
    );
  }
}

/** A gateway session for one customer, as an agent would open it. */
async function openGateway(customerId: string) {
  const client = await connectClient(
    `${gw.app.url}/mcp/gateway?customer_id=${customerId}`,
    bearer(gw.mint('gateway', [customerId])),
  );
  open.push(client);
  const inbox = new Inbox();
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => inbox.push('log', n.params));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => inbox.push('list_changed', {}));
  const call = (name: string, args: Record<string, unknown> = {}, options = {}) =>
    client.callTool({ name, arguments: args }, undefined, options) as Promise<CallToolResult>;
  return { client, inbox, call };
}

/** A stdio connector running the fixture server, connected for the given customers with their secret. */
async function fixtureConnector(slug: string, customers: Record<string, string>) {
  await adminOk('create_connector', {
    slug,
    name: slug,
    kind: 'mcp',
    transport: 'stdio',
    command: process.execPath,
    args: [FIXTURE],
    env: { FIXTURE_PID_DIR: join(pidRoot, slug) },
  });
  await adminOk('refresh_connector', { connector_id: slug });
  for (const [customer, secret] of Object.entries(customers)) {
    await adminOk('create_connection', {
      customer_id: customer,
      connector_id: slug,
      credentials: { env: { FIXTURE_SECRET: secret } },
    });
  }
}

/** A Streamable HTTP MCP server (stateful) that requires a bearer token and can forget its sessions. */
async function startHttpUpstream() {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const stats = { initializes: 0, notFound: 0 };
  const makeServer = () => {
    const server = new Server({ name: 'remote', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [
        {
          name: 'whoami',
          description: 'The headers this request came with.',
          inputSchema: { type: 'object', properties: {} },
          annotations: { readOnlyHint: true },
        },
        {
          name: 'add',
          description: 'Adds two numbers.',
          inputSchema: {
            type: 'object',
            properties: { a: { type: 'number' }, b: { type: 'number' } },
            required: ['a', 'b'],
          },
        },
      ],
    }));
    server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      const args = (request.params.arguments ?? {}) as { a?: number; b?: number };
      if (request.params.name === 'add')
        return { content: [{ type: 'text', text: String((args.a ?? 0) + (args.b ?? 0)) }] };
      const headers = extra.requestInfo?.headers ?? {};
      // The raw values come back masked by Portico's scrubber; their digests prove what arrived.
      const digest = (v: unknown) => createHash('sha256').update(String(v)).digest('hex');
      const seen = {
        authorization: headers.authorization,
        tenant: headers['x-tenant'],
        authorization_sha256: digest(headers.authorization),
        tenant_sha256: digest(headers['x-tenant']),
      };
      return { content: [{ type: 'text', text: JSON.stringify(seen) }], structuredContent: seen };
    });
    return server;
  };
  const readBody = async (req: IncomingMessage) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    return raw ? JSON.parse(raw) : undefined;
  };
  const http: HttpServer = createServer(async (req, res) => {
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('a bearer token is required');
      return;
    }
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) {
        stats.notFound += 1;
        res.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32001, message: 'Session not found' },
            id: null,
          }),
        );
        return;
      }
      await transport.handleRequest(req, res, body);
      return;
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
      stats.initializes += 1;
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, transport);
        },
      });
      await makeServer().connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    res.writeHead(400, { 'content-type': 'text/plain' }).end('no session');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stats,
    /** Goes down (sessions forgotten, port closed), as a crashed server would. */
    async stop() {
      await this.forget();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
    /** Comes back on the same port. */
    async start() {
      await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    },
    /** Forgets every session, as a restarted server would. */
    async forget() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((t) => t.close()));
    },
    async close() {
      if (http.listening) await this.stop();
    },
  };
}

let httpUpstream: Awaited<ReturnType<typeof startHttpUpstream>>;

beforeAll(async () => {
  // Portico's own environment must never reach an upstream child.
  process.env.PORTICO_TEST_PARENT_ONLY = 'parent-secret-value';
  gw = await startTestGateway();
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  for (const id of ['acme', 'globex', 'initech']) await adminOk('create_customer', { id, name: id });
  httpUpstream = await startHttpUpstream();
});

afterAll(async () => {
  delete process.env.PORTICO_TEST_PARENT_ONLY;
  await Promise.allSettled(open.map((c) => c.close()));
  await admin?.close().catch(() => {});
  await gw?.app.close();
  await httpUpstream?.close();
});

// ── tests ──────────────────────────────────────────────────────────────────

describe('server-everything over stdio as a customer connector', () => {
  beforeAll(async () => {
    const { command, args } = everythingServerCommand();
    await adminOk('create_connector', {
      slug: 'everything',
      name: 'Everything',
      kind: 'mcp',
      transport: 'stdio',
      command,
      args: ['--import', RECORD_PID, ...args],
      env: { FIXTURE_PID_DIR: join(pidRoot, 'everything') },
    });
    await adminOk('refresh_connector', { connector_id: 'everything' });
    for (const [customer, token] of [
      ['acme', 'acme-everything-token'],
      ['globex', 'globex-everything-token'],
    ] as const) {
      await adminOk('create_connection', {
        customer_id: customer,
        connector_id: 'everything',
        credentials: { env: { EVERYTHING_TOKEN: token } },
      });
      await adminOk('configure_customer_tools', { customer_id: customer, mode: 'all' });
    }
  }, 60_000);

  it("lists the upstream's tools with their schemas and annotations", async () => {
    const { client } = await openGateway('acme');
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        'everything__echo',
        'everything__get-sum',
        'everything__get-env',
        'everything__trigger-long-running-operation',
      ]),
    );
    expect(byName.get('everything__echo')?.inputSchema).toMatchObject({
      type: 'object',
      properties: { message: { type: 'string' } },
      required: ['message'],
    });
    expect(byName.get('everything__get-sum')?.inputSchema.properties).toMatchObject({
      a: { type: 'number' },
      b: { type: 'number' },
    });
    expect(byName.get('everything__trigger-long-running-operation')?.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
  });

  it('runs calls, passes progress through, and reuses one child across calls and sessions', async () => {
    const first = await openGateway('acme');
    const echoed = await first.call('everything__echo', { message: 'hello from acme' });
    expect(echoed.isError).toBeFalsy();
    expect(text(echoed)).toContain('hello from acme');
    const sum = await first.call('everything__get-sum', { a: 2, b: 40 });
    expect(sum.isError).toBeFalsy();
    expect(text(sum)).toContain('42');

    const progress: Progress[] = [];
    const long = await first.call(
      'everything__trigger-long-running-operation',
      { duration: 0.3, steps: 3 },
      { onprogress: (p: Progress) => progress.push(p) },
    );
    expect(long.isError, text(long)).toBeFalsy();
    expect(text(long)).toContain('Long running operation completed');
    // Steps 1..3, in order. (The SDK handles a progress notification a microtask after it
    // arrives, so one that lands right before the result can be dropped by either client.)
    const steps = progress.map((p) => p.progress);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps).toEqual([1, 2, 3].slice(0, steps.length));
    expect(progress.every((p) => p.total === 3)).toBe(true);

    const second = await openGateway('acme');
    expect(text(await second.call('everything__echo', { message: 'again' }))).toContain('again');
    expect(text(await first.call('everything__echo', { message: 'and again' }))).toContain('and again');
    // One child for acme's connection, shared by both sessions and every call.
    expect(livePids('everything')).toHaveLength(1);
  });

  it("starts each customer's child with that customer's env, and only that", async () => {
    const acme = await openGateway('acme');
    const globex = await openGateway('globex');
    const acmeEnv = text(await acme.call('everything__get-env'));
    const globexEnv = text(await globex.call('everything__get-env'));
    // Each child got a token its own customer's scrubber knows (and masks): acme's in acme's child.
    expect(JSON.parse(acmeEnv)).toMatchObject({ EVERYTHING_TOKEN: '***' });
    expect(JSON.parse(globexEnv)).toMatchObject({ EVERYTHING_TOKEN: '***' });
    expect(acmeEnv).not.toContain('globex-everything-token');
    expect(globexEnv).not.toContain('acme-everything-token');
    // Portico's own environment stays out of the children.
    expect(acmeEnv).not.toContain('parent-secret-value');
    expect(JSON.parse(acmeEnv).PATH).toBeTruthy();
    // A second child for globex's connection; acme's is still the same one.
    expect(livePids('everything')).toHaveLength(2);

    // A key restricted to acme cannot open globex's gateway at all.
    await expect(
      connectClient(`${gw.app.url}/mcp/gateway?customer_id=globex`, bearer(gw.mint('gateway', ['acme']))),
    ).rejects.toThrow();
    // Nor can acme's session name globex's tools into running: every call runs on acme's connection.
    for (let i = 0; i < 3; i += 1)
      expect(text(await acme.call('everything__get-env'))).not.toContain('globex-everything-token');
    expect(livePids('everything')).toHaveLength(2);
  });
});

describe('a Streamable HTTP upstream', () => {
  beforeAll(async () => {
    await adminOk('create_connector', {
      slug: 'remote',
      name: 'Remote',
      kind: 'mcp',
      transport: 'http',
      url: httpUpstream.url,
      headers: { 'x-tenant': 'shared-tenant' },
    });
    await adminOk('create_connection', {
      customer_id: 'initech',
      connector_id: 'remote',
      credentials: { headers: { authorization: 'Bearer initech-remote-token' } },
    });
    await adminOk('refresh_connector', { connector_id: 'remote', customer_id: 'initech' });
    await adminOk('configure_customer_tools', { customer_id: 'initech', mode: 'all' });
  });

  it("sends the connection's headers and runs calls", async () => {
    const session = await openGateway('initech');
    const names = (await session.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['remote__whoami', 'remote__add']));
    const who = await session.call('remote__whoami');
    expect(who.isError, text(who)).toBeFalsy();
    const digest = (v: string) => createHash('sha256').update(v).digest('hex');
    // What the upstream got: the customer's header and the connector's shared one…
    expect(who.structuredContent).toMatchObject({
      authorization_sha256: digest('Bearer initech-remote-token'),
      tenant_sha256: digest('shared-tenant'),
    });
    // …and what came back to the agent: both scrubbed, as this call's own secrets.
    expect(who.structuredContent).toMatchObject({ authorization: '***', tenant: '***' });
    expect(text(who)).not.toContain('initech-remote-token');
    expect(text(who)).not.toContain('shared-tenant');
    expect(text(await session.call('remote__add', { a: 20, b: 22 }))).toBe('42');
  });

  it('reconnects transparently when the upstream forgets the session (404)', async () => {
    const session = await openGateway('initech');
    expect(text(await session.call('remote__add', { a: 1, b: 1 }))).toBe('2');
    const before = { ...httpUpstream.stats };
    await httpUpstream.forget();
    const after = await session.call('remote__add', { a: 2, b: 3 });
    expect(after.isError, text(after)).toBeFalsy();
    expect(text(after)).toBe('5');
    expect(httpUpstream.stats.notFound).toBeGreaterThan(before.notFound);
    expect(httpUpstream.stats.initializes).toBe(before.initializes + 1);
    // And the new session keeps working.
    expect(text(await session.call('remote__add', { a: 3, b: 4 }))).toBe('7');
    expect(httpUpstream.stats.initializes).toBe(before.initializes + 1);
  });

  it('an upstream that is down: isError naming it; the next call works once it is back', async () => {
    const session = await openGateway('initech');
    expect(text(await session.call('remote__add', { a: 1, b: 2 }))).toBe('3');
    await httpUpstream.stop();
    try {
      const down = await session.call('remote__add', { a: 1, b: 2 });
      expect(down.isError).toBe(true);
      expect(text(down)).toContain(`"remote" failed: could not reach ${httpUpstream.url}`);
      expect(text(down)).toContain('ECONNREFUSED');
    } finally {
      await httpUpstream.start();
    }
    const back = await session.call('remote__add', { a: 2, b: 2 });
    expect(back.isError, text(back)).toBeFalsy();
    expect(text(back)).toBe('4');
  });
});

describe("an upstream's tools/list_changed", () => {
  beforeAll(async () => {
    await fixtureConnector('dyn', { acme: 'acme-dyn' });
  });

  it("reaches the customer's open sessions with the new tool", async () => {
    const watcher = await openGateway('acme');
    const caller = await openGateway('acme');
    const before = (await watcher.client.listTools()).tools.map((t) => t.name);
    expect(before).toContain('dyn__whoami');
    expect(before).not.toContain('dyn__fresh_tool');

    const added = await caller.call('dyn__add_tool', { name: 'fresh_tool' });
    expect(added.isError, text(added)).toBeFalsy();
    await watcher.inbox.wait('list_changed');
    await caller.inbox.wait('list_changed');
    const after = (await watcher.client.listTools()).tools;
    const fresh = after.find((t) => t.name === 'dyn__fresh_tool');
    expect(fresh?.description).toBe('Added at runtime: fresh_tool.');
    const ran = await watcher.call('dyn__fresh_tool');
    expect(ran.isError, text(ran)).toBeFalsy();
    expect(text(ran)).toBe('ran fresh_tool');
    // The refresh used the live session: still one child.
    expect(livePids('dyn')).toHaveLength(1);
  });
});

describe('faults', () => {
  beforeAll(async () => {
    await fixtureConnector('flaky', { globex: 'globex-flaky' });
  });

  const setTimeoutMs = (ms: number) =>
    gw.app.store.mutate((ws) => {
      ws.settings.upstreamTimeoutMs = ms;
    });

  it('a server that exits mid-call: a clear isError, then the next call runs on a restarted child', async () => {
    const session = await openGateway('globex');
    const first = await session.call('flaky__whoami');
    const firstPid = (first.structuredContent as { pid: number }).pid;
    const crashed = await session.call('flaky__crash');
    expect(crashed.isError).toBe(true);
    expect(text(crashed)).toMatch(/"flaky" failed: it stopped during the call/);
    expect(text(crashed)).toContain('crashing on purpose');
    expect(alive(firstPid)).toBe(false);

    const next = await session.call('flaky__whoami');
    expect(next.isError, text(next)).toBeFalsy();
    const nextPid = (next.structuredContent as { pid: number; secret: string }).pid;
    expect(nextPid).not.toBe(firstPid);
    // The restarted child has globex's secret (it records it beside its pid); the agent sees it masked.
    expect(next.structuredContent).toMatchObject({ secret: '***' });
    expect(readFileSync(join(pidRoot, 'flaky', String(nextPid)), 'utf8')).toBe('globex-flaky');
    expect(gw.logs.join('\n')).toMatch(/"flaky".*closed.*crashing on purpose/);
  });

  it('a tool that never answers: isError after the timeout, cancelled upstream, next calls fine', async () => {
    setTimeoutMs(1500);
    try {
      const session = await openGateway('globex');
      const pid = (((await session.call('flaky__whoami')).structuredContent ?? {}) as { pid: number }).pid;
      const hung = await within(session.call('flaky__hang', { tag: 'timeout' }), 10_000, 'the hung call');
      expect(hung.isError).toBe(true);
      expect(text(hung)).toMatch(/"flaky" failed: it did not answer within 1\.5s/);
      // The upstream got notifications/cancelled, and its log reaches the customer's session.
      await session.inbox.wait(
        'log',
        (p) => (p as { data?: { cancelled?: string } }).data?.cancelled === 'timeout',
      );
      const next = await session.call('flaky__echo', { text: 'still here' });
      expect(text(next)).toBe('echo: still here');
      expect((((await session.call('flaky__whoami')).structuredContent ?? {}) as { pid: number }).pid).toBe(
        pid,
      );
    } finally {
      setTimeoutMs(60_000);
    }
  });

  it('a server that never answers at all: isError after the timeout, and its child is stopped', async () => {
    await fixtureConnector('mute', { globex: 'globex-mute' });
    await adminOk('update_connector', {
      connector_id: 'mute',
      env: { FIXTURE_PID_DIR: join(pidRoot, 'mute'), FIXTURE_MODE: 'mute' },
    });
    setTimeoutMs(1500);
    try {
      const session = await openGateway('globex');
      const result = await within(session.call('mute__echo', { text: 'anyone?' }), 10_000, 'the mute call');
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(
        /"mute" failed: Could not connect to the MCP server `.*fixture-server\.mjs`.*timed out/,
      );
      // The refresh's child and the mute one are both gone.
      expect(pidsIn('mute').length).toBeGreaterThanOrEqual(2);
      for (const pid of pidsIn('mute')) expect(alive(pid), `pid ${pid}`).toBe(false);
      // The gateway is fine: other connectors still answer.
      expect(text(await session.call('flaky__echo', { text: 'ok' }))).toBe('echo: ok');
    } finally {
      setTimeoutMs(60_000);
    }
  });

  it("a command that doesn't exist: isError naming the command", async () => {
    await fixtureConnector('ghost', { globex: 'globex-ghost' });
    await adminOk('update_connector', {
      connector_id: 'ghost',
      command: '/nonexistent/portico-ghost-server',
    });
    const session = await openGateway('globex');
    const result = await session.call('ghost__echo', { text: 'boo' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(
      /"ghost" failed: Could not connect .*\/nonexistent\/portico-ghost-server.*ENOENT/,
    );
    expect(text(await session.call('flaky__echo', { text: 'fine' }))).toBe('echo: fine');
    // Tried again at once; after a second failure in a row Portico backs off instead of respawning.
    expect(text(await session.call('ghost__echo', { text: 'boo' }))).toMatch(/ENOENT/);
    const backedOff = await session.call('ghost__echo', { text: 'boo' });
    expect(backedOff.isError).toBe(true);
    expect(text(backedOff)).toMatch(
      /"ghost" failed: it failed 2 times in a row; Portico tries it again in 1s/,
    );
    expect(gw.logs.join('\n')).toMatch(/portico-ghost-server.*ENOENT.*backing off 1s/);
  });

  it('a cancelled call is cancelled upstream and leaves nothing behind', async () => {
    const session = await openGateway('globex');
    const children = pidsIn('flaky');
    const controller = new AbortController();
    const call = session.call(
      'flaky__hang',
      { tag: 'client-abort' },
      // The fixture reports progress once it is running: cancel then.
      { signal: controller.signal, onprogress: () => controller.abort('the user changed their mind') },
    );
    await expect(within(call, 10_000, 'the aborted call')).rejects.toThrow();
    const log = await session.inbox.wait(
      'log',
      (p) => (p as { data?: { cancelled?: string } }).data?.cancelled === 'client-abort',
    );
    expect(log).toMatchObject({ level: 'info', logger: 'fixture' });
    // The session and its child are still usable, and no new child was started.
    expect(text(await session.call('flaky__echo', { text: 'after cancel' }))).toBe('echo: after cancel');
    expect(pidsIn('flaky')).toEqual(children);
    expect(livePids('flaky')).toHaveLength(1);
  });
});

describe('the upstream pool', () => {
  const connector = {
    id: 'direct',
    slug: 'direct',
    name: 'Direct',
    description: '',
    actions: [],
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    kind: 'mcp',
    transport: 'stdio',
    command: process.execPath,
    args: [FIXTURE],
    envKeys: [],
  } satisfies McpConnector;
  const target = (version: string, secret: string): UpstreamTarget => ({
    connector,
    connectionId: 'conn_direct',
    customerId: 'acme',
    version,
    secrets: () => ({ env: { FIXTURE_PID_DIR: join(pidRoot, 'direct'), FIXTURE_SECRET: secret } }),
  });
  const whoami = async (pool: McpUpstreamPool, t: UpstreamTarget) =>
    (await pool.call(t, 'whoami', {})).structuredContent as { pid: number; secret: string };

  it('restarts a session whose credentials changed, and closes idle sessions', async () => {
    const pool = new McpUpstreamPool({ toolsChanged() {}, log() {}, report() {} }, 200);
    try {
      const first = await whoami(pool, target('v1', 'one'));
      expect(await whoami(pool, target('v1', 'one'))).toEqual(first);
      // New credentials: a fresh child with them, and the old one is stopped.
      const second = await whoami(pool, target('v2', 'two'));
      expect(second.secret).toBe('two');
      expect(second.pid).not.toBe(first.pid);
      await exited('direct', first.pid);
      // Unused for longer than the idle timeout: closed, child and all.
      await exited('direct', second.pid);
      expect(pool.size).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

describe('deleting what a session serves', () => {
  it("stops a deleted connection's upstream child at once, not at the idle sweep", async () => {
    await adminOk('create_customer', { id: 'leaver', name: 'Leaver' });
    await fixtureConnector('gone', { leaver: 'leaver-secret' });
    const session = await openGateway('leaver');
    const pid = ((await session.call('gone__whoami')).structuredContent as { pid: number }).pid;
    expect(alive(pid)).toBe(true);
    const connection = (await adminOk('list_connections', {
      customer_id: 'leaver',
      connector_id: 'gone',
    })) as {
      connections: { id: string }[];
    };
    await adminOk('delete_connection', { connection_id: connection.connections[0]?.id });
    await exited('gone', pid);
  });
});

describe('shutdown', () => {
  it('leaves no upstream child running after the app closes', async () => {
    const all = readdirSync(pidRoot).flatMap((dir) => pidsIn(dir));
    expect(all.length).toBeGreaterThanOrEqual(6);
    await Promise.allSettled(open.splice(0).map((c) => c.close()));
    await admin.close();
    await gw.app.close();
    for (const pid of all) expect(alive(pid), `child ${pid} still runs`).toBe(false);
  });
});
