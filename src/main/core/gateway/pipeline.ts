import { createHash } from 'node:crypto';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import type { ActivityLog, EntryPoint } from '../activity/activity-log';
import {
  connectionFor,
  openCredentials,
  scrubberFor,
  upstreamSecrets,
} from '../connectors/connection-secrets';
import { type Credentials, MASK } from '../connectors/credentials';
import { buildHttpRequest, RequestBuildError } from '../connectors/http-request';
import { sendHttp } from '../connectors/http-runtime';
import type { McpUpstreamPool } from '../connectors/mcp-pool';
import { isUnauthorized } from '../connectors/mcp-upstream';
import { ConnectionExpiredError, type OAuthManager } from '../connectors/oauth-manager';
import type { EventBus } from '../events/event-bus';
import type { Action, Connection, Connector } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import type { Scrubber } from '../util/scrubber';
import { checkArguments, validateArguments } from './arg-validator';
import { ensureConnection } from './credential-free';

/** One tool call, from whichever caller: the gateway's tools/call (direct or search mode) or test_action. */
export interface PipelineCall {
  customerId: string;
  /** The name the caller used, recorded in the activity log. */
  tool: string;
  connector: Connector;
  action: Action;
  args: Record<string, unknown>;
  entryPoint: EntryPoint;
  keyId?: string;
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
  /** Build everything, send nothing: the result describes the request that would go out, secrets masked. */
  dryRun?: boolean;
}

export interface PipelineDeps {
  store: WorkspaceStore;
  activity: ActivityLog;
  events: EventBus;
  pool: McpUpstreamPool;
  oauth: OAuthManager;
  /** The link that (re)connects a customer's connector, for "not connected" and "expired" errors. */
  connectHint(customerId: string, connectorId: string): string;
}

export const errorResult = (text: string): CallToolResult => ({
  content: [{ type: 'text', text }],
  isError: true,
});

/**
 * The one call pipeline: validate → credentials (OAuth refresh, one retry after a 401, for HTTP
 * and MCP connectors alike) → upstream → scrub (this call's own secrets, in every encoding) →
 * output check → activity and events.
 */
