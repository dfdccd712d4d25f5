import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sortKeys } from '../../src/shared/admin/portability';
import { portico, serve } from '../helpers/cli';
import { everythingServerCommand } from '../helpers/everything';
import { bearer, connectClient, startTestGateway } from '../helpers/gateway';
import { startNotesApi } from '../helpers/notes-api';
import { tempDir } from '../helpers/temp';
import { startReceiver, verifiedByStandardWebhooks } from '../helpers/webhook-receiver';

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { text?: string }[];
};
type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const UPSTREAM_KEY = 'notes-key-7f3a9c21';
const ENV_SECRET = 'env-secret-55b0e1';
const PASSPHRASE = 'correct horse battery staple';
const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

async function adminOf(gw: Gateway) {
  const client = await connectClient(`${gw.app.url}/mcp/admin`, bearer(gw.adminKey));
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as Result;
  const ok = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    expect(result.isError, `${name}: ${result.content[0]?.text}`).toBeFalsy();
    return result.structuredContent as Record<string, unknown>;
  };
  const fail = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    expect(result.isError, `${name} should fail`).toBe(true);
    return result.content.map((c) => c.text ?? '').join('\n');
  };
  return { client, call, ok, fail };
}
type Admin = Awaited<ReturnType<typeof adminOf>>;

/** Everything the list tools show, for comparing two workspaces. */
async function snapshot(admin: Admin) {
  const page = { limit: 500 };
  const connectors = await admin.ok('list_connectors', page);
  const actions: Record<string, unknown> = {};
  for (const c of connectors.connectors as { id: string }[])
    actions[c.id] = await admin.ok('list_actions', { connector_id: c.id, ...page });
  const authConfigs = await admin.ok('list_auth_configs', page);
  const customers = await admin.ok('list_customers', page);
  const previews: Record<string, unknown> = {};
  for (const c of customers.customers as { id: string }[])
    previews[c.id] = await admin.ok('preview_customer_tools', { customer_id: c.id });
  return {
    connectors,
    actions,
    authConfigs,
    customers,
    previews,
    connections: await admin.ok('list_connections', page),
    // Pending deliveries are the receiver's queue, not the workspace (the import's own events queue some).
    webhooks: ((await admin.ok('list_webhooks', page)).webhooks as Record<string, unknown>[]).map(
      ({ pending_deliveries: _, ...w }) => w,
    ),
  };
}

let source: Gateway;
let src: Admin;
let api: Awaited<ReturnType<typeof startNotesApi>>;

beforeAll(async () => {
  api = await startNotesApi(UPSTREAM_KEY);
  source = await startTestGateway();
  src = await adminOf(source);
  await src.ok('import_openapi', { slug: 'notes', spec_url: `${api.url}/openapi.json` });
  await src.ok('set_auth_config', {
    connector_id: 'notes',
    scheme: 'api_key',
    in: 'header',
    name: 'X-API-Key',
  });
  const everything = everythingServerCommand();
  await src.ok('create_connector', {
    slug: 'everything',
    name: 'Everything',
    kind: 'mcp',
    transport: 'stdio',
    command: everything.command,
    args: everything.args,
    env: { EVERYTHING_TOKEN: ENV_SECRET },
  });
  await src.ok('create_customer', { id: 'acme', name: 'Acme Inc.' });
  await src.ok('create_customer', { id: 'globex', name: 'Globex' });
  await src.ok('create_connection', {
    customer_id: 'acme',
    connector_id: 'notes',
    credentials: { api_key: UPSTREAM_KEY },
  });
  await src.ok('create_connection', { customer_id: 'globex', connector_id: 'everything', credentials: {} });
  await src.ok('configure_customer_tools', {
    customer_id: 'acme',
    mode: 'selected',
    connector_ids: ['notes'],
    actions: { notes: ['list_notes', 'get_note'] },
    tool_mode: 'direct',
  });
  await src.ok('configure_customer_tools', { customer_id: 'globex', mode: 'all', tool_mode: 'search' });
  await src.ok('create_webhook', {
    url: 'http://127.0.0.1:9/hooks',
    events: ['customer.*', 'tool.failed'],
    secret: WEBHOOK_SECRET,
  });
}, 60_000);

const exportDoc = async (admin: Admin, args: Record<string, unknown> = {}) =>
  (await admin.ok('export_workspace', args)).document as Record<string, unknown>;

