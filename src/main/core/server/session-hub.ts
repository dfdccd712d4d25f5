import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { FastPath } from '../gateway/customer-mcp';
import type { PlaneName } from '../store/schema';
import { RPC, sendRpcError } from './http-util';

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
  /** HTTP exchanges under way on this session: requests in flight and open streams. */
  busy: number;
  /** When `busy` last dropped to 0 (Date.now()). */
  idleSince: number;
  closed: boolean;
}

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
 * The fast path takes a single tools/list or tools/call request from a client that accepts
 * JSON, and answers it with `application/json` (the spec lets a server answer a POST with
 * JSON or SSE). Anything else — progress tokens, tasks, batches, unusual headers — goes
 * through the SDK transport, which also produces every error response.
 */
function fastRequest(
  req: IncomingMessage,
  body: unknown,
): { id: string | number; method: string; params: Record<string, unknown> } | undefined {
  if (!isObject(body) || body.jsonrpc !== '2.0') return undefined;
  const { id, method } = body;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  if (method !== 'tools/list' && method !== 'tools/call') return undefined;
  const params = body.params ?? {};
  if (!isObject(params)) return undefined;
  if (params._meta !== undefined || params.task !== undefined) return undefined;
  if (method === 'tools/call') {
    if (typeof params.name !== 'string') return undefined;
    if (params.arguments !== undefined && !isObject(params.arguments)) return undefined;
  }
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

  constructor(
    readonly plane: PlaneName,
    private readonly createServer: (owner: SessionOwner) => SessionServer,
    limits: Partial<SessionLimits> = {},
  ) {
    this.limits = sessionLimits(limits);
    this.#idleMs = this.limits.idleTimeoutSeconds * 1000;
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
      const session = this.#sessions.get(sessionId);
      if (!session) {
        const why = this.#expired.has(sessionId)
          ? `it expired after ${formatSeconds(this.limits.idleTimeoutSeconds)} without activity (portico serve --session-idle-timeout SECONDS)`
          : `it expired (sessions idle for ${formatSeconds(this.limits.idleTimeoutSeconds)} are closed), was closed, or the server restarted`;
        sendRpcError(res, 404, `Session not found: ${why}. ${REINITIALIZE}`, { code: RPC.unauthorized });
        return;
      }
      if (session.keyId !== owner.keyId) {
        sendRpcError(
          res,
          403,
          'This session was opened with another API key. Initialize a new session with your key.',
        );
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
      if (req.method === 'POST' && (await this.#fast(session, req, res, body))) return;
      if (req.method === 'POST') cancelOnDisconnect(session.transport, res, body);
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
    const request = fastRequest(req, body);
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
      const result = await fast.callTool(
        params.name as string,
        (params.arguments ?? {}) as Record<string, unknown>,
        controller.signal,
      );
      reply(`"result":${JSON.stringify(result)}`);
    } catch (error) {
      reply(
        `"error":${JSON.stringify({ code: -32603, message: (error as Error).message ?? 'Internal error' })}`,
      );
    } finally {
      session.inflight.delete(id);
      res.off('close', onClose);
    }
    return true;
  }

  async #open(req: IncomingMessage, res: ServerResponse, body: unknown, owner: SessionOwner): Promise<void> {
    const held = this.#held.get(owner.keyId) ?? 0;
    const { maxPerKey, idleTimeoutSeconds } = this.limits;
    if (held >= maxPerKey) {
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
    // The slot is taken before any await, so concurrent initializes can't overshoot the limit.
    this.#held.set(owner.keyId, held + 1);
    let session: Session | undefined;
    let server: Server | undefined;
    try {
      const made = this.createServer(owner);
      server = made.server;
      const { fast } = made;
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (id) => {
          session = {
            id,
            transport,
            server: made.server,
            fast,
            inflight: new Map(),
            busy: 0,
            idleSince: Date.now(),
            closed: false,
            ...owner,
          };
          this.#sessions.set(id, session);
          this.#markBusy(session, res);
          for (const listener of this.#openListeners) listener(owner.customerId);
        },
      });
      transport.onclose = () => {
        if (session) this.#forget(session);
      };
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
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
      this.#expired.add(session.id);
      if (this.#expired.size > EXPIRED_REMEMBERED) {
        const oldest = this.#expired.values().next();
        if (!oldest.done) this.#expired.delete(oldest.value);
      }
      this.#forget(session);
      // Closing the server aborts its request handlers, closes its streams and the transport.
      void session.server.close().catch(() => {});
    }
    this.#arm();
  }

  /** Takes a session out of every table and frees its key's slot; once. */
  #forget(session: Session): void {
    if (session.closed) return;
    session.closed = true;
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

  /** Closes every session whose owner matches, e.g. all of a revoked key's sessions. */
  async closeWhere(predicate: (owner: SessionOwner) => boolean): Promise<void> {
    const doomed = [...this.#sessions.values()].filter((s) => predicate(s));
    await Promise.allSettled(doomed.map((s) => s.server.close()));
  }

  async closeAll(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.closeWhere(() => true);
  }
}

/**
 * Portico keeps no event store, so a POST's response stream can't be resumed: a client that
 * disconnects before its answer can never receive it. Its requests are then cancelled as if it
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
