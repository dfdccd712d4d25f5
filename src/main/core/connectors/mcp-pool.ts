import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  ElicitationCompleteNotificationSchema,
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  type Progress,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type Tool,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { createScrubber } from '../util/scrubber';
import {
  describeError,
  isUnauthorized,
  listAllTools,
  type McpConnector,
  openUpstream,
  type UpstreamClientRole,
  type UpstreamHandle,
  type UpstreamSecrets,
  UpstreamUnauthorizedError,
} from './mcp-upstream';
import { PausedTimeouts, type RequestClock } from './paused-timeouts';

/** Which upstream session a call needs. */
export interface UpstreamTarget {
  connector: McpConnector;
  /** The customer's connection (null: the connector's shared configuration only). */
  connectionId: string | null;
  customerId: string | null;
  /**
   * Changes whenever what the session was started with changes (command, URL, env, headers,
   * credentials): a session of an older version is closed and a fresh one started.
   */
  version: string;
  secrets(): UpstreamSecrets;
  /**
   * A gateway session whose client answers elicitation or sampling: it gets an upstream session of
   * its own, so what the upstream asks (elicitation, sampling) reaches only that session's client.
   */
  scope?: { id: string; role: UpstreamClientRole };
}

/** Where an upstream notification came from. */
export interface UpstreamSource {
  connectorId: string;
  customerId: string | null;
  /** The gateway session that has this upstream session to itself (undefined: shared). */
  scopeId: string | undefined;
}

interface PooledSession {
  key: string;
  version: string;
  connectorId: string;
  connectionId: string | null;
  source: UpstreamSource;
  slug: string;
  handle: Promise<UpstreamHandle>;
  lastUsed: number;
  inflight: number;
  /** Its requests' timeouts, held while its upstream waits for the gateway client's answer. */
  timeouts: PausedTimeouts;
  /** Out of the pool; closed once its last call ends. */
  retired: boolean;
  /** A tools/list after list_changed is running; `again` when another list_changed came meanwhile. */
  listing?: { again: boolean };
  /** Masks the secrets it was started with (env, headers) in what is reported about it. */
  scrub(text: string): string;
}

export interface PoolEvents {
  /** The upstream said its tool list changed; these are its tools now. */
  toolsChanged(connectorId: string, tools: Tool[]): void;
  /** A log message from the upstream, for the customer's sessions. */
  log(customerId: string | null, params: unknown, source: UpstreamSource): void;
  /** resources/updated, resources/list_changed, prompts/list_changed or elicitation/complete from an upstream. */
  notify?(source: UpstreamSource, method: string, params: Record<string, unknown> | undefined): void;
  /** Something worth telling the operator (a crash, a restart). */
  report(message: string): void;
}

export interface PoolCallOptions {
  signal?: AbortSignal;
  /** For connecting, and for the call (restarted by each progress notification). */
  timeoutMs?: number;
  onprogress?: (progress: Progress) => void;
  /** The tools/call request's `_meta` (a `traceparent` when OpenTelemetry is on). */
  meta?: Record<string, unknown>;
}

/** The session was gone before the request was handled: sending it again is safe. */
function sessionGone(error: unknown): boolean {
  if (error instanceof StreamableHTTPError) return error.code === 404;
  return error instanceof Error && error.message === 'Not connected';
}

const isMcpError = (error: unknown, code: ErrorCode) => error instanceof McpError && error.code === code;

/** Waits for a promise, or rejects as soon as the signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * One upstream MCP client session per (connector, customer connection), reused across calls,
 * reconnected when it fails (a crashed stdio child, an expired HTTP session), restarted with
 * backoff after repeated crashes, and closed when idle.
 */
