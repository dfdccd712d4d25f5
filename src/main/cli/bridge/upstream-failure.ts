import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';

/**
 * How a send to the gateway failed, sorted by what the bridge may do about it — the whole reconnect
 * policy hangs on this, so it is decided in one place.
 *
 * unreachable: no connection could be made, so nothing was delivered (safe to replay);
 * dropped: the connection broke, maybe after the request arrived (not replayed);
 * session-gone: the gateway no longer knows the session (it restarted; safe to replay);
 * refused: the gateway answered with an HTTP error (bad key, plane off, unknown customer).
 */
export type FailureKind = 'unreachable' | 'dropped' | 'session-gone' | 'refused' | 'other';

export class UpstreamFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly code: number = ErrorCode.ConnectionClosed,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Errors that mean the connection was never made. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Errors that mean an established connection broke. */
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** fetch (undici) wraps the socket error one or two `cause`s deep; its code says which side failed. */
export function networkFailure(error: unknown): 'unreachable' | 'dropped' | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = (error as { cause?: { code?: string; cause?: { code?: string } } }).cause;
  const code = cause?.code ?? cause?.cause?.code;
  if (code && CONNECT_CODES.has(code)) return 'unreachable';
  if (code && DROP_CODES.has(code)) return 'dropped';
  if (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(error.message))
    return 'dropped';
  return undefined;
}

/** The JSON-RPC error a Portico endpoint answered with, out of the SDK's error text. */
function serverError(text: string): { code?: number; message: string } | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(text.slice(start)) as { error?: { code?: number; message?: string } };
    if (typeof body.error?.message === 'string')
      return { code: body.error.code, message: body.error.message };
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

/** Any error from the SDK transport, as an UpstreamFailure carrying Portico's own message where it gave one. */
export function classify(error: unknown): UpstreamFailure {
  if (error instanceof UpstreamFailure) return error;
  if (error instanceof StreamableHTTPError) {
    const parsed = serverError(error.message);
    const status = error.code;
    if (status === 404 && /session not found/i.test(error.message)) {
      return new UpstreamFailure('session-gone', parsed?.message ?? error.message, undefined, status);
    }
    return new UpstreamFailure(
      'refused',
      parsed?.message ?? `Portico answered HTTP ${status}: ${error.message}`,
      parsed?.code ?? ErrorCode.ConnectionClosed,
      status,
    );
  }
  const network = networkFailure(error);
  if (network) return new UpstreamFailure(network, (error as Error).message);
  return new UpstreamFailure('other', (error as Error)?.message ?? String(error));
}
