import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/main/core/auth/api-keys';
import { PORTICO_BIN, portico, type Served, serve } from '../helpers/cli';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, connectClient } from '../helpers/gateway';
import { startNotesApi } from '../helpers/notes-api';
import { tempDir } from '../helpers/temp';

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;
const UPSTREAM_KEY = 'notes-upstream-secret-77';

interface StdioEntry {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const open: Client[] = [];
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
});

/** Rejects after `ms` unless `promise` settles first: every wait has a deadline. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A workspace with a running server, and config files for the clients under test. */
async function workspace() {
  const root = tempDir();
  const dataDir = join(root, 'data');
  const env = {
    HOME: join(root, 'home'),
    PORTICO_CLAUDE_DESKTOP_CONFIG: join(root, 'Claude', 'claude_desktop_config.json'),
    PORTICO_CURSOR_CONFIG: join(root, '.cursor', 'mcp.json'),
  };
  const served = await serve(['--data-dir', dataDir]);
  const firstKey = KEY.exec(served.output())?.[0] as string;
  const cli = (...args: string[]) => {
    const result = portico([...args, '--data-dir', dataDir], { env });
    expect(result.code, `portico ${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  };
  return { root, dataDir, env, served, firstKey, cli };
}

/** The entry `portico clients add claude-desktop` wrote, read back from the file. */
function claudeDesktopEntry(file: string, name: string): StdioEntry {
  const config = JSON.parse(readFileSync(file, 'utf8')) as { mcpServers: Record<string, StdioEntry> };
  const entry = config.mcpServers[name];
  if (!entry) throw new Error(`${name} missing from ${file}`);
  return entry;
}

/** Starts exactly the command, args and env from the entry, as Claude Desktop does, and connects. */
async function connectAsClaudeDesktop(entry: StdioEntry) {
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: entry.env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'claude-desktop-test', version: '1.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => {
    // The SDK client handles a notification a microtask after it arrives, so a progress note
    // read in the same chunk as its call's result finds its token already gone. Not ours to fix.
    if (/progress notification for an unknown token/.test(error.message)) return;
    errors.push(error);
  };
  open.push(client);
  await client.connect(transport);
  return { client, transport, errors, stderr: () => stderr };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Claude Desktop through portico bridge', () => {
  it('admin plane: the written entry starts the bridge; initialize, tools/list and tools/call work', async () => {
    const ws = await workspace();
    const added = ws.cli('clients', 'add', 'claude-desktop', '--plane', 'admin');
    expect(added.stdout).toContain(ws.env.PORTICO_CLAUDE_DESKTOP_CONFIG);
    expect(added.stdout).toMatch(/Quit Claude Desktop completely/);
    const entry = claudeDesktopEntry(ws.env.PORTICO_CLAUDE_DESKTOP_CONFIG, 'portico-admin');
    expect(entry.command).toBe(process.execPath);
    expect(entry.args).toEqual([PORTICO_BIN, 'bridge', '--plane', 'admin', '--data-dir', ws.dataDir]);
    expect(entry.env.PORTICO_API_KEY).toMatch(KEY);
    expect(entry.args.join(' ')).not.toMatch(/ptc_/);

    const { client, errors, stderr } = await connectAsClaudeDesktop(entry);
    expect(client.getServerVersion()?.name).toMatch(/portico/i);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['create_customer', 'list_customers', 'get_client_config']),
    );
    const created = await client.callTool({
      name: 'create_customer',
      arguments: { id: 'globex', name: 'Globex' },
    });
    expect(created.isError).toBeFalsy();
    expect(created.structuredContent).toMatchObject({ id: 'globex', name: 'Globex' });
    const failed = await client.callTool({ name: 'get_customer', arguments: { customer_id: 'nobody' } });
    expect(failed.isError).toBe(true);
    // `portico clients remove` revokes the entry's key: the bridge then says the key is rejected.
    ws.cli('clients', 'remove', 'claude-desktop', '--plane', 'admin');
    await expect(client.listTools()).rejects.toThrow(/rejected the key in PORTICO_API_KEY/);
    await client.close();
    expect(errors).toEqual([]);
    expect(stderr()).not.toMatch(KEY);
    expect(await ws.served.stop()).toBe(0);
  });

  it("a customer's data plane: real tool calls, and tools/list_changed after a change from the CLI", async () => {
    const ws = await workspace();
    const api = await startNotesApi(UPSTREAM_KEY);
    const admin = await connectClient(`${ws.served.url}/mcp/admin`, bearer(ws.firstKey));
    open.push(admin);
    const ok = async (name: string, args: Record<string, unknown>) => {
      const result = await admin.callTool({ name, arguments: args });
      expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
    };
    await ok('create_customer', { id: 'acme', name: 'Acme' });
    await ok('import_openapi', { slug: 'notes', spec_url: `${api.url}/openapi.json` });
    await ok('set_auth_config', {
      connector_id: 'notes',
      scheme: 'api_key',
      in: 'header',
      name: 'X-API-Key',
    });
    await ok('create_connection', {
      customer_id: 'acme',
      connector_id: 'notes',
      credentials: { api_key: UPSTREAM_KEY },
    });
    // An MCP upstream too (the reference server from npm), for progress and cancellation.
    await ok('create_connector', {
      slug: 'everything',
      name: 'Everything',
      kind: 'mcp',
      transport: 'stdio',
      ...everythingServerCommand(),
    });
    await ok('refresh_connector', { connector_id: 'everything' });
    await ok('create_connection', { customer_id: 'acme', connector_id: 'everything', credentials: {} });
    await ok('configure_customer_tools', {
      customer_id: 'acme',
      mode: 'selected',
      connector_ids: ['notes', 'everything'],
      tool_mode: 'direct',
    });

    ws.cli('clients', 'add', 'claude-desktop', '--plane', 'gateway', '--customer', 'acme');
    const entry = claudeDesktopEntry(ws.env.PORTICO_CLAUDE_DESKTOP_CONFIG, 'portico-acme');
    expect(entry.args).toEqual([
      PORTICO_BIN,
      'bridge',
      '--plane',
      'gateway',
      '--customer',
      'acme',
      '--data-dir',
      ws.dataDir,
    ]);
    const { client, errors } = await connectAsClaudeDesktop(entry);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names.filter((n) => n.startsWith('notes__')).sort()).toEqual([
      'notes__create_note',
      'notes__delete_note',
      'notes__get_note',
      'notes__list_notes',
    ]);
    expect(names).toContain('everything__trigger-long-running-operation');
    const note = await client.callTool({ name: 'notes__get_note', arguments: { noteId: 'n1' } });
    expect(note.isError).toBeFalsy();
    expect(JSON.stringify(note.content)).toContain('first');
    expect(api.seen.at(-1)).toMatchObject({ method: 'GET', url: '/notes/n1' });
    expect(api.seen.at(-1)?.headers['x-api-key']).toBe(UPSTREAM_KEY);

    // Progress notifications come back through the bridge, tied to the request's token.
    const LONG = 'everything__trigger-long-running-operation';
    const progress: number[] = [];
    const long = await client.callTool({ name: LONG, arguments: { duration: 0.3, steps: 3 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(long.isError, JSON.stringify(long.content)).toBeFalsy();
    // (The gateway itself sometimes loses the last note, sent as the result goes out: not checked here.)
    expect(progress.slice(0, 2)).toEqual([1, 2]);

    // A cancellation goes up as notifications/cancelled; the session carries on.
    const controller = new AbortController();
    let started: () => void = () => {};
    const firstStep = new Promise<void>((resolve) => {
      started = resolve;
    });
    const cancelled = client.callTool({ name: LONG, arguments: { duration: 60, steps: 120 } }, undefined, {
      signal: controller.signal,
      onprogress: () => started(),
    });
    await within(firstStep, 15_000, 'the first progress notification');
    controller.abort('the user pressed stop');
    await expect(cancelled).rejects.toThrow(/stop/);
    const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'still here' } });
    expect(JSON.stringify(echo.content)).toContain('still here');

    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()),
    );
    ws.cli(
      'admin',
      'configure_customer_tools',
      JSON.stringify({
        customer_id: 'acme',
        mode: 'selected',
        connector_ids: ['notes'],
        tool_mode: 'search',
      }),
    );
    await within(changed, 15_000, 'notifications/tools/list_changed through the bridge');
    const after = await client.listTools();
    expect(after.tools.map((t) => t.name).sort()).toEqual(['call_tool', 'describe_tool', 'search_tools']);
    const viaSearch = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'notes__create_note', arguments: { text: 'from Claude' } },
    });
    expect(viaSearch.isError).toBeFalsy();
    expect(api.notes.size).toBe(2);
    await client.close();
    expect(errors).toEqual([]);
    expect(await ws.served.stop()).toBe(0);
  }, 60_000);

  it('a customer with nothing exposed lists no tools and says how to configure', async () => {
    const ws = await workspace();
    ws.cli('admin', 'create_customer', '{"id":"empty","name":"Empty"}');
    ws.cli('clients', 'add', 'claude-desktop', '--plane', 'gateway', '--customer', 'empty');
    const { client } = await connectAsClaudeDesktop(
      claudeDesktopEntry(ws.env.PORTICO_CLAUDE_DESKTOP_CONFIG, 'portico-empty'),
    );
    expect(client.getInstructions()).toContain('No tools configured. Click Configure to enable connectors.');
    expect((await client.listTools()).tools).toEqual([]);
    await client.close();
    expect(await ws.served.stop()).toBe(0);
  });

  it('survives a gateway restart on the same port: the next call succeeds on a new session', async () => {
    const ws = await workspace();
    ws.cli('clients', 'add', 'claude-desktop', '--plane', 'admin');
    const { client, transport, errors, stderr } = await connectAsClaudeDesktop(
      claudeDesktopEntry(ws.env.PORTICO_CLAUDE_DESKTOP_CONFIG, 'portico-admin'),
    );
    const bridgePid = transport.pid;
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);

    const port = new URL(ws.served.url).port;
    expect(await ws.served.stop()).toBe(0);
    // While it is down, a call fails at once with the way out, and the session stays usable.
    await expect(client.callTool({ name: 'list_customers', arguments: {} })).rejects.toThrow(
      /Portico is not running.*portico serve/,
    );
    let again: Served | undefined;
    try {
      again = await serve(['--data-dir', ws.dataDir, '--port', port]);
      expect(again.url).toBe(ws.served.url);
      const created = await client.callTool({
        name: 'create_customer',
        arguments: { id: 'after-restart', name: 'After restart' },
      });
      expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('create_customer');
      expect(transport.pid).toBe(bridgePid);
      expect(stderr()).toMatch(/reconnected to/);
      expect(stderr()).not.toMatch(KEY);
      await client.close();
      expect(errors).toEqual([]);
    } finally {
      await again?.stop();
    }
  });

  it('fails initialize with "start Portico" when no gateway answers, saying where it looked', async () => {
    const port = await closedPort();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        PORTICO_BIN,
        'bridge',
        '--plane',
        'admin',
        '--url',
        `http://127.0.0.1:${port}`,
        '--data-dir',
        tempDir(),
      ],
      env: { PORTICO_API_KEY: generateApiKey().key },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'claude-desktop-test', version: '1.0.0' });
    open.push(client);
    const error = await client.connect(transport).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/Portico is not running/);
    expect(error?.message).toContain(`http://127.0.0.1:${port}/mcp/admin`);
    expect(error?.message).toMatch(/--url/);
    expect(error?.message).toMatch(/npm start/);
    expect(error?.message).toMatch(/portico serve/);
    await client.close();
  });

  it('without PORTICO_API_KEY initialize fails saying so; a key in argv is refused', async () => {
    const client = new Client({ name: 'claude-desktop-test', version: '1.0.0' });
    open.push(client);
    const error = await client
      .connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [PORTICO_BIN, 'bridge', '--plane', 'admin', '--data-dir', tempDir()],
          env: {},
          stderr: 'pipe',
        }),
      )
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(/PORTICO_API_KEY is not set/);
    await client.close();

    const refused = portico(['bridge', '--plane', 'admin', '--key', generateApiKey().key]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/PORTICO_API_KEY/);
    expect(refused.stderr).not.toMatch(KEY);
    expect(refused.stdout).toBe('');
    expect(portico(['bridge', '--plane', 'gateway']).stderr).toMatch(/--customer/);
  });
});

