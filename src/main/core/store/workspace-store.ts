import { existsSync, mkdirSync } from 'node:fs';
import { changeHead, changesSince, clash, pruneChanges } from './change-log';
import { type Database, DatabaseError, databaseFile, isEmpty, openDatabase } from './database';
import { applyDraft, deepFreeze, validateChanges } from './draft';
import { HeadlessKeyProvider } from './keyring-provider';
import { importLegacy, type LegacyImport, readLegacyWorkspace } from './legacy-import';
import { emptyWorkspace, type Workspace } from './schema';
import { type KeyProvider, NoKeyYetError, SecretBox } from './secrets';
import {
  applyRecords,
  changedRecords,
  InvalidRowError,
  loadWorkspace,
  readRecords,
  writeRecords,
} from './workspace-rows';

export { DatabaseError } from './database';

export type ChangeSource = 'local' | 'external';
export type ChangeListener = (source: ChangeSource) => void;

export interface OpenStoreOptions {
  dataDir: string;
  /** postgres://… (team mode); otherwise SQLite in the data dir. */
  databaseUrl?: string;
  keyProvider?: KeyProvider;
  /**
   * Read-only (status, list and get commands): nothing on disk is created, migrated or changed.
   * Without a database the workspace reads as empty (or as the legacy file, unmigrated).
   */
  readOnly?: boolean;
  /** Where a one-off notice goes (the legacy migration says what it moved). */
  log?: (line: string) => void;
}

/** Another process changed a record this process changed too; nothing of this write was kept. */
export class WriteConflictError extends Error {}

/**
 * The workspace: an in-memory snapshot of every record, validated, read by the call path without
 * touching the disk; changes are made with `mutate` and written to the database (SQLite or
 * PostgreSQL) in one short transaction right after, each recorded in a change log so that other
 * processes catch up by revision. One writer per data dir: while a server runs, the CLI goes
 * through it.
 */
export class WorkspaceStore {
  readonly dataDir: string;
  readonly database: Database | null;
  readonly readOnly: boolean;
  readonly #keyProvider: KeyProvider;
  #secrets: SecretBox | undefined;
  #data: Workspace;
  /** What is in the database as of `#rev`. */
  #persisted: Workspace;
  #rev: number;
  #revision = 0;
  #flushing: Promise<void> | undefined;
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #syncTimer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<ChangeListener>();

  private constructor(
    options: OpenStoreOptions,
    database: Database | null,
    loaded: { ws: Workspace; rev: number },
  ) {
    this.dataDir = options.dataDir;
    this.database = database;
    this.readOnly = Boolean(options.readOnly);
    this.#keyProvider = options.keyProvider ?? new HeadlessKeyProvider();
    this.#data = loaded.ws;
    this.#persisted = loaded.ws;
    this.#rev = loaded.rev;
  }

  /**
   * Opens the data dir's workspace (creating and migrating the database unless read-only). A
   * legacy `workspace.json` is imported on first start and kept as a backup. A damaged database
   * or legacy file is reported with a DatabaseError and left as it was.
   */
  static async open(options: OpenStoreOptions): Promise<WorkspaceStore> {
    if (!options.readOnly && !options.databaseUrl) {
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      // A damaged legacy file stops the start before any database is created beside it.
      if (!existsSync(databaseFile(options.dataDir))) readLegacyWorkspace(options.dataDir);
    }
    const database = await openDatabase({ ...options, readOnly: options.readOnly });
    try {
      if (!database?.hasSchema) {
        // Read-only with no database yet: what a first start would import, read without writing.
        const legacy = readLegacyWorkspace(options.dataDir);
        return new WorkspaceStore(options, database, {
          ws: legacy?.workspace ?? deepFreeze(emptyWorkspace()),
          rev: 0,
        });
      }
      let legacy: LegacyImport | undefined;
      if (!database.readOnly && (await isEmpty(database)))
        legacy = await importLegacy(options.dataDir, database);
      const loaded = await database.db
        .transaction()
        .execute((tx) => loadWorkspace(tx))
        .catch((error: unknown) => {
          if (error instanceof InvalidRowError)
            throw new DatabaseError(
              `Portico cannot use its database ${database.location}: ${error.message}. Nothing was changed; restore a backup or repair that row.`,
            );
          throw error;
        });
      const store = new WorkspaceStore(options, database, loaded);
      if (legacy) legacy.finish((line) => options.log?.(line));
      return store;
    } catch (error) {
      await database?.close().catch(() => {});
      throw error;
    }
  }

