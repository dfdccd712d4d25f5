import { createHash } from 'node:crypto';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { type ActivityLog, type EntryPoint, newTrace, scrubArguments } from '../activity/activity-log';
import {
  connectionFor,
  openCredentials,
  scrubberFor,
  upstreamSecrets,
} from '../connectors/connection-secrets';
import { type Credentials, MASK } from '../connectors/credentials';
import { buildHttpRequest, RequestBuildError } from '../connectors/http-request';
import { sendHttp } from '../connectors/http-runtime';
import type { McpUpstreamPool, UpstreamTarget } from '../connectors/mcp-pool';
import { isUnauthorized } from '../connectors/mcp-upstream';
import { ConnectionExpiredError, type OAuthManager } from '../connectors/oauth-manager';
import { advertisedOutputSchema } from '../connectors/openapi/schema';
import type { EventBus } from '../events/event-bus';
import type { Action, Connection, Connector } from '../store/schema';
import type { WorkspaceStore } from '../store/workspace-store';
import { protoKeyMessage, protoKeyPath } from '../util/proto-keys';
import type { Scrubber } from '../util/scrubber';
import { checkArguments } from './arg-validator';
import { ensureConnection } from './credential-free';

/** Output checks: the same JSON Schema dialect and formats MCP SDK clients validate structured content with. */
const outputAjv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
const formatsExport: unknown = addFormatsModule;
const addFormats =
  typeof formatsExport === 'function'
    ? formatsExport
    : typeof formatsExport === 'object' &&
        formatsExport !== null &&
        'default' in formatsExport &&
        typeof formatsExport.default === 'function'
      ? formatsExport.default
      : undefined;
addFormats?.(outputAjv);
const outputValidators = new WeakMap<object, ValidateFunction | null>();

