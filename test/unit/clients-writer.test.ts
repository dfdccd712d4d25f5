import { spawnSync } from 'node:child_process';
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
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/main/core/auth/api-keys';
import {
  applyAdd,
  applyRemove,
  CLIENTS,
  ClientConfigError,
  type ClientContext,
  type ClientDefinition,
  claudeDesktop,
  claudeDesktopMcpRemoteEntry,
  defaultClientContext,
  type EntryInput,
  getClient,
  planAdd,
  print,
  readEntries,
} from '../../src/main/core/clients';
import { tempDir } from '../helpers/temp';

// Generated, not written out: no key-shaped literal in the tree.
const KEY = generateApiKey().key;
const NOW = new Date('2026-11-24T05:00:00.000Z');
// biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's own variable syntax, not a template
const MCP_REMOTE_HEADER = 'Authorization:${PORTICO_AUTH}';

function input(over: Partial<EntryInput> = {}): EntryInput {
  return {
    name: 'portico-admin',
    url: 'http://127.0.0.1:7430/mcp/admin',
    key: KEY,
    bridge: { command: '/usr/local/bin/portico', args: ['bridge', '--plane', 'admin'] },
    ...over,
  };
}

/** A context whose only config is the override pointing into a fresh temp folder. */
function setup(client: ClientDefinition, relative = 'config.json') {
  const dir = tempDir('portico-clients-');
  const file = join(dir, relative);
  const ctx: ClientContext = { ...defaultClientContext(), env: { [client.envVar]: file } };
  return { dir, file, opts: { ctx, now: () => NOW } };
}

/** A hand-edited config: comments, unknown keys, other servers, odd spacing. */
function fixture(rootKey: string): string {
  return [
    '{',
    '  // edited by hand — keep this comment',
    '  "globalShortcut": "Ctrl+Space",',
    `  "${rootKey}": {`,
    '    /* filesystem server */',
    '    "filesystem": {',
    '      "command": "npx",',
    '      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]',
    '    },',
    '    "github":   { "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer gh" } } // keep',
    '  },',
    '  "unknownSetting": { "nested": [1, 2, 3], "flag": true }',
    '}',
    '',
  ].join('\n');
}

/** Line diff (LCS): lines only in `a`, lines only in `b`. */
function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  const dp = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      dp[i]![j] = x[i] === y[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (j < y.length && (i === x.length || dp[i]![j + 1]! >= dp[i + 1]![j]!)) added.push(y[j++]!);
    else removed.push(x[i++]!);
  }
  return { removed, added };
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function countOccurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const posix = process.platform !== 'win32';

/** The JSON clients; Codex's TOML is covered by clients-codex.test.ts. */
const JSON_CLIENTS = CLIENTS.filter((c) => c.format !== 'toml');

