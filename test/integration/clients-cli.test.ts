import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/cli/run-cli';
import { CLIENTS, type ClientDefinition, readEntries } from '../../src/main/core/clients';
import { portico, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;
const posix = process.platform !== 'win32';

interface KeyRow {
  id: string;
  name: string;
  scope: string;
  customers: string[] | null;
  revoked_at: string | null;
}

/** Every client's config override pointing into `dir`, and a home with nothing in it. */
function clientEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = { HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'xdg') };
  for (const client of CLIENTS) env[client.envVar] = join(dir, client.id, 'config.json');
  return env;
}

/**
 * Runs `portico …` in this process through the same entry the binary uses (runCli), with env
 * overrides applied for the call: fast enough to cover every client.
 */
async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
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

const mode = (path: string) => statSync(path).mode & 0o777;
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe.each(CLIENTS.map((c) => [c.id, c] as const))(
  'portico clients … %s',
  (id, client: ClientDefinition) => {
    let dataDir: string;
    let root: string;
    const run = (args: string[], env: Record<string, string> = {}) =>
      cli([...args, '--data-dir', dataDir], { ...clientEnv(root), ...env });
    const keys = async (): Promise<KeyRow[]> =>
      JSON.parse((await run(['keys', 'list', '--all', '--json'])).stdout) as KeyRow[];
    /** A fresh config path for one test, in a folder that does not exist yet. */
    const configAt = (name: string) => join(root, 'cases', name, 'nested', 'folder', 'config.json');

    beforeAll(async () => {
      root = tempDir();
      dataDir = join(root, 'data');
      expect((await run(['admin', 'create_customer', '{"id":"acme","name":"Acme"}'])).code).toBe(0);
    });

    it('add writes a fresh file in a missing folder, mode 0600, with a key minted for this client and plane', async () => {
      const file = configAt('fresh');
      const added = await run(['clients', 'add', id, '--plane', 'admin'], { [client.envVar]: file });
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toContain(file);
      expect(added.stdout).toContain(client.restart.hint);
      expect(added.stdout).toMatch(/no backup/);
      expect(added.stdout + added.stderr).not.toMatch(KEY);
      if (posix) expect(mode(file)).toBe(0o600);
      expect(readdirSync(dirname(file))).toEqual(['config.json']);

      const [entry, ...others] = readEntries(client, { path: file });
      expect(others).toEqual([]);
      expect(entry?.name).toBe('portico-admin');
      const key = entry?.details.key as string;
      expect(key).toMatch(KEY);
      const minted = (await keys()).find((k) => k.id === key.split('_')[1]);
      expect(minted).toMatchObject({
        name: `${client.displayName} (portico clients add)`,
        scope: 'admin',
        customers: null,
        revoked_at: null,
      });
      if (client.transport === 'stdio') {
        // Claude Desktop: node + the CLI script by absolute path, the key only in env.
        expect(entry?.details.command).toBe(process.execPath);
        expect(entry?.details.args).toEqual([
          join(process.cwd(), 'bin', 'portico.js'),
          'bridge',
          '--plane',
          'admin',
          '--data-dir',
          dataDir,
        ]);
        expect(JSON.stringify(entry?.details.args)).not.toContain('ptc_');
      } else {
        expect(entry?.details.url).toBe('http://127.0.0.1:7430/mcp/admin');
      }
      const listed = JSON.parse(
        (await run(['clients', 'list', id, '--json'], { [client.envVar]: file })).stdout,
      );
      expect(listed).toMatchObject([
        { client: id, detected: true, path: file, entries: [{ name: 'portico-admin', status: 'current' }] },
      ]);
    });

    it('add twice leaves a current entry as it is; a stale one gets a fresh key, the replaced key is revoked and the previous file backed up', async ({
      skip,
    }) => {
      if (client.format === 'toml') skip("a JSON file (Codex's TOML: clients-codex.test.ts)");
      const file = configAt('twice');
      const env = { [client.envVar]: file };
      const add = async () =>
        JSON.parse(
          (await run(['clients', 'add', id, '--plane', 'gateway', '--customer', 'acme', '--json'], env))
            .stdout,
        );
      const first = await add();
      const firstText = readFileSync(file, 'utf8');
      const keysBefore = (await keys()).length;
      expect(await add()).toMatchObject({
        change: 'unchanged',
        key_id: first.key_id,
        backup_path: null,
        revoked_key_ids: [],
        restart_required: false,
      });
      expect(readFileSync(file, 'utf8')).toBe(firstText);
      expect(readdirSync(dirname(file))).toEqual(['config.json']);
      expect((await keys()).length).toBe(keysBefore);

      // Stale: the entry points elsewhere, as after the gateway moved (port) or the data dir did (bridge).
      const stale =
        client.transport === 'stdio'
          ? firstText.split(JSON.stringify(dataDir)).join(JSON.stringify(`${dataDir}-moved`))
          : firstText.replace('127.0.0.1:7430/', '127.0.0.1:7431/');
      expect(stale).not.toBe(firstText);
      writeFileSync(file, stale);
      const second = await add();
      expect(second).toMatchObject({
        path: file,
        server_name: 'portico-acme',
        change: 'update',
        revoked_key_ids: [first.key_id],
      });
      expect(second.key_id).not.toBe(first.key_id);
      const text = readFileSync(file, 'utf8');
      expect(count(text, '"portico-acme"')).toBe(1);
      expect(readEntries(client, { path: file }).map((e) => e.name)).toEqual(['portico-acme']);
      expect(readEntries(client, { path: file })[0]?.details.key).toMatch(
        new RegExp(`^ptc_${second.key_id}_`),
      );
      expect(readFileSync(second.backup_path, 'utf8')).toBe(stale);
      expect(second.backup_path).toMatch(/config\.json\.portico-backup-/);
      if (posix) expect(mode(second.backup_path)).toBe(0o600);
      const all = await keys();
      expect(all.find((k) => k.id === first.key_id)?.revoked_at).not.toBeNull();
      expect(all.find((k) => k.id === second.key_id)).toMatchObject({
        scope: 'gateway',
        customers: ['acme'],
        revoked_at: null,
      });
    });

    it('keeps other servers, comments and unknown keys byte for byte; remove takes only ours and revokes its key', async ({
      skip,
    }) => {
      if (client.format === 'toml') skip("a JSON file (Codex's TOML: clients-codex.test.ts)");
      const file = configAt('hand-edited');
      mkdirSync(dirname(file), { recursive: true });
      const original = fixture(client.rootKey);
      writeFileSync(file, original, { mode: 0o644 });
      const env = { [client.envVar]: file };

      const admin = JSON.parse((await run(['clients', 'add', id, '--plane', 'admin', '--json'], env)).stdout);
      const acme = JSON.parse(
        (await run(['clients', 'add', id, '--plane', 'gateway', '--customer', 'acme', '--json'], env)).stdout,
      );
      const after = readFileSync(file, 'utf8');
      // Everything before the last server and after the servers map is untouched.
      const head = original.slice(0, original.indexOf('    "github"'));
      const tail = original.slice(original.indexOf('\n  },\n  "unknownSetting"'));
      expect(after.startsWith(head)).toBe(true);
      expect(after.endsWith(tail)).toBe(true);
      expect(after).toContain(
        '"github":   { "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer gh" } }, // keep',
      );
      const parsed = parseJsonc(after) as Record<string, Record<string, unknown>>;
      const before = parseJsonc(original) as Record<string, Record<string, unknown>>;
      expect(parsed.unknownSetting).toEqual(before.unknownSetting);
      expect(parsed.globalShortcut).toBe('Ctrl+Space');
      expect(Object.keys(parsed[client.rootKey] ?? {})).toEqual([
        'filesystem',
        'github',
        'portico-admin',
        'portico-acme',
      ]);
      if (posix) expect(mode(file)).toBe(0o600);
      expect(readFileSync(admin.backup_path, 'utf8')).toBe(original);

      const removed = JSON.parse(
        (await run(['clients', 'remove', id, '--plane', 'gateway', '--customer', 'acme', '--json'], env))
          .stdout,
      );
      expect(removed).toMatchObject({ removed: true, revoked_key_ids: [acme.key_id] });
      expect(readEntries(client, { path: file }).map((e) => e.name)).toEqual(['portico-admin']);
      const all = await keys();
      expect(all.find((k) => k.id === acme.key_id)?.revoked_at).not.toBeNull();
      expect(all.find((k) => k.id === admin.key_id)?.revoked_at).toBeNull();

      const text = await run(['clients', 'remove', id, '--plane', 'admin'], env);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`Removed portico-admin from ${client.displayName}'s config: ${file}`);
      expect(text.stdout).toContain(`Revoked its key ${admin.key_id}`);
      expect(readFileSync(file, 'utf8')).toBe(original);
      const nothing = await run(['clients', 'remove', id, '--plane', 'admin'], env);
      expect(nothing.stdout).toMatch(/nothing to remove/);
      expect(readFileSync(file, 'utf8')).toBe(original);
    });

    it('leaves a file that does not parse untouched, fails naming file and position, and mints nothing', async ({
      skip,
    }) => {
      if (client.format === 'toml') skip("a JSON file (Codex's TOML: clients-codex.test.ts)");
      const file = configAt('broken');
      mkdirSync(dirname(file), { recursive: true });
      const broken = `{\n  "${client.rootKey}": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}\n`;
      writeFileSync(file, broken);
      const env = { [client.envVar]: file };
      const keysBefore = (await keys()).length;
      for (const args of [
        ['clients', 'add', id, '--plane', 'admin'],
        ['clients', 'remove', id, '--plane', 'admin'],
        ['clients', 'print', id, '--plane', 'admin'],
        ['clients', 'list', id],
      ]) {
        const result = await run(args, env);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toContain(file);
        expect(result.stderr).toMatch(/line 4, column 5/);
      }
      expect(readFileSync(file, 'utf8')).toBe(broken);
      expect(readdirSync(dirname(file))).toEqual(['config.json']);
      expect((await keys()).length).toBe(keysBefore);
    });

    it('print writes nothing, mints nothing and shows the entry with the key masked', async ({ skip }) => {
      if (client.format === 'toml') skip("a JSON file (Codex's TOML: clients-codex.test.ts)");
      const file = configAt('print');
      const keysBefore = (await keys()).length;
      const shown = await run(['clients', 'print', id, '--plane', 'gateway', '--customer', 'acme'], {
        [client.envVar]: file,
      });
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain(file);
      expect(shown.stdout).toContain('"portico-acme"');
      expect(shown.stdout).toContain('ptc_••••••••_••••');
      expect(shown.stdout).not.toMatch(KEY);
      if (id === 'cursor')
        expect(shown.stdout).toMatch(
          /cursor:\/\/anysphere\.cursor-deeplink\/mcp\/install\?name=portico-acme&config=/,
        );
      if (id === 'vscode') expect(shown.stdout).toMatch(/vscode:mcp\/install\?/);
      const asJson = JSON.parse(
        (await run(['clients', 'print', id, '--plane', 'admin', '--json'], { [client.envVar]: file })).stdout,
      );
      expect(asJson).toMatchObject({
        client: id,
        path: file,
        server_name: 'portico-admin',
        change: 'create-file',
      });
      expect(JSON.parse(asJson.file)[client.rootKey]['portico-admin']).toEqual(asJson.entry);
      expect(existsSync(dirname(file))).toBe(false);
      expect((await keys()).length).toBe(keysBefore);
    });

    it('refuses what it cannot do, with usage errors', async () => {
      expect((await run(['clients', 'add', id])).code).toBe(2);
      expect((await run(['clients', 'add', id, '--plane', 'gateway'])).stderr).toMatch(/customer/);
      const unknown = await run(['clients', 'add', id, '--plane', 'gateway', '--customer', 'nobody']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/Unknown customer "nobody"/);
    });
  },
);

