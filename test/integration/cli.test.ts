import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { portico, serve } from '../helpers/cli';
import { bearer, connectClient, initializeBody, rawPost } from '../helpers/gateway';
import { tempDir } from '../helpers/temp';

const KEY = /ptc_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}/;

describe('portico serve', () => {
  it('first start prints one admin key once, the key works, a restart prints none', async () => {
    const dir = tempDir();
    const first = await serve(['--data-dir', dir]);
    const key = KEY.exec(first.output())?.[0];
    expect(key).toBeDefined();
    expect(first.output()).toMatch(/shown only this once/);
    const client = await connectClient(`${first.url}/mcp/admin`, bearer(key as string));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
    expect(await first.stop()).toBe(0);
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
    const second = await serve(['--data-dir', dir]);
    expect(second.output()).not.toMatch(KEY);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('a second server on the same data dir says where the first listens and exits non-zero', async () => {
    const dir = tempDir();
    const first = await serve(['--data-dir', dir]);
    const second = portico(['serve', '--port', '0', '--data-dir', dir]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(first.url);
    expect(await first.stop()).toBe(0);
  });

  it('refuses a damaged legacy workspace file or database, names it, and keeps it byte for byte', () => {
    const legacy = tempDir();
    writeFileSync(join(legacy, 'workspace.json'), '{"schemaVersion":1,');
    const refused = portico(['serve', '--port', '0', '--data-dir', legacy]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(join(legacy, 'workspace.json'));
    expect(refused.stderr).toMatch(/left exactly as it was/);
    expect(readdirSync(legacy)).toEqual(['workspace.json']);
    expect(readFileSync(join(legacy, 'workspace.json'), 'utf8')).toBe('{"schemaVersion":1,');

    const damaged = tempDir();
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(join(damaged, 'portico.db'), garbage);
    const result = portico(['serve', '--port', '0', '--data-dir', damaged]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(join(damaged, 'portico.db'));
    expect(readdirSync(damaged)).toEqual(['portico.db']);
    expect(readFileSync(join(damaged, 'portico.db')).equals(garbage)).toBe(true);
  });

  it('--no-admin answers 503 until the switch is flipped from another process', async () => {
    const dir = tempDir();
    const key = JSON.parse(
      portico(['keys', 'create', '--name', 'a', '--scope', 'admin', '--json', '--data-dir', dir]).stdout,
    ).key;
    const served = await serve(['--data-dir', dir, '--no-admin']);
    const off = await rawPost(`${served.url}/mcp/admin`, initializeBody, bearer(key));
    expect(off.status).toBe(503);
    expect(off.json?.error?.message).toMatch(/set_plane_enabled/);
    expect(
      portico(['admin', 'set_plane_enabled', '{"plane":"admin","enabled":true}', '--data-dir', dir]).code,
    ).toBe(0);
    expect((await rawPost(`${served.url}/mcp/admin`, initializeBody, bearer(key))).status).toBe(200);
    expect(await served.stop()).toBe(0);
  });

  it('rejects a bad --port with a clear message', () => {
    const result = portico(['serve', '--port', 'abc', '--data-dir', tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid port "abc"/);
  });
});

describe('CLI against a running server on the same data dir', () => {
  it('keys, admin tools and plane switches take effect at once, and no key leaks', async () => {
    const dir = tempDir();
    const outputs: string[] = [];
    const run = (...args: string[]) => {
      const result = portico([...args, '--data-dir', dir]);
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const served = await serve(['--data-dir', dir]);
    const firstKey = KEY.exec(served.output())?.[0] as string;

    const created = run('keys', 'create', '--name', 'ci', '--scope', 'admin', '--json');
    expect(created.code).toBe(0);
    const made = JSON.parse(created.stdout);
    expect(Object.keys(made).sort()).toEqual(['customers', 'id', 'key', 'scope']);
    const adminKey: string = made.key;
    outputs.pop();
    outputs.pop();

    const client = await connectClient(`${served.url}/mcp/admin`, bearer(adminKey));
    expect(run('admin', 'create_customer', '{"id":"acme","name":"Acme"}').code).toBe(0);
    const got = await client.callTool({ name: 'get_customer', arguments: { customer_id: 'acme' } });
    expect(got.structuredContent).toMatchObject({ id: 'acme', name: 'Acme' });

    const gwKey = JSON.parse(
      run('keys', 'create', '--name', 'gw', '--scope', 'gateway', '--customer', 'acme', '--json').stdout,
    );
    outputs.pop();
    outputs.pop();
    expect(gwKey.customers).toEqual(['acme']);

    const bad = run('admin', 'create_customer', '{"id":"acme","name":"Again"}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/already exists/);
    const badJson = run('admin', 'create_customer', '{nope');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/not valid JSON/);
    const viaStdin = portico(['admin', 'get_customer', '-', '--data-dir', dir], {
      input: '{"customer_id":"acme"}',
    });
    expect(JSON.parse(viaStdin.stdout).name).toBe('Acme');

    const listed = run('keys', 'list');
    expect(listed.stdout).toContain(made.id);
    expect(listed.stdout).not.toMatch(KEY);

    run('admin', 'set_plane_enabled', '{"plane":"gateway","enabled":false}');
    const gw = `${served.url}/mcp/gateway?customer_id=acme`;
    expect((await rawPost(gw, initializeBody, bearer(gwKey.key))).status).toBe(503);
    run('admin', 'set_plane_enabled', '{"plane":"gateway","enabled":true}');
    expect((await rawPost(gw, initializeBody, bearer(gwKey.key))).status).toBe(200);

    const status = JSON.parse(run('status', '--json').stdout);
    expect(status).toMatchObject({ running: true, url: served.url, planes: { admin: true, gateway: true } });
    // Nothing secret was stored yet, so no key was made — and status did not make one either.
    expect(status.secrets).toMatch(/^none yet/);

    expect(run('keys', 'revoke', made.id).code).toBe(0);
    expect((await rawPost(`${served.url}/mcp/admin`, initializeBody, bearer(adminKey))).status).toBe(401);
    await expect(client.listTools()).rejects.toThrow();

    expect(await served.stop()).toBe(0);
    // Secrets appear only in their one-time display: not in other output, logs or files on disk.
    const everything = [
      ...outputs,
      served.output().replace(firstKey, ''),
      ...readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8')),
    ].join('\n');
    for (const key of [firstKey, adminKey, gwKey.key]) {
      expect(everything).not.toContain(key);
      expect(everything).not.toContain(key.split('_')[2]);
    }
  });
});
