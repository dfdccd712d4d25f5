import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClaudeCliContext,
  claudeCli,
  claudeMcpAddJson,
  findClaude,
} from '../../src/main/core/clients/claude-code-cli';
import { portico, type Served, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

/**
 * `portico clients add|remove claude-code` through Claude Code's own CLI. The real `claude` cannot
 * run here, so a fake one on PATH records its argv and, like the real one, writes the user-scope
 * entry into `$HOME/.claude.json` (refusing a name that exists, as add-json does).
 */

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;

interface KeyRow {
  id: string;
  name: string;
  scope: string;
  customers: string[] | null;
  revoked_at: string | null;
}

interface HttpEntry {
  type: string;
  url: string;
  headers: Record<string, string>;
}

/** A folder holding an executable `claude` (node script, mode 755) that logs each argv as a JSON line. */
function fakeClaude(root: string, name: string, exitCode: 0 | 1) {
  const bin = join(root, name, 'bin');
  mkdirSync(bin, { recursive: true });
  const record = join(root, name, 'argv.jsonl');
  const script = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify(args) + '\\n');
if (${exitCode} !== 0) {
  // Echoes its arguments, key included, as a careless CLI might: Portico must not pass it on.
  process.stderr.write('fake claude: refusing ' + args.join(' ') + '\\n');
  process.exit(${exitCode});
}
const rest = args.slice(2).filter((a, i, all) => a !== '--scope' && all[i - 1] !== '--scope');
const [name, json] = rest;
const file = path.join(process.env.CLAUDE_CONFIG_DIR || process.env.HOME, '.claude.json');
let config = {};
try { config = JSON.parse(fs.readFileSync(file, 'utf8')); } catch {}
config.mcpServers = config.mcpServers || {};
if (args[1] === 'add-json') {
  if (config.mcpServers[name]) { console.error('MCP server ' + name + ' already exists in user config'); process.exit(1); }
  config.mcpServers[name] = JSON.parse(json);
} else if (args[1] === 'remove') {
  if (!config.mcpServers[name]) { console.error('No user-scoped MCP server found with name: ' + name); process.exit(1); }
  delete config.mcpServers[name];
}
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, JSON.stringify(config, null, 2));
console.log('done');
`;
  const file = join(bin, 'claude');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  const calls = (): string[][] =>
    existsSync(record)
      ? readFileSync(record, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as string[])
      : [];
  return { bin, calls };
}

const open: Client[] = [];
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
});

/** Connects as Claude Code would with the entry it was given; rejects when the key is refused. */
async function connectWith(entry: HttpEntry): Promise<Client> {
  const client = new Client({ name: 'claude-code-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }),
  );
  open.push(client);
  return client;
}

describe.skipIf(process.platform === 'win32')('portico clients … claude-code with `claude` on PATH', () => {
  let root: string;
  let dataDir: string;
  let served: Served;

  beforeAll(async () => {
    root = tempDir();
    dataDir = join(root, 'data');
    served = await serve(['--data-dir', dataDir]);
    const created = portico([
      'admin',
      'create_customer',
      '{"id":"acme","name":"Acme"}',
      '--data-dir',
      dataDir,
    ]);
    expect(created.code, created.stderr).toBe(0);
  });

  afterAll(async () => {
    await served?.stop();
  });

  /** `portico …` as its own process with the fake `claude` first on PATH and a home of its own. */
  const run = (args: string[], env: Record<string, string | undefined>) =>
    portico([...args, '--data-dir', dataDir], { env: { PORTICO_CLAUDE_CODE_CONFIG: undefined, ...env } });
  const keys = (): KeyRow[] =>
    JSON.parse(portico(['keys', 'list', '--all', '--json', '--data-dir', dataDir]).stdout) as KeyRow[];
  const keyOf = (entry: HttpEntry) => keys().find((k) => k.id === entry.headers.Authorization?.split('_')[1]);
  const envFor = (fake: { bin: string }, home: string) => ({
    PATH: `${fake.bin}${delimiter}${process.env.PATH ?? ''}`,
    HOME: home,
    CLAUDE_CONFIG_DIR: undefined,
  });

  it('add runs `claude mcp add-json --scope user` with a working key; add again leaves a current entry and replaces a stale one; remove runs `claude mcp remove` and revokes the key', async () => {
    const fake = fakeClaude(root, 'ok', 0);
    const home = join(root, 'home-ok');
    const env = envFor(fake, home);

    const added = run(['clients', 'add', 'claude-code', '--plane', 'admin'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('added with `claude mcp add-json --scope user`');
    expect(added.stdout).not.toMatch(/Edited /);
    expect(added.stdout + added.stderr).not.toMatch(KEY);

    const [call, ...more] = fake.calls();
    expect(more).toEqual([]);
    expect(call?.slice(0, 5)).toEqual(['mcp', 'add-json', '--scope', 'user', 'portico-admin']);
    expect(call).toHaveLength(6);
    const entry = JSON.parse(call?.[5] as string) as HttpEntry;
    expect(entry).toEqual({
      type: 'http',
      url: `${served.url}/mcp/admin`,
      headers: { Authorization: expect.stringMatching(/^Bearer ptc_/) },
    });
    expect(entry.headers.Authorization).toMatch(KEY);
    expect(keyOf(entry)).toMatchObject({
      name: 'Claude Code (portico clients add)',
      scope: 'admin',
      revoked_at: null,
    });

    // The key in the argument opens the admin plane of the running server.
    const client = await connectWith(entry);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_customers');

    // `claude` wrote ~/.claude.json, so list finds the entry there, current.
    const listed = JSON.parse(run(['clients', 'list', 'claude-code', '--json'], env).stdout);
    expect(listed).toMatchObject([
      {
        client: 'claude-code',
        path: join(home, '.claude.json'),
        entries: [{ name: 'portico-admin', status: 'current' }],
      },
    ]);

    // Again, with the entry current: it is left as it is and `claude` does not run.
    const same = run(['clients', 'add', 'claude-code', '--plane', 'admin', '--json'], env);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({
      method: 'claude-cli',
      change: 'unchanged',
      key_id: keyOf(entry)?.id,
      revoked_key_ids: [],
    });
    expect(fake.calls()).toHaveLength(1);

    // Stale (it points at another port): add-json refuses an existing name, so the old entry is
    // removed first; its key is revoked.
    const file = join(home, '.claude.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(served.url, 'http://127.0.0.1:1'));
    const again = run(['clients', 'add', 'claude-code', '--plane', 'admin', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second).toMatchObject({ method: 'claude-cli', change: 'update', backup_path: null });
    const calls = fake.calls();
    expect(calls.slice(1).map((c) => c.slice(0, 5))).toEqual([
      ['mcp', 'remove', '--scope', 'user', 'portico-admin'],
      ['mcp', 'add-json', '--scope', 'user', 'portico-admin'],
    ]);
    expect(calls[1]).toHaveLength(5);
    const replacement = JSON.parse(calls[2]?.[5] as string) as HttpEntry;
    expect(second.revoked_key_ids).toEqual([keyOf(entry)?.id]);
    expect(second.key_id).toBe(keyOf(replacement)?.id);
    expect(keyOf(entry)?.revoked_at).not.toBeNull();

    const removed = run(['clients', 'remove', 'claude-code', '--plane', 'admin'], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain('with `claude mcp remove --scope user`');
    expect(removed.stdout).toContain(`Revoked its key ${keyOf(replacement)?.id}`);
    expect(fake.calls().at(-1)).toEqual(['mcp', 'remove', '--scope', 'user', 'portico-admin']);
    expect(keyOf(replacement)?.revoked_at).not.toBeNull();
    await expect(connectWith(replacement)).rejects.toThrow(/401|key/i);
  });

  it('when `claude` fails, the file is edited instead, and nothing it printed leaks the key', () => {
    const fake = fakeClaude(root, 'failing', 1);
    const home = join(root, 'home-failing');
    const file = join(home, '.claude.json');
    const env = envFor(fake, home);

    const added = run(['clients', 'add', 'claude-code', '--plane', 'gateway', '--customer', 'acme'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(
      /Warning: `claude mcp add-json` failed \(exit code 1: fake claude: refusing/,
    );
    expect(added.stderr).toContain('ptc_••••••••_••••');
    expect(added.stdout).toContain(`Edited ${file} directly (\`claude mcp add-json\` failed: exit code 1`);
    expect(added.stdout + added.stderr).not.toMatch(KEY);
    expect(fake.calls().map((c) => c.slice(0, 5))).toEqual([
      ['mcp', 'add-json', '--scope', 'user', 'portico-acme'],
    ]);
    const written = JSON.parse(readFileSync(file, 'utf8')).mcpServers['portico-acme'] as HttpEntry;
    expect(written.url).toBe(`${served.url}/mcp/gateway?customer_id=acme`);
    expect(keyOf(written)).toMatchObject({ scope: 'gateway', customers: ['acme'], revoked_at: null });

    const removed = run(
      ['clients', 'remove', 'claude-code', '--plane', 'gateway', '--customer', 'acme'],
      env,
    );
    expect(removed.code, removed.stderr).toBe(0);
    expect(fake.calls().at(-1)).toEqual(['mcp', 'remove', '--scope', 'user', 'portico-acme']);
    expect(removed.stderr).toMatch(/Warning: `claude mcp remove` failed/);
    expect(removed.stdout).toContain(`Removed portico-acme from Claude Code's config: ${file}`);
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers).toEqual({});
    expect(keyOf(written)?.revoked_at).not.toBeNull();
  });

  it('PORTICO_CLAUDE_CODE_CONFIG wins over `claude` on PATH: the named file is edited and `claude` never runs', () => {
    const fake = fakeClaude(root, 'override', 0);
    const file = join(root, 'override-config', 'claude.json');
    const env = { ...envFor(fake, join(root, 'home-override')), PORTICO_CLAUDE_CODE_CONFIG: file };

    const printed = run(['clients', 'print', 'claude-code', '--plane', 'admin', '--json'], env);
    expect(JSON.parse(printed.stdout)).toMatchObject({ method: 'file', path: file });
    const added = run(['clients', 'add', 'claude-code', '--plane', 'admin'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`Edited ${file} directly (PORTICO_CLAUDE_CODE_CONFIG is set).`);
    const entry = JSON.parse(readFileSync(file, 'utf8')).mcpServers['portico-admin'] as HttpEntry;
    expect(keyOf(entry)?.revoked_at).toBeNull();

    const removed = run(['clients', 'remove', 'claude-code', '--plane', 'admin', '--json'], env);
    expect(JSON.parse(removed.stdout)).toMatchObject({ method: 'file', removed: true, path: file });
    expect(keyOf(entry)?.revoked_at).not.toBeNull();
    expect(fake.calls()).toEqual([]);
  });
});

