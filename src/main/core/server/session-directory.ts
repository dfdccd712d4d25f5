import { sql } from 'kysely';
import type { Database } from '../store/database';
import type { PlaneName } from '../store/schema';
import { SessionEvents } from './session-events';

/** A session as the database keeps it (table `mcp_sessions`, migration 0005). */
export interface StoredSession {
  id: string;
  plane: PlaneName;
  keyId: string;
  customerId?: string;
  protocolVersion: string;
  /** What the client sent at initialize. */
  capabilities: Record<string, unknown>;
  clientInfo: { name: string; version: string } & Record<string, unknown>;
  loggingLevel?: string;
  /** Resources it subscribed to (re-subscribed where the session goes on). */
  subscriptions: string[];
  /** Epoch ms of the last activity any replica has written down. */
  lastSeen: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The most ids one NOTIFY carries (its payload is limited to 8,000 bytes). */
const IDS_PER_NOTICE = 100;

/**
 * The MCP sessions of every replica on one PostgreSQL database (team mode), so that any replica
 * serves any session. Written once at initialize; `last_seen` is written in batches, off the
 * request path, at most every `flushMs`; an ended session's row is deleted and its id announced
 * (NOTIFY), so every replica drops its copy at once. Each flush also learns which sessions held
 * here are gone (ended elsewhere while the notice was missed), and now and then deletes the rows
 * idle past the timeout that no live replica expired (their replicas died).
 */
export class SessionDirectory {
  /** How often touches are written (and rows gone elsewhere noticed). */
  readonly flushMs: number;
  /** Sessions used here since the last flush, with when (epoch ms) a request last started. */
  readonly #touched = new Map<string, number>();
  readonly #ended = new Set<(ids: string[]) => void>();
  readonly #held = new Set<() => Iterable<string>>();
  #timer: NodeJS.Timeout | undefined;
  #stopListening: (() => void) | undefined;
  #lastSweep = Date.now();
  #flushing: Promise<void> | undefined;
  /** The sessions' event stores, for clients that reconnect with Last-Event-ID. */
  readonly events: SessionEvents;

  constructor(
    private readonly database: Database,
    /** The idle timeout of the planes' sessions, ms. */
    readonly idleMs: number,
    private readonly log: (message: string) => void,
  ) {
    this.flushMs = Math.min(5_000, Math.max(100, Math.floor(idleMs / 4)));
    this.events = new SessionEvents(database, log);
  }

  /** Starts listening for ended sessions and the batched writes. */
  start(): void {
    if (this.#timer) return;
    this.#stopListening = this.database.listen?.(
      'sessions',
      (payload) => {
        const ids = payload.split(' ').filter(Boolean);
        if (ids.length) this.#emit(ids);
      },
      (message) => this.log(message),
    );
    this.#timer = setInterval(() => void this.flush(), this.flushMs);
    this.#timer.unref();
    this.events.start();
  }

  /** Writes the last touches down and stops. Rows stay: the sessions go on through other replicas. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopListening?.();
    this.#stopListening = undefined;
    this.events.stop();
    await this.flush();
  }

  /** `listener` gets the ids of sessions ended anywhere (or found gone); returns the stop function. */
  onEnded(listener: (ids: string[]) => void): () => void {
    this.#ended.add(listener);
    return () => this.#ended.delete(listener);
  }

  /** `held` lists the sessions a hub holds busy (a request or stream open): they count as active. */
  holding(held: () => Iterable<string>): () => void {
    this.#held.add(held);
    return () => this.#held.delete(held);
  }

  #emit(ids: string[]): void {
    for (const listener of this.#ended) listener(ids);
  }

  async insert(session: Omit<StoredSession, 'lastSeen' | 'subscriptions'>): Promise<void> {
    const now = Date.now();
    await this.database.db
      .insertInto('mcp_sessions')
      .values({
        id: session.id,
        plane: session.plane,
        key_id: session.keyId,
        customer_id: session.customerId ?? null,
        protocol_version: session.protocolVersion,
        client: JSON.stringify({ capabilities: session.capabilities, clientInfo: session.clientInfo }),
        logging_level: session.loggingLevel ?? null,
        created_at: now,
        last_seen: now,
      })
      .execute();
  }

