import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Dialect, Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import { postgresMigrations } from './migrations/postgres';
import { READ_COMPATIBLE } from './migrations/shared';
import { sqliteMigrations } from './migrations/sqlite';
import { isBusy, kyselySqlite, loadSqlite } from './sqlite-driver';
import type { Tables } from './tables';

export type Engine = 'sqlite' | 'postgres';
export type Db = Kysely<Tables>;
export type WriteTx = Transaction<Tables> | Kysely<Tables>;

/** The database file in a data dir. */
export const databaseFile = (dataDir: string): string => join(dataDir, 'portico.db');

/** A database Portico cannot use: unreadable, damaged, or from a newer Portico. Nothing was changed. */
export class DatabaseError extends Error {}

/** What processes on one PostgreSQL database announce to each other. */
export type Channel = 'changes' | 'approvals' | 'sessions';
const PG_CHANNELS: Record<Channel, string> = {
  changes: 'portico_changes',
  approvals: 'portico_approvals',
  sessions: 'portico_sessions',
};

export interface Database {
  readonly engine: Engine;
  readonly db: Db;
  /** The file, or the URL without its password: safe to print. */
  readonly location: string;
  readonly readOnly: boolean;
  /** False for a database file that was created but never migrated (read-only mode): an empty workspace. */
  hasSchema: boolean;
  /** Runs `fn` in a write transaction, one writer at a time across every process on this database. */
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /**
   * Tells every process listening on `channel` (PostgreSQL NOTIFY, sent on commit): the workspace
   * changed, an approval was decided (`payload`: its id), or MCP sessions ended (`payload`: their
   * ids, space-separated). SQLite: nothing (one server per file).
   */
  announce(tx: WriteTx, channel?: Channel, payload?: string): Promise<void>;
  /**
   * Calls `listener` with each announcement on `channel` (PostgreSQL LISTEN on its own connection,
   * reconnected when lost — then once with no payload, to catch up); returns the stop function.
   * Absent on SQLite: other processes are polled.
   */
  listen?(
    channel: Channel,
    listener: (payload: string) => void,
    onError: (message: string) => void,
  ): () => void;
  close(): Promise<void>;
}

export interface OpenOptions {
  dataDir: string;
  /** postgres://… puts the workspace on PostgreSQL; otherwise SQLite in the data dir. */
  databaseUrl?: string;
  /** Read-only: nothing is created, migrated or written; a data dir without a database gives null. */
  readOnly?: boolean;
}

const migrationsOf = (engine: Engine) => (engine === 'sqlite' ? sqliteMigrations : postgresMigrations);

/** A URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the database URL (not a valid URL)';
  }
}

/** Opens (and in write mode creates and migrates) the workspace database. */
export async function openDatabase(options: OpenOptions): Promise<Database | null> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, Boolean(options.readOnly));
  const path = databaseFile(options.dataDir);
  if (options.readOnly) return existsSync(path) ? openSqlite(path, true) : null;
  // An existing file is checked without writing first: a damaged one stays exactly as it was.
  if (existsSync(path)) await (await openSqlite(path, true)).close();
  // SQLite gives its -wal and -shm files the database file's mode: create it private.
  else writeFileSync(path, '', { mode: 0o600, flag: 'wx' });
  return openSqlite(path, false);
}

