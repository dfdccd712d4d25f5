// Team mode (issue 15): on PostgreSQL a change committed by one process is announced (NOTIFY on
// commit) and every other process listening catches up at once — not at its next poll. Polling is
// pushed out to a minute here, so only the announcement can deliver; a listener whose connection is
// killed reconnects and keeps hearing changes.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import type { WorkspaceStore } from '../../src/main/core/store/workspace-store';
import { openStore, workspaceTarget } from '../helpers/store';

const now = () => new Date().toISOString();

function addCustomer(store: WorkspaceStore, id: string) {
  store.mutate((ws) => {
    ws.customers[id] = {
      id,
      name: id,
      exposure: { mode: 'all', connectorIds: [], actions: Object.create(null), toolMode: 'auto' },
      metadata: Object.create(null),
      createdAt: now(),
      updatedAt: now(),
    };
  });
  return store.flushed();
}

/** Resolves once `store` holds customer `id` (heard through its watch). */
function heard(store: WorkspaceStore, id: string): Promise<void> {
  return new Promise((resolve) => {
    if (store.data.customers[id]) return resolve();
    const off = store.onChange(() => {
      if (!store.data.customers[id]) return;
      off();
      resolve();
    });
  });
}

describe.skipIf(!inject('postgresUrl'))('changes announced on PostgreSQL', () => {
  it('reach another process at once, and after its listening connection was killed', async () => {
    const target = await workspaceTarget('postgres');
    const a = await openStore(target);
    const b = await openStore(target);
    const errors: string[] = [];
    const stopA = a.watch(() => {}, 60_000);
    const stopB = b.watch((message) => errors.push(message), 60_000);
    try {
      // The listener is up once an announcement made now arrives.
      await addCustomer(a, 'first');
      await heard(b, 'first');
      expect(b.data.customers.first?.name).toBe('first');

      // Kill B's LISTEN connection from outside: it reconnects and hears the next change.
      const admin = new pg.Client({ connectionString: target.databaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%' and pid <> pg_backend_pid()",
        );
        expect(killed.rowCount).toBeGreaterThanOrEqual(1);
      } finally {
        await admin.end();
      }
      for (let i = 0; i < 100 && !errors.some((e) => /reconnecting/.test(e)); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(errors.join('\n')).toMatch(/Listening for other replicas' changes stopped .*reconnecting/);
      // A change made while B reconnects is caught up once it listens again.
      await addCustomer(a, 'second');
      await heard(b, 'second');
      expect(Object.keys(b.data.customers).sort()).toEqual(['first', 'second']);
    } finally {
      stopA();
      stopB();
    }
  }, 30_000);
});
