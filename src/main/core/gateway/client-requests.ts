import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError, type Request, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamClientRole } from '../connectors/mcp-upstream';

/** How long a person may take to answer an elicitation (or a client's model a sampling request). */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/** What the client must have declared to answer this request, if it did not: the capability's name. */
function missingCapability(server: Server, request: Request): string | undefined {
  const declared = server.getClientCapabilities() ?? {};
  const params = (request.params ?? {}) as Record<string, unknown>;
  if (request.method === 'elicitation/create') {
    const elicitation = declared.elicitation as { form?: object; url?: object } | undefined;
    if (!elicitation) return 'elicitation';
    // MCP: an empty `elicitation: {}` means form mode only.
    if (params.mode === 'url' && !elicitation.url) return 'elicitation.url';
    if (params.mode !== 'url' && elicitation.url && !elicitation.form) return 'elicitation.form';
    return undefined;
  }
  if (!declared.sampling) return 'sampling';
  if ((params.tools !== undefined || params.toolChoice !== undefined) && !declared.sampling.tools)
    return 'sampling.tools';
  return undefined;
}

/**
 * The role a gateway session plays towards its own upstream sessions: what an upstream asks
 * (elicitation, sampling) goes to this session's client only — on the SSE stream of the tools/call
 * it is working for (`calls` holds the session's calls in flight; the latest one carries it), or on
 * the session's standalone stream when no call is running — and what its client did not declare
 * is refused with an McpError naming the missing capability. A question still open when its call
 * ends (its upstream gave up on it) is withdrawn from the client (notifications/cancelled).
 */
export function clientRole(
  server: Server,
  calls: ReadonlyMap<string | number, AbortSignal>,
): UpstreamClientRole {
  return {
    answer: async (request, signal) => {
      const missing = missingCapability(server, request);
      if (missing)
        throw new McpError(
          ErrorCode.InvalidRequest,
          `Portico cannot forward ${request.method}: the AI client of this gateway session did not declare the \`${missing}\` capability. Do without it, or have the user connect with a client that supports it.`,
        );
      const relatedRequestId = [...calls.keys()].at(-1);
      const ended = relatedRequestId === undefined ? undefined : calls.get(relatedRequestId);
      return server.request({ method: request.method, params: request.params }, ResultSchema, {
        signal: ended ? AbortSignal.any([signal, ended]) : signal,
        timeout: ANSWER_TIMEOUT_MS,
        ...(relatedRequestId !== undefined ? { relatedRequestId } : {}),
      });
    },
  };
}

/** Whether a session's client answers anything an upstream may ask (it then has upstream sessions of its own). */
export const answersUpstreams = (server: Server): boolean => {
  const declared = server.getClientCapabilities();
  return Boolean(declared?.elicitation || declared?.sampling);
};
