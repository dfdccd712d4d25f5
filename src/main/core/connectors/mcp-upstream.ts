import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type ClientCapabilities,
  ErrorCode,
  McpError,
  type Request,
  type Result,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Action, Connector } from '../store/schema';
import { VERSION } from '../util/version';
import { guardedMcpFetch } from './network-guard';
import { loginShellPath } from './shell-path';
import { scanTool } from './tool-scan';

export type McpConnector = Extract<Connector, { kind: 'mcp' }>;

export interface UpstreamSecrets {
  env?: Record<string, string>;
  headers?: Record<string, string>;
}

/** A connected upstream: the client, plus what helps explain its failures. */
export interface UpstreamHandle {
  client: Client;
  /** Where it runs: `command args…` for stdio, the URL for HTTP. */
  where: string;
  /** The stdio child's pid (null for HTTP). */
  pid: number | null;
  /** The last lines the stdio child wrote to stderr, for error messages. */
  stderrTail(): string;
  /** Ends the session (an HTTP upstream is told with DELETE) and waits for a stdio child to exit. */
  close(): Promise<void>;
}

/**
 * Who answers what an upstream asks its client (elicitation, sampling): the gateway session the
 * upstream session was opened for. It throws an McpError (sent back to the upstream as is) when
 * its client cannot answer.
 */
export interface UpstreamClientRole {
  answer(request: Request, signal: AbortSignal): Promise<Result>;
}

/**
 * What every upstream session declares, whoever its client is: the same capabilities everywhere,
 * so an upstream that offers some tools only to clients able to answer (server-everything does)
 * shows every session, and discovery, the same tools. Whether the gateway client behind it can
 * answer is decided per request (client-requests.ts).
 */
export const UPSTREAM_CLIENT_CAPABILITIES: ClientCapabilities = {
  elicitation: { form: {}, url: {} },
  sampling: { tools: {} },
};

/** What an upstream asking a session that has no client to ask (the customer's shared session, discovery) gets. */
export function refuse(
  request: Request,
  why = "this upstream session is shared by the customer's gateway sessions whose AI clients did not declare it",
): never {
  const capability = request.method.startsWith('sampling/')
    ? 'sampling'
    : request.method.startsWith('elicitation/')
      ? 'elicitation'
      : undefined;
  if (!capability) throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
  throw new McpError(
    ErrorCode.InvalidRequest,
    `Portico cannot forward ${request.method}: ${why} — no AI client here declared the \`${capability}\` capability, so there is no one to ask. Do without it, or have the user connect with a client that supports ${capability}.`,
  );
}

/**
 * The upstream refused the credentials (HTTP 401): for an OAuth connection, worth one refresh and
 * one retry with the new token.
 */
export class UpstreamUnauthorizedError extends Error {}

/** Whether an error is an HTTP 401 from a Streamable HTTP upstream. */
export const isUnauthorized = (error: unknown): boolean =>
  error instanceof UpstreamUnauthorizedError || (error instanceof StreamableHTTPError && error.code === 401);

/** An error's message, with the network cause (ECONNREFUSED, ENOTFOUND…) when fetch hid it. */
export function describeError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message;
  return detail && !message.includes(detail) ? `${message} (${detail})` : message;
}

function describeUpstream(connector: McpConnector): string {
  return connector.transport === 'stdio'
    ? `\`${[connector.command, ...connector.args].join(' ')}\``
    : connector.url;
}

/**
 * Opens an MCP client to the connector's upstream: a stdio child started with the secrets'
 * env (over a minimal default environment and the login shell's PATH — never Portico's own
 * environment), or a Streamable HTTP session sending the secrets' headers (only to the URL's
 * origin: see guardedMcpFetch, which also bounds each message).
 */
