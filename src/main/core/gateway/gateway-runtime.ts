import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ActivityLog } from '../activity/activity-log';
import { type Credentials, secretValues } from '../connectors/credentials';
import { buildHttpRequest, RequestBuildError } from '../connectors/http-request';
import { sendHttp } from '../connectors/http-runtime';
import { McpUpstreamPool } from '../connectors/mcp-pool';
import { toolsToActions } from '../connectors/mcp-upstream';
import { ConnectionExpiredError, OAuthManager } from '../connectors/oauth-manager';
import { openCredentials, upstreamSecrets } from '../connectors/run-action';
import type { EventBus } from '../events/event-bus';
import { type Logger, registerSecret } from '../log';
import type { Connector } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { validateArguments } from './arg-validator';
import type { ToolEntry } from './toolset';
import { ToolsetCache } from './toolset-cache';

export interface GatewayDeps {
  store: WorkspaceStore;
  activity: ActivityLog;
  events: EventBus;
  log: Logger;
  serverUrl(): string | null;
  /** Upstream log messages for a customer's sessions. */
  forwardLog?(customerId: string | null, params: unknown): void;
}

export interface CallContext {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  keyId?: string;
}

const errorResult = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** The data plane's call pipeline: resolve → authorize → validate → run → record. */
export class GatewayRuntime {
  readonly toolsets: ToolsetCache;
  readonly pool: McpUpstreamPool;
  readonly oauth: OAuthManager;

