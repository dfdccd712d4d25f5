import type { Database } from '../store/database';

/**
 * Last-used times of API keys, kept in memory and written to the database in the background, so
 * authenticating a request never waits on a write.
 */
export class KeyUsage {
  readonly #used = new Map<string, string>();
  /** Touched since the last flush, as Date.now(): a request's touch formats no date (flush and lastUsed do). */
  readonly #touched = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  private constructor(private readonly database: Database | null) {}

  /** The recorded times; a data dir without a database has none. */
  static async load(database: Database | null): Promise<KeyUsage> {
    const usage = new KeyUsage(database);
    if (database?.hasSchema) {
      for (const row of await database.db.selectFrom('key_usage').selectAll().execute())
        usage.#used.set(row.key_id, row.last_used_at);
    }
    return usage;
  }

  lastUsed(id: string): string | null {
    const touched = this.#touched.get(id);
    return touched === undefined ? (this.#used.get(id) ?? null) : new Date(touched).toISOString();
  }

  touch(id: string): void {
    this.#touched.set(id, Date.now());
    this.#timer ??= setTimeout(() => void this.flush().catch(() => {}), 2_000).unref();
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const database = this.database;
    for (const [id, at] of this.#touched) this.#used.set(id, new Date(at).toISOString());
    const dirty = [...this.#touched.keys()];
    this.#touched.clear();
    if (!database || database.readOnly || dirty.length === 0) return;
    const rows = dirty.map((key_id) => ({ key_id, last_used_at: this.#used.get(key_id) ?? '' }));
    await database.write((tx) =>
      tx
        .insertInto('key_usage')
        .values(rows)
        .onConflict((oc) =>
          oc.column('key_id').doUpdateSet((eb) => ({ last_used_at: eb.ref('excluded.last_used_at') })),
        )
        .execute(),
    );
  }
}
