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
  /** What the entry records beyond its tool (an approval's tool and decision); never arguments. */
  detail?: string;
  key_id?: string;
  /** OpenTelemetry only (never stored): the call's span ids, as propagated to its upstream. */
  trace?: { traceId: string; spanId: string };
}

/** A fresh W3C trace context: ids for a call's span, and its `traceparent` header value. */
export function newTrace(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

// Entry ids: 8 bytes in hex as before — a random prefix per process, then a counter from a random
// start. Consecutive entries then sort together, so a batch's rows land on one page of the id
// index instead of one random page each: the batch insert and its commit (synchronous SQLite work
// on the event loop) cost ~25 µs a row instead of ~65. Unique within a process for 2^32 entries;
// across processes as unlikely to collide as random ids (same prefix and overlapping counters).
const idPrefix = randomBytes(4).toString('hex');
let idCounter = randomBytes(4).readUInt32BE(0);
function nextId(): string {
  idCounter = (idCounter + 1) >>> 0;
  return idPrefix + idCounter.toString(16).padStart(8, '0');
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

/** Argument names whose values are identifiers worth keeping in an error (not secret-like). */
const ID_NAME = /(^|_)(id|ids|name|slug|tool|plane|scheme|method|window|by)$/i;
const SECRET_NAME = /key|token|secret|pass|auth|credential|cookie|env|header/i;

/** The string values of arguments an error must not repeat: long ones, and any under a secret-like name. */
function argumentStrings(value: unknown, name: string, out: Set<string>, depth = 0): void {
  if (depth > 8) return;
  if (typeof value === 'string') {
    if ((SECRET_NAME.test(name) && value.length >= 4) || (value.length >= 8 && !ID_NAME.test(name))) {
      out.add(value);
      // Its words too: part of the text may already be masked (a connection's own secret).
      for (const word of value.split(/\s+/)) if (word.length >= 8) out.add(word);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) argumentStrings(item, name, out, depth + 1);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) argumentStrings(item, key, out, depth + 1);
  }
}

/** Cuts argument values out of an error text, in the forms an upstream may echo them: raw, URL-, base64- or JSON-encoded. */
export function scrubArguments(text: string, args: unknown): string {
  if (args === undefined || args === null) return text;
  const values = new Set<string>();
  argumentStrings(args, '', values);
  let out = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    const forms = new Set([
      value,
      encodeURIComponent(value),
      encodeURIComponent(value).replace(/%20/g, '+'),
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
      JSON.stringify(value).slice(1, -1),
    ]);
    for (const form of forms) if (form) out = out.split(form).join('[argument]');
  }
  return out;
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
  /** True while OpenTelemetry is on: calls then carry a trace context to their upstreams. */
  tracing = false;

  constructor(
    private readonly database: Database | null,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /**
   * Records one call. `args`: the call's arguments — their values are cut out of the error, which
   * an upstream may have echoed them into (the log never holds arguments).
   */
  record(entry: Omit<ActivityEntry, 'id' | 'time'> & { time?: string; args?: unknown }): ActivityEntry {
    const { args, ...fields } = entry;
    const full: ActivityEntry = {
      id: `act_${nextId()}`,
      time: fields.time ?? new Date().toISOString(),
      ...fields,
      ...(fields.error ? { error: scrubArguments(redact(fields.error), args).slice(0, 300) } : {}),
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
                detail: e.detail ?? null,
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

  /**
   * Keeps the log bounded: deletes entries older than `days`, then, when more than `maxRows`
   * remain, the oldest beyond the cap. Returns how many went for each reason.
   */
  async prune(days: number, maxRows?: number): Promise<{ expired: number; capped: number }> {
    await this.flush();
    const database = this.database;
    if (!database || database.readOnly || !database.hasSchema) return { expired: 0, capped: 0 };
    const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
    const expired = await database.write((tx) =>
      tx.deleteFrom('activity').where('at', '<', cutoff).executeTakeFirst(),
    );
    let capped = 0;
    if (maxRows !== undefined) {
      const counted = await database.db
        .selectFrom('activity')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      // PostgreSQL answers counts as strings (bigint); SQLite as numbers.
      const excess = Number(counted?.n ?? 0) - maxRows;
      if (excess > 0) {
        // One DELETE with a subquery, the same on SQLite and PostgreSQL: the oldest `excess` rows.
        const result = await database.write((tx) =>
          tx
            .deleteFrom('activity')
            .where('id', 'in', (eb) =>
              eb.selectFrom('activity').select('id').orderBy('at', 'asc').orderBy('id', 'asc').limit(excess),
            )
            .executeTakeFirst(),
        );
        capped = Number(result.numDeletedRows);
      }
    }
    return { expired: Number(expired.numDeletedRows), capped };
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
      ...(r.detail ? { detail: r.detail } : {}),
      ...(r.key_id ? { key_id: r.key_id } : {}),
    }));
  }
}
