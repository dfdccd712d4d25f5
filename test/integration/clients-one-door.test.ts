import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, type ClientDefinition, readEntries } from '../../src/main/core/clients';
import { clientsAddFor } from '../../src/main/desktop/clients-add';
import { PORTICO_BIN } from '../helpers/cli';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

/**
 * add_client_config is the one implementation of "add Portico to an AI client": the tray, the
 * `portico clients add` command (through the running server) and an admin MCP client calling the
 * tool write the very same file, and the server serves a minted key — and refuses a revoked one —
 * at once.
 */

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/g;
const PLACEHOLDER = 'ptc_KEY';

/** A hand-edited config with a comment and another server, so the merge is compared too. */
function seed(file: string, client: ClientDefinition): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    client.format === 'toml'
      ? `# mine\ntheme = "dark"\n\n[${client.rootKey}.other]\ncommand = "npx"\nargs = ["other"]\n`
      : `{\n  // mine\n  "${client.rootKey}": {\n    "other": { "command": "npx", "args": ["other"] }\n  },\n  "theme": "dark"\n}\n`,
  );
}

/** The file with each key replaced by a placeholder (every add mints its own), and the keys found. */
function withoutKeys(file: string): { text: string; keys: string[] } {
  const text = readFileSync(file, 'utf8');
  return { text: text.replace(KEY, PLACEHOLDER), keys: text.match(KEY) ?? [] };
}

/** Runs `fn` with `env` set in this process (the tray uses the app's own environment). */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

const root = tempDir();
const open: Client[] = [];
let gw: Awaited<ReturnType<typeof startTestGateway>>;
let admin: Client;

beforeAll(async () => {
  gw = await startTestGateway();
  const created = await gw.app.client('tray').call('create_customer', { id: 'acme', name: 'Acme' });
  expect(created.ok).toBe(true);
  admin = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  open.push(admin);
});

afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
  await gw?.app.close();
});

/**
 * `portico …` as its own process, with a home of its own: it goes through the running server —
 * which runs in this process, so the child is awaited, never waited for synchronously.
 */
