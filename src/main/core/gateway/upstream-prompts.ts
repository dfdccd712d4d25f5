import {
  type CompleteRequest,
  type CompleteResult,
  ErrorCode,
  type GetPromptResult,
  McpError,
  type Prompt,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpConnector } from '../connectors/mcp-upstream';
import { curatedNames } from './curation';
import {
  type AggregatorContext,
  acrossConnectors,
  listResourceTemplates,
  resourceCandidates,
} from './upstream-resources';

const MAX_PAGES = 50;

interface PromptRoute {
  connector: McpConnector;
  /** The upstream's name of the prompt. */
  name: string;
}

/**
 * The customer's prompts: named like its tools (`<connector_slug>__<prompt>`, or the upstream's own
 * name with `bare` naming where unique, or the customer's rename), hidden ones left out — all by
 * curation.ts. Remembers which upstream prompt each name stands for.
 */
async function curatedPrompts(
  ctx: AggregatorContext,
  signal?: AbortSignal,
): Promise<{ prompts: Prompt[]; routes: Map<string, PromptRoute> }> {
  const lists = await acrossConnectors(
    ctx,
    'prompts',
    async (client, options) => {
      const prompts: Prompt[] = [];
      let cursor: string | undefined;
      for (let n = 0; n < MAX_PAGES; n += 1) {
        const page = await client.listPrompts(cursor ? { cursor } : {}, options);
        prompts.push(...page.prompts);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return prompts;
    },
    signal,
  );
  const all = lists.flatMap(({ connector, value }) =>
    [...value]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((prompt) => ({ connector, prompt })),
  );
  const { names } = curatedNames(
    ctx.customer(),
    'prompt',
    all.map(({ connector, prompt }) => ({
      connectorId: connector.id,
      slug: connector.slug,
      name: prompt.name,
    })),
  );
  const prompts: Prompt[] = [];
  const routes = new Map<string, PromptRoute>();
  all.forEach(({ connector, prompt }, i) => {
    const name = names[i];
    if (name === undefined) return; // hidden by the customer's curation
    routes.set(name, { connector, name: prompt.name });
    prompts.push({ ...prompt, name });
  });
  ctx.sessions.prompts.set(ctx.session.customerId, routes);
  return { prompts, routes };
}

/** The upstream prompt a customer's prompt name stands for (listing again when it is not known yet). */
async function promptRoute(ctx: AggregatorContext, name: string, signal?: AbortSignal): Promise<PromptRoute> {
  const known = ctx.sessions.prompts.get(ctx.session.customerId)?.get(name);
  const exposed = (r: PromptRoute | undefined) => r && ctx.connectors().some((c) => c.id === r.connector.id);
  if (known && exposed(known)) return known;
  const route = (await curatedPrompts(ctx, signal)).routes.get(name);
  if (!route)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown prompt "${name}": it may have been removed or hidden; list the prompts again (prompts/list).`,
    );
  return route;
}

export async function listPrompts(
  ctx: AggregatorContext,
  signal?: AbortSignal,
): Promise<{ prompts: Prompt[] }> {
  return { prompts: (await curatedPrompts(ctx, signal)).prompts };
}

export async function getPrompt(
  ctx: AggregatorContext,
  name: string,
  args: Record<string, string> | undefined,
  signal?: AbortSignal,
): Promise<GetPromptResult> {
  const target = await promptRoute(ctx, name, signal);
  return ctx.request(
    target.connector,
    (client, options) =>
      client.getPrompt({ name: target.name, ...(args ? { arguments: args } : {}) }, options),
    signal,
  );
}

/** completion/complete, for a prompt's argument or a resource template's variable, at the owning upstream. */
export async function complete(
  ctx: AggregatorContext,
  params: CompleteRequest['params'],
  signal?: AbortSignal,
): Promise<CompleteResult> {
  const { ref } = params;
  if (ref.type === 'ref/prompt') {
    const target = await promptRoute(ctx, ref.name, signal);
    return ctx.request(
      target.connector,
      (client, options) => client.complete({ ...params, ref: { ...ref, name: target.name } }, options),
      signal,
    );
  }
  if (!ctx.sessions.templates.get(ctx.session.customerId)) await listResourceTemplates(ctx, signal);
  const templates = ctx.sessions.templates.get(ctx.session.customerId);
  const owner =
    ctx.connectors().find((c) => templates?.get(c.id)?.includes(ref.uri)) ??
    resourceCandidates(ctx, ref.uri)[0]?.connector;
  if (!owner)
    throw new McpError(
      ErrorCode.InvalidParams,
      `No resource template "${ref.uri}" for this customer; list them again (resources/templates/list).`,
    );
  return ctx.request(owner, (client, options) => client.complete(params, options), signal);
}
