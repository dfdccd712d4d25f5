import {
  type CompleteRequest,
  type CompleteResult,
  ErrorCode,
  type GetPromptResult,
  McpError,
  type Prompt,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpConnector } from '../connectors/mcp-upstream';
import {
  type AggregatorContext,
  acrossConnectors,
  listResourceTemplates,
  resourceCandidates,
} from './upstream-resources';

const MAX_PAGES = 50;

/** A prompt's name as the customer sees it: `<connector_slug>__<prompt>`, like tools. */
export const promptName = (slug: string, name: string) => `${slug}__${name}`;

/** The connector and upstream prompt a customer's prompt name stands for (the longest slug wins). */
function parsePromptName(ctx: AggregatorContext, name: string): { connector: McpConnector; name: string } {
  const connector = ctx
    .connectors()
    .filter((c) => name.startsWith(`${c.slug}__`) && name.length > c.slug.length + 2)
    .sort((a, b) => b.slug.length - a.slug.length)[0];
  if (!connector)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown prompt "${name}": prompts are named <connector_slug>__<prompt>; list them again (prompts/list).`,
    );
  return { connector, name: name.slice(connector.slug.length + 2) };
}

export async function listPrompts(
  ctx: AggregatorContext,
  signal?: AbortSignal,
): Promise<{ prompts: Prompt[] }> {
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
  return {
    prompts: lists.flatMap(({ connector, value }) =>
      value.map((prompt) => ({ ...prompt, name: promptName(connector.slug, prompt.name) })),
    ),
  };
}

export async function getPrompt(
  ctx: AggregatorContext,
  name: string,
  args: Record<string, string> | undefined,
  signal?: AbortSignal,
): Promise<GetPromptResult> {
  const target = parsePromptName(ctx, name);
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
    const target = parsePromptName(ctx, ref.name);
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
