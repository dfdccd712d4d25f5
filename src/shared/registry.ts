// The admin registry as every caller sees it — the Admin MCP server, the CLI, the tray, the
// desktop window (IPC through the preload) and the web UI (/api): one typed client, derived from
// the contracts' zod schemas. Nothing here imports Node or src/main, so the renderer can use it.
import type { z } from 'zod';
import { actionContracts } from './admin/actions';
import { approvalContracts } from './admin/approvals';
import { authContracts } from './admin/auth';
import { catalogContracts } from './admin/catalog';
import { clientConfigContracts } from './admin/client-configs';
import { connectionContracts } from './admin/connections';
import { connectorContracts } from './admin/connectors';
import type { CallResult } from './admin/contract';
import { curationContracts } from './admin/curation';
import { customerContracts } from './admin/customers';
import { gatewayContracts } from './admin/gateway';
import { governanceContracts } from './admin/governance';
import { keyContracts } from './admin/keys';
import { oauthClientContracts } from './admin/oauth-clients';
import { oauthConnectContracts } from './admin/oauth-connect';
import { portabilityContracts } from './admin/portability';
import { toolPinningContracts } from './admin/tool-pinning';
import { webhookContracts } from './admin/webhooks';

export type { CallResult, ToolAnnotations, ToolContract } from './admin/contract';

/** Every admin tool's contract, in the order they are listed. */
export const adminContracts = [
  ...connectorContracts,
  ...catalogContracts,
  ...actionContracts,
  ...authContracts,
  ...connectionContracts,
  ...oauthConnectContracts,
  ...customerContracts,
  ...keyContracts,
  ...oauthClientContracts,
  ...webhookContracts,
  ...gatewayContracts,
  ...governanceContracts,
  ...approvalContracts,
  ...toolPinningContracts,
  ...curationContracts,
  ...clientConfigContracts,
  ...portabilityContracts,
] as const;

type AnyContract = (typeof adminContracts)[number];
/** The name of every admin operation. */
export type ToolName = AnyContract['name'];
type ContractNamed<N extends ToolName> = Extract<AnyContract, { name: N }>;
/** What a caller passes to a tool (before defaults are applied). */
export type ToolInput<N extends ToolName> = z.input<ContractNamed<N>['input']>;
/** What a tool returns. */
export type ToolOutput<N extends ToolName> = z.output<ContractNamed<N>['output']>;

/** The registry as every caller sees it — in process, over /api, IPC or the CLI: typed end to end. */
export interface RegistryClient {
  call<N extends ToolName>(
    name: N,
    input: ToolInput<N>,
    options?: CallOptions,
  ): Promise<CallResult<ToolOutput<N>>>;
}

/** Per-call options a client may honour (over IPC they are ignored). */
export interface CallOptions {
  /** The web UI: the server reports this call's progress on /api/events under this id. */
  progressId?: string;
}

/** The names of every tool, for checking a name that arrives untyped (IPC, a URL). */
export const TOOL_NAMES: ReadonlySet<string> = new Set(adminContracts.map((c) => c.name));

/** Narrows an untyped name to a tool name. */
export function isToolName(name: unknown): name is ToolName {
  return typeof name === 'string' && TOOL_NAMES.has(name);
}

// ---------------------------------------------------------------------------------------------
// The registry over HTTP, for the web UI served by `portico serve` (and any script with an admin
// key): POST /api/tools/NAME with the input as JSON; the server answers a CallResult. Everything
// that is not one — a network failure, a page that is not JSON, a 401 — becomes `{ok: false, error}`
// with a message a person can act on; an answer is checked against the tool's output schema.

export interface HttpRegistryOptions {
  /** Where Portico serves, e.g. "http://127.0.0.1:7430"; default: the page's own origin. */
  baseUrl?: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Sent with every call, e.g. `{ authorization: 'Bearer ptc_…' }`; a function is asked each call (a CSRF token). */
  headers?: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);
  /** How long one call may take before it fails (default 10 minutes: imports can be slow). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

const outputs: ReadonlyMap<string, (typeof adminContracts)[number]['output']> = new Map(
  adminContracts.map((c) => [c.name, c.output]),
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` is what the tool declares it returns. */
function isOutputOf<N extends ToolName>(name: N, value: unknown): value is ToolOutput<N> {
  return outputs.get(name)?.safeParse(value).success === true;
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'it did not answer in time';
  // Node's fetch says "fetch failed" and keeps the reason (ECONNREFUSED…) in `cause`.
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** The message of an error body: ours (`{ok: false, error}`) or JSON-RPC's (`{error: {message}}`). */
function errorMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (typeof body.error === 'string') return body.error;
  if (isRecord(body.error) && typeof body.error.message === 'string') return body.error.message;
  return undefined;
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/** A RegistryClient that calls Portico's /api over HTTP. */
export function httpRegistryClient(options: HttpRegistryOptions = {}): RegistryClient {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const send: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call<N extends ToolName>(
    name: N,
    input: unknown,
    callOptions: CallOptions = {},
  ): Promise<CallResult<ToolOutput<N>>> {
    const url = `${base}/api/tools/${encodeURIComponent(name)}`;
    const where = base || 'this page’s server';
    let status: number;
    let text: string;
    try {
      const response = await send(url, {
        method: 'POST',
        headers: {
          ...(typeof options.headers === 'function' ? options.headers() : options.headers),
          ...(callOptions.progressId ? { 'x-progress-id': callOptions.progressId } : {}),
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(input ?? {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return { ok: false, error: `Could not reach Portico at ${where} to call ${name}: ${reason(error)}.` };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const shown = text.trim() ? `: ${excerpt(text)}` : ' (an empty body)';
      return {
        ok: false,
        error: `Portico at ${where} answered ${name} with HTTP ${status} and a body that is not JSON${shown}. Is that address a Portico server?`,
      };
    }
    if (isRecord(body) && body.ok === true && 'value' in body) {
      if (isOutputOf(name, body.value)) return { ok: true, value: body.value };
      return {
        ok: false,
        error: `${name} answered with a result that does not match its output schema; is the page older than the server? Reload it.`,
      };
    }
    const message = errorMessage(body);
    if (isRecord(body) && body.ok === false && message !== undefined) return { ok: false, error: message };
    if (status === 401 || status === 403)
      return {
        ok: false,
        error: `Not allowed to call ${name} (HTTP ${status}): ${message ?? 'no reason given'}`,
      };
    return {
      ok: false,
      error: `Portico at ${where} answered ${name} with HTTP ${status} and JSON that is not a result${message ? `: ${message}` : ''}.`,
    };
  }

  return { call };
}
