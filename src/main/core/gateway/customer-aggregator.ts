import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamTarget } from '../connectors/mcp-pool';
import type { McpConnector } from '../connectors/mcp-upstream';
import { answersUpstreams, clientRole } from './client-requests';
import { exposedMcpConnectors } from './exposed-mcp';
import type { GatewayRuntime } from './gateway-runtime';
import { type AggregatorSession, LOGGING_LEVELS } from './gateway-sessions';
import { complete, getPrompt, listPrompts } from './upstream-prompts';
import {
  type AggregatorContext,
  listResources,
  listResourceTemplates,
  readResource,
  subscribe,
  unsubscribe,
} from './upstream-resources';

/** What a customer's server declares beyond tools: everything its MCP upstreams may offer. */
export const AGGREGATOR_CAPABILITIES = {
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  logging: {},
} as const;

/** The customer's instructions, followed by those of its exposed MCP upstreams that gave some. */
export function withUpstreamInstructions(base: string, runtime: GatewayRuntime, customerId: string): string {
  const parts = exposedMcpConnectors(runtime.workspace, customerId).flatMap((c) => {
    const text = runtime.pool.instructions(c.id)?.trim();
    return text ? [`## ${c.name} (${c.slug})\n${text}`] : [];
  });
  return parts.length ? `${base}\n\n${parts.join('\n\n')}` : base;
}

/**
 * Makes a customer session's server an MCP aggregator of its exposed MCP connectors: resources,
 * templates, subscriptions, prompts, completions and logging levels, each routed to the owning
 * upstream with the customer's connection. `calls` holds the session's tools/call ids in flight
 * (an upstream's elicitation or sampling request travels on the latest one's stream).
 */
export function registerAggregator(
  server: Server,
  runtime: GatewayRuntime,
  customerId: string,
  ref: string,
  calls: ReadonlyMap<string | number, AbortSignal>,
): {
  scope(): UpstreamTarget['scope'];
  readResource(uri: string, signal?: AbortSignal): ReturnType<typeof readResource>;
  close(): void;
} {
  let scope: UpstreamTarget['scope'] | null = null;
  const session: AggregatorSession = {
    ref,
    customerId,
    server,
    subscriptions: new Map(),
    scope() {
      // Known once the client has initialized; the same for the session's whole life.
      if (scope !== null) return scope;
      if (!server.getClientCapabilities()) return undefined;
      scope = answersUpstreams(server) ? { id: ref, role: clientRole(server, calls) } : undefined;
      return scope;
    },
  };
  runtime.sessions.add(session);
  const ctx: AggregatorContext = {
    session,
    sessions: runtime.sessions,
    connectors: () => exposedMcpConnectors(runtime.workspace, customerId),
    customer: () => runtime.workspace.customers[customerId],
    request: (connector: McpConnector, send, signal) =>
      runtime.pipeline.upstreamRequest(customerId, connector, session.scope(), send, signal),
  };
  server.setRequestHandler(ListResourcesRequestSchema, (_r, extra) => listResources(ctx, extra.signal));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, (_r, extra) =>
    listResourceTemplates(ctx, extra.signal),
  );
  server.setRequestHandler(ReadResourceRequestSchema, (r, extra) =>
    readResource(ctx, r.params.uri, extra.signal),
  );
  server.setRequestHandler(SubscribeRequestSchema, async (r, extra) => {
    await subscribe(ctx, r.params.uri, extra.signal);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (r, extra) => {
    await unsubscribe(ctx, r.params.uri, extra.signal);
    return {};
  });
  server.setRequestHandler(ListPromptsRequestSchema, (_r, extra) => listPrompts(ctx, extra.signal));
  server.setRequestHandler(GetPromptRequestSchema, (r, extra) =>
    getPrompt(ctx, r.params.name, r.params.arguments, extra.signal),
  );
  server.setRequestHandler(CompleteRequestSchema, (r, extra) => complete(ctx, r.params, extra.signal));
  server.setRequestHandler(SetLevelRequestSchema, async (r, extra) => {
    session.level = r.params.level;
    // Upstream sessions shared with other sessions get the most verbose level any of them chose;
    // each session then gets only what its own level lets through (GatewaySessions.log).
    const level =
      LOGGING_LEVELS.find((l) => runtime.sessions.sharing(session).some((s) => s.level === l)) ??
      r.params.level;
    // Every exposed upstream that logs is told (upstreams that fail are skipped).
    await Promise.allSettled(
      ctx.connectors().map((connector) =>
        ctx.request(
          connector,
          async (client, options) => {
            if (client.getServerCapabilities()?.logging) await client.setLoggingLevel(level, options);
          },
          extra.signal,
        ),
      ),
    );
    return {};
  });
  return {
    scope: () => session.scope(),
    readResource: (uri, signal) => readResource(ctx, uri, signal),
    close() {
      const subscribed = [...session.subscriptions.keys()];
      runtime.sessions.remove(ref);
      // Its own upstream sessions are closed; on the customer's shared one, what only it needed ends.
      if (scope) return;
      for (const uri of subscribed) void unsubscribe(ctx, uri).catch(() => {});
    },
  };
}
