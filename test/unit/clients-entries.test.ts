import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/main/core/auth/api-keys';
import {
  applyAdd,
  CLIENTS,
  type ClientDefinition,
  claudeDesktop,
  claudeDesktopMcpRemoteEntry,
  cursorInstallLink,
  type EntryInput,
  entryNameFor,
  entryStatus,
  getClient,
  readEntries,
  VSCODE_KEY_INPUT_ID,
  vscodeInstallLink,
} from '../../src/main/core/clients';
import { tempDir } from '../helpers/temp';

// Generated, not written out: no key-shaped literal in the tree.
const KEY = generateApiKey().key;
const URL_ADMIN = 'http://127.0.0.1:7430/mcp/admin';

// The clients' own variable syntax, spelled literally on purpose.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a client-side variable, not a template
const MCP_REMOTE_HEADER = 'Authorization:${PORTICO_AUTH}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a client-side variable, not a template
const INPUT_REF = '${input:portico-key}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a client-side variable, not a template
const ENV_REF = '${env:PORTICO_API_KEY}';

function input(over: Partial<EntryInput> = {}): EntryInput {
  return {
    name: 'portico-admin',
    url: URL_ADMIN,
    key: KEY,
    bridge: { command: '/usr/bin/node', args: ['/opt/portico/bin/portico.js', 'bridge', '--plane', 'admin'] },
    ...over,
  };
}

const client = (id: string): ClientDefinition => getClient(id)!;

describe('entry shapes', () => {
  it('Claude Desktop runs the bridge with the key in env, never in args', () => {
    expect(claudeDesktop.buildEntry(input())).toEqual({
      name: 'portico-admin',
      value: {
        command: '/usr/bin/node',
        args: ['/opt/portico/bin/portico.js', 'bridge', '--plane', 'admin'],
        env: { PORTICO_API_KEY: KEY },
      },
    });
    const value = claudeDesktop.buildEntry(input()).value;
    expect(JSON.stringify(value.args)).not.toContain(KEY);
  });

  it('the bridge args are copied, not shared', () => {
    const i = input();
    const value = claudeDesktop.buildEntry(i).value;
    (value.args as string[]).push('--x');
    expect(i.bridge.args).not.toContain('--x');
  });

  it('Claude Desktop’s mcp-remote alternative keeps the key out of argv', () => {
    expect(claudeDesktopMcpRemoteEntry(input())).toEqual({
      name: 'portico-admin',
      value: {
        command: 'npx',
        args: ['-y', 'mcp-remote', URL_ADMIN, '--header', MCP_REMOTE_HEADER],
        env: { PORTICO_AUTH: `Bearer ${KEY}` },
      },
    });
  });

  it('remote clients carry the key in an Authorization header', () => {
    const headers = { Authorization: `Bearer ${KEY}` };
    expect(client('cursor').buildEntry(input()).value).toEqual({ url: URL_ADMIN, headers });
    expect(client('vscode').buildEntry(input()).value).toEqual({ type: 'http', url: URL_ADMIN, headers });
    expect(client('windsurf').buildEntry(input()).value).toEqual({ serverUrl: URL_ADMIN, headers });
    expect(client('claude-code').buildEntry(input()).value).toEqual({
      type: 'http',
      url: URL_ADMIN,
      headers,
    });
    expect(client('gemini-cli').buildEntry(input()).value).toEqual({ httpUrl: URL_ADMIN, headers });
    expect(client('cline').buildEntry(input()).value).toEqual({
      type: 'streamableHttp',
      url: URL_ADMIN,
      headers,
      disabled: false,
    });
    expect(client('vscode').rootKey).toBe('servers');
    expect(client('codex').rootKey).toBe('mcp_servers');
    for (const c of CLIENTS) {
      if (c.id !== 'vscode' && c.id !== 'codex') expect(c.rootKey, c.id).toBe('mcpServers');
    }
  });

  it('every client reads back what it writes', () => {
    for (const c of CLIENTS) {
      const details = c.inspect(c.buildEntry(input()).value);
      expect(details.key, c.id).toBe(KEY);
      expect(details.transport, c.id).toBe(c.transport);
      if (c.transport === 'http') expect(details.url, c.id).toBe(URL_ADMIN);
    }
  });

  it('names entries portico-admin and portico-<customer_id>', () => {
    expect(entryNameFor('admin')).toBe('portico-admin');
    expect(entryNameFor('gateway', 'acme')).toBe('portico-acme');
    expect(() => entryNameFor('gateway')).toThrow(/customer/);
  });
});

