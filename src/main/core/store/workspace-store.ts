import { existsSync, mkdirSync, readFileSync, renameSync, statSync, watch } from 'node:fs';
import { dataPaths } from '../paths';
import { type BackendFactory, confBackend, type StoreBackend } from './backend';
import { applyDraft, deepFreeze, validateChanges } from './draft';
import { acquireFileLock, withFileLock } from './file-lock';
import { HeadlessKeyProvider } from './keyring-provider';
import { migrate } from './migrations';
import { emptyWorkspace, type Workspace, workspaceSchema } from './schema';
import { type KeyProvider, SecretBox } from './secrets';

export class StoreCorruptError extends Error {
  constructor(
    readonly path: string,
    readonly asidePath: string,
    reason: string,
  ) {
    super(
      `The workspace file ${path} could not be read: ${reason}. ` +
        `Portico moved it aside to ${asidePath} (nothing was deleted) and will not start on it. ` +
        `Repair that file and move it back to ${path}, or start again to begin with an empty workspace.`,
    );
  }
}

export type ChangeSource = 'local' | 'external';
export type ChangeListener = (source: ChangeSource) => void;

export interface OpenStoreOptions {
  dataDir: string;
  keyProvider?: KeyProvider;
  backend?: BackendFactory;
}

const stampOf = (path: string): string => {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'absent';
  }
};

const timestamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** Stores open in this process, by file: a second one must flush the first's pending write before locking. */
const openStores = new Map<string, Set<WorkspaceStore>>();

/**
 * The workspace: an in-memory snapshot of the validated document, persisted atomically.
 * Writes take a cross-process lock and re-read the file first, so the CLI and a running
 * server never lose each other's changes; a running server picks up other processes'
 * writes through `refresh()` / `watch()`.
 */
export class WorkspaceStore {
  readonly dataDir: string;
  readonly path: string;
  readonly #lockPath: string;
  readonly #backend: StoreBackend;
  readonly #keyProvider: KeyProvider;
  #secrets: SecretBox | undefined;
  #data: Workspace;
  #stamp: string;
  #revision = 0;
  /** Set while loading when the file must be (re)written: created or migrated. */
  #pendingWrite = false;
  /** Releases the file lock this store holds while a write is pending. */
  #release: (() => void) | undefined;
  /** The in-memory workspace is ahead of the file. */
  #dirty = false;
  /** The last workspace known to be on disk: restored if a pending write fails. */
  #persisted: Workspace;
  #flushTimer: NodeJS.Timeout | undefined;
  #waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  readonly #listeners = new Set<ChangeListener>();

