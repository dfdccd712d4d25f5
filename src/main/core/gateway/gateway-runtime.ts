import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ActivityLog } from '../activity/activity-log';
import { connectPageUrl } from '../auth/connect-links';
import { McpUpstreamPool, type UpstreamTarget } from '../connectors/mcp-pool';
import { newlyHeld, toolsToActions } from '../connectors/mcp-upstream';
import { OAuthManager } from '../connectors/oauth-manager';
import { emitConnectionStatus } from '../events/connection-status';
import type { EventBus } from '../events/event-bus';
import type { Connector } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import type { Logger } from '../util/log';
import { ApprovalHub, type ApprovalRequest } from './approvals';
import { GatewaySessions } from './gateway-sessions';
import { CallPipeline, errorResult } from './pipeline';
import { type Limiter, type LimitSubject, RateLimiter } from './rate-limiter';
import { SharedRateLimiter } from './shared-rate-limiter';
import { ToolsetCache } from './toolset-cache';

export interface GatewayDeps {
  store: WorkspaceStore;
  activity: ActivityLog;
  events: EventBus;
  log: Logger;
  serverUrl(): string | null;
}

export interface CallContext {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  keyId?: string;
  /** The MCP session making the call ("allow for this session"). */
  sessionRef?: string;
  /** Asks the person in the AI client to approve, when the client supports elicitation. */
  elicit?: ApprovalRequest['elicit'];
  /** The session's own upstream sessions, when its client answers elicitation or sampling. */
  scope?: UpstreamTarget['scope'];
}

/** The data plane: each customer's toolset, the MCP upstream pool, OAuth, and the call pipeline. */
export class GatewayRuntime {
  readonly toolsets: ToolsetCache;
  readonly pool: McpUpstreamPool;
  readonly oauth: OAuthManager;
  /** The one call pipeline: tools/call here, and test_action through the admin registry. */
  readonly pipeline: CallPipeline;
  /**
   * Per key and per customer rate limits of tools/call (set_rate_limits): in memory on SQLite (one
   * server), in the database on PostgreSQL (shared by every replica).
   */
  readonly limits: Limiter;
  /** Calls waiting for a person's approval (set_approval_policy). */
  readonly approvals: ApprovalHub;
  /** Open data-plane sessions, for what upstreams send unasked (resource updates, list changes). */
  readonly sessions: GatewaySessions;

