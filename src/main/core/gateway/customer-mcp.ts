import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Customer } from '../store/schema';
import { VERSION } from '../util/version';
import type { ApprovalView, ElicitedDecision } from './approvals';
import { AGGREGATOR_CAPABILITIES, registerAggregator, withUpstreamInstructions } from './customer-aggregator';
import type { CallContext, GatewayRuntime } from './gateway-runtime';

export const EMPTY_TOOLSET_MESSAGE = 'No tools configured. Click Configure to enable connectors.';

export const SEARCH_TOOLS: Tool[] = [
  {
    name: 'search_tools',
    description:
      "Search this customer's tools by what you want to do (words from names, descriptions and parameters). Returns the best matches; then use describe_tool for a tool's input schema and call_tool to run it.",
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What you want to do, e.g. "send a slack message".' },
        limit: { type: 'integer', minimum: 1, maximum: 50, description: 'How many results (default 10).' },
      },
      required: ['query'],
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
  },
  {
    name: 'describe_tool',
    description:
      "Show one tool's description, input schema and annotations, by the name search_tools returned.",
    inputSchema: {
      type: 'object',
      properties: { name: { type: 'string', description: 'The tool name.' } },
      required: ['name'],
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
  },
  {
    name: 'call_tool',
    description:
      "Run one of this customer's tools by name with its arguments (see describe_tool for the schema).",
    inputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The tool name.' },
        arguments: { type: 'object', description: "The tool's arguments." },
      },
      required: ['name'],
    },
    annotations: { openWorldHint: true },
  },
];

const textResult = (text: string, structured?: Record<string, unknown>, isError = false): CallToolResult => ({
  content: [{ type: 'text', text }],
  ...(structured ? { structuredContent: structured } : {}),
  ...(isError ? { isError } : {}),
});

export function instructionsFor(customer: Customer, toolCount: number, search: boolean): string {
  if (toolCount === 0) return EMPTY_TOOLSET_MESSAGE;
  const how = search
    ? `${toolCount} tools are available through search: call search_tools with what you want to do, describe_tool for a schema, and call_tool to run one.`
    : `${toolCount} tools act in ${customer.name}'s connected systems.`;
  return `Portico gateway for customer ${customer.name} (${customer.id}). ${how}`;
}

const SEARCH_TOOLS_JSON = JSON.stringify({ tools: SEARCH_TOOLS });

/**
 * A session's direct handling of its hottest requests, next to the SDK server that handles the
 * rest. Results are the same as the server's handlers give; only the transport work (web
 * Request/Response conversion, SSE framing, re-validating our own messages) is skipped.
 */
export interface FastPath {
  /** The serialized `result` of tools/list. */
  listTools(): string;
  callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
  /** resources/read's result (a thrown McpError keeps its code). */
  readResource?(uri: string, signal: AbortSignal): Promise<unknown>;
  /** True when this tools/call must take the SDK path (its approval is asked in the client). */
  sdkOnly?(name: string, args: Record<string, unknown>): boolean;
}

/** The question an approval asks in the AI client (MCP elicitation, a titled single choice). */
function approvalQuestion(customer: Customer) {
  return {
    type: 'object' as const,
    properties: {
      decision: {
        type: 'string' as const,
        title: 'Decision',
        oneOf: [
          { const: 'allow', title: 'Allow once' },
          { const: 'session', title: 'Allow for this session' },
          { const: 'always', title: `Always allow this tool for ${customer.name}` },
          { const: 'deny', title: 'Deny' },
        ],
      },
    },
    required: ['decision'],
  };
}

/** The client's answer as a decision; "decline" and "cancel" (dismissed) deny. */
function elicitedDecision(result: { action: string; content?: Record<string, unknown> }): ElicitedDecision {
  if (result.action !== 'accept') return { decision: 'deny' };
  const choice = result.content?.decision;
  if (choice === 'allow') return { decision: 'allow' };
  if (choice === 'session' || choice === 'always') return { decision: 'allow', remember: choice };
  return { decision: 'deny' };
}

