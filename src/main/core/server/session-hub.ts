import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { PlaneName } from '../store/schema';
import { RPC, sendRpcError } from './http-util';

/** Who opened a session: the key that authenticated it and, on the data plane, the customer. */
export interface SessionOwner {
  keyId: string;
  customerId?: string;
}

interface Session extends SessionOwner {
  id: string;
  transport: StreamableHTTPServerTransport;
  server: Server;
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
    private readonly createServer: (owner: SessionOwner) => Server,
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

  async #open(req: IncomingMessage, res: ServerResponse, body: unknown, owner: SessionOwner): Promise<void> {
    const server = this.createServer(owner);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        this.#sessions.set(id, { id, transport, server, ...owner });
        for (const listener of this.#openListeners) listener(owner.customerId);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
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
