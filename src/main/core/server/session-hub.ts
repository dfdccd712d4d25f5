import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  isInitializeRequest,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { FastPath } from '../gateway/customer-mcp';
import type { PlaneName } from '../store/schema';
import { RPC, sendRpcError } from './http-util';
import type { SessionDirectory, StoredSession } from './session-directory';
import type { SessionEventStore } from './session-events';
import { restoreSession } from './session-restore';

/** Who opened a session: the key that authenticated it and, on the data plane, the customer. */
export interface SessionOwner {
  keyId: string;
  customerId?: string;
}

/** What a plane makes for each new session: its MCP server and, optionally, a fast path beside it. */
export interface SessionServer {
  server: Server;
  fast?: FastPath;
}

interface Session extends SessionOwner {
  id: string;
  transport: StreamableHTTPServerTransport;
  server: Server;
  fast?: FastPath;
  /** Fast-path calls in flight, by JSON-RPC id, for notifications/cancelled. */
  inflight: Map<string | number, AbortController>;
  /** Requests (by JSON-RPC id) whose answer is still owed, with the HTTP exchange that waits for it. */
  owed: Map<string | number, ServerResponse>;
  /** HTTP exchanges under way on this session: requests in flight and open streams. */
  busy: number;
  /** When `busy` last dropped to 0 (Date.now()). */
  idleSince: number;
  closed: boolean;
  /**
   * Team mode: its event store — a client whose stream was cut resumes it (Last-Event-ID), so a
   * disconnect is not a cancel. Only with clients on 2025-11-25 or later (the SDK primes streams
   * for those only).
   */
  events?: SessionEventStore;
  resumable: boolean;
}

/** The first protocol version whose clients resume streams (the SDK sends them priming events). */
const RESUMABLE_SINCE = '2025-11-25';

/** CONTRACT §2: `--session-idle-timeout` and `--max-sessions-per-key` defaults. */
export const DEFAULT_SESSION_IDLE_TIMEOUT_SECONDS = 1800;
export const DEFAULT_MAX_SESSIONS_PER_KEY = 1000;

export interface SessionLimits {
  /**
   * Seconds a session may stay idle — no request in flight and no stream open — before it is
   * closed. A client that keeps its GET stream open is connected, not idle.
   */
  idleTimeoutSeconds: number;
  /** Open sessions one API key may hold on this plane (sessions being opened count too). */
  maxPerKey: number;
}

/** setTimeout's longest delay; a longer idle timeout simply re-arms the timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How many expired session ids are remembered, to tell their 404 apart from an unknown id's. */
const EXPIRED_REMEMBERED = 4096;

const REINITIALIZE = 'Initialize a new session: send "initialize" without an Mcp-Session-Id header.';

const REPLICA_CLOSING =
  'This Portico server is shutting down and stopped the call before it ended; it may or may not have taken effect upstream. ' +
  'Retry it if that is safe: the session goes on (through another replica in team mode, else once the server is back).';

/** The limits with their defaults filled in; a RangeError names a value out of range. */
export function sessionLimits(limits: Partial<SessionLimits> = {}): SessionLimits {
  const idleTimeoutSeconds = limits.idleTimeoutSeconds ?? DEFAULT_SESSION_IDLE_TIMEOUT_SECONDS;
  const maxPerKey = limits.maxPerKey ?? DEFAULT_MAX_SESSIONS_PER_KEY;
  if (!Number.isFinite(idleTimeoutSeconds) || idleTimeoutSeconds < 1)
    throw new RangeError(`The session idle timeout must be at least 1 second, not ${idleTimeoutSeconds}.`);
  if (!Number.isSafeInteger(maxPerKey) || maxPerKey < 1)
    throw new RangeError(`The most sessions per key must be a whole number of at least 1, not ${maxPerKey}.`);
  return { idleTimeoutSeconds, maxPerKey };
}

