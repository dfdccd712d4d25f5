// One test per migration, per dialect: each migration applies on top of the previous ones and
// leaves the schema the store reads and writes.
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { describe, expect, inject, it } from 'vitest';
import { ActivityLog } from '../../src/main/core/activity/activity-log';
import { databaseFile, openDatabase } from '../../src/main/core/store/database';
import { postgresMigrations } from '../../src/main/core/store/migrations/postgres';
import { sqliteMigrations } from '../../src/main/core/store/migrations/sqlite';
import { kyselySqlite, loadSqlite } from '../../src/main/core/store/sqlite-driver';
import type { Tables } from '../../src/main/core/store/tables';
import { createTestDatabase } from '../helpers/postgres';
import { engines } from '../helpers/store';
import { tempDir } from '../helpers/temp';

/** What each migration must leave behind: table → columns. */
const EXPECTED: Record<string, Record<string, string[]>> = {
  '0001_workspace': {
    settings: ['key', 'data'],
    customers: ['id', 'name', 'data'],
    connectors: ['id', 'slug', 'kind', 'data'],
    actions: ['connector_id', 'name', 'position', 'data'],
    auth_configs: ['connector_id', 'data'],
    connections: ['id', 'customer_id', 'connector_id', 'data'],
    webhooks: ['id', 'data'],
    api_keys: ['id', 'data'],
    changes: ['rev', 'collection', 'record_id', 'at'],
    activity: [
      'id',
      'at',
      'plane',
      'entry_point',
      'customer_id',
      'key_id',
      'tool',
      'duration_ms',
      'outcome',
      'error',
    ],
    key_usage: ['key_id', 'last_used_at'],
    webhook_deliveries: [
      'id',
      'webhook_id',
      'event',
      'attempts',
      'next_attempt_at',
      'state',
      'claimed_by',
      'claimed_until',
      'created_at',
    ],
    webhook_attempts: [
      'seq',
      'delivery_id',
      'webhook_id',
      'event_type',
      'attempt',
      'status_code',
      'error',
      'duration_ms',
      'at',
      'state',
      'next_attempt_at',
    ],
    oauth_pending: ['state', 'data', 'expires_at'],
  },
  '0002_activity_detail': {
    activity: [
      'id',
      'at',
      'plane',
      'entry_point',
      'customer_id',
      'key_id',
      'tool',
      'duration_ms',
      'outcome',
      'error',
      'detail',
    ],
  },
  '0003_oauth_clients': {
    oauth_clients: ['id', 'data', 'created_at'],
    oauth_grants: ['id', 'client_id', 'plane', 'data', 'created_at', 'revoked_at'],
    oauth_tokens: ['hash', 'kind', 'grant_id', 'data', 'expires_at', 'used_at'],
  },
  '0004_approvals': {
    approvals: ['id', 'customer_id', 'status', 'created_at', 'expires_at', 'decided_at', 'data'],
  },
  '0005_mcp_sessions': {
    mcp_sessions: [
      'id',
      'plane',
      'key_id',
      'customer_id',
      'protocol_version',
      'client',
      'logging_level',
      'created_at',
      'last_seen',
    ],
  },
  '0006_rate_limits': {
    rate_buckets: ['subject', 'per_minute', 'tokens', 'at', 'refused_in_row', 'inflight'],
    rate_leases: ['id', 'subject', 'expires_at'],
  },
  '0007_mcp_session_state': {
    mcp_events: ['id', 'session_id', 'stream_id', 'message', 'created_at'],
    mcp_subscriptions: ['session_id', 'uri'],
    approvals: [
      'id',
      'customer_id',
      'status',
      'created_at',
      'expires_at',
      'decided_at',
      'data',
      'session_ref',
    ],
  },
};

async function openEngine(engine: 'sqlite' | 'postgres'): Promise<Kysely<Tables>> {
  if (engine === 'sqlite') {
    const { DatabaseSync } = loadSqlite();
    const raw = new DatabaseSync(`${tempDir()}/m.db`);
    return new Kysely<Tables>({ dialect: new SqliteDialect({ database: kyselySqlite(raw) }) });
  }
  const server = inject('postgresUrl');
  if (!server) throw new Error('no PostgreSQL');
  const { url, drop } = await createTestDatabase(server);
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const destroy = db.destroy.bind(db);
  db.destroy = async () => {
    await destroy();
    await drop();
  };
  return db;
}

describe.each(engines())('migrations on %s', (engine) => {
  const migrations = engine === 'sqlite' ? sqliteMigrations : postgresMigrations;

  it('both dialects have the same migrations, in the same order, each with its expectations', () => {
    expect(Object.keys(sqliteMigrations)).toEqual(Object.keys(postgresMigrations));
    expect(Object.keys(migrations)).toEqual(Object.keys(EXPECTED));
  });

  for (const name of Object.keys(migrations)) {
    it(`${name} applies after the ones before it and leaves its tables`, async () => {
      const db = await openEngine(engine);
      try {
        const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
        const { error, results } = await migrator.migrateTo(name);
        expect(error).toBeUndefined();
        expect(results?.at(-1)).toMatchObject({ migrationName: name, status: 'Success' });
        const tables = await db.introspection.getTables();
        for (const [table, columns] of Object.entries(EXPECTED[name] ?? {})) {
          const found = tables.find((t) => t.name === table);
          expect(found, `table ${table}`).toBeDefined();
          expect(found?.columns.map((c) => c.name).sort(), table).toEqual([...columns].sort());
        }
        // The change log's revision is generated, increasing, by the database.
        await db
          .insertInto('changes')
          .values([
            { collection: 'customers', record_id: 'a', at: 'x' },
            { collection: 'customers', record_id: 'b', at: 'x' },
          ])
          .execute();
        const revs = (await db.selectFrom('changes').select('rev').orderBy('rev').execute()).map((r) =>
          Number(r.rev),
        );
        expect(revs[1]).toBeGreaterThan(revs[0] ?? Number.POSITIVE_INFINITY);
        // Applying again does nothing.
        const again = await migrator.migrateTo(name);
        expect(again.error).toBeUndefined();
        expect(again.results).toEqual([]);
        // The later migrations still apply on top of this one.
        const rest = await migrator.migrateToLatest();
        expect(rest.error).toBeUndefined();
        expect(
          (await sql<{ n: number }>`select count(*) as n from changes`.execute(db)).rows[0]?.n,
        ).toBeDefined();
      } finally {
        await db.destroy();
      }
    });
  }
});

describe('a database the server has not upgraded yet', () => {
  it('opens read-only when only read-compatible migrations are missing, and upgrades on a write open', async () => {
    const dataDir = tempDir();
    const { DatabaseSync } = loadSqlite();
    const raw = new DatabaseSync(databaseFile(dataDir));
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: kyselySqlite(raw) }) });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => sqliteMigrations } });
    expect((await migrator.migrateTo('0001_workspace')).error).toBeUndefined();
    await db.destroy();

    const readOnly = await openDatabase({ dataDir, readOnly: true });
    expect(readOnly?.hasSchema).toBe(true);
    expect(await new ActivityLog(readOnly).query({ limit: 5 })).toEqual([]);
    await readOnly?.close();

    const writable = await openDatabase({ dataDir });
    const log = new ActivityLog(writable);
    log.record({
      plane: 'admin',
      entry_point: 'internal',
      customer_id: null,
      tool: 'approval',
      duration_ms: 1,
      outcome: 'ok',
      detail: 'upgraded',
    });
    expect((await log.query({ limit: 5 }))[0]?.detail).toBe('upgraded');
    await writable?.close();
  });
});
