import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { McpUpstreamPool, UpstreamSource, UpstreamTarget } from '../connectors/mcp-pool';
import type { McpConnector } from '../connectors/mcp-upstream';

/** A resource as the customer sees it, and where it lives upstream. */
export interface ResourceRoute {
  connector: McpConnector;
  /** The URI the upstream gave. */
  uri: string;
}

/** One open data-plane session, as the aggregator needs it. */
export interface AggregatorSession {
  /** The session's own id (sessionRef): the scope of its own upstream sessions, if it has them. */
  ref: string;
  customerId: string;
  server: Server;
  /** Its own upstream sessions' scope (its client answers elicitation or sampling), else undefined. */
  scope(): UpstreamTarget['scope'];
  /** Resources it subscribed to, by the URI the customer sees. */
  subscriptions: Map<string, ResourceRoute>;
  /** The logging level its client set (logging/setLevel), if it did. */
  level?: LoggingLevel;
}

/** MCP's logging levels, most verbose first. */
export const LOGGING_LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/**
 * The open data-plane sessions, so what an upstream sends without being asked reaches the right
 * ones: a resource update only the sessions that subscribed to it through that upstream session,
 * list changes the customer's sessions, an elicitation's completion the session it was for.
 */
export class GatewaySessions {
  readonly #sessions = new Map<string, AggregatorSession>();
  /** Per customer: the last resources listing's routes, by the URI the customer sees. */
  readonly routes = new Map<string, Map<string, ResourceRoute>>();
  /** Per customer and connector: the last resource templates listing (to route reads and completions). */
  readonly templates = new Map<string, Map<string, string[]>>();
  /** Per customer: the last prompts listing's routes, by the name the customer sees. */
  readonly prompts = new Map<string, Map<string, { connector: McpConnector; name: string }>>();

  constructor(private readonly pool: McpUpstreamPool) {}

  add(session: AggregatorSession): void {
    this.#sessions.set(session.ref, session);
  }

  /** The session ended: its subscriptions end and its own upstream sessions are closed. */
  remove(ref: string): AggregatorSession | undefined {
    const session = this.#sessions.get(ref);
    this.#sessions.delete(ref);
    this.pool.closeScope(ref);
    if (![...this.#sessions.values()].some((s) => s.customerId === session?.customerId) && session) {
      this.routes.delete(session.customerId);
      this.templates.delete(session.customerId);
      this.prompts.delete(session.customerId);
    }
    return session;
  }

  /** The sessions that use the same upstream sessions as `session` (itself included). */
  sharing(session: AggregatorSession): AggregatorSession[] {
    const scope = session.scope()?.id;
    return [...this.#sessions.values()].filter(
      (s) => s.customerId === session.customerId && s.scope()?.id === scope,
    );
  }

  /**
   * A log message from an upstream session, to the sessions using it whose level lets it through
   * (an upstream session shared by several is set to the most verbose level any of them chose).
   */
  log(source: UpstreamSource, params: unknown): void {
    const level = (params as { level?: LoggingLevel } | undefined)?.level;
    const rank = level ? LOGGING_LEVELS.indexOf(level) : LOGGING_LEVELS.length;
    for (const session of this.#sessions.values()) {
      if (session.customerId !== source.customerId || session.scope()?.id !== source.scopeId) continue;
      if (session.level && rank < LOGGING_LEVELS.indexOf(session.level)) continue;
      void session.server.notification({ method: 'notifications/message', params } as never).catch(() => {});
    }
  }

  /** Whether another session still needs `route` through the same upstream session as `session`. */
  stillSubscribed(session: AggregatorSession, route: ResourceRoute): boolean {
    const scope = session.scope()?.id;
    return [...this.#sessions.values()].some(
      (s) =>
        s !== session &&
        s.customerId === session.customerId &&
        s.scope()?.id === scope &&
        [...s.subscriptions.values()].some(
          (r) => r.connector.id === route.connector.id && r.uri === route.uri,
        ),
    );
  }

  /** Routes an upstream notification to the sessions that should see it. */
  notify(source: UpstreamSource, method: string, params: Record<string, unknown> | undefined): void {
    const send = (
      session: AggregatorSession,
      notification: { method: string; params?: Record<string, unknown> },
    ) =>
      // A session whose client is gone by now just misses it.
      void session.server.notification(notification as never).catch(() => {});
    for (const session of this.#sessions.values()) {
      if (session.customerId !== source.customerId) continue;
      const sameUpstream = session.scope()?.id === source.scopeId;
      if (method === 'notifications/resources/updated') {
        if (!sameUpstream) continue;
        for (const [uri, route] of session.subscriptions)
          if (route.connector.id === source.connectorId && route.uri === params?.uri)
            send(session, { method, params: { ...params, uri } });
      } else if (method === 'notifications/elicitation/complete') {
        if (source.scopeId === session.ref) send(session, { method, ...(params ? { params } : {}) });
      } else if (
        method === 'notifications/resources/list_changed' ||
        method === 'notifications/prompts/list_changed'
      ) {
        send(session, { method });
      }
    }
  }
}