describe('portico clients (the built command)', () => {
  it('a broken file makes the real process exit non-zero, naming the file', () => {
    const root = tempDir();
    const file = join(root, 'mcp.json');
    writeFileSync(file, '{ "mcpServers": { ');
    const result = portico(
      ['clients', 'add', 'cursor', '--plane', 'admin', '--data-dir', join(root, 'data')],
      {
        env: { ...clientEnv(root), PORTICO_CURSOR_CONFIG: file },
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('{ "mcpServers": { ');
  });

  it('list shows entries stale after `portico keys revoke` and after the server moves to another port', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const env = clientEnv(root);
    const served = await serve(['--data-dir', dataDir]);
    const added: Record<string, string> = {};
    for (const client of CLIENTS) {
      const result = await cli(
        ['clients', 'add', client.id, '--plane', 'admin', '--json', '--data-dir', dataDir],
        env,
      );
      expect(result.code, result.stderr).toBe(0);
      added[client.id] = JSON.parse(result.stdout).key_id;
      const url = readEntries(client, { path: env[client.envVar] }).at(0)?.details.url;
      if (client.transport === 'http') expect(url).toBe(`${served.url}/mcp/admin`);
    }
    type Listed = { client: string; entries: { name: string; status: string; reasons: string[] }[] }[];
    const list = () => {
      const result = portico(['clients', 'list', '--json', '--data-dir', dataDir], { env });
      expect(result.code, result.stderr).toBe(0);
      return Object.fromEntries((JSON.parse(result.stdout) as Listed).map((c) => [c.client, c.entries]));
    };
    for (const entries of Object.values(list()))
      expect(entries).toMatchObject([{ name: 'portico-admin', status: 'current' }]);

    expect(portico(['keys', 'revoke', added.cursor as string, '--data-dir', dataDir]).code).toBe(0);
    const afterRevoke = list();
    expect(afterRevoke.cursor).toMatchObject([
      { status: 'stale', reasons: [expect.stringMatching(/revoked/)] },
    ]);
    expect(afterRevoke.vscode).toMatchObject([{ status: 'current' }]);
    const text = portico(['clients', 'list', '--data-dir', dataDir], { env });
    expect(text.stdout).toMatch(/cursor\s+yes\s+portico-admin\s+stale: uses a key that is revoked/);

    const oldPort = new URL(served.url).port;
    expect(await served.stop()).toBe(0);
    const moved = await serve(['--data-dir', dataDir]);
    expect(new URL(moved.url).port).not.toBe(oldPort);
    const afterMove = list();
    for (const client of CLIENTS) {
      const [entry] = afterMove[client.id] ?? [];
      if (client.transport === 'stdio') {
        // The bridge finds the running server through the data dir: a port change does not matter.
        expect(entry, client.id).toMatchObject({ status: 'current' });
      } else {
        expect(entry?.status, client.id).toBe('stale');
        expect(entry?.reasons.join(' '), client.id).toMatch(
          new RegExp(`port ${oldPort}.*port ${new URL(moved.url).port}`),
        );
      }
    }
    // Adding again fixes it.
    await cli(['clients', 'add', 'cursor', '--plane', 'admin', '--data-dir', dataDir], env);
    expect(list().cursor).toMatchObject([{ status: 'current' }]);
    expect(await moved.stop()).toBe(0);
  });
});
