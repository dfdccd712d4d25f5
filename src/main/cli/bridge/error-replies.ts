import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Endpoint } from './endpoint';
import { classify, UpstreamFailure } from './upstream-failure';

/**
 * The words the MCP client (and so the user) sees when the bridge cannot relay something: each one
 * says what happened and what to do, since the client shows them verbatim.
 */

export const IN_FLIGHT_LOST =
  'The connection to Portico was lost while this request was in flight (the gateway stopped or restarted). ' +
  'It was not retried because it may already have run; try again.';

export const NO_KEY =
  'PORTICO_API_KEY is not set: put a Portico API key in this MCP server\'s "env" (run `portico clients add claude-desktop --plane admin` to write the entry with a fresh key).';

export const rpcError = (id: RequestId, code: number, message: string): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  error: { code, message },
});

export function notRunningMessage(dataDir: string, endpoint: Endpoint): string {
  const serve = `portico serve --data-dir ${JSON.stringify(dataDir)}`;
  return (
    `Portico is not running: nothing answered at ${endpoint.url.href} (${endpoint.source}). ` +
    `Start Portico — open the Portico app (\`npm start\` in the Portico folder) or run \`${serve}\` — then reconnect this MCP server.`
  );
}

export function failureMessage(dataDir: string, failure: UpstreamFailure, endpoint?: Endpoint): string {
  if (failure.kind === 'unreachable' && endpoint) return notRunningMessage(dataDir, endpoint);
  if (failure.kind === 'dropped') return IN_FLIGHT_LOST;
  if (failure.status === 401) {
    return (
      `Portico rejected the key in PORTICO_API_KEY (${failure.message}) ` +
      'Write a fresh entry with `portico clients add claude-desktop --plane …`, or put a live key in this server\'s "env".'
    );
  }
  return failure.message;
}

/** Why opening a session failed, worded for the client: a broken connection then means the gateway is not there. */
export function connectFailure(dataDir: string, error: unknown, endpoint: Endpoint): UpstreamFailure {
  const failure = classify(error);
  const kind = failure.kind === 'dropped' ? 'unreachable' : failure.kind;
  const message = failureMessage(
    dataDir,
    new UpstreamFailure(kind, failure.message, failure.code, failure.status),
    endpoint,
  );
  return new UpstreamFailure(kind, message, failure.code, failure.status);
}