describe.each(JSON_CLIENTS.map((c) => [c.id, c] as const))('%s config writer', (_id, client) => {
  const expectedValue = client.buildEntry(input()).value;

  it('creates a fresh file (and its missing folders), mode 0600', () => {
    const { file, opts } = setup(client, 'does/not/exist/yet/config.json');
    const result = applyAdd(client, input(), opts);
    expect(result).toMatchObject({ change: 'create-file', written: true, path: file, name: 'portico-admin' });
    expect(result.backupPath).toBeUndefined();
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json).toEqual({ [client.rootKey]: { 'portico-admin': expectedValue } });
    if (posix) expect(mode(file)).toBe(0o600);
    expect(readdirSync(dirname(file))).toEqual(['config.json']); // no temp files left
  });

  it('merges into a hand-edited file: only our lines change; removing restores it byte for byte', () => {
    const { file, opts } = setup(client);
    const original = fixture(client.rootKey);
    writeFileSync(file, original, { mode: 0o644 });

    const result = applyAdd(client, input(), opts);
    expect(result.change).toBe('add');
    const after = readFileSync(file, 'utf8');
    const { removed, added } = lineDiff(original, after);
    // The previous last server gains a comma (its comment stays on its line); our lines are new.
    const githubLine = original.split('\n').find((l) => l.includes('"github"'))!;
    expect(removed).toEqual([githubLine]);
    expect(added[0]).toBe(githubLine.replace('} } // keep', '} }, // keep'));
    expect(added.slice(1).join('\n')).toContain('"portico-admin"');
    expect(added.slice(1).every((l) => l.startsWith('    '))).toBe(true);
    // What the client sees: everything it had, plus our entry.
    const parsed = readEntries(client, opts);
    expect(parsed.map((e) => e.name)).toEqual(['portico-admin']);
    expect(parsed[0]?.value).toEqual(expectedValue);

    const removal = applyRemove(client, ['portico-admin'], opts);
    expect(removal).toMatchObject({ removed: ['portico-admin'], written: true });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('leaves a file that does not parse untouched, and names the file and position', () => {
    const { dir, file, opts } = setup(client);
    const broken = `{\n  "${client.rootKey}": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}\n`;
    writeFileSync(file, broken);
    const before = readFileSync(file);
    let error: unknown;
    try {
      applyAdd(client, input(), opts);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ClientConfigError);
    const err = error as ClientConfigError;
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/CommaExpected at line 4, column 5/);
    expect(err.message).toMatch(/left unchanged/);
    expect(err.file).toBe(file);
    expect(err.position).toMatchObject({ line: 4, column: 5 });
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['config.json']); // no backup, no temp file
    expect(() => applyRemove(client, ['portico-admin'], opts)).toThrow(ClientConfigError);
    expect(() => print(client, input(), opts)).toThrow(/line 4, column 5/);
    expect(() => readEntries(client, opts)).toThrow(ClientConfigError);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('add twice keeps one entry and skips the second write; a new key updates it in place', () => {
    const { dir, file, opts } = setup(client);
    writeFileSync(file, fixture(client.rootKey));
    expect(applyAdd(client, input(), opts).written).toBe(true);
    const once = readFileSync(file, 'utf8');
    const backups = readdirSync(dir).length;

    const again = applyAdd(client, input(), opts);
    expect(again).toMatchObject({ change: 'unchanged', written: false });
    expect(again.backupPath).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(once);
    expect(readdirSync(dir).length).toBe(backups);
    expect(countOccurrences(once, '"portico-admin"')).toBe(1);

    const newKey = generateApiKey().key;
    const updated = applyAdd(client, input({ key: newKey }), {
      ...opts,
      now: () => new Date(NOW.getTime() + 1),
    });
    expect(updated.change).toBe('update');
    const text = readFileSync(file, 'utf8');
    expect(countOccurrences(text, '"portico-admin"')).toBe(1);
    expect(text).toContain(newKey);
    expect(text).not.toContain(KEY);
    expect(readEntries(client, opts)[0]?.details.key).toBe(newKey);
  });

  it('remove takes only the named Portico entries', () => {
    const { file, opts } = setup(client);
    writeFileSync(file, fixture(client.rootKey));
    applyAdd(client, input(), opts);
    applyAdd(
      client,
      input({ name: 'portico-acme', url: 'http://127.0.0.1:7430/mcp/gateway?customer_id=acme' }),
      opts,
    );
    expect(readEntries(client, opts).map((e) => e.name)).toEqual(['portico-admin', 'portico-acme']);

    // Names that are not ours are ignored even when asked for.
    const first = applyRemove(client, ['portico-admin', 'filesystem', 'github'], opts);
    expect(first.removed).toEqual(['portico-admin']);
    let json = readEntries(client, opts);
    expect(json.map((e) => e.name)).toEqual(['portico-acme']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"filesystem"');
    expect(text).toContain('/* filesystem server */');
    expect(text).toContain('"github"');

    // A predicate sees only our entries.
    const seen: string[] = [];
    const second = applyRemove(
      client,
      (e) => {
        seen.push(e.name);
        return e.name.endsWith('-acme');
      },
      opts,
    );
    expect(seen).toEqual(['portico-acme']);
    expect(second.removed).toEqual(['portico-acme']);
    json = readEntries(client, opts);
    expect(json).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(fixture(client.rootKey));

    // Nothing left to remove: no write, no backup.
    expect(applyRemove(client, ['portico-admin'], opts)).toMatchObject({ removed: [], written: false });
  });

  it('removing our last entry leaves the rest of the file and an empty servers map', () => {
    const { file, opts } = setup(client);
    writeFileSync(file, '{\n  "theme": "dark"\n}\n');
    applyAdd(client, input(), opts);
    applyRemove(client, ['portico-admin'], opts);
    expect(readFileSync(file, 'utf8')).toBe(`{\n  "theme": "dark",\n  "${client.rootKey}": {}\n}\n`);
  });

  it('backs up the previous file, with its exact content, next to it', () => {
    const { dir, file, opts } = setup(client);
    const original = fixture(client.rootKey);
    writeFileSync(file, original);
    const result = applyAdd(client, input(), opts);
    expect(result.backupPath).toBe(join(dir, 'config.json.portico-backup-2026-11-24T05-00-00-000Z'));
    expect(readFileSync(result.backupPath!, 'utf8')).toBe(original);
    if (posix) expect(mode(result.backupPath!)).toBe(0o600);
    // Same instant again (new content): a second, distinct backup rather than overwriting the first.
    const second = applyAdd(client, input({ key: `${KEY}x` }), opts);
    expect(second.backupPath).toBe(`${result.backupPath}-1`);
    expect(readFileSync(result.backupPath!, 'utf8')).toBe(original);
  });

  it('writes mode 0600 even over a world-readable file', () => {
    if (!posix) return;
    const { file, opts } = setup(client);
    writeFileSync(file, '{}\n', { mode: 0o644 });
    expect(mode(file)).toBe(0o644);
    applyAdd(client, input(), opts);
    expect(mode(file)).toBe(0o600);
  });

  it('print and planAdd write nothing and show what add writes', () => {
    const { dir, file, opts } = setup(client);
    const text = print(client, input(), opts);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(JSON.parse(text)).toEqual({ [client.rootKey]: { 'portico-admin': expectedValue } });

    writeFileSync(file, fixture(client.rootKey));
    const plan = planAdd(client, input(), opts);
    expect(plan).toMatchObject({ change: 'add', before: fixture(client.rootKey), path: file });
    expect(readFileSync(file, 'utf8')).toBe(fixture(client.rootKey));
    expect(readdirSync(dir)).toEqual(['config.json']);
    applyAdd(client, input(), opts);
    expect(readFileSync(file, 'utf8')).toBe(plan.after);
  });

  it('refuses a root that is not an object, or a servers map that is not one', () => {
    const { file, opts } = setup(client);
    for (const text of ['[1, 2]\n', `{ "${client.rootKey}": [] }\n`, `{ "${client.rootKey}": "x" }\n`]) {
      writeFileSync(file, text);
      expect(() => applyAdd(client, input(), opts)).toThrow(ClientConfigError);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('refuses to write an entry that is not ours', () => {
    const { file, opts } = setup(client);
    expect(() => applyAdd(client, input({ name: 'filesystem' }), opts)).toThrow(/not a Portico entry name/);
    expect(existsSync(file)).toBe(false);
  });
});

describe('writer details', () => {
  const cursor = getClient('cursor')!;
  const vscode = getClient('vscode')!;

  it('treats an empty file as a new one', () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    writeFileSync(file, '  \n');
    const result = applyAdd(cursor, input(), { path: file });
    expect(result.change).toBe('create-file');
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers['portico-admin'].url).toBe(input().url);
  });

  it('keeps tabs, CRLF line ends and a byte-order mark', () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    const original =
      '\uFEFF{\r\n\t"servers": {\r\n\t\t"other": { "type": "stdio", "command": "x" }\r\n\t}\r\n}\r\n';
    writeFileSync(file, original);
    applyAdd(vscode, input(), { path: file });
    const after = readFileSync(file, 'utf8');
    expect(
      after.startsWith('\uFEFF{\r\n\t"servers": {\r\n\t\t"other": { "type": "stdio", "command": "x" },\r\n'),
    ).toBe(true);
    expect(after).toContain('\r\n\t\t"portico-admin": {\r\n\t\t\t"type": "http",\r\n');
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    applyRemove(vscode, ['portico-admin'], { path: file });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('keeps a one-line file on one line', () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    const original = '{"mcpServers":{"a":{"url":"https://a.example/mcp"}},"x":1}';
    writeFileSync(file, original);
    applyAdd(cursor, input(), { path: file });
    const after = readFileSync(file, 'utf8');
    expect(after).not.toContain('\n');
    expect(after.startsWith('{"mcpServers":{"a":{"url":"https://a.example/mcp"},"portico-admin":')).toBe(
      true,
    );
    applyRemove(cursor, ['portico-admin'], { path: file });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('keeps trailing-comma style', () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    const original = '{\n  "servers": {\n    "a": { "url": "https://a" },\n  },\n}\n';
    writeFileSync(file, original);
    applyAdd(vscode, input(), { path: file });
    const after = readFileSync(file, 'utf8');
    expect(lineDiff(original, after).removed).toEqual([]);
    expect(after).toMatch(/\n {4}},\n {2}},\n}\n$/);
    applyRemove(vscode, ['portico-admin'], { path: file });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('adds the servers map when the file has none, after the existing keys', () => {
    const dir = tempDir();
    const file = join(dir, '.claude.json');
    const original = '{\n  "numStartups": 12,\n  "projects": { "/src/app": { "allowedTools": [] } }\n}\n';
    writeFileSync(file, original);
    applyAdd(getClient('claude-code')!, input(), { path: file });
    const after = readFileSync(file, 'utf8');
    expect(
      after.startsWith(
        '{\n  "numStartups": 12,\n  "projects": { "/src/app": { "allowedTools": [] } },\n  "mcpServers": {\n    "portico-admin": {\n',
      ),
    ).toBe(true);
    expect(JSON.parse(after).projects).toEqual({ '/src/app': { allowedTools: [] } });
  });

  it('collapses duplicated entries of ours into one', () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    writeFileSync(
      file,
      '{\n  "mcpServers": {\n    "portico-admin": { "url": "http://old" },\n    "x": {},\n    "portico-admin": { "url": "http://older" }\n  }\n}\n',
    );
    applyAdd(cursor, input(), { path: file });
    const text = readFileSync(file, 'utf8');
    expect(countOccurrences(text, '"portico-admin"')).toBe(1);
    expect(JSON.parse(text).mcpServers).toEqual({ x: {}, 'portico-admin': cursor.buildEntry(input()).value });
  });

  it('follows a symlinked config (dotfiles) and keeps the link', () => {
    if (!posix) return;
    const dir = tempDir();
    const real = join(dir, 'dotfiles', 'mcp.json');
    mkdirSync(dirname(real));
    writeFileSync(real, '{ "mcpServers": {} }\n');
    const link = join(dir, 'mcp.json');
    symlinkSync(real, link);
    const result = applyAdd(cursor, input(), { path: link, now: () => NOW });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(real, 'utf8')).mcpServers['portico-admin']).toBeDefined();
    expect(result.backupPath?.startsWith(join(dir, 'dotfiles'))).toBe(true);
  });

  it('refuses a read-only config, for every client, on add and on remove, and leaves it byte for byte', () => {
    if (!posix) return;
    for (const client of JSON_CLIENTS) {
      const dir = tempDir();
      const file = join(dir, 'config.json');
      writeFileSync(file, `{ "${client.rootKey}": { "portico-admin": { "url": "x" } } }\n`);
      chmodSync(file, 0o444);
      const before = readFileSync(file);
      for (const write of [
        () => applyAdd(client, input(), { path: file, now: () => NOW }),
        () => applyRemove(client, ['portico-admin'], { path: file, now: () => NOW }),
      ]) {
        let error: unknown;
        try {
          write();
        } catch (caught) {
          error = caught;
        }
        expect(error, client.id).toBeInstanceOf(ClientConfigError);
        expect(String(error)).toMatch(/is read-only, so Portico leaves it as it is.*chmod u\+w/);
      }
      expect(readFileSync(file).equals(before), client.id).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o444);
      expect(readdirSync(dir)).toEqual(['config.json']);
    }
  });

  it('cleans up temp files a killed write left behind, on the next write, and never a live writer’s', () => {
    const dir = tempDir();
    const file = join(dir, 'mcp.json');
    writeFileSync(file, '{ "mcpServers": {} }\n');
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = [
      join(dir, `.mcp.json.portico-tmp-${dead}-abcd1234`),
      join(dir, '.mcp.json.portico-tmp-garbage'),
    ];
    const live = join(dir, `.mcp.json.portico-tmp-${process.ppid}-beef0000`);
    const other = join(dir, '.other.json.portico-tmp-1-x');
    for (const path of [...stale, live, other]) writeFileSync(path, 'half a file');
    // Reading does not clean (read-only commands change nothing).
    readEntries(cursor, { path: file });
    expect(existsSync(stale[0] as string)).toBe(true);
    applyAdd(cursor, input(), { path: file, now: () => NOW });
    for (const path of stale) expect(existsSync(path), path).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it('warns when a strict-JSON client’s file has comments', () => {
    const dir = tempDir();
    const file = join(dir, 'claude_desktop_config.json');
    writeFileSync(file, '{\n  // mine\n  "mcpServers": {}\n}\n');
    expect(planAdd(claudeDesktop, input(), { path: file }).warnings[0]).toMatch(/strict JSON/);
    writeFileSync(file, '{\n  "mcpServers": {}\n}\n');
    expect(planAdd(claudeDesktop, input(), { path: file }).warnings).toEqual([]);
    expect(planAdd(cursor, input(), { path: join(dir, 'c.json') }).warnings).toEqual([]);
  });

  it('writes the mcp-remote alternative for Claude Desktop when asked', () => {
    const dir = tempDir();
    const file = join(dir, 'claude_desktop_config.json');
    applyAdd(claudeDesktop, claudeDesktopMcpRemoteEntry(input()), { path: file });
    const [found] = readEntries(claudeDesktop, { path: file });
    expect(found?.value).toEqual({
      command: 'npx',
      args: ['-y', 'mcp-remote', input().url, '--header', MCP_REMOTE_HEADER],
      env: { PORTICO_AUTH: `Bearer ${KEY}` },
    });
    expect(found?.details).toMatchObject({ transport: 'stdio', url: input().url, key: KEY });
  });

  it('the default context reads the override from process.env', () => {
    const dir = tempDir();
    const file = join(dir, 'windsurf.json');
    const previous = process.env.PORTICO_WINDSURF_CONFIG;
    process.env.PORTICO_WINDSURF_CONFIG = file;
    try {
      applyAdd(getClient('windsurf')!, input());
      expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers['portico-admin'].serverUrl).toBe(input().url);
    } finally {
      if (previous === undefined) delete process.env.PORTICO_WINDSURF_CONFIG;
      else process.env.PORTICO_WINDSURF_CONFIG = previous;
    }
  });
});
