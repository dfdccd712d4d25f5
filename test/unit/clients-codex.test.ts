import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateApiKey } from '../../src/main/core/auth/api-keys';
import {
  applyAdd,
  applyRemove,
  ClientConfigError,
  type ClientContext,
  codex,
  type EntryInput,
  entryStatus,
  planAdd,
  print,
  readEntries,
} from '../../src/main/core/clients';
import { tempDir } from '../helpers/temp';

// Generated, not written out: no key-shaped literal in the tree.
const KEY = generateApiKey().key;
const NOW = new Date('2026-11-24T05:00:00.000Z');
const URL_ADMIN = 'http://127.0.0.1:7430/mcp/admin';
const FIXTURES = join(__dirname, '..', 'fixtures', 'codex');
const FIXTURE = readFileSync(join(FIXTURES, 'config.toml'), 'utf8');
const FIXTURE_CRLF = readFileSync(join(FIXTURES, 'config-crlf.toml'), 'utf8');

function input(over: Partial<EntryInput> = {}): EntryInput {
  return { name: 'portico-admin', url: URL_ADMIN, key: KEY, bridge: { command: '', args: [] }, ...over };
}

/** Our table as add writes it, lines joined by `eol`. */
function ourTable(eol = '\n', key = KEY, header = '[mcp_servers.portico-admin]', url = URL_ADMIN): string {
  return [header, `url = "${url}"`, `http_headers = { Authorization = "Bearer ${key}" }`].join(eol);
}

/** A config.toml holding `text`, in a fresh folder. */
function setup(text?: string) {
  const dir = tempDir('portico-codex-');
  const file = join(dir, 'config.toml');
  if (text !== undefined) writeFileSync(file, text, { mode: 0o644 });
  return { dir, file, opts: { path: file, now: () => NOW } };
}

