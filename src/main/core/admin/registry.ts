import { z } from 'zod';
import type { CallResult, ToolAnnotations, ToolContract } from '../../../shared/admin/contract';
import { coerceScalars, type ScalarFix } from '../../../shared/schemas/coerce';
import { portableSchema } from '../../../shared/schemas/portable';
import type { ActivityLog, EntryPoint } from '../activity/activity-log';
import type { KeyUsage } from '../auth/key-usage';
import type { EventBus, EventType } from '../events/event-bus';
import type { ApprovalHub } from '../gateway/approvals';
import type { CallPipeline } from '../gateway/pipeline';
import type { ServerInfo } from '../store/server-info';
import { type WorkspaceStore, WriteConflictError } from '../store/workspace-store';
import { redact } from '../util/log';
import { protoKeyMessage, protoKeyPath } from '../util/proto-keys';
import type { WebhookDispatcher } from '../webhooks/dispatcher';

export type { CallResult, ToolAnnotations, ToolContract };

/** What every admin operation may use; one set per process (server, CLI command, desktop app). */
export interface AdminServices {
  store: WorkspaceStore;
  keyUsage: KeyUsage;
  /** The process's event bus: webhooks and the UI listen; the registry emits a call's events once it is saved. */
  events: EventBus;
  activity: ActivityLog;
  /** The webhook dispatcher (a CLI process's only queues deliveries; the server delivers them). */
  webhooks: WebhookDispatcher;
  /** The gateway's call pipeline, for test_action (the very path tools/call takes). */
  pipeline?: CallPipeline;
  /** Calls waiting for approval, in the server that holds them (none in a CLI process). */
  approvals?: ApprovalHub;
  /** The server this runs inside, or the one found for this data dir (CLI). */
  server(): ServerInfo | null;
}

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

/** Who is calling, through which door. Recorded in the activity log with every call. */
export interface Caller {
  entryPoint: EntryPoint;
  keyId?: string;
  /**
   * A person's window (the web UI's session, the desktop window): its reads are page views, not
   * activity — recording them would also make every open Activity page refetch itself forever.
   */
  pageView?: boolean;
  /** MCP progress notifications, when the client asked for them. */
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

/** Where handlers announce what they changed; the registry passes the events on once the change is saved. */
export interface EventSink {
  emit(type: EventType, data: Record<string, unknown>): void;
}

/** What a handler gets: the services, its caller, and an event sink bound to this call. */
export interface AdminContext extends Omit<AdminServices, 'events'> {
  events: EventSink;
  caller: Caller;
}

/** An admin operation: its contract (src/shared/admin) and the handler that carries it out. */
export interface AdminTool<
  N extends string = string,
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
> extends ToolContract<N, I, O> {
  handler(input: z.infer<I>, ctx: AdminContext): z.infer<O> | Promise<z.infer<O>>;
  /** For a tool that writes only with some inputs (get_client_config's include_key): when it only reads. */
  readOnlyWhen?(input: z.infer<I>): boolean;
}

/**
 * Binds a handler to its contract, keeping the tool's name, input and output types: the handler
 * gets the parsed input and must return the declared output.
 */
export const implement = <const N extends string, I extends z.ZodObject, O extends z.ZodObject>(
  contract: ToolContract<N, I, O>,
  handler: (input: z.infer<I>, ctx: AdminContext) => z.infer<O> | Promise<z.infer<O>>,
): AdminTool<N, I, O> => ({ ...contract, handler });

/** A failure the user can act on; its message is shown as-is. */
export class ToolError extends Error {}

export interface ToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
}

/** A contract's zod schema as the JSON Schema tools/list shows: in the subset every major client takes (portable.ts). */
function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return portableSchema(z.toJSONSchema(schema, { io, unrepresentable: 'any' }), io);
}

/**
 * Parses a call's input, first fixing obviously-typed scalars the client sent in the tool's own
 * fields (`"20"` for a limit, `"false"` for a boolean, `42` for an id — as MCP Inspector's form
 * does); nested values (credentials, schemas, arguments) and everything else stay as strict as the
 * contract.
 */
