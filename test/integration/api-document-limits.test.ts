// Tools that carry a whole document accept it through a running server, beyond the workspace's
// request body limit (4 MiB): `portico import` of a 6 MB export forwards to the server and
// imports; the server's own limit still holds for every other tool.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIAL_HEADER, readLocalCredential } from '../../src/main/core/store/server-info';
import { portico, type Served, serve } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

let served: Served;
let target: string;

beforeAll(async () => {
  target = tempDir();
  served = await serve(['--data-dir', target]);
});
afterAll(async () => {
  await served.stop();
});

describe('documents over the body limit, through the running server', () => {
  it('`portico import` of an export larger than 4 MiB goes through the server and imports it', () => {
    const source = tempDir();
    const made = portico([
      '--data-dir',
      source,
      'admin',
      'create_connector',
      JSON.stringify({ slug: 'big', name: 'Big', kind: 'http', base_url: 'https://api.example.com' }),
    ]);
    expect(made.code, made.stderr).toBe(0);
    const file = join(tempDir(), 'big.json');
    const exported = portico(['--data-dir', source, 'export', file]);
    expect(exported.code, exported.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { connectors: { actions: unknown[] }[] };
    const connector = doc.connectors[0];
    if (!connector) throw new Error('the export has no connector');
    connector.actions = Array.from({ length: 400 }, (_, i) => ({
      name: `op_${i}`,
      description: `Operation ${i}. ${'Documentation text. '.repeat(800)}`,
      inputSchema: { type: 'object', properties: {} },
      annotations: { readOnlyHint: true },
      enabled: true,
      http: { method: 'GET', path: `/ops/${i}`, params: [] },
    }));
    writeFileSync(file, JSON.stringify(doc, null, 2));
    expect(readFileSync(file).length).toBeGreaterThan(6 * 1024 * 1024);

    const imported = portico(['--data-dir', target, 'import', file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^Imported .*big\.json:\n\s+added: 1 connectors/);
    // Exported again (a 6 MB answer, through the server): the same actions arrived.
    const back = join(tempDir(), 'back.json');
    const again = portico(['--data-dir', target, 'export', back]);
    expect(again.code, again.stderr).toBe(0);
    const round = JSON.parse(readFileSync(back, 'utf8')) as typeof doc;
    expect(round.connectors[0]?.actions).toHaveLength(400);
    expect(round.connectors[0]?.actions[399]).toMatchObject({ name: 'op_399', http: { path: '/ops/399' } });
  });

  it('every other tool keeps the workspace limit: 413 with what to do', async () => {
    const credential = readLocalCredential(target);
    const body = JSON.stringify({ id: 'acme', name: 'x'.repeat(5 * 1024 * 1024) });
    const res = await fetch(`${served.url}/api/tools/create_customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LOCAL_CREDENTIAL_HEADER]: credential ?? '' },
      body,
    });
    expect(res.status).toBe(413);
    // The same credential and path with a small body work: the refusal was the size.
    const small = await fetch(`${served.url}/api/tools/create_customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LOCAL_CREDENTIAL_HEADER]: credential ?? '' },
      body: JSON.stringify({ id: 'acme', name: 'Acme' }),
    });
    expect(await small.json()).toMatchObject({ ok: true, value: { id: 'acme' } });
  });
});