async function portico(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [PORTICO_BIN, ...args, '--data-dir', gw.dataDir], {
    env: { ...process.env, HOME: join(root, 'cli-home'), XDG_CONFIG_HOME: join(root, 'cli-xdg'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

async function cli(args: string[], env: Record<string, string>) {
  const result = await portico(args, env);
  expect(result.code, `portico ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

const targets = [
  { plane: 'admin', args: ['--plane', 'admin'] },
  { plane: 'gateway', customer_id: 'acme', args: ['--plane', 'gateway', '--customer', 'acme'] },
] as const;

describe.each(CLIENTS.map((c) => [c.id, c] as const))('add_client_config for %s', (id, client) => {
  const file = (who: string) => join(root, id, who, 'config.json');

  it('the tray and `portico clients add` produce identical files', async () => {
    seed(file('tray'), client);
    seed(file('cli'), client);
    const add = clientsAddFor(() => gw.app);
    await withEnv({ [client.envVar]: file('tray') }, async () => {
      for (const t of targets) {
        const summary = await add(id, t.plane, 'customer_id' in t ? t.customer_id : undefined);
        expect(summary).not.toMatch(KEY);
      }
    });
    for (const t of targets) {
      const added = await cli(['clients', 'add', id, ...t.args], { [client.envVar]: file('cli') });
      expect(added.stdout + added.stderr).not.toMatch(KEY);
    }
    const tray = withoutKeys(file('tray'));
    const viaCli = withoutKeys(file('cli'));
    expect(viaCli.text).toBe(tray.text);
    expect(tray.text).toContain(client.format === 'toml' ? '# mine' : '// mine');
    expect(readEntries(client, { path: file('tray') }).map((e) => e.name)).toEqual([
      'portico-admin',
      'portico-acme',
    ]);
    // Each add minted its own key: four different keys.
    expect(new Set([...tray.keys, ...viaCli.keys]).size).toBe(4);
  });

  // Compared with the file the test above wrote through `portico clients add`.
  it('an admin MCP client calling add_client_config and remove_client_config writes the same file', async () => {
    seed(file('mcp'), client);
    const environment = { client_environment: { [client.envVar]: file('mcp') } };
    for (const t of targets) {
      const { args: _args, ...target } = t;
      const added = await admin.callTool({
        name: 'add_client_config',
        arguments: { client: id, ...target, ...environment },
      });
      expect(added.isError, JSON.stringify(added.content)).toBeFalsy();
      expect(added.structuredContent).toMatchObject({
        path: file('mcp'),
        server_name: t.plane === 'admin' ? 'portico-admin' : 'portico-acme',
        change: 'add',
        method: 'file',
        restart_required: client.restart.needed,
        revoked_key_ids: [],
      });
      expect(JSON.stringify(added)).not.toMatch(KEY);
    }
    expect(withoutKeys(file('mcp')).text).toBe(withoutKeys(file('cli')).text);

    const listed = await admin.callTool({
      name: 'list_client_configs',
      arguments: { client: id, ...environment },
    });
    expect(listed.structuredContent).toMatchObject({
      clients: [
        {
          client: id,
          path: file('mcp'),
          entries: [
            { name: 'portico-admin', status: 'current' },
            { name: 'portico-acme', status: 'current' },
          ],
        },
      ],
    });

    const removed = await admin.callTool({
      name: 'remove_client_config',
      arguments: { client: id, plane: 'gateway', customer_id: 'acme', ...environment },
    });
    expect(removed.structuredContent).toMatchObject({ removed: true, revoked_key_ids: [expect.any(String)] });
    const cliRemoved = await cli(['clients', 'remove', id, '--plane', 'gateway', '--customer', 'acme'], {
      [client.envVar]: file('cli'),
    });
    expect(cliRemoved.stdout).toMatch(/Revoked its key/);
    expect(withoutKeys(file('mcp')).text).toBe(withoutKeys(file('cli')).text);
    expect(readEntries(client, { path: file('mcp') }).map((e) => e.name)).toEqual(['portico-admin']);
  });
});

describe('keys minted and revoked through add_client_config', () => {
  it("a key `portico clients add` or an MCP client minted works at once; a removed entry's key is refused at once", async () => {
    const cursor = (who: string) => join(root, 'at-once', who, 'mcp.json');
    const entryOf = (file: string) => {
      const entry = JSON.parse(readFileSync(file, 'utf8')).mcpServers['portico-admin'];
      return { url: entry.url as string, headers: entry.headers as Record<string, string> };
    };
    await cli(['clients', 'add', 'cursor', '--plane', 'admin'], { PORTICO_CURSOR_CONFIG: cursor('cli') });
    const added = await admin.callTool({
      name: 'add_client_config',
      arguments: {
        client: 'cursor',
        plane: 'admin',
        client_environment: { PORTICO_CURSOR_CONFIG: cursor('mcp') },
      },
    });
    expect(added.isError).toBeFalsy();

    // No waiting: the server that minted the key answers with it right away.
    const sessions: Client[] = [];
    for (const who of ['cli', 'mcp']) {
      const { url, headers } = entryOf(cursor(who));
      expect(url).toBe(`${gw.app.url}/mcp/admin`);
      const session = await connectClient(url, headers);
      open.push(session);
      sessions.push(session);
      expect((await session.listTools()).tools.map((t) => t.name)).toContain('add_client_config');
    }

    const cliEntry = entryOf(cursor('cli'));
    const mcpEntry = entryOf(cursor('mcp'));
    await cli(['clients', 'remove', 'cursor', '--plane', 'admin'], { PORTICO_CURSOR_CONFIG: cursor('cli') });
    const removed = await admin.callTool({
      name: 'remove_client_config',
      arguments: {
        client: 'cursor',
        plane: 'admin',
        client_environment: { PORTICO_CURSOR_CONFIG: cursor('mcp') },
      },
    });
    expect(removed.isError).toBeFalsy();
    // Refused at once: open sessions are closed and a new one is not let in.
    for (const session of sessions) await expect(session.listTools()).rejects.toThrow();
    for (const entry of [cliEntry, mcpEntry]) {
      await expect(connectClient(entry.url, entry.headers)).rejects.toThrow(/401|revoked|key/i);
    }
  });
});

describe('client_environment', () => {
  it('a variable outside the allow-list is refused, naming it; nothing is written or minted', async () => {
    const file = join(root, 'refused', 'mcp.json');
    const before = await gw.app.client('tray').call('list_api_keys', { include_revoked: true, limit: 500 });
    const refused = await admin.callTool({
      name: 'add_client_config',
      arguments: {
        client: 'cursor',
        plane: 'admin',
        client_environment: { PORTICO_CURSOR_CONFIG: file, LD_PRELOAD: '/tmp/evil.so' },
      },
    });
    expect(refused.isError).toBe(true);
    const text = JSON.stringify(refused.content);
    expect(text).toMatch(/client_environment\.LD_PRELOAD/);
    expect(text).toMatch(/LD_PRELOAD is not a variable Portico reads/);
    expect(existsSync(file)).toBe(false);

    // The same refusal through `portico admin` and the running server.
    const viaCli = await portico([
      'admin',
      'list_client_configs',
      JSON.stringify({ client_environment: { NODE_OPTIONS: '--require /tmp/evil.js' } }),
    ]);
    expect(viaCli.code).toBe(1);
    expect(viaCli.stderr).toMatch(/NODE_OPTIONS is not a variable Portico reads/);

    const after = await gw.app.client('tray').call('list_api_keys', { include_revoked: true, limit: 500 });
    expect(after.ok && before.ok && after.value.keys.length).toBe(before.ok && before.value.keys.length);
  });
});