/** `1800` → "30 min", `90` → "90 s". */
export function formatSeconds(seconds: number): string {
  if (seconds >= 120 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 120 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The fast path takes a single tools/list, tools/call or resources/read request from a client that
 * accepts JSON, and answers it with `application/json` (the spec lets a server answer a POST with
 * JSON or SSE). Anything else — progress tokens, tasks, batches, unusual headers — goes
 * through the SDK transport, which also produces every error response.
 */
function fastRequest(
  req: IncomingMessage,
  body: unknown,
  fast: FastPath,
): { id: string | number; method: string; params: Record<string, unknown> } | undefined {
  if (!isObject(body) || body.jsonrpc !== '2.0') return undefined;
  const { id, method } = body;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  if (
    method !== 'tools/list' &&
    method !== 'tools/call' &&
    !(method === 'resources/read' && fast.readResource)
  )
    return undefined;
  const params = body.params ?? {};
  if (!isObject(params)) return undefined;
  if (params._meta !== undefined || params.task !== undefined) return undefined;
  if (method === 'tools/call') {
    if (typeof params.name !== 'string') return undefined;
    if (params.arguments !== undefined && !isObject(params.arguments)) return undefined;
  }
  if (method === 'resources/read' && (typeof params.uri !== 'string' || Object.keys(params).length !== 1))
    return undefined;
  const accept = req.headers.accept ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return undefined;
  const version = req.headers['mcp-protocol-version'];
  if (version !== undefined && (Array.isArray(version) || !SUPPORTED_PROTOCOL_VERSIONS.includes(version)))
    return undefined;
  return { id, method, params };
}

/**
 * The Streamable HTTP sessions of one plane. A session stays bound to the key and customer
 * that opened it, so it can't be borrowed by another key or pointed at another customer.
 *
 * Sessions are bounded: one key holds at most `maxPerKey` of them, and a session idle for
 * `idleTimeoutSeconds` is closed (its id then answers 404, and the client re-initializes).
 * Idle sessions wait in `#idle` in the order they became idle, so one unref'd timer, armed for
 * the first of them, finds every expired session without scanning the others; a request only
 * moves its session out of (and back to the end of) that order.
 */
export class SessionHub {
  readonly #sessions = new Map<string, Session>();
  readonly #openListeners = new Set<(customerId: string | undefined) => void>();
  /** Idle sessions, longest idle first. */
  readonly #idle = new Map<string, Session>();
  /** Sessions held (open or being opened) per key id. */
  readonly #held = new Map<string, number>();
  /** Recently expired session ids (insertion-ordered, bounded). */
  readonly #expired = new Set<string>();
  readonly #idleMs: number;
  #timer: NodeJS.Timeout | undefined;
  readonly limits: SessionLimits;
  /** Team mode: sessions being rebuilt here from their rows, by id (one rebuild per id at a time). */
  readonly #restoring = new Map<string, Promise<Session | undefined>>();
  /** Team mode: initializes under way here per key id (not yet rows), for the per-key limit. */
  readonly #opening = new Map<string, number>();
  readonly #offDirectory: (() => void)[] = [];

  constructor(
    readonly plane: PlaneName,
    /** Makes a session's server; `sessionId` is its MCP session id, the same on every replica. */
    private readonly createServer: (owner: SessionOwner, sessionId: string) => SessionServer,
    limits: Partial<SessionLimits> = {},
    /**
     * Team mode (PostgreSQL): every replica's sessions, in the database. A session this hub does
     * not hold is looked up there and rebuilt here; ending one ends it on every replica.
     */
    private readonly directory?: SessionDirectory,
  ) {
    this.limits = sessionLimits(limits);
    this.#idleMs = this.limits.idleTimeoutSeconds * 1000;
    if (directory) {
      this.#offDirectory.push(
        directory.onEnded((ids) => this.#endedElsewhere(ids)),
        directory.holding(() => [...this.#sessions.values()].filter((s) => s.busy > 0).map((s) => s.id)),
      );
    }
  }

  /** Called when a session opens, with its customer. */
  onOpen(listener: (customerId: string | undefined) => void): () => void {
    this.#openListeners.add(listener);
    return () => this.#openListeners.delete(listener);
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Open sessions, optionally only a customer's. */
  sessions(customerId?: string): { id: string; server: Server; owner: SessionOwner }[] {
    return [...this.#sessions.values()]
      .filter((s) => customerId === undefined || s.customerId === customerId)
      .map((s) => ({ id: s.id, server: s.server, owner: { keyId: s.keyId, customerId: s.customerId } }));
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, owner: SessionOwner): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId) {
      const found = this.#sessions.get(sessionId) ?? (await this.#restore(sessionId, owner));
      // Never borrowed: to another key, a session is as unknown as a made-up id (on every replica).
      const session = found?.keyId === owner.keyId ? found : undefined;
      if (!session) {
        const why = this.#expired.has(sessionId)
          ? `it expired after ${formatSeconds(this.limits.idleTimeoutSeconds)} without activity (portico serve --session-idle-timeout SECONDS)`
          : `it expired (sessions idle for ${formatSeconds(this.limits.idleTimeoutSeconds)} are closed), was closed, or the server restarted`;
        sendRpcError(res, 404, `Session not found: ${why}. ${REINITIALIZE}`, { code: RPC.unauthorized });
        return;
      }
      if (session.customerId !== owner.customerId) {
        sendRpcError(
          res,
          403,
          `This session belongs to customer "${session.customerId}". Initialize a new session for customer "${owner.customerId}".`,
        );
        return;
      }
      this.#markBusy(session, res);
      if (this.directory) this.#remember(session, body);
      if (req.method === 'POST') owe(session, res, body);
      if (req.method === 'POST' && (await this.#fast(session, req, res, body))) return;
      if (req.method === 'POST' && !session.resumable) cancelOnDisconnect(session.transport, res, body);
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
      await this.#open(req, res, body, owner);
      return;
    }
    if (req.method === 'POST' && Array.isArray(body) && body.some((m) => isInitializeRequest(m))) {
      sendRpcError(res, 400, 'Invalid Request: initialize must be sent on its own, not in a batch.', {
        code: RPC.invalidRequest,
      });
      return;
    }
    sendRpcError(
      res,
      400,
      'Bad Request: no Mcp-Session-Id header. Start with an "initialize" request, then send its Mcp-Session-Id header on every request.',
    );
  }

  /** Team mode: what a replica that goes on with the session must know (level, subscriptions). */
  #remember(session: Session, body: unknown): void {
    const directory = this.directory;
    if (!directory || !isObject(body) || !isObject(body.params)) return;
    const { level, uri } = body.params;
    if (body.method === 'logging/setLevel' && typeof level === 'string')
      void directory.setLoggingLevel(session.id, level).catch(() => {});
    if (
      (body.method === 'resources/subscribe' || body.method === 'resources/unsubscribe') &&
      typeof uri === 'string'
    )
      void directory.subscription(session.id, uri, body.method === 'resources/subscribe').catch(() => {});
  }

  /** Answers a request on the fast path; false when the SDK transport must handle it. */
  async #fast(session: Session, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<boolean> {
    const { fast } = session;
    if (!fast) return false;
    if (isObject(body) && body.method === 'notifications/cancelled' && isObject(body.params)) {
      const id = body.params.requestId;
      if (typeof id === 'string' || typeof id === 'number')
        session.inflight.get(id)?.abort(body.params.reason);
      return false;
    }
    const request = fastRequest(req, body, fast);
    if (!request) return false;
    const { id, method, params } = request;
    if (
      method === 'tools/call' &&
      fast.sdkOnly?.(params.name as string, (params.arguments ?? {}) as Record<string, unknown>)
    )
      return false;
    const head = { 'content-type': 'application/json', 'mcp-session-id': session.id };
    const reply = (payload: string) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(200, head).end(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},${payload}}`);
    };
    if (method === 'tools/list') {
      reply(`"result":${fast.listTools()}`);
      return true;
    }
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error('the client disconnected'));
    };
    res.once('close', onClose);
    session.inflight.set(id, controller);
    try {
      const result =
        method === 'resources/read' && fast.readResource
          ? await fast.readResource(params.uri as string, controller.signal)
          : await fast.callTool(
              params.name as string,
              (params.arguments ?? {}) as Record<string, unknown>,
              controller.signal,
            );
      reply(`"result":${JSON.stringify(result)}`);
    } catch (error) {
      // As the SDK answers a handler's error: its code when it has one (an McpError), and its data.
      const { code, message, data } = error as { code?: unknown; message?: string; data?: unknown };
      reply(
        `"error":${JSON.stringify({
          code: Number.isSafeInteger(code) ? code : -32603,
          message: message ?? 'Internal error',
          ...(data !== undefined ? { data } : {}),
        })}`,
      );
    } finally {
      session.inflight.delete(id);
      res.off('close', onClose);
    }
    return true;
  }

  async #open(req: IncomingMessage, res: ServerResponse, body: unknown, owner: SessionOwner): Promise<void> {
    const { maxPerKey, idleTimeoutSeconds } = this.limits;
    let held = this.#held.get(owner.keyId) ?? 0;
    // The slot is taken before any await, so concurrent initializes can't overshoot the limit.
    this.#held.set(owner.keyId, held + 1);
    if (this.directory) {
      // Team mode: the key's sessions on every replica (their rows), plus initializes under way here.
      const opening = this.#opening.get(owner.keyId) ?? 0;
      this.#opening.set(owner.keyId, opening + 1);
      try {
        held = (await this.directory.count(owner.keyId, this.plane)) + opening;
      } catch (error) {
        this.#doneOpening(owner.keyId);
        this.#release(owner.keyId);
        throw error;
      }
    }
    if (held >= maxPerKey) {
      this.#doneOpening(owner.keyId);
      this.#release(owner.keyId);
      const endpoint = this.plane === 'admin' ? '/mcp/admin' : '/mcp/gateway';
      sendRpcError(
        res,
        429,
        `Too many open sessions: this API key already holds ${held} open sessions on ${endpoint}, the most one key may hold (${maxPerKey}). ` +
          `End sessions you no longer use (HTTP DELETE ${endpoint} with their Mcp-Session-Id header) or let them expire (after ${formatSeconds(idleTimeoutSeconds)} idle), ` +
          'or raise the limit: portico serve --max-sessions-per-key N (env PORTICO_MAX_SESSIONS_PER_KEY).',
      );
      return;
    }
    let session: Session | undefined;
    let server: Server | undefined;
    const sessionId = randomUUID();
    const events = this.directory?.events.forSession(sessionId);
    const requested = isObject(body) && isObject(body.params) ? body.params.protocolVersion : undefined;
    const protocolVersion =
      typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
        ? requested
        : LATEST_PROTOCOL_VERSION;
    try {
      const made = this.createServer(owner, sessionId);
      server = made.server;
      const { fast } = made;
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => sessionId,
        ...(events ? { eventStore: events } : {}),
        onsessionclosed: (id) => this.#endEverywhere(id),
        onsessioninitialized: async (id) => {
          // Team mode: the row exists before the answer goes out, so the client's next request
          // finds the session on any replica.
          if (this.directory && isObject(body) && isObject(body.params)) {
            const { capabilities, clientInfo } = body.params;
            await this.directory.insert({
              id,
              plane: this.plane,
              ...owner,
              protocolVersion,
              capabilities: isObject(capabilities) ? capabilities : {},
              clientInfo: isObject(clientInfo)
                ? {
                    ...clientInfo,
                    name: String(clientInfo.name ?? ''),
                    version: String(clientInfo.version ?? ''),
                  }
                : { name: '', version: '' },
            });
          }
          session = {
            id,
            transport,
            server: made.server,
            fast,
            inflight: new Map(),
            owed: new Map(),
            busy: 0,
            idleSince: Date.now(),
            closed: false,
            ...(events ? { events } : {}),
            resumable: events !== undefined && protocolVersion >= RESUMABLE_SINCE,
            ...owner,
          };
          this.#sessions.set(id, session);
          this.#markBusy(session, res);
          for (const listener of this.#openListeners) listener(owner.customerId);
        },
      });
      events?.attach(transport);
      transport.onclose = () => {
        if (session) this.#forget(session);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      this.#doneOpening(owner.keyId);
      if (!session) {
        // The initialize was refused (or failed): nothing was opened, the slot is free again.
        this.#release(owner.keyId);
        void server?.close().catch(() => {});
      }
    }
  }

  /** A request or stream on the session has started; the session is idle again when it ends. */
  #markBusy(session: Session, res: ServerResponse): void {
    session.busy += 1;
    this.directory?.touch(session.id);
    this.#idle.delete(session.id);
    res.once('close', () => {
      session.busy -= 1;
      if (session.busy > 0 || session.closed) return;
      session.idleSince = Date.now();
      this.#idle.set(session.id, session);
      this.#arm();
    });
  }

  /** Arms the expiry timer for the longest-idle session, unless it is armed already. */
  #arm(): void {
    if (this.#timer) return;
    const first = this.#idle.values().next();
    if (first.done) return;
    const due = first.value.idleSince + this.#idleMs - Date.now();
    this.#timer = setTimeout(() => this.#sweep(), Math.min(Math.max(due, 0), MAX_TIMER_MS));
    this.#timer.unref();
  }

  /** Closes the sessions whose idle time is up: the first ones in `#idle`, and no others. */
  #sweep(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const session of this.#idle.values()) {
      if (session.idleSince + this.#idleMs > now) break;
      if (this.directory) {
        // Team mode: this copy goes; the session ends only if no replica used it meanwhile (its
        // row's last_seen), else it goes on there and is rebuilt here when the client comes back.
        void this.directory
          .remove([session.id], now - this.#idleMs)
          .then((gone) => {
            if (gone.length) this.#rememberExpired(session.id);
          })
          .catch(() => {});
      } else this.#rememberExpired(session.id);
      this.#forget(session);
      // Closing the server aborts its request handlers, closes its streams and the transport.
      void session.server.close().catch(() => {});
    }
    this.#arm();
  }

  #rememberExpired(id: string): void {
    this.#expired.add(id);
    if (this.#expired.size > EXPIRED_REMEMBERED) {
      const oldest = this.#expired.values().next();
      if (!oldest.done) this.#expired.delete(oldest.value);
    }
  }

  /**
   * Team mode: a session this hub does not hold, from its row — rebuilt here when the presented
   * key (or token) is its owner's (another customer is then refused by the caller, as for a
   * session held here); undefined (a 404) when there is no such row, the key differs (never
   * borrowed) or it cannot be rebuilt.
   */
  async #restore(id: string, owner: SessionOwner): Promise<Session | undefined> {
    if (!this.directory) return undefined;
    const stored = await this.directory.find(id, this.plane);
    if (!stored || stored.keyId !== owner.keyId) return undefined;
    const held = this.#sessions.get(id);
    if (held) return held;
    let pending = this.#restoring.get(id);
    if (!pending) {
      pending = this.#rebuild(stored).finally(() => this.#restoring.delete(id));
      this.#restoring.set(id, pending);
    }
    return pending;
  }

  async #rebuild(stored: StoredSession): Promise<Session | undefined> {
    const owner: SessionOwner = {
      keyId: stored.keyId,
      ...(stored.customerId === undefined ? {} : { customerId: stored.customerId }),
    };
    let made: SessionServer;
    try {
      made = this.createServer(owner, stored.id);
    } catch {
      return undefined; // e.g. its customer was deleted meanwhile
    }
    const events = this.directory?.events.forSession(stored.id);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => stored.id,
      ...(events ? { eventStore: events } : {}),
      onsessionclosed: (id) => this.#endEverywhere(id),
    });
    const session: Session = {
      id: stored.id,
      transport,
      server: made.server,
      ...(made.fast ? { fast: made.fast } : {}),
      inflight: new Map(),
      owed: new Map(),
      busy: 0,
      idleSince: Date.now(),
      closed: false,
      ...(events ? { events } : {}),
      resumable: events !== undefined && stored.protocolVersion >= RESUMABLE_SINCE,
      ...owner,
    };
    this.#held.set(owner.keyId, (this.#held.get(owner.keyId) ?? 0) + 1);
    transport.onclose = () => this.#forget(session);
    try {
      events?.attach(transport);
      await made.server.connect(transport);
      await restoreSession(transport, stored);
    } catch {
      this.#forget(session);
      void made.server.close().catch(() => {});
      return undefined;
    }
    this.#sessions.set(session.id, session);
    this.#idle.set(session.id, session);
    this.#arm();
    for (const listener of this.#openListeners) listener(owner.customerId);
    return session;
  }

  /** Team mode: a DELETE ended the session here; its row goes, and every replica drops its copy. */
  async #endEverywhere(id: string): Promise<void> {
    await this.directory?.remove([id]).catch(() => {});
  }

  /** Team mode: sessions ended on another replica (or found gone): this hub's copies close. */
  #endedElsewhere(ids: string[]): void {
    for (const id of ids) {
      const session = this.#sessions.get(id);
      if (!session) continue;
      this.#forget(session);
      void session.server.close().catch(() => {});
    }
  }

  #doneOpening(keyId: string): void {
    const opening = (this.#opening.get(keyId) ?? 0) - 1;
    if (opening > 0) this.#opening.set(keyId, opening);
    else this.#opening.delete(keyId);
  }

  /** Takes a session out of every table and frees its key's slot; once. */
  #forget(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    session.events?.close();
    for (const call of session.inflight.values()) call.abort(new Error('the session was closed'));
    this.#sessions.delete(session.id);
    this.#idle.delete(session.id);
    this.#release(session.keyId);
  }

  #release(keyId: string): void {
    const held = (this.#held.get(keyId) ?? 0) - 1;
    if (held > 0) this.#held.set(keyId, held);
    else this.#held.delete(keyId);
  }

  /**
   * Closes every session whose owner matches, e.g. all of a revoked key's sessions. In team mode
   * they end everywhere (their rows go) unless `end` is false: then only this replica's copies close.
   */
  async closeWhere(predicate: (owner: SessionOwner) => boolean, end = true): Promise<void> {
    const doomed = [...this.#sessions.values()].filter((s) => predicate(s));
    if (end && this.directory && doomed.length)
      await this.directory.remove(doomed.map((s) => s.id)).catch(() => {});
    await Promise.allSettled(doomed.map((s) => s.server.close()));
  }

  /**
   * Closes this hub's sessions; in team mode they go on through the other replicas. Requests still
   * unanswered (past the shutdown's grace period) get an error that says so, rather than a cut
   * connection or an answer that never comes.
   */
  async closeAll(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const off of this.#offDirectory.splice(0)) off();
    const answered: Promise<unknown>[] = [];
    for (const session of this.#sessions.values()) {
      for (const [id, res] of session.owed) {
        if (res.writableEnded || res.destroyed) continue;
        answered.push(new Promise((resolve) => res.once('close', resolve)));
        const error = { code: -32000, message: REPLICA_CLOSING };
        if (!res.headersSent) {
          res
            .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': session.id })
            .end(JSON.stringify({ jsonrpc: '2.0', id, error }));
        } else
          void session.transport
            .send({ jsonrpc: '2.0', id, error }, { relatedRequestId: id })
            .catch(() => {});
      }
    }
    if (answered.length)
      await Promise.race([
        Promise.all(answered),
        new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
      ]);
    await this.closeWhere(() => true, false);
  }
}

