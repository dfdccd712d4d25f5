import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Action, Connector } from '../store/schema';
import { VERSION } from '../version';
import { loginShellPath } from './shell-path';

export type McpConnector = Extract<Connector, { kind: 'mcp' }>;

export interface UpstreamSecrets {
  env?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Opens an MCP client to the connector's upstream (stdio child or Streamable HTTP). */
export async function connectUpstream(
  connector: McpConnector,
  secrets: UpstreamSecrets,
  timeoutMs = 30_000,
): Promise<Client> {
  const client = new Client({ name: 'portico', version: VERSION });
  const transport =
    connector.transport === 'stdio'
      ? new StdioClientTransport({
          command: connector.command,
          args: connector.args,
          env: { ...getDefaultEnvironment(), PATH: loginShellPath(), ...secrets.env },
          stderr: 'pipe',
        })
      : new StreamableHTTPClientTransport(new URL(connector.url), {
          requestInit: { headers: secrets.headers ?? {} },
        });
  let stderr = '';
  if (transport instanceof StdioClientTransport) {
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
  }
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (error) {
    await client.close().catch(() => {});
    const where =
      connector.transport === 'stdio'
        ? `\`${[connector.command, ...connector.args].join(' ')}\``
        : connector.url;
    const tail = stderr.trim() ? ` Its stderr said: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
    throw new Error(`Could not connect to the MCP server ${where}: ${(error as Error).message}.${tail}`);
  }
  return client;
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