  private constructor(options: OpenStoreOptions) {
    this.dataDir = options.dataDir;
    const paths = dataPaths(this.dataDir);
    this.path = paths.workspace;
    this.#lockPath = paths.lock;
    this.#keyProvider = options.keyProvider ?? new HeadlessKeyProvider();
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    WorkspaceStore.#flushOthers(this.path, this);
    const loaded = deepFreeze(withFileLock(this.#lockPath, () => this.#loadOrCreate()));
    this.#data = loaded;
    this.#persisted = loaded;
    this.#stamp = stampOf(this.path);
    this.#backend = (options.backend ?? confBackend)(this.dataDir);
    if (this.#backend.path !== this.path)
      throw new Error(`store backend writes ${this.#backend.path}, expected ${this.path}`);
    if (this.#pendingWrite) {
      withFileLock(this.#lockPath, () => this.#write(loaded));
      this.#pendingWrite = false;
    }
    const peers = openStores.get(this.path) ?? new Set();
    peers.add(this);
    openStores.set(this.path, peers);
  }

  /** Writes every store's pending changes (before a process exits). */
  static flushAll(): void {
    for (const peers of openStores.values()) for (const store of peers) store.flushSync();
  }

  /** Writes the pending changes of other stores of this process on the same file. */
  static #flushOthers(path: string, self: WorkspaceStore): void {
    for (const other of openStores.get(path) ?? []) if (other !== self) other.flushSync();
  }

  static open(options: OpenStoreOptions): WorkspaceStore {
    return new WorkspaceStore(options);
  }

  /** The current snapshot. Treat as read-only: change it only through `mutate`. */
  get data(): Workspace {
    return this.#data;
  }

  /** Increases on every change, local or external: a cheap cache key. */
  get revision(): number {
    return this.#revision;
  }

  /** The secret box, opened on first use (so commands that touch no secret need no key). */
  get secrets(): SecretBox {
    this.#secrets ??= new SecretBox(this.#keyProvider.loadOrCreateKey(this.dataDir), this.#keyProvider);
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
   * Applies `fn` to a copy-on-write draft of the workspace, validates what changed, makes it
   * current and tells listeners at once; the file is written right after, before any I/O this
   * process waits on (await `flushed()` before acknowledging a change). The cross-process lock is
   * held from the re-read until that write. If `fn` throws, nothing changes.
   */
  mutate<T>(fn: (draft: Workspace) => T): T {
    if (!this.#release) {
      WorkspaceStore.#flushOthers(this.path, this);
      this.#release = acquireFileLock(this.#lockPath);
      try {
        this.#reloadIfChanged(true);
      } catch (error) {
        this.#releaseLock();
        throw error;
      }
    }
    let next: Workspace;
    let value: T;
    try {
      ({ next, value } = applyDraft(this.#data, fn));
      next = validateChanges(this.#data, next);
    } catch (error) {
      if (!this.#dirty) this.#releaseLock();
      throw error;
    }
    if (next === this.#data) {
      if (!this.#dirty) this.#releaseLock();
      return value;
    }
    this.#data = next;
    this.#dirty = true;
    // A 2 ms window: notifications about the change reach the network first, and a burst of
    // writes is saved once.
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      try {
        this.flushSync();
      } catch {
        // Reported to whoever awaits flushed(); the workspace went back to what is on disk.
      }
    }, 2);
    this.#changed('local');
    return value;
  }

  /** Resolves once every change made so far is on disk (rejects if writing failed). */
  flushed(): Promise<void> {
    if (!this.#release) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Writes pending changes now and releases the lock. */
  flushSync(): void {
    if (!this.#release) return;
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    try {
      if (this.#dirty) {
        this.#write(this.#data);
        this.#persisted = this.#data;
        this.#dirty = false;
      }
    } catch (error) {
      this.#dirty = false;
      this.#data = this.#persisted;
      this.#releaseLock();
      this.#changed('local');
      const failure = new Error(
        `the workspace could not be saved to ${this.path}: ${(error as Error).message}`,
      );
      for (const w of waiters) w.reject(failure);
      throw failure;
    }
    this.#releaseLock();
    for (const w of waiters) w.resolve();
  }

  #releaseLock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  /** Writes what is pending and stops taking part in same-process coordination. */
  close(): void {
    this.flushSync();
    openStores.get(this.path)?.delete(this);
  }

  /** Re-reads the file if another process changed it. Returns whether anything changed. */
  refresh(): boolean {
    WorkspaceStore.#flushOthers(this.path, this);
    // While this store holds the lock, nobody else can have written the file.
    if (this.#release) return false;
    const changed = this.#reloadIfChanged(false);
    if (changed) this.#changed('external');
    return changed;
  }

  /** Watches the data dir for other processes' writes. Returns a function that stops watching. */
  watch(onError: (message: string) => void = () => {}): () => void {
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(this.dataDir, { persistent: false }, (_event, file) => {
      if (file && file !== 'workspace.json') return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          this.refresh();
        } catch (error) {
          onError((error as Error).message);
        }
      }, 5);
    });
    watcher.on('error', (error) => onError(`watching ${this.dataDir} failed: ${error.message}`));
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }

  #changed(source: ChangeSource): void {
    this.#revision += 1;
    for (const listener of this.#listeners) listener(source);
  }

  #write(next: Workspace): void {
    this.#backend.write(next as unknown as Record<string, unknown>);
    this.#stamp = stampOf(this.path);
  }

  /**
   * Reloads from disk when the file changed under us. Inside a write (`stashBroken`), a file
   * another process left unreadable is moved aside rather than overwritten unseen.
   */
  #reloadIfChanged(stashBroken: boolean): boolean {
    const stamp = stampOf(this.path);
    if (stamp === this.#stamp) return false;
    if (stamp === 'absent') {
      this.#stamp = stamp;
      return false;
    }
    const result = this.#parseFile();
    if (!result.ok) {
      if (!stashBroken)
        throw new Error(
          `${this.path} was changed by another program and is invalid (${result.reason}); keeping the last good workspace in memory`,
        );
      renameSync(this.path, `${this.path}.corrupt-${timestamp()}`);
      this.#stamp = 'absent';
      return false;
    }
    this.#data = deepFreeze(result.data);
    this.#persisted = this.#data;
    this.#stamp = stamp;
    return true;
  }

  #loadOrCreate(): Workspace {
    if (!existsSync(this.path)) {
      this.#pendingWrite = true;
      return emptyWorkspace();
    }
    const result = this.#parseFile();
    if (!result.ok) {
      const aside = `${this.path}.corrupt-${timestamp()}`;
      renameSync(this.path, aside);
      throw new StoreCorruptError(this.path, aside, result.reason);
    }
    this.#pendingWrite = result.migrated;
    return result.data;
  }

  #parseFile(): { ok: true; data: Workspace; migrated: boolean } | { ok: false; reason: string } {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { ok: false, reason: `it is not valid JSON (${(error as Error).message})` };
    }
    try {
      const { doc, migrated } = migrate(json);
      const parsed = workspaceSchema.safeParse(doc);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.join('.') || '(top level)';
        return { ok: false, reason: `it does not match the workspace schema at ${where}: ${issue?.message}` };
      }
      return { ok: true, data: parsed.data, migrated };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }
}
