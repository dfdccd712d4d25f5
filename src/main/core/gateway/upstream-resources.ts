import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  McpError,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpConnector } from '../connectors/mcp-upstream';
import type { Customer } from '../store/schema';
import { isHidden } from './curation';
import type { AggregatorSession, GatewaySessions, ResourceRoute } from './gateway-sessions';

/** What the aggregator's handlers need of one customer session. */
export interface AggregatorContext {
  session: AggregatorSession;
  sessions: GatewaySessions;
  /** The customer's exposed MCP connectors, by slug. */
  connectors(): McpConnector[];
  /** The customer as it is now (its curation: curation.ts). */
  customer(): Customer | undefined;
  /** A request on the session's upstream session of a connector (credentials, scrubbing: pipeline.ts). */
  request<T>(
    connector: McpConnector,
    send: (client: Client, options: RequestOptions) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>;
}

/** JSON-RPC error of an unknown resource (MCP: -32002). */
export const RESOURCE_NOT_FOUND = -32002;
const MAX_PAGES = 50;

/**
 * CONTRACT §4 / README: a resource keeps the URI its upstream gave it unless a connector earlier in
 * slug order already lists that URI; the later one is then shown as
 * `portico://<connector_slug>/<the upstream URI, percent-encoded>`.
 */
export const collisionUri = (slug: string, uri: string) => `portico://${slug}/${encodeURIComponent(uri)}`;

/** The connector and upstream URI a `portico://slug/…` URI names, if it is one. */
function parseCollisionUri(uri: string, connectors: McpConnector[]): ResourceRoute | undefined {
  const match = /^portico:\/\/([^/]+)\/(.+)$/.exec(uri);
  const connector = match && connectors.find((c) => c.slug === match[1]);
  if (!match || !connector) return undefined;
  try {
    return { connector, uri: decodeURIComponent(match[2] as string) };
  } catch {
    return undefined;
  }
}

/** Every page of a listing, bounded. */
async function allPages<T>(
  page: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n += 1) {
    const result = await page(cursor);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/**
 * Runs `each` for every exposed connector offering `capability`, in slug order. A connector that
 * fails is left out (and reported) unless all fail.
 */
export async function acrossConnectors<T>(
  ctx: AggregatorContext,
  capability: 'resources' | 'prompts',
  each: (client: Client, options: RequestOptions) => Promise<T>,
  signal?: AbortSignal,
): Promise<{ connector: McpConnector; value: T }[]> {
  const connectors = ctx.connectors();
  const settled = await Promise.allSettled(
    connectors.map((connector) =>
      ctx.request(
        connector,
        async (client, options) =>
          client.getServerCapabilities()?.[capability] ? each(client, options) : undefined,
        signal,
      ),
    ),
  );
  const out: { connector: McpConnector; value: T }[] = [];
  const errors: string[] = [];
  settled.forEach((s, i) => {
    const connector = connectors[i] as McpConnector;
    if (s.status === 'fulfilled') {
      if (s.value !== undefined) out.push({ connector, value: s.value });
    } else errors.push(s.reason instanceof Error ? s.reason.message : String(s.reason));
  });
  if (errors.length && !out.length && errors.length === connectors.length) throw new Error(errors.join(' '));
  return out;
}

export async function listResources(
  ctx: AggregatorContext,
  signal?: AbortSignal,
): Promise<{ resources: Resource[] }> {
  const lists = await acrossConnectors(
    ctx,
    'resources',
    (client, options) =>
      allPages(async (cursor) => {
        const page = await client.listResources(cursor ? { cursor } : {}, options);
        return { items: page.resources, nextCursor: page.nextCursor };
      }),
    signal,
  );
  const routes = new Map<string, ResourceRoute>();
  const resources: Resource[] = [];
  for (const { connector, value } of lists) {
    for (const resource of value) {
      if (isHidden(ctx.customer(), connector.id, 'resource', resource.uri)) continue;
      const uri = routes.has(resource.uri) ? collisionUri(connector.slug, resource.uri) : resource.uri;
      if (routes.has(uri)) continue; // the same resource listed twice by one upstream
      routes.set(uri, { connector, uri: resource.uri });
      resources.push(uri === resource.uri ? resource : { ...resource, uri });
    }
  }
  ctx.sessions.routes.set(ctx.session.customerId, routes);
  return { resources };
}

export async function listResourceTemplates(
  ctx: AggregatorContext,
  signal?: AbortSignal,
): Promise<{ resourceTemplates: ResourceTemplate[] }> {
  const lists = await acrossConnectors(
    ctx,
    'resources',
    (client, options) =>
      allPages(async (cursor) => {
        const page = await client.listResourceTemplates(cursor ? { cursor } : {}, options);
        return { items: page.resourceTemplates, nextCursor: page.nextCursor };
      }),
    signal,
  );
  const shown = lists.map(({ connector, value }) => ({
    connector,
    value: value.filter((t) => !isHidden(ctx.customer(), connector.id, 'resource', t.uriTemplate)),
  }));
  ctx.sessions.templates.set(
    ctx.session.customerId,
    new Map(shown.map(({ connector, value }) => [connector.id, value.map((t) => t.uriTemplate)])),
  );
  return { resourceTemplates: shown.flatMap((l) => l.value) };
}

/** The literal start of a URI template (up to its first expression). */
const templatePrefix = (template: string) => template.split('{')[0] ?? '';

/**
 * Where a URI the customer names may live: a `portico://` URI's connector, the connector that
 * listed it, then connectors whose templates it fits, then the rest (in slug order).
 */
export function resourceCandidates(ctx: AggregatorContext, uri: string): ResourceRoute[] {
  // A resource the customer's curation hides can't be read or subscribed to either.
  return routesOf(ctx, uri).filter((r) => !isHidden(ctx.customer(), r.connector.id, 'resource', r.uri));
}

function routesOf(ctx: AggregatorContext, uri: string): ResourceRoute[] {
  const connectors = ctx.connectors();
  const named = parseCollisionUri(uri, connectors);
  if (named) return [named];
  const listed = ctx.sessions.routes.get(ctx.session.customerId)?.get(uri);
  if (listed && connectors.some((c) => c.id === listed.connector.id)) return [listed];
  const templates = ctx.sessions.templates.get(ctx.session.customerId);
  const fits = (c: McpConnector) =>
    (templates?.get(c.id) ?? []).some((t) => templatePrefix(t) && uri.startsWith(templatePrefix(t)));
  return [...connectors.filter(fits), ...connectors.filter((c) => !fits(c))].map((connector) => ({
    connector,
    uri,
  }));
}

export async function readResource(
  ctx: AggregatorContext,
  uri: string,
  signal?: AbortSignal,
): Promise<ReadResourceResult> {
  const candidates = resourceCandidates(ctx, uri);
  let failure: unknown;
  for (const route of candidates) {
    try {
      const result = await ctx.request(
        route.connector,
        (client, options) => client.readResource({ uri: route.uri }, options),
        signal,
      );
      if (route.uri === uri) return result;
      // The customer named it by its portico:// URI: the contents say so too.
      return { ...result, contents: result.contents.map((c) => (c.uri === route.uri ? { ...c, uri } : c)) };
    } catch (error) {
      failure ??= error;
      // The only place it could be failed for another reason than not having it (unreachable…).
      const notFound = error instanceof Error && /-32002\b|not found/i.test(error.message);
      if (candidates.length === 1 && !notFound) throw error;
    }
  }
  throw new McpError(
    RESOURCE_NOT_FOUND,
    `Resource not found: ${uri}. No connector of this customer could read it${failure instanceof Error ? ` (${failure.message})` : ''}; list the resources (resources/list) or templates (resources/templates/list) again.`,
    { uri },
  );
}

/** Subscribes the session to a resource on its upstream (updates come back to it: GatewaySessions). */
export async function subscribe(ctx: AggregatorContext, uri: string, signal?: AbortSignal): Promise<void> {
  const route = resourceCandidates(ctx, uri)[0];
  if (!route)
    throw new McpError(
      RESOURCE_NOT_FOUND,
      `Resource not found: ${uri}. This customer exposes no MCP connector.`,
    );
  await ctx.request(
    route.connector,
    (client, options) => client.subscribeResource({ uri: route.uri }, options),
    signal,
  );
  ctx.session.subscriptions.set(uri, route);
}

/** Ends the session's subscription; the upstream is told once no other session needs it. */
export async function unsubscribe(ctx: AggregatorContext, uri: string, signal?: AbortSignal): Promise<void> {
  const route = ctx.session.subscriptions.get(uri);
  if (!route) return;
  ctx.session.subscriptions.delete(uri);
  if (ctx.sessions.stillSubscribed(ctx.session, route)) return;
  await ctx.request(
    route.connector,
    (client, options) => client.unsubscribeResource({ uri: route.uri }, options),
    signal,
  );
}