/** Runs `fn`, returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const posix = process.platform !== 'win32';
const mode = (path: string) => statSync(path).mode & 0o777;

describe('codex: where the config is', () => {
  const ctx = (env: Record<string, string>): ClientContext => ({
    platform: 'linux',
    env,
    homedir: '/home/ada',
    exists: () => false,
  });

  it('is ~/.codex/config.toml, $CODEX_HOME/config.toml when set, the override above both', () => {
    expect(codex.configPath(ctx({}))).toBe('/home/ada/.codex/config.toml');
    expect(codex.configPath(ctx({ CODEX_HOME: '/opt/codex' }))).toBe('/opt/codex/config.toml');
    expect(
      codex.configPath(ctx({ CODEX_HOME: '/opt/codex', PORTICO_CODEX_CONFIG: '/tmp/t/config.toml' })),
    ).toBe('/tmp/t/config.toml');
    expect(codex.detectPaths(ctx({ CODEX_HOME: '/opt/codex' }))).toEqual(['/opt/codex']);
    expect(codex.envVar).toBe('PORTICO_CODEX_CONFIG');
    expect(codex.rootKey).toBe('mcp_servers');
  });
});

describe('codex: the entry', () => {
  it('is a url with the key in http_headers, and reads back', () => {
    const { value } = codex.buildEntry(input());
    expect(value).toEqual({ url: URL_ADMIN, http_headers: { Authorization: `Bearer ${KEY}` } });
    expect(codex.inspect(value)).toEqual({ transport: 'http', url: URL_ADMIN, key: KEY });
  });

  it('a key Codex reads from the environment is a reference: it cannot be checked and does not make the entry stale', () => {
    for (const value of [
      { url: URL_ADMIN, bearer_token_env_var: 'PORTICO_KEY' },
      { url: URL_ADMIN, env_http_headers: { Authorization: 'PORTICO_AUTH' } },
    ]) {
      const details = codex.inspect(value);
      expect(details.keyReference).toMatch(/^env:PORTICO_/);
      expect(entryStatus({ details }, { url: URL_ADMIN, keyValid: () => false })).toEqual({
        status: 'current',
        keyChecked: false,
      });
    }
    // An inline bearer_token is what Codex rejects: no key Portico can use.
    expect(codex.inspect({ url: URL_ADMIN, bearer_token: KEY }).key).toBeUndefined();
  });
});

describe('codex: editing config.toml', () => {
  it('adds our table at the end of a real-world file and removes it again, byte for byte (LF)', () => {
    const { dir, file, opts } = setup(FIXTURE);
    const result = applyAdd(codex, input(), opts);
    expect(result).toMatchObject({ change: 'add', written: true, path: file });
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(`${FIXTURE}\n${ourTable()}\n`);
    if (posix) expect(mode(file)).toBe(0o600);
    expect(readFileSync(result.backupPath!, 'utf8')).toBe(FIXTURE);
    // Codex reads everything it had, plus our server.
    const config = z.looseObject({ mcp_servers: z.record(z.string(), z.unknown()) });
    const before = config.parse(parseToml(FIXTURE));
    const parsed = config.parse(parseToml(after));
    expect(parsed.mcp_servers['portico-admin']).toEqual(codex.buildEntry(input()).value);
    delete parsed.mcp_servers['portico-admin'];
    expect(parsed).toEqual(before);
    // The multi-line string that looks like our table is not taken for it.
    expect(readEntries(codex, opts).map((e) => [e.name, e.details])).toEqual([
      ['portico-admin', { transport: 'http', url: URL_ADMIN, key: KEY }],
    ]);

    expect(applyAdd(codex, input(), opts)).toMatchObject({ change: 'unchanged', written: false });
    const removal = applyRemove(codex, ['portico-admin'], {
      ...opts,
      now: () => new Date(NOW.getTime() + 1),
    });
    expect(removal).toMatchObject({ removed: ['portico-admin'], written: true });
    expect(readFileSync(file, 'utf8')).toBe(FIXTURE);
    expect(readdirSync(dir).filter((n) => n.includes('portico-tmp'))).toEqual([]);
  });

  it('keeps CRLF line ends, and round-trips a CRLF file byte for byte', () => {
    const { file, opts } = setup(FIXTURE_CRLF);
    applyAdd(codex, input(), opts);
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(`${FIXTURE_CRLF}\r\n${ourTable('\r\n')}\r\n`);
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    applyAdd(codex, input({ key: generateApiKey().key }), opts);
    applyRemove(codex, ['portico-admin'], opts);
    expect(readFileSync(file, 'utf8')).toBe(FIXTURE_CRLF);
  });

  it('keeps a missing final line break missing', () => {
    const original = FIXTURE.trimEnd();
    const { file, opts } = setup(original);
    applyAdd(codex, input(), opts);
    expect(readFileSync(file, 'utf8')).toBe(`${original}\n\n${ourTable()}`);
    const newKey = generateApiKey().key;
    applyAdd(codex, input({ key: newKey }), opts);
    expect(readFileSync(file, 'utf8')).toBe(`${original}\n\n${ourTable('\n', newKey)}`);
    applyRemove(codex, ['portico-admin'], opts);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('creates a missing file (and folder) with only our table, mode 0600; an empty file stays empty after remove', () => {
    const { dir, opts } = setup();
    const file = join(dir, 'codex-home', 'config.toml');
    const result = applyAdd(codex, input(), { ...opts, path: file });
    expect(result).toMatchObject({ change: 'create-file', written: true });
    expect(result.backupPath).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(`${ourTable()}\n`);
    if (posix) expect(mode(file)).toBe(0o600);
    expect(readdirSync(dirname(file))).toEqual(['config.toml']);
    applyRemove(codex, ['portico-admin'], { ...opts, path: file });
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('replaces a stale table where it stands, with its sub-tables; comments before the next table stay', () => {
    const original = [
      'model = "o3"',
      '',
      '[mcp_servers.a]',
      'command = "a"',
      '',
      '  [ mcp_servers . "portico-admin" ]   # added by Portico',
      'url = "http://127.0.0.1:7000/mcp/admin"',
      '# a comment inside our table',
      'args = [',
      '  ["[not.a.table]"],',
      ']',
      '',
      '# about b: belongs to b',
      '[mcp_servers.b]',
      "description = '''",
      '[mcp_servers.portico-admin]',
      "'''",
      '',
      '[mcp_servers.portico-admin.http_headers]',
      'Authorization = "Bearer old"',
      '',
      '[profiles.x]',
      'model = "o3"',
      '',
    ].join('\n');
    const { file, opts } = setup(original);
    expect(readEntries(codex, opts)[0]?.details).toMatchObject({ url: 'http://127.0.0.1:7000/mcp/admin' });
    expect(applyAdd(codex, input(), opts).change).toBe('update');
    const expected = [
      'model = "o3"',
      '',
      '[mcp_servers.a]',
      'command = "a"',
      '',
      ourTable(),
      '',
      '# about b: belongs to b',
      '[mcp_servers.b]',
      "description = '''",
      '[mcp_servers.portico-admin]',
      "'''",
      '',
      '[profiles.x]',
      'model = "o3"',
      '',
    ].join('\n');
    expect(readFileSync(file, 'utf8')).toBe(expected);
    applyRemove(codex, ['portico-admin'], opts);
    expect(readFileSync(file, 'utf8')).toBe(expected.replace(`${ourTable()}\n\n`, ''));
  });

  it.each([
    ['a byte-order mark', '\uFEFFmodel = "o3"\n'],
    [
      'a look-alike name',
      '[mcp_servers.portico-admin-2]\nurl = "https://x"\n[mcp_servers."portico-admin.x"]\nurl = "https://y"\n',
    ],
    ['a multi-line inline table (TOML 1.1)', '[mcp_servers.a]\nenv = {\n  A = "1", # one\n  B = "2",\n}\n'],
    [
      'strings that hide headers and quotes',
      'a = """x \\""" [mcp_servers.portico-admin] """\nb = \'\'\'\n[mcp_servers.portico-admin]\n\'\'\'\nc = "[mcp_servers.portico-admin] # \\"" # c\n',
    ],
    ['comments and no blank lines', '# top\n[x]\ny = 1 # y\n# after y\n'],
    ['only comments', '# nothing here yet\n'],
  ])('round-trips a file with %s', (_what, original) => {
    const { file, opts } = setup(original);
    applyAdd(codex, input(), opts);
    const after = readFileSync(file, 'utf8');
    expect(after.startsWith(original)).toBe(true);
    expect(readEntries(codex, opts).map((e) => e.name)).toContain('portico-admin');
    applyAdd(codex, input({ key: generateApiKey().key }), opts);
    applyRemove(codex, ['portico-admin'], opts);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('replaces our table where it stands when another table follows with no blank line', () => {
    const original = '[mcp_servers.portico-admin] # ours\nurl = "http://old"\n# about z\n[z]\nk = 1\n';
    const { file, opts } = setup(original);
    applyAdd(codex, input(), opts);
    expect(readFileSync(file, 'utf8')).toBe(`${ourTable()}\n# about z\n[z]\nk = 1\n`);
    applyRemove(codex, ['portico-admin'], opts);
    expect(readFileSync(file, 'utf8')).toBe('# about z\n[z]\nk = 1\n');
  });

  it('quotes a table name TOML needs quoted, and warns that Codex will not load it', () => {
    const { file, opts } = setup(FIXTURE);
    const acme = input({
      name: 'portico-acme.co',
      url: 'http://127.0.0.1:7430/mcp/gateway?customer_id=acme.co',
    });
    const plan = planAdd(codex, acme, opts);
    expect(plan.warnings.join(' ')).toMatch(/invalid server name/);
    expect(planAdd(codex, input(), opts).warnings).toEqual([]);
    applyAdd(codex, acme, opts);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain(
      '\n[mcp_servers."portico-acme.co"]\nurl = "http://127.0.0.1:7430/mcp/gateway?customer_id=acme.co"\n',
    );
    expect(readEntries(codex, opts).map((e) => e.name)).toEqual(['portico-acme.co']);
    applyRemove(codex, ['portico-acme.co'], opts);
    expect(readFileSync(file, 'utf8')).toBe(FIXTURE);
  });

  it('remove takes only Portico tables', () => {
    const { file, opts } = setup(FIXTURE);
    applyAdd(codex, input(), opts);
    applyAdd(codex, input({ name: 'portico-acme' }), opts);
    expect(applyRemove(codex, ['portico-admin', 'filesystem', 'github'], opts).removed).toEqual([
      'portico-admin',
    ]);
    expect(applyRemove(codex, () => true, opts).removed).toEqual(['portico-acme']);
    expect(readFileSync(file, 'utf8')).toBe(FIXTURE);
    expect(applyRemove(codex, ['portico-admin'], opts)).toMatchObject({ removed: [], written: false });
  });

  it('print and planAdd write nothing', () => {
    const { dir, file, opts } = setup(FIXTURE);
    const plan = planAdd(codex, input(), opts);
    expect(plan).toMatchObject({ change: 'add', before: FIXTURE });
    expect(print(codex, input(), opts)).toBe(plan.after);
    expect(readFileSync(file, 'utf8')).toBe(FIXTURE);
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it('follows a symlinked config and refuses a read-only one', () => {
    if (!posix) return;
    const { dir } = setup();
    const real = join(dir, 'dotfiles', 'config.toml');
    mkdirSync(dirname(real));
    writeFileSync(real, FIXTURE);
    const link = join(dir, 'config.toml');
    symlinkSync(real, link);
    applyAdd(codex, input(), { path: link, now: () => NOW });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe(`${FIXTURE}\n${ourTable()}\n`);

    const { file, opts } = setup(FIXTURE);
    chmodSync(file, 0o444);
    expect(() => applyAdd(codex, input(), opts)).toThrow(/read-only/);
    expect(readFileSync(file, 'utf8')).toBe(FIXTURE);
  });
});

describe('codex: what Portico does not edit', () => {
  it('a file that does not parse: an error naming line and column, the file untouched', () => {
    const broken = 'model = "o3"\n\n[mcp_servers.a]\ncommand = \n';
    const { dir, file, opts } = setup(broken);
    const error = thrown(() => applyAdd(codex, input(), opts));
    expect(error).toBeInstanceOf(ClientConfigError);
    const err = error as ClientConfigError;
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not valid TOML \(.+ at line 4, column \d+\)/);
    expect(err.message).toMatch(/left unchanged/);
    expect(err.position).toMatchObject({ line: 4 });
    expect(() => applyRemove(codex, ['portico-admin'], opts)).toThrow(/line 4/);
    expect(() => print(codex, input(), opts)).toThrow(/line 4/);
    expect(() => readEntries(codex, opts)).toThrow(ClientConfigError);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it.each([
    [
      'a dotted key under [mcp_servers]',
      '[mcp_servers]\nx.command = "x"\nportico-admin.url = "http://old"\n',
      3,
    ],
    ['an inline table under [mcp_servers]', '[mcp_servers]\n"portico-admin" = { url = "http://old" }\n', 2],
    ['a dotted key at the root', 'model = "o3"\nmcp_servers.portico-admin.url = "http://old"\n', 2],
    ['an array of tables', 'model = "o3"\n\n[[mcp_servers.portico-admin]]\nurl = "http://old"\n', 3],
  ])('our server as %s: add and remove refuse, naming the line', (_what, text, line) => {
    const { dir, file, opts } = setup(text);
    for (const write of [
      () => applyAdd(codex, input(), opts),
      () => applyRemove(codex, ['portico-admin'], opts),
    ]) {
      const error = thrown(write) as ClientConfigError;
      expect(error).toBeInstanceOf(ClientConfigError);
      expect(error.message).toContain(`at line ${line}`);
      expect(error.message).toMatch(/make it a \[mcp_servers\.portico-admin\] table/);
      expect(error.position?.line).toBe(line);
    }
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['config.toml']);
  });

  it('mcp_servers as an inline table: nothing can be added to it', () => {
    const text = 'mcp_servers = { a = { command = "a" } }\n';
    const { file, opts } = setup(text);
    expect(() => applyAdd(codex, input(), opts)).toThrow(/inside the inline table mcp_servers at line 1/);
    expect(readEntries(codex, opts)).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('mcp_servers that is not a table', () => {
    for (const text of ['mcp_servers = 3\n', '[[mcp_servers]]\nurl = "x"\n']) {
      const { file, opts } = setup(text);
      expect(() => applyAdd(codex, input(), opts)).toThrow(
        /"mcp_servers" is (a number|an array), not a table/,
      );
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('other servers defined with dotted keys or inline are fine: only ours must be a table', () => {
    const text = '[mcp_servers]\nx.command = "x"\ny = { url = "https://y" }\n';
    const { file, opts } = setup(text);
    applyAdd(codex, input(), opts);
    applyRemove(codex, ['portico-admin'], opts);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(file)).toBe(true);
  });
});
