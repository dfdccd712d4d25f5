import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { ENTRY_POINTS, type EntryPoint } from '../../../shared/schemas/activity';
import type { Database } from '../store/database';
import { redact } from '../util/log';

export { ENTRY_POINTS, type EntryPoint };

export interface ActivityEntry {
  id: string;
  time: string;
  plane: 'admin' | 'gateway';
  entry_point: EntryPoint;
  customer_id: string | null;
  tool: string;
  duration_ms: number;
  outcome: 'ok' | 'error';
  /** A short, redacted reason for failures; never arguments. */
  error?: string;
  key_id?: string;
}

/** What get_usage groups by: a column of the activity table. */
export type UsageGroup = 'key_id' | 'customer_id' | 'tool';

export interface UsageRow {
  group: string | null;
  calls: number;
  errors: number;
  p50_ms: number;
  p95_ms: number;
}

export interface ActivityFilter {
  from?: string;
  to?: string;
  plane?: string;
  entry_point?: string;
  key_id?: string;
  customer_id?: string;
  tool?: string;
  outcome?: string;
  /** The id of the last entry of the previous page. */
  after?: { time: string; id: string };
  limit: number;
}

/** How long a recorded call may wait for its row: calls in the same few milliseconds share one transaction. */
const BATCH_MS = 20;
const BATCH_MAX = 500;

/**
 * The activity log: one row per call, written in short batched transactions off the call's path
 * — recording never waits on the database, and a busy database never stalls a call.
 */
export class ActivityLog {
  #queue: ActivityEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  readonly #listeners = new Set<(entry: ActivityEntry) => void>();

