// Third-party MCP clients against both planes: mcp-remote (the stdio proxy Claude Desktop users
// run) and the MCP Inspector's CLI, installed as dev dependencies and run on this Node. With a good
// key they connect and list (and call) tools; with a wrong key each shows Portico's own words for
// the refusal — not HTML, not an OAuth prompt.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_HELP } from '../../src/main/core/server/request-guards';
import { startTestGateway } from '../helpers/gateway';
import { notesSpec, startNotesApi } from '../helpers/notes-api';
import { tempDir } from '../helpers/temp';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const MCP_REMOTE = join(packageDir('mcp-remote'), 'dist', 'proxy.js');
const INSPECTOR = join(
  packageDir('@modelcontextprotocol/inspector'),
  'clients',
  'launcher',
  'build',
  'index.js',
);
const WRONG_KEY = 'ptc_AAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const UPSTREAM_KEY = 'notes-upstream-key-123';

let gw: Awaited<ReturnType<typeof startTestGateway>>;
const url = { admin: '', gateway: '' };
const key = { admin: '', gateway: '' };

/** The clients' own state (mcp-remote's ~/.mcp-auth, the Inspector's ~/.mcp-inspector) stays in a temp HOME. */
const clientEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: tempDir('portico-client-home-'),
  MCP_INSPECTOR_SECRET_STORE: 'memory',
  NO_COLOR: '1',
});

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs a client to its exit, feeding `input` on stdin; killed after `timeoutMs`. */
function run(
  args: string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  const child = spawn(process.execPath, args, {
    env: options.env ?? clientEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdin?.on('error', () => {});
  if (options.input !== undefined) child.stdin?.write(options.input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

beforeAll(async () => {
  gw = await startTestGateway();
  const api = await startNotesApi(UPSTREAM_KEY);
  const admin = async (name: string, args: Record<string, unknown>) => {
    const result = await gw.app.callTool(name, args, 'internal');
    if (!result.ok) throw new Error(`${name}: ${result.error}`);
  };
  await admin('create_customer', { id: 'acme', name: 'Acme' });
  await admin('import_openapi', { slug: 'notes', spec: notesSpec(api.url), base_url: api.url });
  await admin('set_auth_config', {
    connector_id: 'notes',
    scheme: 'api_key',
    in: 'header',
    name: 'X-API-Key',
  });
  await admin('create_connection', {
    customer_id: 'acme',
    connector_id: 'notes',
    credentials: { api_key: UPSTREAM_KEY },
  });
  await admin('configure_customer_tools', { customer_id: 'acme', mode: 'all', tool_mode: 'direct' });
  url.admin = `${gw.app.url}/mcp/admin`;
  url.gateway = `${gw.app.url}/mcp/gateway?customer_id=acme`;
  key.admin = gw.adminKey;
  key.gateway = gw.mint('gateway', ['acme']);
});

/** What each plane must list, and one read-only call that proves the round trip. */
const expected = {
  admin: { tool: 'list_customers', args: {}, answer: 'acme' },
  gateway: { tool: undefined, args: {}, answer: 'first' },
} as const;

describe.each(['admin', 'gateway'] as const)('%s plane', (plane) => {
  it('mcp-remote (stdio proxy) connects: initialize, tools/list and tools/call through it', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MCP_REMOTE, url[plane], '--header', `Authorization:Bearer ${key[plane]}`],
      env: clientEnv() as Record<string, string>,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const client = new Client({ name: 'via-mcp-remote', version: '1' });
    try {
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe(plane === 'admin' ? 'portico-admin' : 'portico-acme');
      const { tools } = await client.listTools();
      expect(tools.length, stderr).toBeGreaterThan(0);
      const name =
        expected[plane].tool ?? tools.find((t) => /list_?notes/i.test(t.name))?.name ?? 'no list-notes tool';
      const result = await client.callTool({ name, arguments: expected[plane].args });
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      expect(JSON.stringify(result)).toContain(expected[plane].answer);
    } finally {
      await client.close();
    }
    expect(stderr).toContain('Connected to remote server');
    expect(stderr).not.toContain(key[plane]);
  }, 60_000);

  it('mcp-remote with a wrong key exits and prints Portico’s reason and instructions', async () => {
    const initialize = `${JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    })}\n`;
    const result = await run([MCP_REMOTE, url[plane], '--header', `Authorization:Bearer ${WRONG_KEY}`], {
      input: initialize,
      timeoutMs: 45_000,
    });
    // It ends by itself (no browser sign-in left waiting) and says why, in Portico's words.
    expect(result.timedOut, result.stderr).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Portico refused the key this request carries: unknown API key.');
    expect(result.stderr.replaceAll('\\"', '"')).toContain(KEY_HELP);
    expect(result.stderr).not.toMatch(/<html|<!doctype/i);
    expect(result.stdout).not.toMatch(/"result"/);
  }, 60_000);

  it('MCP Inspector CLI lists the tools and calls one', async () => {
    const inspector = (...method: string[]) =>
      run([
        INSPECTOR,
        '--cli',
        url[plane],
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${key[plane]}`,
        ...method,
        '--format',
        'json',
      ]);
    const listed = await inspector('--method', 'tools/list');
    expect(listed.code, listed.stderr).toBe(0);
    const { tools } = (JSON.parse(listed.stdout) as { result: { tools: { name: string }[] } }).result;
    const name = expected[plane].tool ?? tools.find((t) => /list_?notes/i.test(t.name))?.name;
    expect(name, JSON.stringify(tools.map((t) => t.name))).toBeDefined();
    expect(tools.map((t) => t.name)).toContain(name);
    const called = await inspector('--method', 'tools/call', '--tool-name', name ?? '');
    expect(called.code, called.stderr).toBe(0);
    expect(called.stdout).toContain(expected[plane].answer);
    expect(called.stdout).not.toContain('"isError":true');
  }, 60_000);

  it('MCP Inspector CLI with a wrong key shows Portico’s 401 message', async () => {
    const result = await run([
      INSPECTOR,
      '--cli',
      url[plane],
      '--transport',
      'http',
      '--header',
      `Authorization: Bearer ${WRONG_KEY}`,
      '--method',
      'tools/list',
      '--stored-auth-only',
      '--format',
      'json',
    ]);
    expect(result.timedOut).toBe(false);
    expect(result.code).not.toBe(0);
    const text = result.stderr.replaceAll('\\\\\\"', '"').replaceAll('\\"', '"');
    expect(text).toContain(`Unauthorized: unknown API key. ${KEY_HELP}`);
  }, 60_000);

  // In a terminal the Inspector starts OAuth on a 401; it then meets Portico's JSON 404s and shows
  // their message (what a 401 means, how to pass a key) instead of asking to sign in.
  it.runIf(spawnSync('script', ['--version']).status === 0)(
    'MCP Inspector CLI in a terminal with a wrong key shows Portico’s instructions, not an OAuth prompt',
    async () => {
      const command = [
        process.execPath,
        INSPECTOR,
        '--cli',
        url[plane],
        '--transport',
        'http',
        '--header',
        `'Authorization: Bearer ${WRONG_KEY}'`,
        '--method',
        'tools/list',
      ].join(' ');
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: clientEnv(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.add(child);
      child.stdin?.end();
      let output = '';
      child.stdout?.on('data', (c: Buffer) => {
        output += c.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      clearTimeout(timer);
      children.delete(child);
      const text = output.replaceAll('\\\\\\"', '"').replaceAll('\\"', '"');
      expect(code, output).not.toBe(0);
      expect(text).toContain('Portico does not use OAuth for MCP clients');
      expect(text).toContain(KEY_HELP);
      expect(text).not.toMatch(/<html|<!doctype/i);
    },
    60_000,
  );
});