describe('entryStatus', () => {
  const live = new Set([KEY]);
  const keyValid = (k: string) => live.has(k);

  function stored(c: ClientDefinition, over: Partial<EntryInput> = {}) {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    applyAdd(c, input(over), { path });
    const [found] = readEntries(c, { path });
    return found!;
  }

  it('is current when the URL matches and the key is live', () => {
    for (const c of CLIENTS) {
      const status = entryStatus(
        stored(c, { bridge: { command: 'portico', args: ['bridge', '--url', URL_ADMIN] } }),
        {
          url: URL_ADMIN,
          keyValid,
        },
      );
      expect(status, c.id).toEqual({ status: 'current', keyChecked: true });
    }
  });

  it('is stale when the gateway moved to another port', () => {
    const status = entryStatus(stored(client('cursor')), {
      url: 'http://127.0.0.1:7431/mcp/admin',
      keyValid,
    });
    expect(status.status).toBe('stale');
    if (status.status !== 'stale') return;
    expect(status.reasons.map((r) => r.code)).toEqual(['port-changed']);
    expect(status.reason).toBe('points at port 7430, the gateway listens on port 7431');
  });

  it('is stale when the URL differs otherwise (host, path, customer)', () => {
    const found = stored(client('windsurf'), {
      name: 'portico-acme',
      url: 'http://127.0.0.1:7430/mcp/gateway?customer_id=acme',
    });
    const status = entryStatus(found, {
      url: 'http://127.0.0.1:7430/mcp/gateway?customer_id=globex',
      keyValid,
    });
    expect(status.status === 'stale' && status.reasons[0]?.code).toBe('url-changed');
  });

  it('is stale when the key was revoked or is unknown, and never says the key', () => {
    const status = entryStatus(stored(client('vscode')), { url: URL_ADMIN, keyValid: () => false });
    expect(status.status).toBe('stale');
    if (status.status !== 'stale') return;
    expect(status.reasons.map((r) => r.code)).toEqual(['key-invalid']);
    expect(JSON.stringify(status)).not.toContain(KEY);
  });

  it('reports every reason at once', () => {
    const status = entryStatus(stored(client('claude-code')), {
      url: 'http://127.0.0.1:9999/mcp/admin',
      keyValid: () => false,
    });
    expect(status.status === 'stale' && status.reasons.map((r) => r.code)).toEqual([
      'port-changed',
      'key-invalid',
    ]);
  });

  it('Claude Desktop: checks the bridge’s --url and command when the caller gives them', () => {
    const bridge = { command: 'portico', args: ['bridge', '--plane', 'admin', '--url', URL_ADMIN] };
    const found = stored(claudeDesktop, { bridge });
    expect(found.details).toMatchObject({ transport: 'stdio', url: URL_ADMIN, key: KEY, command: 'portico' });
    expect(entryStatus(found, { url: URL_ADMIN, keyValid, bridge }).status).toBe('current');
    const moved = entryStatus(found, {
      url: URL_ADMIN,
      keyValid,
      bridge: { command: '/new/path/portico', args: bridge.args },
    });
    expect(moved.status === 'stale' && moved.reasons.map((r) => r.code)).toEqual(['command-changed']);
    expect(entryStatus(found, { url: 'http://127.0.0.1:7500/mcp/admin', keyValid }).status).toBe('stale');
  });

  it('a bridge without --url is judged by its key alone', () => {
    const found = stored(claudeDesktop);
    expect(found.details.url).toBeUndefined();
    expect(entryStatus(found, { url: 'http://127.0.0.1:7999/mcp/admin', keyValid }).status).toBe('current');
    expect(entryStatus(found, { url: URL_ADMIN, keyValid: () => false }).status).toBe('stale');
  });

  it('the mcp-remote entry is read back too', () => {
    const dir = tempDir();
    const path = join(dir, 'c.json');
    applyAdd(claudeDesktop, claudeDesktopMcpRemoteEntry(input()), { path });
    const [found] = readEntries(claudeDesktop, { path });
    expect(entryStatus(found!, { url: URL_ADMIN, keyValid }).status).toBe('current');
    expect(entryStatus(found!, { url: 'http://127.0.0.1:1/mcp/admin', keyValid }).status).toBe('stale');
  });

  it('a key held by the client (an input variable) cannot be checked and is not stale for it', () => {
    const dir = tempDir();
    const path = join(dir, 'mcp.json');
    writeFileSync(
      path,
      JSON.stringify({
        servers: {
          'portico-admin': {
            type: 'http',
            url: URL_ADMIN,
            headers: { Authorization: `Bearer ${INPUT_REF}` },
          },
        },
      }),
    );
    const [found] = readEntries(client('vscode'), { path });
    expect(found?.details).toMatchObject({ keyReference: INPUT_REF });
    expect(entryStatus(found!, { url: URL_ADMIN, keyValid: () => false })).toEqual({
      status: 'current',
      keyChecked: false,
    });
  });

  it('an entry with no key, or in a shape we do not write, is stale', () => {
    expect(
      entryStatus({ details: client('cursor').inspect({ url: URL_ADMIN }) }, { url: URL_ADMIN, keyValid }),
    ).toMatchObject({ status: 'stale', reasons: [{ code: 'key-missing' }] });
    expect(
      entryStatus({ details: client('cursor').inspect({ nonsense: true }) }, { url: URL_ADMIN, keyValid }),
    ).toMatchObject({ status: 'stale', reasons: [{ code: 'unrecognised' }] });
  });

  it('accepts the key as ?api_key= in the URL without comparing or printing it', () => {
    const details = client('cursor').inspect({ url: `${URL_ADMIN}?api_key=${KEY}` });
    expect(details.key).toBe(KEY);
    const status = entryStatus({ details }, { url: URL_ADMIN, keyValid });
    expect(status.status).toBe('current');
    const moved = entryStatus({ details }, { url: 'http://127.0.0.1:1/mcp/admin', keyValid });
    expect(JSON.stringify(moved)).not.toContain(KEY);
  });
});

