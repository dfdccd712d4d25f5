import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { portico, type Served, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

/**
 * `portico clients add|list|print|remove codex` as the real command, on a copy of a real-world
 * config.toml: everything outside our table stays byte for byte, and what it writes works for an
 * MCP client that connects the way Codex does (the url, the http_headers).
 */

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;
const FIXTURES = join(__dirname, '..', 'fixtures', 'codex');
const posix = process.platform !== 'win32';

interface KeyRow {
  id: string;
  name: string;
  revoked_at: string | null;
}

/** A Codex server table as Portico writes it. */
const codexServerSchema = z.object({ url: z.string(), http_headers: z.record(z.string(), z.string()) });
type CodexServer = z.infer<typeof codexServerSchema>;

/** Our table as add writes it. */
function ourTable(eol: string, key: string, url = 'http://127.0.0.1:7430/mcp/admin', name = 'portico-admin') {
  return [
    `[mcp_servers.${name}]`,
    `url = "${url}"`,
    `http_headers = { Authorization = "Bearer ${key}" }`,
  ].join(eol);
}

/** What Codex reads for a server: its table in config.toml. */
function codexServer(file: string, name: string): CodexServer {
  const config = z
    .object({ mcp_servers: z.record(z.string(), z.unknown()) })
    .parse(parseToml(readFileSync(file, 'utf8')));
  return codexServerSchema.parse(config.mcp_servers[name]);
}

const keyIdOf = (key: string) => key.split('_')[1];

describe('portico clients … codex', () => {
  let root: string;
  let dataDir: string;
  const open: Client[] = [];

  beforeAll(() => {
    root = tempDir();
    dataDir = join(root, 'data');
    mkdirSync(join(root, 'home'));
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.close()));
  });

  /** `portico …` as its own process, with a home of its own and Codex's config at `file`. */
  const run = (args: string[], file: string) =>
    portico([...args, '--data-dir', dataDir], {
      env: { HOME: join(root, 'home'), CODEX_HOME: undefined, PORTICO_CODEX_CONFIG: file },
    });
  const keys = (): KeyRow[] =>
    JSON.parse(portico(['keys', 'list', '--all', '--json', '--data-dir', dataDir]).stdout) as KeyRow[];
  const keyRow = (key: string) => keys().find((k) => k.id === keyIdOf(key));

  /** A copy of a fixture in a folder of its own. */
  const copyOf = (fixture: string, name: string) => {
    const dir = join(root, name);
    mkdirSync(dir);
    const file = join(dir, 'config.toml');
    copyFileSync(join(FIXTURES, fixture), file);
    return { dir, file, original: readFileSync(file, 'utf8') };
  };

  it.each([
    ['config.toml', '\n'],
    ['config-crlf.toml', '\r\n'],
  ])(
    'add, list, print, add again, add over a stale entry, remove: %s round-trips byte for byte',
    (fixture, eol) => {
      const { dir, file, original } = copyOf(fixture, fixture.replace('.toml', ''));

      const added = run(['clients', 'add', 'codex', '--plane', 'admin'], file);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toContain(`Added portico-admin in Codex's config: ${file}`);
      expect(added.stdout + added.stderr).not.toMatch(KEY);
      const first = codexServer(file, 'portico-admin');
      const key = first.http_headers.Authorization?.replace('Bearer ', '') ?? '';
      expect(key).toMatch(KEY);
      expect(readFileSync(file, 'utf8')).toBe(`${original}${eol}${ourTable(eol, key)}${eol}`);
      if (posix) expect(statSync(file).mode & 0o777).toBe(0o600);
      const backups = readdirSync(dir).filter((n) => n.includes('.portico-backup-'));
      expect(backups).toHaveLength(1);
      expect(readFileSync(join(dir, backups[0] as string), 'utf8')).toBe(original);
      expect(keyRow(key)).toMatchObject({ name: 'Codex (portico clients add)', revoked_at: null });

      const listed = run(['clients', 'list', 'codex', '--json'], file);
      expect(JSON.parse(listed.stdout)).toMatchObject([
        {
          client: 'codex',
          detected: true,
          path: file,
          entries: [{ name: 'portico-admin', status: 'current' }],
        },
      ]);

      const afterAdd = readFileSync(file);
      const printed = run(['clients', 'print', 'codex', '--plane', 'admin'], file);
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stdout).toContain('would leave unchanged');
      expect(printed.stdout).toContain('[mcp_servers.portico-admin]');
      expect(printed.stdout).toContain('[mcp_servers.github.env]');
      expect(printed.stdout).not.toMatch(KEY);

      const keyCount = keys().length;
      const again = JSON.parse(run(['clients', 'add', 'codex', '--plane', 'admin', '--json'], file).stdout);
      expect(again).toMatchObject({ change: 'unchanged', key_id: keyIdOf(key), backup_path: null });
      expect(readFileSync(file).equals(afterAdd)).toBe(true);
      expect(keys()).toHaveLength(keyCount);

      // The gateway moved (as far as this entry knows): stale, so add mints a fresh key and revokes the old one.
      writeFileSync(file, readFileSync(file, 'utf8').replace('127.0.0.1:7430', '127.0.0.1:7999'));
      expect(
        JSON.parse(run(['clients', 'list', 'codex', '--json'], file).stdout)[0].entries[0],
      ).toMatchObject({
        status: 'stale',
        reasons: [expect.stringMatching(/port 7999/)],
      });
      const readded = JSON.parse(run(['clients', 'add', 'codex', '--plane', 'admin', '--json'], file).stdout);
      expect(readded).toMatchObject({ change: 'update', revoked_key_ids: [keyIdOf(key)] });
      const fresh =
        codexServer(file, 'portico-admin').http_headers.Authorization?.replace('Bearer ', '') ?? '';
      expect(fresh).not.toBe(key);
      expect(readFileSync(file, 'utf8')).toBe(`${original}${eol}${ourTable(eol, fresh)}${eol}`);
      expect(keyRow(key)?.revoked_at).not.toBeNull();

      const removed = run(['clients', 'remove', 'codex', '--plane', 'admin'], file);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain(`Revoked its key ${keyIdOf(fresh)}`);
      expect(readFileSync(file, 'utf8')).toBe(original);
      expect(keyRow(fresh)?.revoked_at).not.toBeNull();
      expect(readdirSync(dir).filter((n) => n.includes('.portico-backup-')).length).toBeGreaterThanOrEqual(3);
      expect(readdirSync(dir).filter((n) => n.includes('portico-tmp'))).toEqual([]);
    },
    90_000, // a dozen CLI processes: ~10 s on an idle 2-core machine
  );

  it('follows CODEX_HOME when no override is set', () => {
    const codexHome = join(root, 'codex-home');
    const env = { HOME: join(root, 'home'), CODEX_HOME: codexHome, PORTICO_CODEX_CONFIG: undefined };
    const added = portico(['clients', 'add', 'codex', '--plane', 'admin', '--data-dir', dataDir], { env });
    expect(added.code, added.stderr).toBe(0);
    const file = join(codexHome, 'config.toml');
    expect(added.stdout).toContain(file);
    expect(codexServer(file, 'portico-admin').url).toBe('http://127.0.0.1:7430/mcp/admin');
    const removed = portico(['clients', 'remove', 'codex', '--plane', 'admin', '--data-dir', dataDir], {
      env,
    });
    expect(removed.code, removed.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('a config.toml that does not parse is left untouched, the error names line and column, no key is minted', () => {
    const dir = join(root, 'broken');
    mkdirSync(dir);
    const file = join(dir, 'config.toml');
    const broken = 'model = "o3"\n\n[mcp_servers.a]\ncommand = "a"\nargs = ["x",\n';
    writeFileSync(file, broken);
    const keyCount = keys().length;
    const added = run(['clients', 'add', 'codex', '--plane', 'admin'], file);
    expect(added.code).toBe(1);
    expect(added.stderr).toContain(file);
    expect(added.stderr).toMatch(/not valid TOML \(.+ at line \d+, column \d+\)/);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(readdirSync(dir)).toEqual(['config.toml']);
    expect(keys()).toHaveLength(keyCount);
  });

  describe('with `portico serve` running', () => {
    let served: Served;

    beforeAll(async () => {
      served = await serve(['--data-dir', dataDir]);
      for (const id of ['acme', 'acme.co']) {
        const created = portico([
          'admin',
          'create_customer',
          JSON.stringify({ id, name: id }),
          '--data-dir',
          dataDir,
        ]);
        expect(created.code, created.stderr).toBe(0);
      }
    });

    afterAll(async () => {
      await served?.stop();
    });

    /** Connects the way Codex does with a [mcp_servers.NAME] table: its url, its http_headers. */
    async function connectAs(server: CodexServer): Promise<Client> {
      const client = new Client({ name: 'codex-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(server.url), {
          requestInit: { headers: server.http_headers },
        }),
      );
      open.push(client);
      return client;
    }

    it('the url and header it writes open the admin and the gateway plane; after remove the key is refused', async () => {
      const { file, original } = copyOf('config.toml', 'served');
      for (const args of [
        ['--plane', 'admin'],
        ['--plane', 'gateway', '--customer', 'acme'],
      ]) {
        const added = run(['clients', 'add', 'codex', ...args], file);
        expect(added.code, added.stderr).toBe(0);
      }
      const admin = codexServer(file, 'portico-admin');
      expect(admin.url).toBe(`${served.url}/mcp/admin`);
      const tools = await (await connectAs(admin)).listTools();
      expect(tools.tools.map((t) => t.name)).toContain('add_client_config');

      const gateway = codexServer(file, 'portico-acme');
      expect(gateway.url).toBe(`${served.url}/mcp/gateway?customer_id=acme`);
      const gatewayClient = await connectAs(gateway);
      expect(gatewayClient.getServerVersion()).toBeDefined();
      await gatewayClient.listTools();

      for (const args of [
        ['--plane', 'admin'],
        ['--plane', 'gateway', '--customer', 'acme'],
      ]) {
        const removed = run(['clients', 'remove', 'codex', ...args], file);
        expect(removed.code, removed.stderr).toBe(0);
      }
      expect(readFileSync(file, 'utf8')).toBe(original);
      await expect(connectAs(admin)).rejects.toThrow();
      await expect(connectAs(gateway)).rejects.toThrow();
    });

    it('a customer id with a dot gets a quoted table name, and a warning that Codex skips such names', () => {
      const { file, original } = copyOf('config.toml', 'dotted');
      const added = run(['clients', 'add', 'codex', '--plane', 'gateway', '--customer', 'acme.co'], file);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stderr).toMatch(/Warning: .*invalid server name/);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('\n[mcp_servers."portico-acme.co"]\n');
      expect(codexServer(file, 'portico-acme.co').url).toBe(`${served.url}/mcp/gateway?customer_id=acme.co`);
      expect(
        run(['clients', 'remove', 'codex', '--plane', 'gateway', '--customer', 'acme.co'], file).code,
      ).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(original);
    });
  });
});