/** What in a response breaks its output schema, worded about the response's fields; null when it conforms. */
function outputProblem(schema: Record<string, unknown>, value: unknown): string | null {
  let validate = outputValidators.get(schema);
  if (validate === undefined) {
    try {
      validate = outputAjv.compile(schema);
    } catch {
      validate = null; // a schema ajv can't compile is not held against the response
    }
    outputValidators.set(schema, validate);
  }
  if (!validate || validate(value)) return null;
  const errors = validate.errors ?? [];
  // A field that matches none of its alternatives is one problem, not one per alternative.
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const inAlternative = (e: ErrorObject) =>
    alternatives.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`));
  const problems = errors
    .filter((e) => !inAlternative(e))
    .slice(0, 5)
    .map((error) => {
      const path = error.instancePath.slice(1).replace(/\//g, '.');
      const at = (name: unknown) => `field \`${[path, name].filter(Boolean).join('.')}\``;
      if (error.keyword === 'required') return `${at(error.params.missingProperty)} is missing`;
      if (error.keyword === 'additionalProperties')
        return `${at(error.params.additionalProperty)} is not in the schema`;
      const subject = path ? `field \`${path}\`` : 'the response';
      if (error.keyword === 'enum')
        return `${subject} is not one of ${JSON.stringify(error.params.allowedValues)}`;
      if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
        const types = errors
          .filter((e) => e.keyword === 'type' && e.schemaPath.startsWith(`${error.schemaPath}/`))
          .filter((e) => e.instancePath === error.instancePath)
          .map((e) => String(e.params.type));
        return types.length
          ? `${subject} must be ${[...new Set(types)].join(' or ')}`
          : `${subject} matches none of its documented forms`;
      }
      return `${subject} ${error.message ?? 'is invalid'}`;
    });
  return [...new Set(problems)].join('; ');
}

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
  /** The gateway session's own upstream sessions, when its client answers elicitation or sampling. */
  scope?: UpstreamTarget['scope'];
  /** Build everything, send nothing: the result describes the request that would go out, secrets masked. */
  dryRun?: boolean;
  /** Set by run() when OpenTelemetry is on: the span context sent upstream as `traceparent`. */
  trace?: { traceId: string; spanId: string; traceparent: string };
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

  /** A call's arguments with the customer's connection secrets masked (for a person to review). */
  masked(customerId: string, connector: Connector, args: Record<string, unknown>): Record<string, unknown> {
    const { store } = this.deps;
    const credentials = openCredentials(store, connectionFor(store.data, customerId, connector.id)) ?? {};
    return scrubberFor(store, connector, credentials, MASK).value(args);
  }

  async run(input: PipelineCall): Promise<CallToolResult> {
    // Arguments keyed by what the client sent: no prototype, so an omitted parameter named
    // `constructor` or `toString` is absent, not Object's.
    const call = {
      ...input,
      args: Object.assign(Object.create(null) as Record<string, unknown>, input.args),
      // OpenTelemetry on: the call's span context, propagated to its upstream.
      trace: this.deps.activity.tracing && !input.dryRun ? newTrace() : undefined,
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
    const proto = protoKeyPath(call.args, ['arguments']);
    if (proto) return { error: errorResult(`Invalid arguments for ${call.tool}: ${protoKeyMessage(proto)}`) };
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
  #connectCredentialFree(call: Pick<PipelineCall, 'customerId' | 'connector'>): Connection | undefined {
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
      const result = await this.deps.pool.call(
        this.#target(connector, connection, credentials, call.scope),
        action.upstreamName ?? action.name,
        call.args,
        {
          signal: call.signal,
          onprogress: call.onprogress,
          timeoutMs,
          ...(call.trace ? { meta: { traceparent: call.trace.traceparent } } : {}),
        },
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
    if (call.trace) request.headers.traceparent = call.trace.traceparent;
    return sendHttp(request, {
      signal: call.signal,
      scrub: (text) => scrubberFor(store, connector, credentials).text(text),
      timeoutMs,
    });
  }

  /** The upstream session a customer's connection uses (per gateway session when scoped). */
  #target(
    connector: Extract<Connector, { kind: 'mcp' }>,
    connection: Connection,
    credentials: Credentials,
    scope: UpstreamTarget['scope'],
  ): UpstreamTarget {
    const { store } = this.deps;
    // A changed command, URL, shared env/headers or credential restarts this customer's session.
    const launch =
      connector.transport === 'stdio'
        ? [connector.command, connector.args, connector.env]
        : [connector.url, connector.headers];
    const version = createHash('sha256')
      .update(JSON.stringify([...launch, credentials]))
      .digest('base64url');
    return {
      connector,
      connectionId: connection.id,
      customerId: connection.customerId,
      version,
      secrets: () => upstreamSecrets(store, connector, credentials),
      ...(scope ? { scope } : {}),
    };
  }

  /**
   * A request other than tools/call (resources, prompts, completions, logging) on the customer's
   * upstream session of an MCP connector, with the customer's credentials (refreshed when due);
   * the answer is scrubbed of the connection's secrets like a tool result. Throws an Error whose
   * message says what to do when the connector is not connected or its connection expired.
   */
  async upstreamRequest<T>(
    customerId: string,
    connector: Extract<Connector, { kind: 'mcp' }>,
    scope: UpstreamTarget['scope'],
    send: Parameters<McpUpstreamPool['request']>[1],
    signal?: AbortSignal,
  ): Promise<T> {
    const { store, oauth } = this.deps;
    let connection = connectionFor(store.data, customerId, connector.id);
    if (!connection) connection = this.#connectCredentialFree({ customerId, connector });
    if (!connection)
      throw new Error(
        `${connector.name} is not connected for customer "${customerId}". ${this.deps.connectHint(customerId, connector.id)}`,
      );
    const initial = openCredentials(store, connection) ?? {};
    const scrubber = scrubberFor(store, connector, initial);
    try {
      const credentials = await oauth.fresh(connection, store.data.authConfigs[connector.id], initial);
      const result = await this.deps.pool.request(
        this.#target(connector, connection, credentials, scope),
        send,
        { signal, timeoutMs: store.data.settings.upstreamTimeoutMs },
      );
      return scrubberFor(store, connector, credentials).value(result) as T;
    } catch (error) {
      if (error instanceof ConnectionExpiredError)
        throw new Error(
          `${connector.name}'s connection for "${customerId}" has expired: ${error.message}. ${this.deps.connectHint(customerId, connector.id)}`,
        );
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`The upstream MCP server "${connector.slug}" failed: ${scrubber.text(message)}`);
    }
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

  /**
   * The output schema the tool advertises is a promise to the client (MCP: structured content must
   * conform to it), so the result is checked against exactly that schema: the relaxed form by
   * default, as written when the connector is strict. A relaxed schema takes any response shaped
   * like the document, with fields missing, added or null; what still fails is reported about the
   * response, with the response.
   */
  #checkOutput(call: PipelineCall, result: CallToolResult): CallToolResult {
    const strict = call.connector.strictOutput === true;
    const schema = advertisedOutputSchema(call.action.outputSchema, strict);
    if (!schema || result.isError) return result;
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    const how = strict
      ? `its documented output schema (strict_output is on for connector "${call.connector.slug}")`
      : 'the relaxed form of its documented output schema';
    if (!result.structuredContent) {
      // Not a JSON object (text, an array, a body too large to parse…): the data is in the content.
      if (!strict) return { ...result, structuredContent: {} };
      return errorResult(
        `The response of ${call.tool} is not a JSON object, but ${how} describes one. Response:\n${text.slice(0, 2000)}`,
      );
    }
    const problem = outputProblem(schema, result.structuredContent);
    if (!problem) return result;
    return errorResult(
      `The response of ${call.tool} does not match ${how}: ${problem}. ${strict ? 'Turn strict_output off (update_connector) to accept responses that drift from the document, or fix' : 'Fix'} the action's output_schema (update_action). Response:\n${text.slice(0, 2000)}`,
    );
  }

  #record(call: PipelineCall, result: CallToolResult, duration: number): void {
    const failed = Boolean(result.isError);
    // The reason never repeats the call's arguments (an upstream may echo them in its error).
    const reason = failed
      ? scrubArguments(
          result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' '),
          call.args,
        ).slice(0, 300)
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
      ...(call.trace ? { trace: { traceId: call.trace.traceId, spanId: call.trace.spanId } } : {}),
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
