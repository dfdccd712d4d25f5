// The one way the page reaches the admin registry, typed from the shared contracts: the
// preload's IPC client in the desktop app, /api over HTTP (with the session's CSRF token) when
// served by `portico serve`. Features call it through the hooks in ./queries.
import {
  type CallOptions,
  type CallResult,
  httpRegistryClient,
  type RegistryClient,
  type ToolInput,
  type ToolName,
  type ToolOutput,
} from '../../shared/registry';

/** The desktop window: IPC, trusted by frame, no sign-in. */
export const inDesktop: boolean = typeof window !== 'undefined' && window.portico !== undefined;

let csrf: string | undefined;

/** Set once signed in (web UI): every call then carries it as X-CSRF-Token. */
export function setCsrfToken(token: string | undefined): void {
  csrf = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrf ? { 'x-csrf-token': csrf } : {};
}

export const registry: RegistryClient =
  (inDesktop ? window.portico?.registry : undefined) ?? httpRegistryClient({ headers: csrfHeaders });

/** A tool's failure, with the server's message (shown to the user as is). */
export class ToolFailure extends Error {
  constructor(
    readonly tool: ToolName,
    message: string,
  ) {
    super(message);
    this.name = 'ToolFailure';
  }
}

/** Calls a tool; its value, or a ToolFailure carrying the server's message. */
export async function callTool<N extends ToolName>(
  name: N,
  input: ToolInput<N>,
  options?: CallOptions,
): Promise<ToolOutput<N>> {
  const result: CallResult<ToolOutput<N>> = await registry.call(name, input, options);
  if (!result.ok) throw new ToolFailure(name, result.error);
  return result.value;
}

/** Calls `listener` when the workspace changes (the desktop app's IPC); undefined in the browser. */
export function onDesktopChange(listener: () => void): (() => void) | undefined {
  return window.portico?.onChange(listener);
}