  async find(id: string, plane: PlaneName): Promise<StoredSession | undefined> {
    const row = await this.database.db
      .selectFrom('mcp_sessions')
      .selectAll()
      .where('id', '=', id)
      .where('plane', '=', plane)
      .executeTakeFirst();
    if (!row) return undefined;
    let client: unknown;
    try {
      client = JSON.parse(row.client);
    } catch {
      return undefined;
    }
    if (!isObject(client) || !isObject(client.capabilities) || !isObject(client.clientInfo)) return undefined;
    const { clientInfo } = client;
    if (typeof clientInfo.name !== 'string' || typeof clientInfo.version !== 'string') return undefined;
    const subscriptions = await this.database.db
      .selectFrom('mcp_subscriptions')
      .select('uri')
      .where('session_id', '=', id)
      .orderBy('uri')
      .execute();
    return {
      id: row.id,
      plane,
      keyId: row.key_id,
      ...(row.customer_id === null ? {} : { customerId: row.customer_id }),
      protocolVersion: row.protocol_version,
      capabilities: client.capabilities,
      clientInfo: { ...clientInfo, name: clientInfo.name, version: clientInfo.version },
      ...(row.logging_level === null ? {} : { loggingLevel: row.logging_level }),
      subscriptions: subscriptions.map((r) => r.uri),
      lastSeen: Number(row.last_seen),
    };
  }

  /** Sessions a key holds on a plane, on every replica. */
  async count(keyId: string, plane: PlaneName): Promise<number> {
    const row = await this.database.db
      .selectFrom('mcp_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('key_id', '=', keyId)
      .where('plane', '=', plane)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The session was used here now; written with the next flush (as this time, not the flush's). */
  touch(id: string): void {
    this.#touched.set(id, Date.now());
  }

  async setLoggingLevel(id: string, level: string): Promise<void> {
    await this.database.db
      .updateTable('mcp_sessions')
      .set({ logging_level: level })
      .where('id', '=', id)
      .execute();
  }

  /** A resource the session subscribed to (`on`) or unsubscribed from. */
  async subscription(id: string, uri: string, on: boolean): Promise<void> {
    if (on)
      await this.database.db
        .insertInto('mcp_subscriptions')
        .values({ session_id: id, uri })
        .onConflict((oc) => oc.doNothing())
        .execute();
    else
      await this.database.db
        .deleteFrom('mcp_subscriptions')
        .where('session_id', '=', id)
        .where('uri', '=', uri)
        .execute();
  }

  /** When the session was last used on any replica, or undefined when it is gone. */
  async lastSeen(id: string): Promise<number | undefined> {
    const row = await this.database.db
      .selectFrom('mcp_sessions')
      .select('last_seen')
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? Number(row.last_seen) : undefined;
  }

  /**
   * Ends sessions everywhere: deletes their rows and announces their ids. With `idleBefore`, only
   * those no replica used after then (a touch written meanwhile keeps a session alive). Returns the
   * ids deleted.
   */
  async remove(ids: string[], idleBefore?: number): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.database.db.transaction().execute(async (tx) => {
      let query = tx.deleteFrom('mcp_sessions').where('id', 'in', ids);
      if (idleBefore !== undefined) query = query.where('last_seen', '<=', idleBefore);
      const gone = (await query.returning('id').execute()).map((r) => r.id);
      if (gone.length) await tx.deleteFrom('mcp_events').where('session_id', 'in', gone).execute();
      for (let i = 0; i < gone.length; i += IDS_PER_NOTICE)
        await this.database.announce(tx, 'sessions', gone.slice(i, i + IDS_PER_NOTICE).join(' '));
      return gone;
    });
  }

  /**
   * Writes the touches (and the busy sessions, as used now) down in one statement, each as the
   * time it was used (never moving `last_seen` back); sessions found gone are reported ended.
   */
  flush(): Promise<void> {
    this.#flushing ??= this.#flush()
      .catch((error: unknown) =>
        this.log(`Saving MCP session activity failed: ${error instanceof Error ? error.message : error}`),
      )
      .finally(() => {
        this.#flushing = undefined;
      });
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const now = Date.now();
    const used = new Map(this.#touched);
    this.#touched.clear();
    for (const held of this.#held) for (const id of held()) used.set(id, now);
    if (used.size) {
      const values = sql.join([...used].map(([id, at]) => sql`(${id}, ${at}::bigint)`));
      const found = await sql<{ id: string }>`
        update mcp_sessions set last_seen = greatest(mcp_sessions.last_seen, v.at)
        from (values ${values}) as v(id, at)
        where mcp_sessions.id = v.id
        returning mcp_sessions.id`.execute(this.database.db);
      if (found.rows.length < used.size) {
        const alive = new Set(found.rows.map((r) => r.id));
        this.#emit([...used.keys()].filter((id) => !alive.has(id)));
      }
    }
    // Sessions whose replica died, never used since: nobody else expires them.
    if (now - this.#lastSweep >= Math.min(60_000, this.idleMs)) {
      this.#lastSweep = now;
      const stale = await this.database.db
        .selectFrom('mcp_sessions')
        .select('id')
        .where('last_seen', '<', now - this.idleMs - this.flushMs)
        .limit(1000)
        .execute();
      const gone = await this.remove(
        stale.map((r) => r.id),
        now - this.idleMs - this.flushMs,
      );
      if (gone.length) this.#emit(gone);
    }
  }
}
