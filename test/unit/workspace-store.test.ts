import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../src/main/core/store/migrations';
import { emptyWorkspace, SCHEMA_VERSION, workspaceSchema } from '../../src/main/core/store/schema';
import { StoreCorruptError, WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { tempDir } from '../helpers/temp';

const customer = (id: string) => ({
  id,
  name: id.toUpperCase(),
  metadata: {},
  exposure: { mode: 'all' as const, connectorIds: [], actions: {}, toolMode: 'auto' as const },
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
});

describe('WorkspaceStore', () => {
  it('creates an empty, valid workspace file with mode 0600 and reads it back', () => {
    const dir = tempDir();
    const store = WorkspaceStore.open({ dataDir: dir });
    expect(existsSync(store.path)).toBe(true);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    store.mutate((ws) => {
      ws.customers.acme = customer('acme');
    });
    const again = WorkspaceStore.open({ dataDir: dir });
    expect(again.data.customers.acme?.name).toBe('ACME');
    expect(workspaceSchema.parse(JSON.parse(readFileSync(store.path, 'utf8'))).schemaVersion).toBe(
      SCHEMA_VERSION,
    );
  });

  it('leaves the workspace unchanged when a mutation throws or produces an invalid document', () => {
    const store = WorkspaceStore.open({ dataDir: tempDir() });
    const before = readFileSync(store.path, 'utf8');
    expect(() =>
      store.mutate((ws) => {
        ws.customers.a = customer('a');
        throw new Error('handler failed');
      }),
    ).toThrow('handler failed');
    expect(() =>
      store.mutate((ws) => {
        ws.customers.b = { ...customer('b'), name: '' };
      }),
    ).toThrow();
    expect(store.data.customers).toEqual({});
    expect(readFileSync(store.path, 'utf8')).toBe(before);
  });

  it('moves a file that is not JSON aside, refuses to open, and names both paths', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'workspace.json'), '{ "schemaVersion": 1, "customers": { oops');
    let error: unknown;
    try {
      WorkspaceStore.open({ dataDir: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreCorruptError);
    const { path, asidePath, message } = error as StoreCorruptError;
    expect(message).toContain(path);
    expect(message).toContain(asidePath);
    expect(message).toMatch(/not valid JSON/);
    expect(readFileSync(asidePath, 'utf8')).toBe('{ "schemaVersion": 1, "customers": { oops');
    expect(existsSync(path)).toBe(false);
  });

  it('moves a file that fails validation aside, naming the failing field', () => {
    const dir = tempDir();
    const doc = { ...emptyWorkspace(), customers: { x: { id: 'x' } } };
    writeFileSync(join(dir, 'workspace.json'), JSON.stringify(doc));
    expect(() => WorkspaceStore.open({ dataDir: dir })).toThrow(/customers\.x/);
    expect(readdirSync(dir).some((f) => f.startsWith('workspace.json.corrupt-'))).toBe(true);
  });

  it('refuses a file written by a newer schema version without touching it', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'workspace.json'),
      JSON.stringify({ ...emptyWorkspace(), schemaVersion: SCHEMA_VERSION + 1 }),
    );
    expect(() => WorkspaceStore.open({ dataDir: dir })).toThrow(/newer Portico/);
  });

  it("two stores on one data dir (CLI and server) never lose each other's writes", () => {
    const dir = tempDir();
    const server = WorkspaceStore.open({ dataDir: dir });
    const cli = WorkspaceStore.open({ dataDir: dir });
    server.mutate((ws) => {
      ws.customers.a = customer('a');
    });
    cli.mutate((ws) => {
      ws.customers.b = customer('b');
    });
    server.mutate((ws) => {
      ws.customers.c = customer('c');
    });
    expect(Object.keys(WorkspaceStore.open({ dataDir: dir }).data.customers).sort()).toEqual(['a', 'b', 'c']);
  });

  it("refresh() picks up another process's write and notifies listeners", () => {
    const dir = tempDir();
    const server = WorkspaceStore.open({ dataDir: dir });
    const seen: string[] = [];
    server.onChange((source) => seen.push(source));
    const before = server.revision;
    WorkspaceStore.open({ dataDir: dir }).mutate((ws) => {
      ws.customers.z = customer('z');
    });
    expect(server.refresh()).toBe(true);
    expect(server.data.customers.z).toBeDefined();
    expect(server.revision).toBeGreaterThan(before);
    expect(seen).toEqual(['external']);
    expect(server.refresh()).toBe(false);
  });

  it("watch() reports another process's write without a request", async () => {
    const dir = tempDir();
    const server = WorkspaceStore.open({ dataDir: dir });
    const changed = new Promise<void>((resolve) => server.onChange(() => resolve()));
    const stop = server.watch();
    WorkspaceStore.open({ dataDir: dir }).mutate((ws) => {
      ws.customers.w = customer('w');
    });
    await changed;
    stop();
    expect(server.data.customers.w).toBeDefined();
  });

  it('a hand-broken file found while writing is kept aside, not overwritten unseen', () => {
    const dir = tempDir();
    const store = WorkspaceStore.open({ dataDir: dir });
    writeFileSync(store.path, 'broken by hand');
    expect(() => store.refresh()).toThrow(/invalid/);
    store.mutate((ws) => {
      ws.customers.k = customer('k');
    });
    const aside = readdirSync(dir).find((f) => f.startsWith('workspace.json.corrupt-'));
    expect(aside && readFileSync(join(dir, aside), 'utf8')).toBe('broken by hand');
    expect(WorkspaceStore.open({ dataDir: dir }).data.customers.k).toBeDefined();
  });
});

describe('migrations', () => {
  it('there is a migration for every version below the current one', () => {
    for (let v = 0; v < SCHEMA_VERSION; v += 1)
      expect(migrations[v], `migration ${v}`).toBeTypeOf('function');
  });

  it('v0 → v1: an unversioned document (e.g. an empty conf file) gains every collection and keeps its data', () => {
    const { doc, migrated } = migrate({ settings: { port: 9000 } });
    expect(migrated).toBe(true);
    const ws = workspaceSchema.parse(doc);
    expect(ws.settings.port).toBe(9000);
    expect(ws.customers).toEqual({});
    expect(ws.schemaVersion).toBe(1);
  });

  it('a migrated file is written back at the current version on open', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'workspace.json'), '{}');
    const store = WorkspaceStore.open({ dataDir: dir });
    expect(JSON.parse(readFileSync(store.path, 'utf8')).schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('rejects documents that are not objects or have a bad version', () => {
    expect(() => migrate([])).toThrow(/not a JSON object/);
    expect(() => migrate({ schemaVersion: 'one' })).toThrow(/not a version/);
  });
});