  constructor(private readonly deps: GatewayDeps) {
    this.toolsets = new ToolsetCache(deps.store);
    const database = deps.store.database;
    this.limits = database?.engine === 'postgres' ? new SharedRateLimiter(database) : new RateLimiter();
    this.approvals = new ApprovalHub(deps);
    this.oauth = new OAuthManager(deps.store, (c, previous) =>
      emitConnectionStatus(deps.events, c, previous),
    );
    this.pool = new McpUpstreamPool({
      toolsChanged: (connectorId, tools) => this.#refreshUpstreamTools(connectorId, tools),
      // Logs go to the sessions that share the upstream session, at the level each set (gateway-sessions.ts).
      log: (_customerId, params, source) => this.sessions.log(source, params),
      notify: (source, method, params) => this.sessions.notify(source, method, params),
      report: (message) => deps.log(message),
    });
    this.sessions = new GatewaySessions(this.pool);
    this.pipeline = new CallPipeline({
      store: deps.store,
      activity: deps.activity,
      events: deps.events,
      pool: this.pool,
      oauth: this.oauth,
      connectHint: (customerId, connectorId) => this.connectHint(customerId, connectorId),
    });
    // A deleted connector or connection loses its upstream session (and stdio child) at once.
    this.#offStore = deps.store.onChange(() => {
      const ws = deps.store.data;
      this.pool.retireOrphans((connectorId, connectionId) =>
        Boolean(ws.connectors[connectorId] && (connectionId === undefined || ws.connections[connectionId])),
      );
    });
  }

  readonly #offStore: () => void;

  /** The workspace as it is now. */
  get workspace() {
    return this.deps.store.data;
  }

  /** The URL that (re)connects a customer's connector: OAuth start, or the UI's credential form. */
  connectHint(customerId: string, connectorId: string): string {
    const base = this.deps.serverUrl();
    let where = 'Portico (start it first)';
    try {
      if (base) where = connectPageUrl(base, this.deps.store.secrets, customerId, connectorId);
    } catch {
      where = `${base} (the connect page needs the workspace's secrets key, which this process cannot open)`;
    }
    return `Connect it at ${where} — or an admin can call get_connect_url {"customer_id":"${customerId}","connector_id":"${connectorId}"} and send the customer the link.`;
  }

  async call(
    customerId: string,
    name: string,
    args: Record<string, unknown>,
    ctx: CallContext = {},
  ): Promise<CallToolResult> {
    const subjects = this.limitSubjects(customerId, ctx.keyId);
    if (!subjects) return this.#call(customerId, name, args, ctx);
    const admission = await this.limits.admit(subjects);
    if (!admission.ok) return this.#refused(customerId, name, ctx, admission.message, 0);
    try {
      return await this.#call(customerId, name, args, ctx);
    } finally {
      // (on PostgreSQL the call's lease is gone before its answer: a client that waits for it may call again)
      await admission.release();
    }
  }

  /** The key's and the customer's limits, or undefined when neither has any (the common case: two lookups). */
  limitSubjects(customerId: string, keyId: string | undefined): LimitSubject[] | undefined {
    const ws = this.deps.store.data;
    const keyLimits = keyId ? ws.apiKeys[keyId]?.limits : undefined;
    const customerLimits = ws.customers[customerId]?.limits;
    if (!keyLimits && !customerLimits) return undefined;
    return [
      { kind: 'key', id: keyId ?? '', limits: keyLimits },
      { kind: 'customer', id: customerId, limits: customerLimits },
    ];
  }

  async #call(
    customerId: string,
    name: string,
    args: Record<string, unknown>,
    ctx: CallContext,
  ): Promise<CallToolResult> {
    let entry = this.toolsets.get(customerId).byName.get(name);
    if (!entry) {
      // Team mode: made on another replica a moment ago (a connection, an exposure) and not heard of here yet.
      await this.deps.store.catchUpIfShared();
      entry = this.toolsets.get(customerId).byName.get(name);
    }
    if (!entry) {
      this.#refused(customerId, name, ctx, 'unknown tool', 0);
      return errorResult(
        `Unknown tool "${name}" for customer "${customerId}". It may have been removed or disabled; list the tools again.`,
      );
    }
    const { connector, action } = entry;
    if (this.approvals.required(customerId, connector.id, action, ctx.sessionRef)) {
      const started = performance.now();
      const outcome = await this.approvals.wait({
        customerId,
        tool: name,
        connectorId: connector.id,
        action,
        args: this.pipeline.masked(customerId, connector, args),
        ...(ctx.keyId ? { keyId: ctx.keyId } : {}),
        ...(ctx.sessionRef ? { sessionRef: ctx.sessionRef } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(ctx.elicit ? { elicit: ctx.elicit } : {}),
      });
      if (!outcome.allowed)
        return this.#refused(customerId, name, ctx, outcome.message, Math.round(performance.now() - started));
    }
    return this.pipeline.run({
      customerId,
      tool: name,
      connector,
      action,
      args,
      entryPoint: 'mcp',
      keyId: ctx.keyId,
      signal: ctx.signal,
      onprogress: ctx.onprogress,
      ...(ctx.scope ? { scope: ctx.scope } : {}),
    });
  }

  /** Whether a call of this tool waits for approval (the session's client is then asked on the SDK path). */
  approvalRequired(customerId: string, name: string, sessionRef?: string): boolean {
    const entry = this.toolsets.get(customerId).byName.get(name);
    return Boolean(
      entry && this.approvals.required(customerId, entry.connector.id, entry.action, sessionRef),
    );
  }

  /** A call that was not run (over a limit, unknown, not approved): recorded, and its error returned. */
  #refused(
    customerId: string,
    name: string,
    ctx: CallContext,
    message: string,
    duration: number,
  ): CallToolResult {
    this.deps.activity.record({
      plane: 'gateway',
      entry_point: 'mcp',
      customer_id: customerId,
      tool: name,
      duration_ms: duration,
      outcome: 'error',
      error: message,
      ...(ctx.keyId ? { key_id: ctx.keyId } : {}),
    });
    return errorResult(message);
  }

  /** An upstream MCP server's tool list changed: its tools become the connector's actions. */
  #refreshUpstreamTools(connectorId: string, tools: Tool[]): void {
    const { store } = this.deps;
    const same = (c: Connector | undefined) =>
      c?.kind !== 'mcp' ||
      JSON.stringify(toolsToActions(tools, c.actions, c.trustUpdates)) === JSON.stringify(c.actions);
    if (same(store.data.connectors[connectorId])) return;
    try {
      const held = store.mutate((ws) => {
        const c = ws.connectors[connectorId];
        if (c?.kind !== 'mcp' || same(c)) return [];
        const previous = c.actions;
        c.actions = toolsToActions(tools, c.actions, c.trustUpdates);
        c.updatedAt = new Date().toISOString();
        return newlyHeld(previous, c.actions);
      });
      for (const change of held)
        this.deps.events.emit('tool.changed', { connector_id: connectorId, ...change });
    } catch (error) {
      this.deps.log(`Updating ${connectorId}'s tools after list_changed failed: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.#offStore();
    this.limits.close?.();
    await this.approvals.close();
    await this.pool.close();
  }
}