  constructor(private readonly deps: GatewayDeps) {
    this.toolsets = new ToolsetCache(deps.store);
    this.oauth = new OAuthManager(deps.store, (c) =>
      deps.events.emit('connection.updated', {
        connection_id: c.id,
        customer_id: c.customerId,
        connector_id: c.connectorId,
        status: c.status,
      }),
    );
    this.pool = new McpUpstreamPool({
      toolsChanged: (connectorId, tools) => this.#refreshUpstreamTools(connectorId, tools),
      log: (customerId, params) => deps.forwardLog?.(customerId, params),
      report: (message) => deps.log(message),
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

  /** The URL that (re)connects a customer's connector: OAuth start, or the UI's credential form. */
  connectHint(customerId: string, connectorId: string): string {
    const base = this.deps.serverUrl();
    const where = base
      ? `${base}/#/connect?customer_id=${encodeURIComponent(customerId)}&connector_id=${encodeURIComponent(connectorId)}`
      : 'Portico (start it first)';
    return `Connect it at ${where} — or an admin can call get_connect_url {"customer_id":"${customerId}","connector_id":"${connectorId}"} and send the customer the link.`;
  }

  async call(
    customerId: string,
    name: string,
    args: Record<string, unknown>,
    ctx: CallContext = {},
  ): Promise<CallToolResult> {
    const started = performance.now();
    const entry = this.toolsets.get(customerId).byName.get(name);
    let result: CallToolResult;
    if (!entry) {
      result = errorResult(
        `Unknown tool "${name}" for customer "${customerId}". It may have been removed or disabled; list the tools again.`,
      );
    } else {
      try {
        result = await this.#run(customerId, entry, args, ctx);
      } catch (error) {
        result = errorResult(`Portico could not run ${name}: ${(error as Error).message}`);
      }
    }
    const duration = Math.round(performance.now() - started);
    const failed = Boolean(result.isError);
    const reason = failed
      ? result.content
          .map((c) => (c.type === 'text' ? c.text : ''))
          .join(' ')
          .slice(0, 300)
      : undefined;
    this.deps.activity.record({
      plane: 'gateway',
      customer_id: customerId,
      tool: name,
      duration_ms: duration,
      outcome: failed ? 'error' : 'ok',
      ...(reason ? { error: reason } : {}),
      ...(ctx.keyId ? { key_id: ctx.keyId } : {}),
    });
    this.deps.events.emit(failed ? 'tool.failed' : 'tool.called', {
      customer_id: customerId,
      tool: name,
      connector_id: entry?.connector.id ?? null,
      action: entry?.action.name ?? null,
      duration_ms: duration,
      ...(reason ? { error: reason } : {}),
    });
    return result;
  }

  async #run(
    customerId: string,
    entry: ToolEntry,
    args: Record<string, unknown>,
    ctx: CallContext,
  ): Promise<CallToolResult> {
    const { connector, action } = entry;
    const invalid = validateArguments(action.inputSchema, args);
    if (invalid) return errorResult(`${invalid} See the inputSchema of ${entry.name}.`);
    const { store } = this.deps;
    // Re-read the connection: the cached toolset may predate a token refresh.
    const connection = entry.connection && store.data.connections[entry.connection.id];
    if (!connection) {
      return errorResult(
        `${connector.name} is not connected for customer "${customerId}". ${this.connectHint(customerId, connector.id)}`,
      );
    }
    let credentials = openCredentials(store, connection) as Credentials;
    for (const secret of secretValues(credentials)) registerSecret(secret);
    if (connector.kind === 'mcp') {
      const secrets = () => upstreamSecrets(store, connector, credentials);
      // A changed command, URL, shared env/headers or credential restarts this customer's session.
      const launch =
        connector.transport === 'stdio'
          ? [connector.command, connector.args, connector.env]
          : [connector.url, connector.headers];
      const version = JSON.stringify([...launch, connection.credentials]);
      try {
        return await this.pool.call(
          { connector, connectionId: connection.id, customerId, version, secrets },
          action.upstreamName ?? action.name,
          args,
          {
            signal: ctx.signal,
            onprogress: ctx.onprogress,
            timeoutMs: store.data.settings.upstreamTimeoutMs,
          },
        );
      } catch (error) {
        if (ctx.signal?.aborted) return errorResult(`${entry.name} was cancelled.`);
        return errorResult(`The upstream MCP server "${connector.slug}" failed: ${(error as Error).message}`);
      }
    }
    const auth = store.data.authConfigs[connector.id];
    try {
      credentials = await this.oauth.fresh(connection, auth, credentials);
      let sent = await this.#sendHttp(entry, args, credentials, ctx);
      if (sent.status === 401 && auth?.scheme === 'oauth2') {
        credentials = await this.oauth.fresh(connection, auth, credentials, true);
        sent = await this.#sendHttp(entry, args, credentials, ctx);
      }
      return this.#checkOutput(entry, sent.result);
    } catch (error) {
      if (error instanceof ConnectionExpiredError) {
        return errorResult(
          `${connector.name}'s connection for "${customerId}" has expired: ${error.message}. ${this.connectHint(customerId, connector.id)}`,
        );
      }
      if (error instanceof RequestBuildError) return errorResult(error.message);
      throw error;
    }
  }

  #sendHttp(entry: ToolEntry, args: Record<string, unknown>, credentials: Credentials, ctx: CallContext) {
    const { connector, action } = entry;
    if (connector.kind !== 'http') throw new Error('not an http connector');
    const request = buildHttpRequest(
      connector,
      action,
      args,
      this.deps.store.data.authConfigs[connector.id],
      credentials,
    );
    return sendHttp(request, {
      signal: ctx.signal,
      secrets: secretValues(credentials),
      timeoutMs: this.deps.store.data.settings.upstreamTimeoutMs,
    });
  }

  /** A documented output schema is a promise to the client: keep it, or say the upstream broke it. */
  #checkOutput(entry: ToolEntry, result: CallToolResult): CallToolResult {
    const schema = entry.action.outputSchema;
    if (!schema || result.isError) return result;
    const problem = result.structuredContent
      ? validateArguments(schema, result.structuredContent)
      : 'no JSON object in the response';
    if (!problem) return result;
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    return errorResult(
      `The upstream's response does not match ${entry.name}'s documented output schema (${problem.replace(/^Invalid arguments: /, '')}). Response:\n${text.slice(0, 2000)}`,
    );
  }

  /** An upstream MCP server's tool list changed: its tools become the connector's actions. */
  #refreshUpstreamTools(connectorId: string, tools: Tool[]): void {
    const { store } = this.deps;
    const same = (c: Connector | undefined) =>
      c?.kind !== 'mcp' || JSON.stringify(toolsToActions(tools, c.actions)) === JSON.stringify(c.actions);
    if (same(store.data.connectors[connectorId])) return;
    try {
      store.mutate((ws) => {
        const c = ws.connectors[connectorId];
        if (c?.kind !== 'mcp' || same(c)) return;
        c.actions = toolsToActions(tools, c.actions);
        c.updatedAt = new Date().toISOString();
      });
    } catch (error) {
      this.deps.log(`Updating ${connectorId}'s tools after list_changed failed: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.#offStore();
    await this.pool.close();
  }
}