export class McpUpstreamPool {
  readonly #sessions = new Map<string, PooledSession>();
  readonly #failures = new Map<string, { count: number; until: number }>();
  readonly #closing = new Set<Promise<void>>();
  readonly #instructions = new Map<string, string>();
  readonly #capabilities = new Map<string, ReturnType<Client['getServerCapabilities']>>();
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(
    private readonly events: PoolEvents,
    private readonly idleMs = 5 * 60_000,
  ) {
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(30_000, idleMs)).unref();
  }

  /** Open (or opening) upstream sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  async call(
    target: UpstreamTarget,
    tool: string,
    args: Record<string, unknown>,
    options: PoolCallOptions = {},
  ): Promise<CallToolResult> {
    return this.request(
      target,
      (client, requestOptions) =>
        client.callTool(
          { name: tool, arguments: args, ...(options.meta ? { _meta: options.meta } : {}) },
          undefined,
          requestOptions,
        ) as Promise<CallToolResult>,
      options,
    );
  }

  /** The instructions the connector's upstream gave at initialize (the last session opened). */
  instructions(connectorId: string): string | undefined {
    return this.#instructions.get(connectorId);
  }

  /** The capabilities the connector's upstream declared (the last session opened), if one was opened. */
  capabilities(connectorId: string): ReturnType<Client['getServerCapabilities']> {
    return this.#capabilities.get(connectorId);
  }

  /**
   * Any request on the target's upstream session (resources, prompts, completions, tools/call),
   * with the same reconnect, timeout and error handling as a tool call.
   */
  async request<T>(
    target: UpstreamTarget,
    send: (client: Client, options: RequestOptions) => Promise<T>,
    options: PoolCallOptions = {},
  ): Promise<T> {
    const { connector } = target;
    const key = `${connector.id}|${target.connectionId ?? '-'}${target.scope ? `|${target.scope.id}` : ''}`;
    const timeoutMs = options.timeoutMs ?? 60_000;
    for (let attempt = 0; ; attempt += 1) {
      const session = this.#get(key, target, timeoutMs);
      session.inflight += 1;
      let handle: UpstreamHandle | undefined;
      let clock: RequestClock | undefined;
      try {
        handle = await abortable(session.handle, options.signal);
        let requestOptions: RequestOptions = {
          signal: options.signal,
          timeout: timeoutMs,
          onprogress: options.onprogress,
          resetTimeoutOnProgress: Boolean(options.onprogress),
        };
        if (target.scope) {
          // The upstream may ask this session's client something mid-request (a person answers):
          // its own clock, held while a question is pending, replaces the SDK's timeout.
          const timedOut = new AbortController();
          const running = session.timeouts.start(timeoutMs, () =>
            timedOut.abort(new McpError(ErrorCode.RequestTimeout, 'Request timed out')),
          );
          clock = running;
          const { onprogress } = options;
          requestOptions = {
            signal: options.signal ? AbortSignal.any([options.signal, timedOut.signal]) : timedOut.signal,
            timeout: 2 ** 31 - 1,
            ...(onprogress
              ? {
                  onprogress: (progress: Progress) => {
                    running.reset();
                    onprogress(progress);
                  },
                }
              : {}),
          };
        }
        const result = await send(handle.client, requestOptions);
        this.#failures.delete(key);
        return result;
      } catch (error) {
        // Not connected: the connect error already says what happened (and counts for backoff).
        if (!handle || options.signal?.aborted) throw error;
        if (sessionGone(error)) {
          // The upstream forgot the session (404) or it closed before we sent: the request was
          // not handled, so it is sent once more on a fresh session.
          this.#retire(session);
          if (attempt === 0) continue;
          throw new Error(`its session was lost twice in a row: ${describeError(error)}`);
        }
        if (isMcpError(error, ErrorCode.ConnectionClosed)) {
          // Closed while the call was running: it may have had effects, so it is not repeated.
          this.#retire(session);
          const tail = handle.stderrTail();
          throw new Error(
            `it stopped during the call${tail ? ` (its stderr said: ${tail})` : ''}. Portico starts it again on the next call.`,
          );
        }
        if (isMcpError(error, ErrorCode.RequestTimeout)) {
          void this.#probe(session, handle, Math.min(timeoutMs, 5_000));
          throw new Error(
            `it did not answer within ${timeoutMs / 1000}s (settings.upstreamTimeoutMs); the call was cancelled upstream.`,
          );
        }
        if (isUnauthorized(error)) {
          // The session's headers carry the refused token: a retry (with new credentials) starts afresh.
          this.#retire(session);
          throw new UpstreamUnauthorizedError(`${handle.where} refused the credentials (HTTP 401).`);
        }
        // The upstream answered with a JSON-RPC error, could not be reached, or sent nonsense.
        if (error instanceof McpError) throw new Error(`${handle.where} answered: ${error.message}`);
        const unreachable = error instanceof StreamableHTTPError || Boolean((error as Error).cause);
        throw new Error(`${unreachable ? 'could not reach ' : ''}${handle.where}: ${describeError(error)}`);
      } finally {
        clock?.stop();
        session.inflight -= 1;
        session.lastUsed = Date.now();
        if (session.retired && session.inflight === 0) this.#close(session);
      }
    }
  }

  #get(key: string, target: UpstreamTarget, timeoutMs: number): PooledSession {
    if (this.#closed) throw new Error('Portico is shutting down.');
    const { connector, customerId } = target;
    const existing = this.#sessions.get(key);
    if (existing && existing.version === target.version) return existing;
    // Its command, URL or credentials changed since it started.
    if (existing) this.#retire(existing);
    const failure = this.#failures.get(key);
    if (failure && failure.until > Date.now()) {
      const wait = Math.ceil((failure.until - Date.now()) / 1000);
      throw new Error(`it failed ${failure.count} times in a row; Portico tries it again in ${wait}s.`);
    }
    const secrets = target.secrets();
    // A child's stderr or an upstream's error may repeat what it was started with: reports about
    // this session (in the server's log) never carry those values.
    const scrubber = createScrubber([
      ...Object.values(secrets.env ?? {}),
      ...Object.values(secrets.headers ?? {}),
    ]);
    const source: UpstreamSource = { connectorId: connector.id, customerId, scopeId: target.scope?.id };
    const session: PooledSession = {
      key,
      version: target.version,
      connectorId: connector.id,
      connectionId: target.connectionId,
      source,
      slug: connector.slug,
      handle: undefined as never,
      lastUsed: Date.now(),
      inflight: 0,
      timeouts: new PausedTimeouts(),
      retired: false,
      scrub: (text) => scrubber.text(text),
    };
    const { scope } = target;
    // What the upstream sends to the gateway's clients (questions, notices, logs, instructions)
    // never carries what this session was started with.
    const role = scope && {
      answer: (request: Parameters<typeof scope.role.answer>[0], signal: AbortSignal) =>
        session.timeouts.asking(() => scope.role.answer(scrubber.value(request), signal)),
    };
    session.handle = openUpstream(connector, secrets, timeoutMs, role).then(
      (handle) => {
        const { client } = handle;
        const instructions = client.getInstructions();
        if (instructions) this.#instructions.set(connector.id, scrubber.text(instructions));
        else this.#instructions.delete(connector.id);
        this.#capabilities.set(connector.id, client.getServerCapabilities());
        for (const schema of [
          ResourceUpdatedNotificationSchema,
          ResourceListChangedNotificationSchema,
          PromptListChangedNotificationSchema,
          ElicitationCompleteNotificationSchema,
        ])
          client.setNotificationHandler(schema, (n) => {
            if (!session.retired) this.events.notify?.(source, n.method, scrubber.value(n.params));
          });
        client.setNotificationHandler(ToolListChangedNotificationSchema, () =>
          this.#listChanged(session, handle),
        );
        client.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
          this.events.log(customerId, scrubber.value(n.params), source),
        );
        client.onclose = () => {
          if (this.#sessions.get(key) !== session) return;
          this.#sessions.delete(key);
          const tail = handle.stderrTail();
          this.#noteFailure(
            key,
            session.scrub(
              `The upstream MCP server "${connector.slug}" (${handle.where}) closed${tail ? ` (its stderr said: ${tail})` : ''}; it is started again on the next call`,
            ),
          );
        };
        return handle;
      },
      (error: Error) => {
        if (this.#sessions.get(key) === session) this.#sessions.delete(key);
        this.#noteFailure(key, session.scrub(error.message));
        throw error;
      },
    );
    session.handle.catch(() => {});
    this.#sessions.set(key, session);
    return session;
  }

  /** Re-reads the upstream's tools after list_changed, one listing at a time per session. */
  #listChanged(session: PooledSession, handle: UpstreamHandle): void {
    if (session.listing) {
      session.listing.again = true;
      return;
    }
    const listing = { again: false };
    session.listing = listing;
    void (async () => {
      try {
        do {
          listing.again = false;
          const tools = await listAllTools(handle.client);
          if (!listing.again && !session.retired) this.events.toolsChanged(session.connectorId, tools);
        } while (listing.again && !session.retired);
      } catch (error) {
        this.events.report(
          session.scrub(
            `Re-reading the tools of "${session.slug}" after list_changed failed: ${describeError(error)}`,
          ),
        );
      } finally {
        session.listing = undefined;
      }
    })();
  }

  /** After a timeout: an upstream that no longer answers even a ping is restarted. */
  async #probe(session: PooledSession, handle: UpstreamHandle, timeoutMs: number): Promise<void> {
    if (session.retired) return;
    try {
      await handle.client.ping({ timeout: timeoutMs });
    } catch {
      if (session.retired) return;
      this.events.report(
        `The upstream MCP server "${session.slug}" (${handle.where}) stopped answering; it is started again on the next call`,
      );
      this.#retire(session);
    }
  }

  #noteFailure(key: string, message: string): void {
    const count = (this.#failures.get(key)?.count ?? 0) + 1;
    // First failure: retry at once; then back off 1s, 2s, 4s … up to 30s.
    const delay = count <= 1 ? 0 : Math.min(30_000, 1000 * 2 ** (count - 2));
    this.#failures.set(key, { count, until: Date.now() + delay });
    this.events.report(`${message}${delay ? ` (backing off ${delay / 1000}s)` : ''}`);
  }

  /** Takes a session out of the pool; it is closed once no call uses it. */
  #retire(session: PooledSession): void {
    if (this.#sessions.get(session.key) === session) this.#sessions.delete(session.key);
    if (session.retired) return;
    session.retired = true;
    if (session.inflight === 0) this.#close(session);
  }

  #close(session: PooledSession): void {
    session.retired = true;
    const closing = session.handle
      .then((h) => h.close())
      .catch(() => {})
      .finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  #sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const session of this.#sessions.values()) {
      if (session.inflight === 0 && session.lastUsed < cutoff) this.#retire(session);
    }
  }

  /** Closes the sessions whose connector or connection no longer exists (`alive` says which do). */
  retireOrphans(alive: (connectorId: string, connectionId: string | undefined) => boolean): void {
    for (const session of [...this.#sessions.values()]) {
      if (!alive(session.connectorId, session.connectionId ?? undefined)) this.#retire(session);
    }
  }

  /** Closes the upstream sessions a gateway session had to itself (it ended). */
  closeScope(scopeId: string): void {
    for (const session of [...this.#sessions.values()])
      if (session.source.scopeId === scopeId) this.#retire(session);
  }

  /** Closes every session of a connector (its config changed or it was deleted). */
  closeConnector(connectorId: string): void {
    for (const session of [...this.#sessions.values()])
      if (session.connectorId === connectorId) this.#retire(session);
  }

  /** Closes every session, waiting for stdio children to exit. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const session of [...this.#sessions.values()]) {
      this.#sessions.delete(session.key);
      session.retired = true;
      this.#close(session);
    }
    while (this.#closing.size) await Promise.allSettled([...this.#closing]);
  }
}