/** Notes the requests of a POST (their ids) as owed an answer until its HTTP exchange ends. */
function owe(session: Session, res: ServerResponse, body: unknown): void {
  const ids = (Array.isArray(body) ? body : [body]).flatMap((m: { id?: unknown; method?: unknown } | null) =>
    typeof m?.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number') ? [m.id] : [],
  );
  if (ids.length === 0) return;
  for (const id of ids) session.owed.set(id, res);
  res.once('close', () => {
    for (const id of ids) if (session.owed.get(id) === res) session.owed.delete(id);
  });
}

/**
 * Without an event store (one server, or a client before 2025-11-25) a POST's response stream
 * can't be resumed: a client that disconnects before its answer can never receive it. Its requests are then cancelled as if it
 * had sent notifications/cancelled, so their upstream calls stop instead of running on to the
 * upstream timeout.
 */
function cancelOnDisconnect(
  transport: StreamableHTTPServerTransport,
  res: ServerResponse,
  body: unknown,
): void {
  const ids = (Array.isArray(body) ? body : [body]).flatMap((m: { id?: unknown; method?: unknown } | null) =>
    typeof m?.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number') ? [m.id] : [],
  );
  if (ids.length === 0) return;
  res.once('close', () => {
    if (res.writableFinished) return;
    for (const requestId of ids)
      transport.onmessage?.({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId, reason: 'The client disconnected before the answer.' },
      });
  });
}