describe('install links for the UI', () => {
  it('Cursor: name + base64 entry, with a placeholder for the key', () => {
    const link = cursorInstallLink({ name: 'portico-admin', url: URL_ADMIN });
    expect(link.startsWith('cursor://anysphere.cursor-deeplink/mcp/install?')).toBe(true);
    const params = new URL(link).searchParams;
    expect(params.get('name')).toBe('portico-admin');
    const config = JSON.parse(Buffer.from(params.get('config')!, 'base64').toString('utf8'));
    expect(config).toEqual({ url: URL_ADMIN, headers: { Authorization: `Bearer ${ENV_REF}` } });
    expect(link).not.toMatch(/ptc_[A-Za-z0-9]{8}_/);
    const custom = cursorInstallLink({ name: 'portico-admin', url: URL_ADMIN }, '<your Portico key>');
    const customConfig = JSON.parse(
      Buffer.from(new URL(custom).searchParams.get('config')!, 'base64').toString(),
    );
    expect(customConfig.headers.Authorization).toBe('Bearer <your Portico key>');
  });

  it('VS Code: url-encoded JSON using an input variable for the key', () => {
    const link = vscodeInstallLink({
      name: 'portico-acme',
      url: 'http://127.0.0.1:7430/mcp/gateway?customer_id=acme',
    });
    expect(link.startsWith('vscode:mcp/install?')).toBe(true);
    const config = JSON.parse(decodeURIComponent(link.slice('vscode:mcp/install?'.length)));
    expect(config).toEqual({
      name: 'portico-acme',
      type: 'http',
      url: 'http://127.0.0.1:7430/mcp/gateway?customer_id=acme',
      headers: { Authorization: `Bearer \${input:${VSCODE_KEY_INPUT_ID}}` },
      inputs: [{ type: 'promptString', id: 'portico-key', description: 'Portico API key', password: true }],
    });
    expect(link).not.toMatch(/ptc_[A-Za-z0-9]{8}_/);
    expect(link).not.toMatch(/[\s"{}]/); // fully encoded
  });
});