function parseInput<I extends z.ZodObject>(schema: I, args: unknown) {
  const input = args ?? {};
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed;
  const fixes: ScalarFix[] = [];
  for (const issue of parsed.error.issues) {
    const [field, ...nested] = issue.path;
    if (typeof field !== 'string' || nested.length) continue;
    const path = [field];
    if (issue.code === 'invalid_type') fixes.push({ path, expected: [issue.expected] });
    else if (issue.code === 'invalid_value' && issue.values.every((v) => typeof v === 'string'))
      fixes.push({ path, expected: ['string'], allowed: issue.values });
  }
  const coerced = coerceScalars(input, fixes);
  return coerced === input ? parsed : schema.safeParse(coerced);
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

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The one registry of admin operations — the only way in, for MCP, the UI's /api, Electron IPC,
 * the CLI, the tray and the OAuth callback. Every call, whatever the door: input validated, the
 * handler run, the change saved, output checked against the declared schema, the call's events
 * emitted (only once saved), and the call recorded in the activity log with its entry point.
 */
export class AdminRegistry {
  readonly #tools = new Map<string, AdminTool>();
  #listing: ToolListing[] | undefined;

  constructor(
    tools: readonly AdminTool[],
    private readonly log: (line: string) => void = () => {},
  ) {
    for (const tool of tools) {
      if (this.#tools.has(tool.name)) throw new Error(`duplicate admin tool ${tool.name}`);
      this.#tools.set(tool.name, tool);
    }
  }

  /** Tool listings with JSON Schemas, computed once, on first use (not on every start or CLI command). */
  list(): readonly ToolListing[] {
    this.#listing ??= [...this.#tools.values()].map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: toJsonSchema(tool.input, 'input'),
      outputSchema: toJsonSchema(tool.output, 'output'),
      annotations: { title: tool.title, ...tool.annotations },
    }));
    return this.#listing;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** The request body a call of this tool may send: `base`, or more for a tool that carries a document. */
  inputLimit(name: string, base: number): number {
    return Math.max(base, this.#tools.get(name)?.maxInputBytes ?? 0);
  }

  /**
   * Whether this call only reads — the tool's annotation, or for some tools its input: read-only
   * callers run it without a writable store, and the CLI's reads leave no activity row.
   */
  isReadOnly(name: string, args?: unknown): boolean {
    const tool = this.#tools.get(name);
    if (!tool) return false;
    if (tool.annotations.readOnlyHint) return true;
    if (!tool.readOnlyWhen) return false;
    const parsed = parseInput(tool.input, args);
    return parsed.success && tool.readOnlyWhen(parsed.data);
  }

  /** Runs one operation. Callers get it typed through a RegistryClient (admin/index.ts). */
  async call(name: string, args: unknown, services: AdminServices, caller: Caller): Promise<CallResult> {
    const started = performance.now();
    const result = await this.#run(name, args, services, caller);
    // Read-only commands leave no trace on disk (CONTRACT §1), also when a server answers them;
    // a window's reads are page views.
    const quiet = caller.entryPoint === 'cli' || caller.entryPoint === 'ipc' || caller.pageView === true;
    if (quiet && this.isReadOnly(name, args))
      return result.ok ? result : { ok: false, error: redact(result.error) };
    const customerId =
      args && typeof args === 'object' && 'customer_id' in args && typeof args.customer_id === 'string'
        ? args.customer_id
        : null;
    services.activity.record({
      plane: 'admin',
      entry_point: caller.entryPoint,
      customer_id: customerId,
      tool: name,
      duration_ms: Math.round(performance.now() - started),
      outcome: result.ok ? 'ok' : 'error',
      ...(result.ok ? {} : { error: result.error, args }),
      ...(caller.keyId ? { key_id: caller.keyId } : {}),
    });
    return result.ok ? result : { ok: false, error: redact(result.error) };
  }

  async #run(name: string, args: unknown, services: AdminServices, caller: Caller): Promise<CallResult> {
    const tool = this.#tools.get(name);
    if (!tool) {
      return {
        ok: false,
        error: `Unknown admin tool "${name}". List the tools (tools/list, or \`portico admin help\`) to see the available names.`,
      };
    }
    const proto = protoKeyPath(args);
    if (proto) return { ok: false, error: `Invalid arguments for ${name}: ${protoKeyMessage(proto)}` };
    const parsed = parseInput(tool.input, args);
    if (!parsed.success) return { ok: false, error: formatZodError(name, parsed.error) };
    // Another replica's commit a moment ago (the request before this one, through a load balancer).
    await services.store.catchUpIfShared();
    for (let attempt = 0; ; attempt += 1) {
      const pending: [EventType, Record<string, unknown>][] = [];
      const ctx: AdminContext = {
        ...services,
        caller,
        events: { emit: (type, data) => pending.push([type, data]) },
      };
      let value: unknown;
      try {
        value = await tool.handler(parsed.data, ctx);
        // A change is acknowledged only once it is saved; its events go out only then.
        await services.store.flushed();
      } catch (error) {
        // Another process changed the same record meanwhile: the store has caught up; run once more.
        if (error instanceof WriteConflictError && attempt === 0) continue;
        if (error instanceof ToolError || error instanceof WriteConflictError)
          return { ok: false, error: error.message };
        if (error instanceof z.ZodError) return { ok: false, error: formatZodError(name, error) };
        return { ok: false, error: `${name} failed: ${errorText(error)}` };
      }
      for (const [type, data] of pending) services.events.emit(type, data);
      const output = tool.output.safeParse(value);
      if (!output.success) {
        const issue = output.error.issues[0];
        const problem = `${issue?.path.join('.') || '(top)'}: ${issue?.message}`;
        this.log(`Bug: ${name} returned a result that does not match its output schema (${problem}).`);
        return {
          ok: false,
          error: `${name} did its work but produced a result that does not match its output schema (${problem}); this is a bug in Portico — please report it.`,
        };
      }
      return { ok: true, value: output.data };
    }
  }
}