/** The data-plane MCP server of one customer session, with its fast path for tools/list and plain tools/call. */
export function createCustomerMcpServer(
  customer: Customer,
  runtime: GatewayRuntime,
  keyId: string,
  /** Its MCP session id: "allow for this session" holds wherever the session goes on. */
  sessionId: string = randomUUID(),
): { server: Server; fast: FastPath } {
  const initial = runtime.toolsets.get(customer.id);
  // This session, for "allow for this session"; what it was allowed ends with it.
  const sessionRef = sessionId;
  const server = new Server(
    { name: `portico-${customer.id}`, title: `Portico gateway — ${customer.name}`, version: VERSION },
    {
      capabilities: { tools: { listChanged: true }, ...AGGREGATOR_CAPABILITIES },
      instructions: withUpstreamInstructions(
        instructionsFor(customer, initial.tools.length, initial.mode === 'search'),
        runtime,
        customer.id,
      ),
    },
  );
  const listTools = () => {
    const toolset = runtime.toolsets.get(customer.id);
    return { tools: toolset.mode === 'search' && toolset.tools.length ? SEARCH_TOOLS : toolset.listing };
  };
  // The session's tools/call ids in flight (each with a signal that fires when it ends): an
  // upstream's elicitation or sampling request goes on one's stream, and is withdrawn when it ends.
  const calls = new Map<string | number, AbortSignal>();
  const aggregator = registerAggregator(server, runtime, customer.id, sessionRef, calls);
  server.onclose = () => {
    runtime.approvals.forgetSession(sessionRef);
    aggregator.close();
  };
  server.setRequestHandler(ListToolsRequestSchema, listTools);
  const canElicit = () => server.getClientCapabilities()?.elicitation !== undefined;
  /** The tool a call runs (search mode's call_tool names it in its arguments). */
  const target = (name: string, args: Record<string, unknown>) =>
    name === 'call_tool' && runtime.toolsets.get(customer.id).mode === 'search'
      ? String(args.name ?? '')
      : name;
  const callTool = async (
    name: string,
    args: Record<string, unknown>,
    ctx: CallContext,
  ): Promise<CallToolResult> => {
    const toolset = runtime.toolsets.get(customer.id);
    if (toolset.mode === 'search') {
      if (name === 'search_tools') {
        const query = typeof args.query === 'string' ? args.query : '';
        if (!query.trim()) return textResult('search_tools needs a non-empty `query`.', undefined, true);
        const limit = Math.min(50, Math.max(1, Number(args.limit) || 10));
        const hits = toolset.search().search(query, limit);
        const tools = hits.map((h) => ({
          name: h.entry.name,
          description: h.entry.description.slice(0, 300),
          score: Math.round(h.score * 100) / 100,
        }));
        const text = tools.length
          ? tools.map((t) => `${t.name} — ${t.description}`).join('\n')
          : `No tools match "${query}". Try other words.`;
        return textResult(text, { tools });
      }
      if (name === 'describe_tool') {
        const entry = toolset.byName.get(String(args.name ?? ''));
        if (!entry)
          return textResult(
            `No tool "${String(args.name)}". Use search_tools to find tool names.`,
            undefined,
            true,
          );
        const listing = toolset.listing.find((t) => t.name === entry.name) as Tool;
        return textResult(JSON.stringify(listing, null, 2), listing as unknown as Record<string, unknown>);
      }
      if (name === 'call_tool') {
        const target = String(args.name ?? '');
        const inner = (args.arguments ?? {}) as Record<string, unknown>;
        if (typeof inner !== 'object' || Array.isArray(inner))
          return textResult('`arguments` must be an object.', undefined, true);
        return runtime.call(customer.id, target, inner, ctx);
      }
    }
    return runtime.call(customer.id, name, args, ctx);
  };
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const progressToken = request.params._meta?.progressToken;
    // Progress notes are sent before the result, so none arrives after the client has its answer.
    const sent: Promise<void>[] = [];
    const elicit = async (message: string, approval: ApprovalView, signal: AbortSignal) => {
      const result = await server.elicitInput(
        { mode: 'form', message, requestedSchema: approvalQuestion(customer) },
        {
          relatedRequestId: extra.requestId,
          signal,
          timeout: Math.max(1000, Date.parse(approval.expires_at) - Date.now()),
        },
      );
      return elicitedDecision(result);
    };
    const scope = aggregator.scope();
    const ctx: CallContext = {
      signal: extra.signal,
      keyId,
      sessionRef,
      ...(scope ? { scope } : {}),
      ...(canElicit() ? { elicit } : {}),
      onprogress:
        progressToken === undefined
          ? undefined
          : (p: { progress: number; total?: number; message?: string }) => {
              // The client may be gone by now: a lost progress note must not become an unhandled rejection.
              sent.push(
                extra
                  .sendNotification({ method: 'notifications/progress', params: { progressToken, ...p } })
                  .catch(() => {}),
              );
            },
    };
    const ended = new AbortController();
    calls.set(extra.requestId, ended.signal);
    let result: CallToolResult;
    try {
      result = await callTool(name, args, ctx);
    } finally {
      calls.delete(extra.requestId);
      // A question its upstream asked and gave up on is withdrawn before the answer goes out.
      ended.abort(new Error('The call it was asked for has ended.'));
    }
    if (sent.length) {
      await Promise.all(sent);
      // A turn of the event loop, so the last note leaves before the result rather than in the same write.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return result;
  });
  const fast: FastPath = {
    listTools() {
      const toolset = runtime.toolsets.get(customer.id);
      return toolset.mode === 'search' && toolset.tools.length ? SEARCH_TOOLS_JSON : toolset.listJson;
    },
    callTool: (name, args, signal) => callTool(name, args, { signal, keyId, sessionRef }),
    readResource: (uri, signal) => aggregator.readResource(uri, signal),
    sdkOnly: (name, args) =>
      // An MCP upstream may ask this session's client something mid-call: that needs the SSE stream.
      (aggregator.scope() !== undefined &&
        runtime.toolsets.get(customer.id).byName.get(target(name, args))?.connector.kind === 'mcp') ||
      (canElicit() && runtime.approvalRequired(customer.id, target(name, args), sessionRef)),
  };
  return { server, fast };
}
