import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type CallToolResult,
  LoggingMessageNotificationSchema,
  type Progress,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { connectUpstream, type McpConnector, type UpstreamSecrets } from './mcp-upstream';

interface PooledSession {
  key: string;
  connectorId: string;
  customerId: string | null;
  client: Promise<Client>;
  lastUsed: number;
  inflight: number;
}

export interface PoolEvents {
  /** The upstream said its tool list changed. */
  toolsChanged(connectorId: string): void;
  /** A log message from the upstream, for the customer's sessions. */
  log(customerId: string | null, params: unknown): void;
  /** Something worth telling the operator (a crash, a restart). */
  report(message: string): void;
}

export interface PoolCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onprogress?: (progress: Progress) => void;
}

const closedErrors = /closed|not connected|EPIPE|ECONNRESET|terminated|Session not found|404/i;

/**
 * One upstream MCP client session per (connector, customer connection), reused across calls,
 * reconnected when it fails (a crashed stdio child, an expired HTTP session), restarted with
 * backoff after repeated crashes, and closed when idle.
 */
export class McpUpstreamPool {
  readonly #sessions = new Map<string, PooledSession>();
  readonly #failures = new Map<string, { count: number; until: number }>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(
    private readonly events: PoolEvents,
    private readonly idleMs = 5 * 60_000,
  ) {
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(30_000, idleMs)).unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async call(
    connector: McpConnector,
    connectionKey: string | null,
    customerId: string | null,
    secrets: () => UpstreamSecrets,
    tool: string,
    args: Record<string, unknown>,
    options: PoolCallOptions = {},
  ): Promise<CallToolResult> {
    const key = `${connector.id}|${connector.updatedAt}|${connectionKey ?? '-'}`;
    for (let attempt = 0; ; attempt += 1) {
      const session = this.#get(key, connector, customerId, secrets);
      session.inflight += 1;
      try {
        const client = await session.client;
        const result = (await client.callTool({ name: tool, arguments: args }, undefined, {
          signal: options.signal,
          timeout: options.timeoutMs ?? 60_000,
          onprogress: options.onprogress,
          resetTimeoutOnProgress: Boolean(options.onprogress),
        })) as CallToolResult;
        this.#failures.delete(key);
        return result;
      } catch (error) {
        const message = (error as Error).message;
        const broken = closedErrors.test(message) || (error as { code?: number }).code === -32000;
        if (broken) this.#drop(key, session);
        // The request never reached a live session: safe to send once more on a fresh one.
        if (broken && attempt === 0 && !options.signal?.aborted) continue;
        throw error;
      } finally {
        session.inflight -= 1;
        session.lastUsed = Date.now();
      }
    }
  }

  #get(
    key: string,
    connector: McpConnector,
    customerId: string | null,
    secrets: () => UpstreamSecrets,
  ): PooledSession {
    const existing = this.#sessions.get(key);
    if (existing) return existing;
    const failure = this.#failures.get(key);
    if (failure && failure.until > Date.now()) {
      const wait = Math.ceil((failure.until - Date.now()) / 1000);
      throw new Error(
        `the upstream MCP server "${connector.slug}" keeps failing; Portico retries it in ${wait}s`,
      );
    }
    const session: PooledSession = {
      key,
      connectorId: connector.id,
      customerId,
      client: undefined as never,
      lastUsed: Date.now(),
      inflight: 0,
    };
    session.client = connectUpstream(connector, secrets()).then(
      (client) => {
        client.setNotificationHandler(ToolListChangedNotificationSchema, () =>
          this.events.toolsChanged(connector.id),
        );
        client.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
          this.events.log(customerId, n.params),
        );
        client.onclose = () => {
          if (this.#sessions.get(key) === session) {
            this.#sessions.delete(key);
            this.#noteFailure(
              key,
              `the upstream MCP server "${connector.slug}" closed its session; it is restarted on the next call`,
            );
          }
        };
        return client;
      },
      (error: Error) => {
        this.#sessions.delete(key);
        this.#noteFailure(key, error.message);
        throw error;
      },
    );
    session.client.catch(() => {});
    this.#sessions.set(key, session);
    return session;
  }

  #noteFailure(key: string, message: string): void {
    const prev = this.#failures.get(key)?.count ?? 0;
    const count = prev + 1;
    // First failure: retry at once; then back off 1s, 2s, 4s … up to 30s.
    const delay = count <= 1 ? 0 : Math.min(30_000, 1000 * 2 ** (count - 2));
    this.#failures.set(key, { count, until: Date.now() + delay });
    this.events.report(`${message}${delay ? ` (backing off ${delay / 1000}s)` : ''}`);
  }

  #drop(key: string, session: PooledSession): void {
    if (this.#sessions.get(key) === session) this.#sessions.delete(key);
    void session.client.then((c) => c.close()).catch(() => {});
  }

  #sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [key, session] of this.#sessions) {
      if (session.inflight === 0 && session.lastUsed < cutoff) this.#drop(key, session);
    }
  }

  /** Closes every session of a connector (its config changed or it was deleted). */
  closeConnector(connectorId: string): void {
    for (const [key, session] of this.#sessions)
      if (session.connectorId === connectorId) this.#drop(key, session);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(all.map((s) => s.client.then((c) => c.close())));
  }
}