  /** The current snapshot. Treat as read-only: change it only through `mutate`. */
  get data(): Workspace {
    return this.#data;
  }

  /** Increases on every change, local or external: a cheap cache key. */
  get revision(): number {
    return this.#revision;
  }

  /** Where the workspace lives, for messages: the database file or the URL without its password. */
  get location(): string {
    return this.database?.location ?? `${this.dataDir} (no workspace yet)`;
  }

  /** The secret box, opened on first use (so commands that touch no secret need no key). */
  get secrets(): SecretBox {
    this.#secrets ??= new SecretBox(
      this.#keyProvider.loadOrCreateKey(this.dataDir, { create: !this.readOnly }),
      this.#keyProvider,
    );
    return this.#secrets;
  }

  /** The secret box if a key exists already — never creates one (status, descriptions). */
  existingSecrets(): SecretBox | undefined {
    if (this.#secrets) return this.#secrets;
    try {
      this.#secrets = new SecretBox(
        this.#keyProvider.loadOrCreateKey(this.dataDir, { create: false }),
        this.#keyProvider,
      );
    } catch (error) {
      if (error instanceof NoKeyYetError) return undefined;
      throw error;
    }
    return this.#secrets;
  }

  get keyProvider(): KeyProvider {
    return this.#keyProvider;
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies `fn` to a copy-on-write draft of the workspace, validates what changed, makes it current
   * and tells listeners at once; the database write follows in one transaction (await `flushed()`
   * before acknowledging a change). If `fn` throws, nothing changes.
   */
  mutate<T>(fn: (draft: Workspace) => T): T {
    if (this.readOnly) throw new Error('this workspace was opened read-only');
    const { next: drafted, value } = applyDraft(this.#data, fn);
    const next = validateChanges(this.#data, drafted);
    if (next === this.#data) return value;
    this.#data = next;
    this.#changed('local');
    this.#flushing ??= this.#flush();
    return value;
  }

  /** Resolves once every change made so far is in the database (rejects if writing failed). */
  flushed(): Promise<void> {
    if (!this.#flushing) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Writes pending changes, one transaction per round, until none are left. */
  async #flush(): Promise<void> {
    // Let the rest of this turn's changes join the same transaction.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.#data !== this.#persisted) {
        const waiters = this.#waiters;
        this.#waiters = [];
        try {
          await this.#writeRound();
          for (const w of waiters) w.resolve();
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          // Everything not yet written goes: the snapshot returns to what the database holds.
          const all = [...waiters, ...this.#waiters];
          this.#waiters = [];
          this.#data = this.#persisted;
          this.#changed('local');
          for (const w of all) w.reject(failure);
        }
      }
    } finally {
      this.#flushing = undefined;
      for (const w of this.#waiters.splice(0)) w.resolve();
    }
  }

  async #writeRound(): Promise<void> {
    const database = this.database;
    if (!database) throw new Error('no database is open');
    const base = this.#persisted;
    const target = this.#data;
    const mine = changedRecords(base, target);
    const theirs = await database
      .write(async (tx) => {
        // Others' commits since our snapshot: none on the records we write, or this write loses.
        const { refs } = await changesSince(tx, this.#rev);
        const both = clash(refs, mine);
        if (both) {
          throw new WriteConflictError(
            `another process changed ${both.collection} "${both.id}" at the same time; nothing was saved — try again`,
          );
        }
        const loaded = await readRecords(tx, refs);
        await writeRecords(tx, base, target, mine);
        if (mine.length) await database.announce(tx);
        return { loaded, rev: (await changeHead(tx)).last };
      })
      .catch(async (error: unknown) => {
        if (!(error instanceof WriteConflictError)) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`The workspace could not be saved to ${database.location}: ${reason}`);
        }
        await this.#catchUp(true).catch(() => {});
        throw new WriteConflictError(`The workspace was not saved: ${error.message}`);
      });
    this.#rev = theirs.rev;
    this.#persisted = applyRecords(target, theirs.loaded);
    if (this.#data === target) this.#data = this.#persisted;
    else this.#data = applyRecords(this.#data, theirs.loaded);
    if (theirs.loaded.length) this.#changed('external');
  }

  /**
   * Catches up with changes other processes committed (the CLI when no server ran, another
   * replica). Returns whether anything changed.
   */
  sync(): Promise<boolean> {
    if (!this.database?.hasSchema || this.#flushing) return Promise.resolve(false);
    // Callers at the same moment share one read.
    this.#syncing ??= this.#catchUp(false).finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  /**
   * Team mode (PostgreSQL): other replicas' commits are announced and read within milliseconds,
   * but a client behind a load balancer may send the next request sooner. Before work that must
   * see every commit (an admin call, a key or customer not found here), this reads what is
   * newer — one small query when nothing is. Elsewhere (one process) there is nothing to read.
   */
  async catchUpIfShared(): Promise<void> {
    if (this.database?.engine !== 'postgres') return;
    // A read already under way may have begun before the commit this caller must see: one more after it.
    if (this.#syncing) await this.#syncing.catch(() => {});
    await this.sync().catch(() => {});
  }

  /** Reads what others committed past `#rev`. Outside a flush it is dropped if a local change began meanwhile. */
  #syncing: Promise<boolean> | undefined;

  async #catchUp(duringFlush: boolean): Promise<boolean> {
    const database = this.database;
    if (!database) return false;
    const { db } = database;
    const head = await changeHead(db);
    if (head.last <= this.#rev) return false;
    let persisted: Workspace;
    let rev: number;
    if (head.first > this.#rev + 1) {
      // The change log was pruned past our revision: read everything again.
      ({ ws: persisted, rev } = await db.transaction().execute((tx) => loadWorkspace(tx)));
    } else {
      const since = await changesSince(db, this.#rev);
      rev = since.last;
      persisted = applyRecords(this.#persisted, await readRecords(db, since.refs));
    }
    if (this.#flushing && !duringFlush) return false;
    this.#rev = rev;
    this.#persisted = persisted;
    if (!duringFlush) this.#data = persisted;
    this.#changed('external');
    return true;
  }

  /**
   * Catches up with other processes' changes: at once when one is announced (PostgreSQL LISTEN),
   * and by polling every `intervalMs` (SQLite; on PostgreSQL a safety net, every 2 s, for notices
   * lost while reconnecting). Off the request path. Returns a stop function.
   */
  watch(onError: (message: string) => void = () => {}, intervalMs?: number): () => void {
    let busy = false;
    let again = false;
    const sync = () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      this.sync()
        .catch((error: unknown) =>
          onError(
            `Reading other processes' changes failed: ${error instanceof Error ? error.message : error}`,
          ),
        )
        .finally(() => {
          busy = false;
          if (again) {
            again = false;
            sync();
          }
        });
    };
    const listen = this.database?.readOnly ? undefined : this.database?.listen;
    const stopListening = listen?.call(this.database, 'changes', sync, onError);
    this.#syncTimer = setInterval(sync, intervalMs ?? (stopListening ? 2_000 : 250));
    this.#syncTimer.unref();
    return () => {
      clearInterval(this.#syncTimer);
      stopListening?.();
    };
  }

  /** Keeps the change log bounded: its newest `keep` rows stay (see change-log.ts). */
  async pruneChangeLog(keep = 10_000): Promise<number> {
    const database = this.database;
    if (!database || database.readOnly || !database.hasSchema) return 0;
    return pruneChanges(database, keep);
  }

  #changed(source: ChangeSource): void {
    this.#revision += 1;
    for (const listener of this.#listeners) listener(source);
  }

  /** Writes what is pending and closes the database. */
  async close(): Promise<void> {
    clearInterval(this.#syncTimer);
    try {
      await this.flushed();
    } finally {
      await this.database?.close();
    }
  }
}