describe('Cursor', () => {
  it('connects with exactly the url and headers `portico clients add cursor` wrote', async () => {
    const ws = await workspace();
    const added = ws.cli('clients', 'add', 'cursor', '--plane', 'admin');
    expect(added.stdout).toContain(ws.env.PORTICO_CURSOR_CONFIG);
    const config = JSON.parse(readFileSync(ws.env.PORTICO_CURSOR_CONFIG, 'utf8')) as {
      mcpServers: Record<string, { url: string; headers: Record<string, string> }>;
    };
    const entry = config.mcpServers['portico-admin'];
    expect(entry?.url).toBe(`${ws.served.url}/mcp/admin`);
    const client = new Client({ name: 'cursor-test', version: '1.0.0' });
    open.push(client);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(entry?.url as string), {
        requestInit: { headers: entry?.headers },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('get_client_config');

    // get_client_config: masked by default, a fresh working key only when asked.
    const masked = await client.callTool({
      name: 'get_client_config',
      arguments: { client: 'cursor', plane: 'admin' },
    });
    expect(masked.isError).toBeFalsy();
    expect(masked.structuredContent).toMatchObject({
      client: 'cursor',
      server_name: 'portico-admin',
      root_key: 'mcpServers',
      entry: { url: `${ws.served.url}/mcp/admin`, headers: { Authorization: 'Bearer ptc_••••••••_••••' } },
      deeplink: expect.stringMatching(/^cursor:\/\/anysphere\.cursor-deeplink\/mcp\/install\?/),
    });
    expect(JSON.stringify(masked)).not.toMatch(KEY);
    const desktop = await client.callTool({
      name: 'get_client_config',
      arguments: { client: 'claude-desktop', plane: 'admin' },
    });
    expect(desktop.structuredContent).toMatchObject({
      transport: 'stdio',
      entry: {
        command: process.execPath,
        args: [PORTICO_BIN, 'bridge', '--plane', 'admin', '--data-dir', ws.dataDir],
        env: { PORTICO_API_KEY: 'ptc_••••••••_••••' },
      },
    });
    const fresh = await client.callTool({
      name: 'get_client_config',
      arguments: { client: 'vscode', plane: 'admin', include_key: true },
    });
    const minted = fresh.structuredContent as {
      key_id: string;
      entry: { type: string; url: string; headers: { Authorization: string } };
    };
    expect(minted.entry.type).toBe('http');
    expect(minted.entry.headers.Authorization).toMatch(new RegExp(`^Bearer ptc_${minted.key_id}_`));
    const second = await connectClient(minted.entry.url, {
      Authorization: minted.entry.headers.Authorization,
    });
    open.push(second);
    expect((await second.listTools()).tools.length).toBe(tools.length);
    const unknown = await client.callTool({
      name: 'get_client_config',
      arguments: { client: 'cursor', plane: 'gateway', customer_id: 'nobody' },
    });
    expect(unknown.isError).toBe(true);
    await client.close();
    await second.close();
    expect(await ws.served.stop()).toBe(0);
  });
});