  constructor(
    private readonly database: Database | null,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  record(entry: Omit<ActivityEntry, 'id' | 'time'> & { time?: string }): ActivityEntry {
    const full: ActivityEntry = {
      id: `act_${randomBytes(8).toString('hex')}`,
      time: entry.time ?? new Date().toISOString(),
      ...entry,
      ...(entry.error ? { error: redact(entry.error).slice(0, 300) } : {}),
    };
    for (const listener of this.#listeners) {
      try {
        listener(full);
      } catch {
        // A failing listener (a closed stream) must never fail the call being recorded.
      }
    }
    if (!this.database || this.database.readOnly) return full;
    this.#queue.push(full);
    if (this.#queue.length >= BATCH_MAX) void this.#write();
    else this.#timer ??= setTimeout(() => void this.#write(), BATCH_MS);
    return full;
  }

  /** Calls `listener` with every entry as it is recorded (the UI's live activity); returns the unsubscribe. */
  onRecord(listener: (entry: ActivityEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once everything recorded so far is written. */
  async flush(): Promise<void> {
    while (this.#queue.length || this.#writing) await this.#write();
  }

  #write(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing ??= this.#writeBatches().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  async #writeBatches(): Promise<void> {
    const database = this.database;
    while (database && this.#queue.length) {
      const batch = this.#queue.splice(0, BATCH_MAX);
      try {
        await database.write((tx) =>
          tx
            .insertInto('activity')
            .values(
              batch.map((e) => ({
                id: e.id,
                at: e.time,
                plane: e.plane,
                entry_point: e.entry_point,
                customer_id: e.customer_id,
                key_id: e.key_id ?? null,
                tool: e.tool,
                duration_ms: e.duration_ms,
                outcome: e.outcome,
                error: e.error ?? null,
              })),
            )
            .execute(),
        );
      } catch (error) {
        // Losing activity rows must never fail a tool call; say so once per batch.
        this.onError(
          `Recording ${batch.length} activity entries failed: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  }

  /** Deletes entries older than `days` (the log is kept bounded). Returns how many went. */
  async prune(days: number): Promise<number> {
    const database = this.database;
    if (!database || database.readOnly || !database.hasSchema) return 0;
    const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
    const result = await database.write((tx) =>
      tx.deleteFrom('activity').where('at', '<', cutoff).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }

  /** Calls and errors per UTC hour since `from` (ISO), keyed by the time's first 13 characters (`2026-11-30T21`). */
  async hourly(from: string): Promise<Map<string, { calls: number; errors: number }>> {
    await this.flush();
    const database = this.database;
    const counts = new Map<string, { calls: number; errors: number }>();
    if (!database?.hasSchema) return counts;
    const hour = sql<string>`substr(at, 1, 13)`;
    const rows = await database.db
      .selectFrom('activity')
      .select([
        hour.as('hour'),
        (eb) => eb.fn.countAll().as('calls'),
        sql<number>`sum(case when outcome = 'error' then 1 else 0 end)`.as('errors'),
      ])
      .where('at', '>=', from)
      .groupBy(hour)
      .execute();
    // PostgreSQL answers counts as strings (bigint); SQLite as numbers.
    for (const row of rows) counts.set(row.hour, { calls: Number(row.calls), errors: Number(row.errors) });
    return counts;
  }

  /**
   * Calls, errors and duration percentiles (nearest rank) since `from`, grouped by a column.
   * Counts are SQL aggregates over every row; the percentiles are computed here from the newest
   * `sampleCap` durations of the window (`sampled` says when the window held more).
   */
  async usage(
    from: string,
    by: UsageGroup,
    options: { plane?: 'admin' | 'gateway'; sampleCap?: number } = {},
  ): Promise<{ rows: UsageRow[]; sampled: boolean }> {
    await this.flush();
    const database = this.database;
    if (!database?.hasSchema) return { rows: [], sampled: false };
    const cap = options.sampleCap ?? 100_000;
    let base = database.db.selectFrom('activity').where('at', '>=', from);
    if (options.plane) base = base.where('plane', '=', options.plane);
    const counts = await base
      .select([
        `${by} as group`,
        (eb) => eb.fn.countAll().as('calls'),
        sql<number>`sum(case when outcome = 'error' then 1 else 0 end)`.as('errors'),
      ])
      .groupBy(by)
      .execute();
    const durations = await base
      .select([`${by} as group`, 'duration_ms'])
      .orderBy('at', 'desc')
      .limit(cap + 1)
      .execute();
    const sampled = durations.length > cap;
    const byGroup = new Map<string | null, number[]>();
    for (const row of durations.slice(0, cap)) {
      const list = byGroup.get(row.group) ?? [];
      list.push(Number(row.duration_ms));
      byGroup.set(row.group, list);
    }
    const rank = (sorted: number[], p: number) =>
      sorted.length ? (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0) : 0;
    const rows = counts.map((row) => {
      const sorted = (byGroup.get(row.group) ?? []).sort((a, b) => a - b);
      // PostgreSQL answers counts as strings (bigint); SQLite as numbers.
      return {
        group: row.group,
        calls: Number(row.calls),
        errors: Number(row.errors),
        p50_ms: rank(sorted, 0.5),
        p95_ms: rank(sorted, 0.95),
      };
    });
    rows.sort((a, b) => b.calls - a.calls || String(a.group).localeCompare(String(b.group)));
    return { rows, sampled };
  }

  /** Entries newest first, filtered, one page at a time. */
  async query(filter: ActivityFilter): Promise<ActivityEntry[]> {
    await this.flush();
    const database = this.database;
    if (!database?.hasSchema) return [];
    let q = database.db.selectFrom('activity').selectAll();
    if (filter.from) q = q.where('at', '>=', filter.from);
    if (filter.to) q = q.where('at', '<', filter.to);
    for (const column of ['plane', 'entry_point', 'key_id', 'customer_id', 'tool', 'outcome'] as const) {
      const value = filter[column];
      if (value !== undefined) q = q.where(column, '=', value);
    }
    const after = filter.after;
    if (after)
      q = q.where((eb) =>
        eb.or([eb('at', '<', after.time), eb.and([eb('at', '=', after.time), eb('id', '<', after.id)])]),
      );
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      time: r.at,
      plane: r.plane === 'admin' ? 'admin' : 'gateway',
      entry_point: (ENTRY_POINTS as readonly string[]).includes(r.entry_point)
        ? (r.entry_point as EntryPoint)
        : 'mcp',
      customer_id: r.customer_id,
      tool: r.tool,
      duration_ms: r.duration_ms,
      outcome: r.outcome === 'error' ? 'error' : 'ok',
      ...(r.error ? { error: r.error } : {}),
      ...(r.key_id ? { key_id: r.key_id } : {}),
    }));
  }
}
