import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { DatabaseError, databaseFile, openDatabase } from '../../src/main/core/store/database';
import { legacyMigrations, migrateLegacy } from '../../src/main/core/store/legacy-import';
import { SCHEMA_VERSION, type Workspace } from '../../src/main/core/store/schema';
import { WorkspaceStore, WriteConflictError } from '../../src/main/core/store/workspace-store';
import { engines, folderFingerprint, openStore, workspaceTarget } from '../helpers/store';
import { tempDir } from '../helpers/temp';

const at = '2026-01-01T00:00:00.000Z';
const customer = (id: string, name = id) => ({
  id,
  name,
  exposure: { mode: 'all' as const, connectorIds: [], actions: {}, toolMode: 'auto' as const },
  metadata: {},
  createdAt: at,
  updatedAt: at,
});
const addCustomer = (ws: Workspace, id: string, name = id) => {
  ws.customers[id] = customer(id, name);
};

describe.each(engines())('WorkspaceStore on %s', (engine) => {
  it('starts empty, persists a change once flushed, and reads it back in a new process', async () => {
    const target = await workspaceTarget(engine);
    const store = await openStore(target);
    expect(Object.keys(store.data.customers)).toEqual([]);
    store.mutate((ws) => addCustomer(ws, 'acme', 'Acme'));
    await store.flushed();
    const again = await openStore(target);
    expect(again.data.customers.acme?.name).toBe('Acme');
    expect(again.data.settings.port).toBe(7430);
  });

  it('stores a 1,000-action connector as rows and rewrites only the actions that change', async () => {
    const target = await workspaceTarget(engine);
    const store = await openStore(target);
    const actions = Array.from({ length: 1000 }, (_, i) => ({
      name: `op_${i}`,
      description: `operation ${i}`,
      inputSchema: { type: 'object' },
      annotations: {},
      enabled: true,
    }));
    store.mutate((ws) => {
      ws.connectors.big = {
        id: 'big',
        slug: 'big',
        name: 'Big',
        description: '',
        kind: 'http',
        baseUrl: 'http://127.0.0.1:9',
        actions,
        createdAt: at,
        updatedAt: at,
      };
    });
    await store.flushed();
    store.mutate((ws) => {
      const c = ws.connectors.big;
      if (!c) throw new Error('missing');
      c.actions[10] = { ...c.actions[10], name: 'op_10', description: 'changed' } as never;
      c.actions.splice(500, 1);
    });
    await store.flushed();
    const counted = await store.database?.db
      .selectFrom('actions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(Number(counted?.n)).toBe(999);
    // Actions checked once are not checked again, but a changed or new one always is.
    expect(() =>
      store.mutate((ws) => {
        const c = ws.connectors.big;
        const first = c?.actions[0];
        if (c && first) c.actions.push({ ...first, name: 'broken', inputSchema: 'not a schema' as never });
      }),
    ).toThrow(/invalid connectors\.big\.actions\.999\.inputSchema/);
    expect(Object.isFrozen(store.data.connectors.big?.actions[0])).toBe(true);
    const again = await openStore(target);
    const big = again.data.connectors.big;
    expect(big?.actions).toHaveLength(999);
    expect(big?.actions[10]?.description).toBe('changed');
    expect(big?.actions.map((a) => a.name)).toEqual(store.data.connectors.big?.actions.map((a) => a.name));
  });

  it('leaves everything as it was when a mutation throws or makes an invalid record', async () => {
    const store = await openStore(await workspaceTarget(engine));
    store.mutate((ws) => addCustomer(ws, 'acme'));
    await store.flushed();
    const before = store.data;
    expect(() =>
      store.mutate((ws) => {
        addCustomer(ws, 'other');
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(() =>
      store.mutate((ws) => {
        (ws.customers.acme as { name: string }).name = '';
      }),
    ).toThrow(/invalid customers\.acme\.name/);
    expect(store.data).toBe(before);
  });

  it('ids that name Object.prototype members are ordinary ids', async () => {
    const target = await workspaceTarget(engine);
    const store = await openStore(target);
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect(store.data.customers[id], id).toBeUndefined();
    store.mutate((ws) => {
      for (const id of ['constructor', 'toString', 'hasOwnProperty']) addCustomer(ws, id);
    });
    await store.flushed();
    const again = await openStore(target);
    expect(Object.keys(again.data.customers).sort()).toEqual(['constructor', 'hasOwnProperty', 'toString']);
    const proto = '__proto__';
    expect(again.data.customers[proto]).toBeUndefined();
  });

  it("two processes' stores: writes to different records both land; the other catches up and is told", async () => {
    const target = await workspaceTarget(engine);
    const a = await openStore(target);
    const b = await openStore(target);
    const seen: string[] = [];
    b.onChange((source) => seen.push(source));
    a.mutate((ws) => addCustomer(ws, 'from-a'));
    await a.flushed();
    expect(await b.sync()).toBe(true);
    expect(seen).toEqual(['external']);
    expect(b.data.customers['from-a']?.id).toBe('from-a');
    expect(await b.sync()).toBe(false);
    // Writing catches up too: A's next change arrives with B's own write.
    a.mutate((ws) => addCustomer(ws, 'from-a-2'));
    b.mutate((ws) => addCustomer(ws, 'from-b'));
    await Promise.all([a.flushed(), b.flushed()]);
    await Promise.all([a.sync(), b.sync()]);
    const all = ['from-a', 'from-a-2', 'from-b'];
    expect(Object.keys(a.data.customers).sort()).toEqual(all);
    expect(Object.keys(b.data.customers).sort()).toEqual(all);
    const fresh = await openStore(target);
    expect(Object.keys(fresh.data.customers).sort()).toEqual(all);
  });

  it('a process left behind a pruned change log reads everything again and misses nothing', async () => {
    const target = await workspaceTarget(engine);
    const a = await openStore(target);
    const b = await openStore(target);
    for (const i of [1, 2, 3, 4, 5]) {
      a.mutate((ws) => addCustomer(ws, `c${i}`));
      await a.flushed();
    }
    a.mutate((ws) => {
      delete ws.customers.c1;
    });
    await a.flushed();
    expect(await a.pruneChangeLog(2)).toBeGreaterThan(0);
    expect(await b.sync()).toBe(true);
    expect(Object.keys(b.data.customers).sort()).toEqual(['c2', 'c3', 'c4', 'c5']);
  });

  it('a write over a record another process changed meanwhile is refused, and the store shows theirs', async () => {
    const target = await workspaceTarget(engine);
    const a = await openStore(target);
    a.mutate((ws) => addCustomer(ws, 'acme', 'Original'));
    await a.flushed();
    const b = await openStore(target);
    a.mutate((ws) => addCustomer(ws, 'acme', 'Renamed by A'));
    await a.flushed();
    b.mutate((ws) => addCustomer(ws, 'acme', 'Renamed by B'));
    await expect(b.flushed()).rejects.toBeInstanceOf(WriteConflictError);
    expect(b.data.customers.acme?.name).toBe('Renamed by A');
    b.mutate((ws) => addCustomer(ws, 'acme', 'Renamed by B, again'));
    await b.flushed();
    expect((await openStore(target)).data.customers.acme?.name).toBe('Renamed by B, again');
  });
});

describe('the SQLite file', () => {
  it('is created with mode 0600 in a 0700 data dir', async () => {
    const dataDir = join(tempDir(), 'new');
    const store = await openStore({ dataDir });
    store.mutate((ws) => addCustomer(ws, 'acme'));
    await store.flushed();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const suffix of ['', '-wal', '-shm']) {
      const path = `${databaseFile(dataDir)}${suffix}`;
      if (existsSync(path)) expect(statSync(path).mode & 0o777, path).toBe(0o600);
    }
  });

  it('a file that is not a database is refused, named, and kept byte for byte', async () => {
    const dataDir = tempDir();
    writeFileSync(databaseFile(dataDir), 'this is not a database, it was damaged by hand\n'.repeat(100));
    const before = folderFingerprint(dataDir);
    const error = await WorkspaceStore.open({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toContain(databaseFile(dataDir));
    expect((error as Error).message).toMatch(/left exactly as it was/);
    expect(folderFingerprint(dataDir)).toEqual(before);
    await expect(WorkspaceStore.open({ dataDir, readOnly: true })).rejects.toBeInstanceOf(DatabaseError);
    expect(folderFingerprint(dataDir)).toEqual(before);
  });

  it('a row that fails validation is refused with the row named, and nothing changes', async () => {
    const dataDir = tempDir();
    const store = await WorkspaceStore.open({ dataDir });
    store.mutate((ws) => addCustomer(ws, 'acme'));
    await store.close();
    const raw = new DatabaseSync(databaseFile(dataDir));
    raw.prepare('update customers set data = \'{"id":"acme","name":""}\' where id = \'acme\'').run();
    raw.close();
    const before = folderFingerprint(dataDir);
    await expect(WorkspaceStore.open({ dataDir })).rejects.toThrow(/customers row is invalid at name/);
    expect(folderFingerprint(dataDir)).toEqual(before);
  });

  it('a database migrated by a newer Portico is refused without being touched', async () => {
    const dataDir = tempDir();
    await (await WorkspaceStore.open({ dataDir })).close();
    const raw = new DatabaseSync(databaseFile(dataDir));
    raw.prepare("insert into kysely_migration (name, timestamp) values ('9999_future', 'x')").run();
    raw.close();
    const before = folderFingerprint(dataDir);
    await expect(WorkspaceStore.open({ dataDir })).rejects.toThrow(/newer Portico \(migration 9999_future\)/);
    expect(folderFingerprint(dataDir)).toEqual(before);
  });
});

describe('read-only opens', () => {
  it('create nothing where there is no data dir, and read an empty workspace', async () => {
    const dataDir = join(tempDir(), 'typo');
    const store = await WorkspaceStore.open({ dataDir, readOnly: true });
    expect(Object.keys(store.data.customers)).toEqual([]);
    expect(() => store.secrets).toThrow(/has no secrets key yet/);
    expect(() => store.mutate(() => {})).toThrow(/read-only/);
    await store.close();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('change no byte of an existing data dir', async () => {
    const dataDir = tempDir();
    const writer = await WorkspaceStore.open({ dataDir });
    writer.mutate((ws) => addCustomer(ws, 'acme'));
    await writer.close();
    const before = folderFingerprint(dataDir);
    const reader = await WorkspaceStore.open({ dataDir, readOnly: true });
    expect(reader.data.customers.acme?.id).toBe('acme');
    await reader.close();
    expect(folderFingerprint(dataDir)).toEqual(before);
  });

  it('read a legacy workspace.json without importing or moving it', async () => {
    const dataDir = tempDir();
    cpSync(fixture, dataDir, { recursive: true });
    const before = folderFingerprint(dataDir);
    const reader = await WorkspaceStore.open({ dataDir, readOnly: true });
    expect(Object.keys(reader.data.customers).sort()).toEqual(['acme', 'globex']);
    await reader.close();
    expect(folderFingerprint(dataDir)).toEqual(before);
  });
});

const fixture = new URL('../fixtures/legacy-workspace', import.meta.url).pathname;

describe('the legacy workspace.json (written by Portico before the database)', () => {
  it('is imported on first start — records, secrets, keys, activity, queued webhooks — and kept as a backup', async () => {
    const dataDir = tempDir();
    cpSync(fixture, dataDir, { recursive: true });
    const original = readFileSync(join(dataDir, 'workspace.json'));
    const lines: string[] = [];
    const store = await openStore({ dataDir, log: (l) => lines.push(l) });
    const ws = store.data;
    expect(Object.keys(ws.customers).sort()).toEqual(['acme', 'globex']);
    expect(ws.customers.acme?.metadata).toEqual({ tier: 'gold' });
    expect(ws.customers.globex?.name).toBe('Globex Corp');
    expect(ws.connectors.petstore?.actions).toHaveLength(4);
    expect(Object.keys(ws.apiKeys).sort()).toEqual(['DtP70KBm', 'shQGz4wa']);
    expect(ws.settings.planes).toEqual({ admin: true, gateway: false });
    const connection = Object.values(ws.connections)[0];
    if (!connection) throw new Error('no connection imported');
    expect(store.secrets.open(connection.credentials, `connection:${connection.id}`)).toEqual({
      api_key: 'legacy-secret-api-key-123',
    });
    const everything = ws.connectors.everything;
    if (everything?.kind !== 'mcp' || everything.transport !== 'stdio' || !everything.env)
      throw new Error('the stdio connector was not imported');
    expect(store.secrets.open(everything.env, 'connector:everything:env')).toEqual({
      TOKEN: 'legacy-env-token-456',
    });
    const db = store.database?.db;
    if (!db) throw new Error('no database');
    expect(await db.selectFrom('activity').select(['tool', 'outcome']).orderBy('at').execute()).toEqual([
      { tool: 'list_customers', outcome: 'ok' },
      { tool: 'get_customer', outcome: 'error' },
    ]);
    expect(await db.selectFrom('key_usage').selectAll().execute()).toEqual([
      { key_id: 'DtP70KBm', last_used_at: '2026-11-30T17:19:22.267Z' },
    ]);
    expect(await db.selectFrom('webhook_deliveries').select('state').execute()).toHaveLength(3);
    expect(existsSync(join(dataDir, 'workspace.json'))).toBe(false);
    const backup = lines.join('\n').match(/kept in (\S+)\.$/)?.[1];
    expect(backup && readFileSync(join(backup, 'workspace.json'))).toEqual(original);
    // The second start opens the database and imports nothing again.
    await store.close();
    const again = await openStore({ dataDir });
    expect(Object.keys(again.data.customers).sort()).toEqual(['acme', 'globex']);
  });

  it('a damaged legacy file stops the start, is named, and nothing is created or moved', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'workspace.json'), '{"schemaVersion":1,"customers":{"x":{"id":""}');
    const before = folderFingerprint(dataDir);
    await expect(WorkspaceStore.open({ dataDir })).rejects.toThrow(/workspace\.json: it is not valid JSON/);
    await expect(WorkspaceStore.open({ dataDir, readOnly: true })).rejects.toBeInstanceOf(DatabaseError);
    expect(folderFingerprint(dataDir)).toEqual(before);
  });

  it('has a migration for every older document version; v0 gains every collection and keeps its data', () => {
    for (let v = 0; v < SCHEMA_VERSION; v += 1)
      expect(legacyMigrations[v], `migration from v${v}`).toBeTypeOf('function');
    const doc = migrateLegacy({ customers: { acme: customer('acme') } });
    expect(doc.schemaVersion).toBe(1);
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining(['connectors', 'apiKeys', 'webhooks', 'settings']),
    );
    expect((doc.customers as Record<string, unknown>).acme).toEqual(customer('acme'));
    expect(() => migrateLegacy([])).toThrow(/not a JSON object/);
    expect(() => migrateLegacy({ schemaVersion: 99 })).toThrow(/newer Portico/);
  });
});

describe('openDatabase', () => {
  it('names an unreachable PostgreSQL server without its password', async () => {
    const error = await openDatabase({
      dataDir: tempDir(),
      databaseUrl: 'postgres://portico:hunter2secret@127.0.0.1:1/portico',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toContain('postgres://portico:***@127.0.0.1:1/portico');
    expect((error as Error).message).not.toContain('hunter2secret');
  });
});