async function openSqlite(path: string, readOnly: boolean): Promise<Database> {
  const { DatabaseSync } = loadSqlite();
  let raw: InstanceType<typeof DatabaseSync>;
  try {
    // Read-only on a cleanly closed database (no -wal file): `immutable` opens it without creating
    // the -shm/-wal files a WAL reader would otherwise leave behind.
    raw = readOnly
      ? new DatabaseSync(existsSync(`${path}-wal`) ? path : `file:${encodeURI(path)}?immutable=1`, {
          readOnly: true,
        })
      : new DatabaseSync(path);
    if (!readOnly) {
      // WAL: readers never wait for the writer. NORMAL: a commit survives the process dying
      // (kill -9 included) without an fsync that would hold the event loop on every write; the
      // WAL is synced at checkpoints, so only a power loss could take the latest commits.
      raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 0');
    }
    const check = raw.prepare('PRAGMA quick_check(1)').get() as Record<string, unknown> | undefined;
    const verdict = check ? Object.values(check)[0] : 'no answer';
    if (verdict !== 'ok') throw new Error(`its integrity check failed (${String(verdict)})`);
  } catch (error) {
    throw damaged(path, error);
  }
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: kyselySqlite(raw) }) });
  const database: Database = {
    engine: 'sqlite',
    db,
    location: path,
    readOnly,
    hasSchema: true,
    write: (fn) => sqliteWrite(db, fn),
    // One file: other processes are polled (watch), nothing is sent.
    announce: async () => {},
    close: () => db.destroy(),
  };
  database.hasSchema = await prepareSchema(database, readOnly ? null : sqliteMigrations).catch(
    async (error: unknown) => {
      await db.destroy();
      throw error instanceof DatabaseError ? error : damaged(path, error);
    },
  );
  return database;
}

function damaged(path: string, error: unknown): DatabaseError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DatabaseError(
    `Portico cannot use its database ${path}: ${reason}. The file was left exactly as it was. ` +
      `Restore it from a backup, or move it away (with its -wal and -shm files) to start with an empty workspace.`,
  );
}

/**
 * One write transaction on SQLite. BEGIN IMMEDIATE takes the write lock up front; when another
 * process holds it, this waits asynchronously (busy_timeout is 0, so the event loop never blocks).
 */
async function sqliteWrite<T>(db: Db, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await sql`begin immediate`.execute(conn);
        break;
      } catch (error) {
        if (!isBusy(error) || attempt >= 200) throw error;
        await delay(Math.min(2 + attempt * 2, 50));
      }
    }
    try {
      const value = await fn(conn);
      await sql`commit`.execute(conn);
      return value;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw error;
    }
  });
}

/** Serializes workspace writes across every process and replica on one PostgreSQL database. */
const PG_WRITE_LOCK = 7430_0001;

/** The slice of pg.Client that LISTEN needs. */
interface ListenClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
  end(): Promise<void>;
}

/** LISTENs on a dedicated connection; a lost one is replaced (after a pause), until stopped. */
function listenPostgres(
  connect: () => ListenClient,
  channel: string,
  listener: (payload: string) => void,
  onError: (message: string) => void,
): () => void {
  let stopped = false;
  let client: ListenClient | undefined;
  let retry: NodeJS.Timeout | undefined;
  const start = () => {
    if (stopped) return;
    const current = connect();
    client = current;
    let lost = false;
    const reconnect = (error?: Error) => {
      if (lost || stopped) return;
      lost = true;
      onError(
        `Listening for other replicas' changes stopped (${error?.message ?? 'connection closed'}); reconnecting.`,
      );
      void current.end().catch(() => {});
      // Whatever was announced meanwhile is caught up on the next notice or poll.
      retry = setTimeout(start, 1_000);
      retry.unref();
    };
    current.on('notification', (message) => listener(message.payload ?? ''));
    current.on('error', reconnect);
    current.on('end', reconnect);
    current
      .connect()
      .then(() => current.query(`LISTEN ${channel}`))
      .then(() => listener(''), reconnect);
  };
  start();
  return () => {
    stopped = true;
    clearTimeout(retry);
    void client?.end().catch(() => {});
  };
}