export class CallPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /**
   * A connection's credentials ready to use: OAuth tokens refreshed (or fetched, for
   * client_credentials) when due — for callers outside a tool call, such as tool discovery.
   */
  async credentials(connection: Connection, connector: Connector): Promise<Credentials> {
    const { store, oauth } = this.deps;
    return oauth.fresh(
      connection,
      store.data.authConfigs[connector.id],
      openCredentials(store, connection) ?? {},
    );
  }

  async run(input: PipelineCall): Promise<CallToolResult> {
    // Arguments keyed by what the client sent: no prototype, so an omitted parameter named
    // `constructor` or `toString` is absent, not Object's.
    const call = {
      ...input,
      args: Object.assign(Object.create(null) as Record<string, unknown>, input.args),
    };
    const started = performance.now();
    let scrubber: Scrubber | undefined;
    let result: CallToolResult;
    try {
      const prepared = this.#prepare(call);
      if ('error' in prepared) result = prepared.error;
      else {
        scrubber = prepared.scrubber;
        const answer = await this.#execute(call, prepared.connection, prepared.credentials);
        // An HTTP answer was scrubbed as text before it was parsed (http-runtime's scrub); an MCP
        // answer is scrubbed here, every string of it — each body is scanned once.
        result = call.connector.kind === 'mcp' ? scrubber.value(answer) : answer;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = errorResult(
        `Portico could not run ${call.tool}: ${scrubber ? scrubber.text(message) : message}`,
      );
    }
    if (!call.dryRun) this.#record(call, result, Math.round(performance.now() - started));
    return result;
  }

  #prepare(
    call: PipelineCall,
  ):
    | { error: CallToolResult }
    | { connection: Connection | undefined; credentials: Credentials; scrubber: Scrubber } {
    const { store } = this.deps;
    const checked = checkArguments(call.action.inputSchema, call.args);
    if ('error' in checked)
      return { error: errorResult(`${checked.error} See the inputSchema of ${call.tool}.`) };
    call.args = checked.args; // obviously-typed scalars fixed (2 → "2"): the upstream gets these
    let connection = connectionFor(store.data, call.customerId, call.connector.id);
    if (!connection && !call.dryRun) connection = this.#connectCredentialFree(call);
    if (!connection && !call.dryRun) {
      return {
        error: errorResult(
          `${call.connector.name} is not connected for customer "${call.customerId}". ${this.deps.connectHint(call.customerId, call.connector.id)}`,
        ),
      };
    }
    const credentials = openCredentials(store, connection) ?? {};
    return { connection, credentials, scrubber: scrubberFor(store, call.connector, credentials) };
  }

  /** A connector that needs no credentials is connected on its first call (credential-free.ts). */
  #connectCredentialFree(call: PipelineCall): Connection | undefined {
    const ensured = ensureConnection(this.deps.store, call.customerId, call.connector.id);
    if (ensured?.created) {
      const { id, customerId, connectorId } = ensured.connection;
      // Announced once saved, as the registry does for admin changes.
      void this.deps.store.flushed().then(
        () =>
          this.deps.events.emit('connection.created', {
            connection_id: id,
            customer_id: customerId,
            connector_id: connectorId,
          }),
        () => {},
      );
    }
    return ensured?.connection;
  }

  async #execute(
    call: PipelineCall,
    connection: Connection | undefined,
    initial: Credentials,
  ): Promise<CallToolResult> {
    const { store, oauth } = this.deps;
    const { connector, customerId } = call;
    const auth = store.data.authConfigs[connector.id];
    if (call.dryRun) return this.#describe(call, initial);
    if (!connection) throw new Error('no connection');
    try {
      let credentials = await oauth.fresh(connection, auth, initial);
      try {
        const result = await this.#send(call, connection, credentials);
        if (!('status' in result) || result.status !== 401 || auth?.scheme !== 'oauth2')
          return this.#checkOutput(call, result.result);
      } catch (error) {
        if (!(connector.kind === 'mcp' && auth?.scheme === 'oauth2' && isUnauthorized(error))) throw error;
      }
      // The upstream refused the token: refresh once (shared with concurrent calls) and retry.
      credentials = await oauth.fresh(connection, auth, credentials, true);
      return this.#checkOutput(call, (await this.#send(call, connection, credentials)).result);
    } catch (error) {
      if (error instanceof ConnectionExpiredError) {
        return errorResult(
          `${connector.name}'s connection for "${customerId}" has expired: ${error.message}. ${this.deps.connectHint(customerId, connector.id)}`,
        );
      }
      if (error instanceof RequestBuildError) return errorResult(error.message);
      if (call.signal?.aborted) return errorResult(`${call.tool} was cancelled.`);
      if (connector.kind === 'mcp')
        return errorResult(
          `The upstream MCP server "${connector.slug}" failed: ${error instanceof Error ? error.message : error}`,
        );
      throw error;
    }
  }

  /** One attempt at the upstream with these credentials. HTTP answers carry their status. */
  async #send(
    call: PipelineCall,
    connection: Connection,
    credentials: Credentials,
  ): Promise<{ status?: number; result: CallToolResult }> {
    const { store } = this.deps;
    const { connector, action } = call;
    const timeoutMs = store.data.settings.upstreamTimeoutMs;
    if (connector.kind === 'mcp') {
      // A changed command, URL, shared env/headers or credential restarts this customer's session.
      const launch =
        connector.transport === 'stdio'
          ? [connector.command, connector.args, connector.env]
          : [connector.url, connector.headers];
      const version = createHash('sha256')
        .update(JSON.stringify([...launch, credentials]))
        .digest('base64url');
      const result = await this.deps.pool.call(
        {
          connector,
          connectionId: connection.id,
          customerId: call.customerId,
          version,
          secrets: () => upstreamSecrets(store, connector, credentials),
        },
        action.upstreamName ?? action.name,
        call.args,
        { signal: call.signal, onprogress: call.onprogress, timeoutMs },
      );
      return { result };
    }
    const request = buildHttpRequest(
      connector,
      action,
      call.args,
      store.data.authConfigs[connector.id],
      credentials,
    );
    return sendHttp(request, {
      signal: call.signal,
      scrub: (text) => scrubberFor(store, connector, credentials).text(text),
      timeoutMs,
    });
  }

  /** A dry run: what would be sent, with the call's secrets masked. */
  #describe(call: PipelineCall, credentials: Credentials): CallToolResult {
    const { connector, action } = call;
    if (connector.kind === 'mcp') {
      const request = {
        method: 'tools/call',
        params: { name: action.upstreamName ?? action.name, arguments: call.args },
      };
      const target =
        connector.transport === 'stdio' ? `${connector.command} ${connector.args.join(' ')}` : connector.url;
      return {
        content: [{ type: 'text', text: `Would send to ${target}:\n${JSON.stringify(request, null, 2)}` }],
        structuredContent: { mcp: { target, request } },
      };
    }
    const request = buildHttpRequest(
      connector,
      action,
      call.args,
      this.deps.store.data.authConfigs[connector.id],
      credentials,
    );
    // Masked with the call's own scrubber (every encoding, query-string forms included), and the
    // Authorization scheme kept readable.
    const scrub = scrubberFor(this.deps.store, connector, credentials, MASK);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [
        k,
        k === 'authorization' ? v.replace(/^(\w+)\s+.*$/, `$1 ${MASK}`) : scrub.text(v),
      ]),
    );
    const http = {
      method: request.method,
      url: scrub.text(request.url),
      headers,
      body: request.body === undefined ? null : scrub.text(request.body),
    };
    return {
      content: [{ type: 'text', text: `Would send:\n${JSON.stringify(http, null, 2)}` }],
      structuredContent: { http },
    };
  }

  /** A documented output schema is a promise to the client: keep it, or say the upstream broke it. */
  #checkOutput(call: PipelineCall, result: CallToolResult): CallToolResult {
    const schema = call.action.outputSchema;
    if (!schema || result.isError) return result;
    const problem = result.structuredContent
      ? validateArguments(schema, result.structuredContent)
      : 'no JSON object in the response';
    if (!problem) return result;
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    return errorResult(
      `The upstream's response does not match ${call.tool}'s documented output schema (${problem.replace(/^Invalid arguments: /, '')}). Response:\n${text.slice(0, 2000)}`,
    );
  }

  #record(call: PipelineCall, result: CallToolResult, duration: number): void {
    const failed = Boolean(result.isError);
    const reason = failed
      ? result.content
          .map((c) => (c.type === 'text' ? c.text : ''))
          .join(' ')
          .slice(0, 300)
      : undefined;
    this.deps.activity.record({
      plane: 'gateway',
      entry_point: call.entryPoint,
      customer_id: call.customerId,
      tool: call.tool,
      duration_ms: duration,
      outcome: failed ? 'error' : 'ok',
      ...(reason ? { error: reason } : {}),
      ...(call.keyId ? { key_id: call.keyId } : {}),
    });
    this.deps.events.emit(failed ? 'tool.failed' : 'tool.called', {
      customer_id: call.customerId,
      tool: call.tool,
      connector_id: call.connector.id,
      action: call.action.name,
      duration_ms: duration,
      ...(reason ? { error: reason } : {}),
    });
  }
}