describe('finding `claude` (injected PATH and runner)', () => {
  const ctx = (over: Partial<ClaudeCliContext>): ClaudeCliContext => ({
    env: {},
    platform: 'linux',
    isExecutable: () => false,
    exec: () => ({ status: 0, stdout: '', stderr: '' }),
    ...over,
  });

  it('takes the first absolute PATH entry holding an executable `claude`, never a relative one', () => {
    const present = new Set(['claude', '/opt/b/claude', '/opt/c/claude']);
    const found = findClaude(
      ctx({ env: { PATH: '.:/opt/a:/opt/b:/opt/c' }, isExecutable: (f) => present.has(f) }),
    );
    expect(found).toBe('/opt/b/claude');
    expect(findClaude(ctx({ env: { PATH: '/opt/a' } }))).toBeUndefined();
  });

  it('on Windows only claude.exe counts (a .cmd shim would need cmd.exe quoting)', () => {
    const present = new Set(['C:\\npm\\claude.cmd', 'C:\\tools\\claude.exe']);
    const found = findClaude(
      ctx({
        platform: 'win32',
        env: { Path: 'C:\\npm;C:\\tools' },
        isExecutable: (f) => present.has(f),
      }),
    );
    expect(found).toBe('C:\\tools\\claude.exe');
  });

  it('is not used when PORTICO_CLAUDE_CODE_CONFIG is set; a failure is reported with keys masked', () => {
    const isExecutable = () => true;
    expect(
      claudeCli(ctx({ env: { PATH: '/bin', PORTICO_CLAUDE_CODE_CONFIG: '/x.json' }, isExecutable })),
    ).toBe(undefined);
    const seen: string[][] = [];
    const cli = claudeCli(
      ctx({
        env: { PATH: '/bin' },
        isExecutable,
        exec: (_file, args) => {
          seen.push([...args]);
          return { status: 2, stdout: '', stderr: `\nbad entry ${args[5]}\nmore` };
        },
      }),
    );
    expect(cli?.path).toBe('/bin/claude');
    const key = `ptc_abcdEFGH_${'x'.repeat(32)}`;
    const outcome = claudeMcpAddJson(cli!, 'portico-admin', { headers: { Authorization: `Bearer ${key}` } });
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/^exit code 2: bad entry /) });
    expect(JSON.stringify(outcome)).not.toContain(key);
    expect(JSON.stringify(outcome)).toContain('ptc_••••••••_••••');
    expect(seen[0]?.slice(0, 5)).toEqual(['mcp', 'add-json', '--scope', 'user', 'portico-admin']);
  });
});
