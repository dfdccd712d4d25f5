import { z } from 'zod';
import type { ActivityLog } from '../activity/activity-log';
import type { KeyUsage } from '../auth/key-usage';
import type { EventBus } from '../events/event-bus';
import type { ServerInfo } from '../server/server-info';
import type { WorkspaceStore } from '../store/workspace-store';
import type { WebhookDispatcher } from '../webhooks/dispatcher';

/** What every admin tool handler may use. The same context serves MCP, the CLI and the UI API. */
export interface AdminContext {
  store: WorkspaceStore;
  /** Last-used times of keys; absent outside a server process (read from disk then). */
  keyUsage?: KeyUsage;
  /** The server this context runs inside, or the one found for this data dir (CLI). */
  server(): ServerInfo | null;
  /** Where tools announce what they changed (webhooks listen). */
  events: EventBus;
  activity: ActivityLog;
  /** The server's webhook dispatcher; absent → dispatcherFor(ctx) makes a queue-only one. */
  webhooks?: WebhookDispatcher;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface AdminTool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  handler(input: z.infer<I>, ctx: AdminContext): z.infer<O> | Promise<z.infer<O>>;
}

/** Identity function that keeps each tool's input/output types tied to its schemas. */
export const defineTool = <I extends z.ZodObject, O extends z.ZodObject>(
  tool: AdminTool<I, O>,
): AdminTool<I, O> => tool;

/** A failure the user can act on; its message is shown as-is. */
export class ToolError extends Error {}

export type CallResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

export interface ToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return json;
}

export function formatZodError(tool: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length ? `\`${issue.path.join('.')}\`` : 'input';
    if (issue.code === 'unrecognized_keys')
      return `unexpected field(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')}`;
    return `${where}: ${issue.message}`;
  });
  return `Invalid arguments for ${tool}: ${parts.join('; ')}. See the tool's inputSchema for the expected fields.`;
}

/** The one registry of admin operations, served as MCP tools, `portico admin`, and the UI API. */
export class AdminRegistry {
  readonly #tools = new Map<string, AdminTool>();
  readonly #listing: ToolListing[];

  constructor(tools: readonly AdminTool[]) {
    for (const tool of tools) {
      if (this.#tools.has(tool.name)) throw new Error(`duplicate admin tool ${tool.name}`);
      this.#tools.set(tool.name, tool);
    }
    this.#listing = tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: toJsonSchema(tool.input, 'input'),
      outputSchema: toJsonSchema(tool.output, 'output'),
      annotations: { title: tool.title, ...tool.annotations },
    }));
  }

  /** Tool listings with JSON Schemas, computed once. */
  list(): readonly ToolListing[] {
    return this.#listing;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  async call(name: string, args: unknown, ctx: AdminContext): Promise<CallResult> {
    const tool = this.#tools.get(name);
    if (!tool) {
      return {
        ok: false,
        error: `Unknown admin tool "${name}". List the tools (tools/list, or \`portico admin --help\`) to see the available names.`,
      };
    }
    const parsed = tool.input.safeParse(args ?? {});
    if (!parsed.success) return { ok: false, error: formatZodError(name, parsed.error) };
    try {
      const value = await tool.handler(parsed.data, ctx);
      // A change is acknowledged only once it is on disk.
      await ctx.store.flushed();
      return { ok: true, value: value as Record<string, unknown> };
    } catch (error) {
      if (error instanceof ToolError) return { ok: false, error: error.message };
      if (error instanceof z.ZodError) return { ok: false, error: formatZodError(name, error) };
      return { ok: false, error: `${name} failed: ${(error as Error).message}` };
    }
  }
}