describe('export_workspace', () => {
  it('is versioned, in a stable order, and leaves secrets out (saying which)', async () => {
    const first = await exportDoc(src);
    const second = await exportDoc(src);
    const text = JSON.stringify(first, null, 2);
    expect(JSON.stringify(second, null, 2)).toBe(text);
    expect(first.portico_workspace).toBe(1);
    expect(Object.keys(first)).toEqual(Object.keys(first).sort());
    expect((first.connectors as { id: string }[]).map((c) => c.id)).toEqual(['everything', 'notes']);
    expect((first.customers as { id: string }[]).map((c) => c.id)).toEqual(['acme', 'globex']);
    expect(first.connections).toBeUndefined();
    expect(String(first.api_keys)).toMatch(/never exported/);
    const leftOut = (first.secrets as { included: boolean; left_out: string[] }).left_out;
    expect(leftOut.join('\n')).toMatch(/connector everything: env \(EVERYTHING_TOKEN\)/);
    expect(leftOut.join('\n')).toMatch(/webhook .*signing secret/);
    expect(leftOut.filter((l) => l.startsWith('connection '))).toHaveLength(2);
    for (const secret of [UPSTREAM_KEY, ENV_SECRET, WEBHOOK_SECRET, 'v1:'])
      expect(text).not.toContain(secret);
  });

  it('with include_secrets needs a passphrase, and encrypts the secrets', async () => {
    expect(await src.fail('export_workspace', { include_secrets: true })).toMatch(/passphrase/);
    const doc = await exportDoc(src, { include_secrets: true, passphrase: PASSPHRASE });
    const text = JSON.stringify(doc);
    for (const secret of [UPSTREAM_KEY, ENV_SECRET, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
    expect(doc.secrets).toMatchObject({ included: true, cipher: 'aes-256-gcm', kdf: { name: 'scrypt' } });
    expect((doc.connections as { id: string }[]).length).toBe(2);
  });

  it('exports a single customer with only the connectors it uses', async () => {
    const doc = await exportDoc(src, { customer_id: 'acme', include_secrets: true, passphrase: PASSPHRASE });
    expect((doc.customers as { id: string }[]).map((c) => c.id)).toEqual(['acme']);
    expect((doc.connectors as { id: string }[]).map((c) => c.id)).toEqual(['notes']);
    expect((doc.auth_configs as { connectorId: string }[]).map((a) => a.connectorId)).toEqual(['notes']);
    expect((doc.connections as { customerId: string }[]).map((c) => c.customerId)).toEqual(['acme']);
    expect(doc.webhooks).toEqual([]);
    expect(await src.fail('export_workspace', { customer_id: 'nobody' })).toMatch(
      /No customer with id "nobody"/,
    );

    const target = await startTestGateway();
    const dst = await adminOf(target);
    const report = await dst.ok('import_workspace', { document: doc, passphrase: PASSPHRASE });
    expect(report.added).toEqual({
      connectors: 1,
      auth_configs: 1,
      customers: 1,
      webhooks: 0,
      connections: 1,
    });
    const customers = (await dst.ok('list_customers', {})).customers as { id: string }[];
    expect(customers.map((c) => c.id)).toEqual(['acme']);
  });
});

describe('import_workspace into an empty data dir', () => {
  let target: Gateway;
  let dst: Admin;
  let withSecrets: Record<string, unknown>;

  beforeAll(async () => {
    target = await startTestGateway();
    dst = await adminOf(target);
    withSecrets = await exportDoc(src, { include_secrets: true, passphrase: PASSPHRASE });
  });

  it('a dry run reports and changes nothing', async () => {
    const revision = target.app.store.revision;
    const report = await dst.ok('import_workspace', {
      document: withSecrets,
      passphrase: PASSPHRASE,
      dry_run: true,
    });
    expect(report).toMatchObject({
      dry_run: true,
      added: { connectors: 2, auth_configs: 1, customers: 2, webhooks: 1, connections: 2 },
    });
    expect(target.app.store.revision).toBe(revision);
    expect((await dst.ok('list_customers', {})).customers).toEqual([]);
  });

  it('damaged, truncated, wrong-version or wrong-passphrase documents change nothing', async () => {
    const revision = target.app.store.revision;
    const before = await exportDoc(dst);
    expect(
      await dst.fail('import_workspace', { document: withSecrets, passphrase: 'not the passphrase' }),
    ).toMatch(/passphrase does not open/);
    expect(await dst.fail('import_workspace', { document: withSecrets })).toMatch(/holds encrypted secrets/);
    expect(
      await dst.fail('import_workspace', { document: { ...withSecrets, portico_workspace: 2 } }),
    ).toMatch(/version 2 .*reads version 1/);
    expect(await dst.fail('import_workspace', { document: { hello: 'world' } })).toMatch(
      /not a Portico workspace export/,
    );
    // Truncated: the last records gone — the connections now name a customer that is nowhere.
    const truncated = { ...withSecrets, customers: [] };
    expect(await dst.fail('import_workspace', { document: truncated, passphrase: PASSPHRASE })).toMatch(
      /no customer "acme"/,
    );
    // One bad record among good ones: nothing of the good ones is applied either.
    const customers = withSecrets.customers as Record<string, unknown>[];
    const damaged = { ...withSecrets, customers: [...customers, { id: 'broken', name: '' }] };
    expect(await dst.fail('import_workspace', { document: damaged, passphrase: PASSPHRASE })).toMatch(
      /customers\[2\] \("broken"\)/,
    );
    const tampered = structuredClone(withSecrets) as { secrets: { data: string } };
    tampered.secrets.data = `A${tampered.secrets.data.slice(1)}`;
    expect(await dst.fail('import_workspace', { document: tampered, passphrase: PASSPHRASE })).toMatch(
      /passphrase does not open|altered/,
    );
    const unknownConnector = structuredClone(withSecrets) as {
      customers: { exposure: { connectorIds: string[] } }[];
    };
    if (unknownConnector.customers[0]) unknownConnector.customers[0].exposure.connectorIds = ['ghost'];
    expect(
      await dst.fail('import_workspace', { document: unknownConnector, passphrase: PASSPHRASE }),
    ).toMatch(/connector "ghost"/);
    expect(target.app.store.revision).toBe(revision);
    expect(await exportDoc(dst)).toEqual(before);
  });

  it('reproduces the workspace, and calls use the imported credentials', async () => {
    const report = await dst.ok('import_workspace', { document: withSecrets, passphrase: PASSPHRASE });
    expect(report).toMatchObject({
      dry_run: false,
      added: { connectors: 2, auth_configs: 1, customers: 2, webhooks: 1, connections: 2 },
      changed: { connectors: 0, auth_configs: 0, customers: 0, webhooks: 0, connections: 0 },
    });
    expect(await snapshot(dst)).toEqual(await snapshot(src));
    expect(await exportDoc(dst)).toEqual(await exportDoc(src));

    // A real call through the gateway, with the key the upstream checks.
    const seen = api.seen.length;
    const gateway = await connectClient(
      `${target.app.url}/mcp/gateway?customer_id=acme`,
      bearer(target.mint('gateway', ['acme'])),
    );
    const listed = await gateway.listTools();
    expect(listed.tools.map((t) => t.name).sort()).toEqual(['notes__get_note', 'notes__list_notes']);
    const result = (await gateway.callTool({ name: 'notes__list_notes', arguments: {} })) as Result;
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    expect(JSON.stringify(result.structuredContent ?? result.content)).toContain('first');
    expect(api.seen.slice(seen).some((r) => r.headers['x-api-key'] === UPSTREAM_KEY)).toBe(true);
    await gateway.close();
  });

  it('again: everything is skipped; an edited record counts as changed', async () => {
    const again = await dst.ok('import_workspace', { document: withSecrets, passphrase: PASSPHRASE });
    expect(again.skipped).toEqual({
      connectors: 2,
      auth_configs: 1,
      customers: 2,
      webhooks: 1,
      connections: 2,
    });
    expect(again.added).toEqual({
      connectors: 0,
      auth_configs: 0,
      customers: 0,
      webhooks: 0,
      connections: 0,
    });
    await dst.ok('update_customer', { customer_id: 'globex', name: 'Globex Corp' });
    const plain = await exportDoc(src);
    const back = await dst.ok('import_workspace', { document: plain });
    expect(back.changed).toMatchObject({ customers: 1, connectors: 0 });
    expect(back.skipped).toMatchObject({ customers: 1, connectors: 2, webhooks: 1 });
    // Secrets the file leaves out are kept: calls still carry the key.
    const gateway = await connectClient(
      `${target.app.url}/mcp/gateway?customer_id=acme`,
      bearer(target.mint('gateway', ['acme'])),
    );
    const result = (await gateway.callTool({ name: 'notes__list_notes', arguments: {} })) as Result;
    expect(result.isError, result.content[0]?.text).toBeFalsy();
    await gateway.close();
  });

  it('the imported webhook signs with the exported secret', async () => {
    const receiver = await startReceiver();
    const webhookId = ((await dst.ok('list_webhooks', {})).webhooks as { id: string }[])[0]?.id;
    await dst.ok('update_webhook', { webhook_id: webhookId, url: receiver.url });
    expect(await dst.ok('test_webhook', { webhook_id: webhookId })).toMatchObject({ delivered: true });
    expect(() => verifiedByStandardWebhooks(WEBHOOK_SECRET, receiver.received[0] as never)).not.toThrow();
  });
});

describe('portico export / import', () => {
  it('round-trips through files with the real CLI, 0600 with secrets, refusing to overwrite', async () => {
    const dir = tempDir();
    const file = join(dir, 'workspace.json');
    const env = { PORTICO_DATA_DIR: source.dataDir, PORTICO_EXPORT_PASSPHRASE: PASSPHRASE };
    // The source runs in this process and does not advertise itself to the CLI: export it with the tool.
    const doc = await exportDoc(src, { include_secrets: true, passphrase: PASSPHRASE });
    const seeded = join(dir, 'seed.json');
    writeFileSync(seeded, `${JSON.stringify(sortKeys(doc), null, 2)}\n`);

    const dataA = tempDir();
    let plainText = '';
    const served = await serve(['--data-dir', dataA]);
    try {
      const imported = portico(['import', seeded, '--data-dir', dataA, '--json'], { env });
      expect(imported.code, imported.stderr).toBe(0);
      expect(JSON.parse(imported.stdout).added).toMatchObject({ customers: 2, connections: 2 });

      const out = portico(['export', file, '--include-secrets', '--data-dir', dataA], { env });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/Exported .*2 customers/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text.endsWith('}\n')).toBe(true);
      expect(text).toContain('\n  "connectors": [');
      for (const secret of [UPSTREAM_KEY, ENV_SECRET]) expect(text).not.toContain(secret);

      const again = portico(['export', file, '--data-dir', dataA], { env });
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already exists; pass --force/);
      expect(readFileSync(file, 'utf8')).toBe(text);

      const plain = join(dir, 'plain.json');
      const a = portico(['export', plain, '--data-dir', dataA], { env });
      const b = portico(['export', plain, '--force', '--data-dir', dataA], { env });
      expect([a.code, b.code]).toEqual([0, 0]);
      plainText = readFileSync(plain, 'utf8');
      const plainAgain = join(dir, 'plain2.json');
      portico(['export', plainAgain, '--data-dir', dataA], { env });
      expect(readFileSync(plainAgain, 'utf8')).toBe(plainText);

      const noPass = portico(['export', join(dir, 'x.json'), '--include-secrets', '--data-dir', dataA], {
        env: { PORTICO_EXPORT_PASSPHRASE: '' },
      });
      expect(noPass.code).not.toBe(0);
      expect(noPass.stderr).toMatch(/PORTICO_EXPORT_PASSPHRASE/);
      expect(existsSync(join(dir, 'x.json'))).toBe(false);
    } finally {
      await served.stop();
    }

    // Into an empty data dir, no server running: the same workspace.
    const dataB = tempDir();
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, readFileSync(file, 'utf8').slice(0, 200));
    const bad = portico(['import', corrupt, '--data-dir', dataB], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not valid JSON.*truncated/);
    const wrong = portico(['import', file, '--data-dir', dataB], {
      env: { ...env, PORTICO_EXPORT_PASSPHRASE: 'wrong passphrase' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/passphrase does not open/);
    const dry = portico(['import', file, '--dry-run', '--data-dir', dataB], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/Dry run .*nothing was changed/);
    const listed = portico(['admin', 'list_customers', '--data-dir', dataB]);
    expect(JSON.parse(listed.stdout).customers).toEqual([]);

    const ok = portico(['import', file, '--data-dir', dataB], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/added: 2 connectors, 1 auth configs, 2 customers, 1 webhooks, 2 connections/);
    const back = portico(['export', join(dir, 'back.json'), '--data-dir', dataB], { env });
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(join(dir, 'back.json'), 'utf8')).toBe(plainText);
  }, 60_000);
});
