import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Loads Node's built-in SQLite lazily, so commands that never open a database (the bridge, help)
 * don't load it, and without Node 22's one-time "SQLite is an experimental feature" warning on
 * the user's terminal.
 */
export function loadSqlite(): typeof import('node:sqlite') {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('SQLite is an experimental feature')) return;
    return (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = original;
  }
}

/** How many prepared statements are kept: the store issues a few dozen distinct ones. */
const STATEMENT_CACHE = 256;

/**
 * node:sqlite's DatabaseSync in the shape Kysely's SqliteDialect expects (better-sqlite3's):
 * parameters arrive as one array, and `reader` says whether a statement returns rows. Statements
 * are prepared once per SQL text.
 */
export function kyselySqlite(db: DatabaseSync): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  const wrap = (statement: StatementSync): SqliteStatement => {
    // Bind values node:sqlite refuses (booleans, undefined) the way the rows store them.
    const bind = (parameters: ReadonlyArray<unknown>) =>
      parameters.map((p) => (typeof p === 'boolean' ? Number(p) : p === undefined ? null : p)) as never[];
    return {
      reader: statement.columns().length > 0,
      all: (parameters) => statement.all(...bind(parameters)),
      run: (parameters) => statement.run(...bind(parameters)),
      iterate: (parameters) => statement.iterate(...bind(parameters)) as IterableIterator<unknown>,
    };
  };
  return {
    close: () => db.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE) statements.clear();
        statement = wrap(db.prepare(sql));
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/** SQLITE_BUSY and its extended codes: another process holds the write lock right now. */
export function isBusy(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { errcode?: unknown }).errcode;
  return typeof code === 'number' ? (code & 0xff) === 5 : /database is locked/i.test(error.message);
}
