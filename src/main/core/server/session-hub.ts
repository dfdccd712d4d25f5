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
 */
export class SessionHub {
  readonly #sessions = new Map<string, Session>();
  readonly #openListeners = new Set<(customerId: string | undefined) => void>();

  constructor(
    readonly plane: PlaneName,
    private readonly createServer: (owner: SessionOwner) => SessionServer,
  ) {}

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
        sendRpcError(
          res,
          404,
          'Session not found: it was closed or the server restarted. Initialize a new session.',
          {
            code: RPC.unauthorized,
          },
        );
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
    const { server, fast } = this.createServer(owner);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { id, transport, server, fast, inflight: new Map(), ...owner });
        for (const listener of this.#openListeners) listener(owner.customerId);
      },
    });
    transport.onclose = () => {
      if (!transport.sessionId) return;
      for (const call of this.#sessions.get(transport.sessionId)?.inflight.values() ?? [])
        call.abort(new Error('the session was closed'));
      this.#sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  /** Closes every session whose owner matches, e.g. all of a revoked key's sessions. */
  async closeWhere(predicate: (owner: SessionOwner) => boolean): Promise<void> {
    const doomed = [...this.#sessions.values()].filter((s) => predicate(s));
    await Promise.allSettled(doomed.map((s) => s.server.close()));
  }

  async closeAll(): Promise<void> {
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