export async function openUpstream(
  connector: McpConnector,
  secrets: UpstreamSecrets,
  timeoutMs = 30_000,
  role?: UpstreamClientRole,
): Promise<UpstreamHandle> {
  const client = new Client(
    { name: 'portico', version: VERSION },
    { capabilities: UPSTREAM_CLIENT_CAPABILITIES },
  );
  // Elicitation and sampling go to the gateway session the upstream session was opened for (which
  // refuses what its client did not declare); without one, the upstream gets a clear McpError.
  client.fallbackRequestHandler = async (request, extra) => {
    if (request.method !== 'elicitation/create' && request.method !== 'sampling/createMessage')
      throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`);
    if (!role) refuse(request);
    return role.answer(request, extra.signal);
  };
  const transport =
    connector.transport === 'stdio'
      ? new StdioClientTransport({
          command: connector.command,
          args: connector.args,
          env: { ...getDefaultEnvironment(), PATH: await loginShellPath(), ...secrets.env },
          stderr: 'pipe',
        })
      : new StreamableHTTPClientTransport(new URL(connector.url), {
          requestInit: { headers: secrets.headers ?? {} },
          // Redirects stay within the origin (the headers carry credentials); messages are bounded.
          fetch: guardedMcpFetch(),
        });
  // The SDK closes the transport itself when initialize fails, without waiting; every later
  // close() gets that same promise, so awaiting client.close() waits for the child to exit.
  const closeTransport = transport.close.bind(transport);
  let closing: Promise<void> | undefined;
  transport.close = () => {
    closing ??= closeTransport();
    return closing;
  };
  let stderr = '';
  if (transport instanceof StdioClientTransport) {
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
  }
  const stderrTail = () => stderr.trim().split('\n').slice(-3).join(' | ');
  const where = describeUpstream(connector);
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (error) {
    await client.close().catch(() => {});
    const tail = stderrTail() ? ` Its stderr said: ${stderrTail()}` : '';
    const reason = describeError(error).replace(/\.$/, '');
    if (isUnauthorized(error))
      throw new UpstreamUnauthorizedError(`The MCP server ${where} refused the credentials (HTTP 401).`);
    throw new Error(`Could not connect to the MCP server ${where}: ${reason}.${tail}`);
  }
  return {
    client,
    where,
    pid: transport instanceof StdioClientTransport ? transport.pid : null,
    stderrTail,
    async close() {
      if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
        // Best effort, and brief: a dead upstream must not hold up a shutdown.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          transport.terminateSession().catch(() => {}),
          new Promise((resolve) => {
            timer = setTimeout(resolve, 1_000);
          }),
        ]);
        clearTimeout(timer);
      }
      await client.close().catch(() => {});
    },
  };
}

/** Opens an MCP client to the connector's upstream (stdio child or Streamable HTTP), for discovery. */
export async function connectUpstream(
  connector: McpConnector,
  secrets: UpstreamSecrets,
  timeoutMs = 30_000,
): Promise<Client> {
  const role: UpstreamClientRole = {
    answer: async (request) => refuse(request, 'Portico is only reading its tools'),
  };
  return (await openUpstream(connector, secrets, timeoutMs, role)).client;
}

/** Every tool of an upstream, following pagination. */
export async function listAllTools(client: Client, timeoutMs = 30_000): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

/** The parts of an upstream tool definition that are pinned: what the model reads and sends. */
export function toolDefinition(tool: Tool): Record<string, unknown> {
  return {
    name: tool.name,
    ...(tool.title !== undefined ? { title: tool.title } : {}),
    description: tool.description ?? '',
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined ? { outputSchema: tool.outputSchema } : {}),
    annotations: tool.annotations ?? {},
  };
}

/** JSON with sorted keys, so equal definitions hash equally. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

export const definitionHash = (tool: Tool): string =>
  createHash('sha256')
    .update(canonical(toolDefinition(tool)))
    .digest('hex');

/** The definition an action was built from (for a held change's "before"). */
function actionDefinition(action: Action): Record<string, unknown> {
  return {
    name: action.upstreamName ?? action.name,
    ...(action.title !== undefined ? { title: action.title } : {}),
    description: action.description,
    inputSchema: action.inputSchema,
    ...(action.outputSchema !== undefined ? { outputSchema: action.outputSchema } : {}),
    annotations: action.annotations,
  };
}

function toAction(tool: Tool, enabled: boolean): Action {
  return {
    name: tool.name,
    upstreamName: tool.name,
    title: tool.title ?? tool.annotations?.title,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema as Record<string, unknown>,
    outputSchema: tool.outputSchema as Record<string, unknown> | undefined,
    annotations: { ...(tool.annotations ?? {}) },
    enabled,
    pinnedHash: definitionHash(tool),
  };
}

/**
 * Upstream tools as actions, keeping their schemas and annotations, and the enabled flags already
 * set. Each action pins the hash of its upstream definition. A tool whose definition differs from
 * its pinned one keeps the approved action, with the new definition as its `pendingChange` (held
 * back from customers until approve_tool_changes) — unless `trustUpdates`. New tools are not held.
 */
export function toolsToActions(
  tools: readonly Tool[],
  existing: readonly Action[],
  trustUpdates = false,
): Action[] {
  const byName = new Map(existing.map((a) => [a.upstreamName ?? a.name, a]));
  return tools.map((tool) => {
    const old = byName.get(tool.name);
    const fresh = toAction(tool, old?.enabled ?? true);
    if (!old?.pinnedHash || old.pinnedHash === fresh.pinnedHash || trustUpdates) return fresh;
    const hash = fresh.pinnedHash ?? '';
    const { pendingChange, ...approved } = old;
    // The same held change stays as it was (its id and time), so re-listing changes nothing.
    if (pendingChange?.hash === hash) return old;
    return {
      ...approved,
      pendingChange: {
        id: `chg_${hash.slice(0, 16)}`,
        at: new Date().toISOString(),
        hash,
        before: actionDefinition(approved),
        after: toolDefinition(tool),
        findings: scanTool(tool),
      },
    };
  });
}

/** The pending changes in `after` that `before` did not hold yet (for tool.changed events). */
export function newlyHeld(
  before: readonly Action[],
  after: readonly Action[],
): { change_id: string; tool: string; findings: number }[] {
  const known = new Set(before.map((a) => a.pendingChange?.id).filter(Boolean));
  return after
    .filter((a) => a.pendingChange && !known.has(a.pendingChange.id))
    .map((a) => ({
      change_id: a.pendingChange?.id ?? '',
      tool: a.name,
      findings: a.pendingChange?.findings.length ?? 0,
    }));
}

/** An action with its held change accepted: the new definition becomes the pinned one. */
export function approvedAction(action: Action): Action {
  const change = action.pendingChange;
  if (!change) return action;
  const { pendingChange: _, ...rest } = action;
  return { ...toAction(change.after as unknown as Tool, rest.enabled), name: rest.name };
}