async function openPostgres(url: string, readOnly: boolean): Promise<Database> {
  const location = redactUrl(url);
  const { default: pg } = await import('pg');
  // int8 (bigserial revisions, epoch milliseconds) as numbers: they stay far below 2^53.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {
    // An idle client lost its connection; the next query opens a new one.
  });
  const dialect: Dialect = new PostgresDialect({ pool });
  const db = new Kysely<Tables>({ dialect });
  const database: Database = {
    engine: 'postgres',
    db,
    location,
    readOnly,
    hasSchema: true,
    write: (fn) =>
      db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(${PG_WRITE_LOCK})`.execute(tx);
        return fn(tx);
      }),
    announce: async (tx, channel = 'changes', payload = '') => {
      await sql`select pg_notify(${PG_CHANNELS[channel]}, ${payload})`.execute(tx);
    },
    listen: (channel, listener, onError) =>
      listenPostgres(
        () => new pg.Client({ connectionString: url, types }),
        PG_CHANNELS[channel],
        listener,
        onError,
      ),
    close: () => db.destroy(),
  };
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseError(
      `Portico cannot connect to PostgreSQL at ${location}: ${reason}. Check that the server runs and the URL (--database-url / PORTICO_DATABASE_URL) is right.`,
    );
  }
  database.hasSchema = await prepareSchema(database, readOnly ? null : postgresMigrations).catch(
    async (error: unknown) => {
      await db.destroy();
      if (error instanceof DatabaseError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatabaseError(`Portico cannot prepare its tables in PostgreSQL at ${location}: ${reason}.`);
    },
  );
  return database;
}

/**
 * Brings the schema up to date (write mode) or checks that it is (read-only mode). A database
 * migrated by a newer Portico is refused rather than misread.
 */
async function prepareSchema(
  database: Database,
  migrations: Record<string, Migration> | null,
): Promise<boolean> {
  const known = migrationsOf(database.engine);
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => known },
  });
  const applied = (await migrator.getMigrations()).filter((m) => m.executedAt).map((m) => m.name);
  const executed = await executedMigrations(database.db);
  const unknown = executed.filter((name) => !(name in known));
  if (unknown.length) {
    throw new DatabaseError(
      `The database ${database.location} was written by a newer Portico (migration ${unknown.join(', ')}); update Portico to use it. Nothing was changed.`,
    );
  }
  if (!migrations) {
    const pending = Object.keys(known).filter(
      (name) => !applied.includes(name) && !READ_COMPATIBLE.has(name),
    );
    // An empty database (created but never migrated) reads as an empty workspace.
    if (pending.length && applied.length) {
      throw new DatabaseError(
        `The database ${database.location} is from an older Portico; start \`portico serve\` once to upgrade it.`,
      );
    }
    return applied.length > 0;
  }
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  return true;
}

async function executedMigrations(db: Db): Promise<string[]> {
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    return rows.rows.map((r) => r.name);
  } catch {
    return [];
  }
}

/** Whether the database has no workspace yet (a fresh file or an empty PostgreSQL schema). */
export async function isEmpty(database: Database): Promise<boolean> {
  try {
    const rows = await database.db.selectFrom('changes').select('rev').limit(1).execute();
    const settings = await database.db.selectFrom('settings').select('key').limit(1).execute();
    return rows.length === 0 && settings.length === 0;
  } catch {
    return true;
  }
}

/**
 * The workspace settings as stored in a data dir's SQLite file, read synchronously and without
 * changing anything (the bridge asks on every reconnection where the server should be).
 */
export function readStoredSettingsSync(dataDir: string): unknown {
  const path = databaseFile(dataDir);
  if (!existsSync(path)) return undefined;
  const { DatabaseSync } = loadSqlite();
  let raw: InstanceType<typeof DatabaseSync> | undefined;
  try {
    raw = new DatabaseSync(existsSync(`${path}-wal`) ? path : `file:${encodeURI(path)}?immutable=1`, {
      readOnly: true,
    });
    const row = raw.prepare("select data from settings where key = 'workspace'").get() as
      | { data?: unknown }
      | undefined;
    return typeof row?.data === 'string' ? JSON.parse(row.data) : undefined;
  } catch {
    return undefined;
  } finally {
    raw?.close();
  }
}
