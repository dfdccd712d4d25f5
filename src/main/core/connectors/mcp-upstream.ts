import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Action, Connector } from '../store/schema';
import { VERSION } from '../util/version';
import { guardedMcpFetch } from './network-guard';
import { loginShellPath } from './shell-path';

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
): Promise<UpstreamHandle> {
  const client = new Client({ name: 'portico', version: VERSION });
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

/** Opens an MCP client to the connector's upstream (stdio child or Streamable HTTP). */
export async function connectUpstream(
  connector: McpConnector,
  secrets: UpstreamSecrets,
  timeoutMs = 30_000,
): Promise<Client> {
  return (await openUpstream(connector, secrets, timeoutMs)).client;
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

/** Upstream tools as actions, keeping their schemas and annotations, and the enabled flags already set. */
export function toolsToActions(tools: readonly Tool[], existing: readonly Action[]): Action[] {
  const enabled = new Map(existing.map((a) => [a.upstreamName ?? a.name, a.enabled]));
  return tools.map((tool) => ({
    name: tool.name,
    upstreamName: tool.name,
    title: tool.title ?? tool.annotations?.title,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema as Record<string, unknown>,
    outputSchema: tool.outputSchema as Record<string, unknown> | undefined,
    annotations: { ...(tool.annotations ?? {}) },
    enabled: enabled.get(tool.name) ?? true,
  }));
}
