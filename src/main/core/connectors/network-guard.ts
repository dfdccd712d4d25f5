/**
 * The rules every upstream request of the connector runtime follows: redirects never carry
 * credentials to another origin nor downgrade https to http, and no response is read past a limit.
 * Used by the HTTP runtime, the MCP Streamable HTTP client (as its `fetch`) and the OAuth token calls.
 */

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Hops followed before a chain of redirects is given up. */
export const MAX_REDIRECTS = 5;
/** One MCP message (a JSON response, or one SSE event) from an HTTP upstream. */
export const MCP_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** A redirect Portico does not follow; the message names the target (origin and path only). */
export class RedirectRefusedError extends Error {}

/** A response that went past its size limit; reading stopped there. */
export class BodyLimitError extends Error {}

/** 16777216 → "16 MB"; 1500 → "1500 bytes". */
export const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MB` : `${bytes} bytes`;

/** A URL as it may appear in messages: no user info, query or fragment (they can hold secrets). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Same scheme, host and port. */
export const sameOrigin = (a: URL, b: URL): boolean => a.origin === b.origin;

/** Where a redirect response points (resolved against the request URL), or null when it is not one. */
export function redirectTarget(
  response: { status: number; headers: { get(name: string): string | null } },
  from: URL,
): URL | null {
  if (!REDIRECT_STATUSES.has(response.status)) return null;
  const location = response.headers.get('location');
  if (!location) return null;
  try {
    return new URL(location, from);
  } catch {
    throw new RedirectRefusedError(
      `${describeUrl(from)} answered HTTP ${response.status} with a Location that is not a URL`,
    );
  }
}

/**
 * Checks one hop of a redirect chain: only http(s), never https → http, never user info in the
 * Location. Says whether the target is of another origin than `from`.
 */
export function checkHop(from: URL, to: URL, status: number): 'same-origin' | 'cross-origin' {
  const hop = `${describeUrl(from)} redirected (HTTP ${status}) to ${describeUrl(to)}`;
  if (to.protocol !== 'http:' && to.protocol !== 'https:')
    throw new RedirectRefusedError(`${hop}: only http and https redirects are followed`);
  if (from.protocol === 'https:' && to.protocol === 'http:')
    throw new RedirectRefusedError(`${hop}: a redirect from https to plain http is refused`);
  if (to.username || to.password)
    throw new RedirectRefusedError(`${hop}: a Location carrying a user name or password is refused`);
  return sameOrigin(from, to) ? 'same-origin' : 'cross-origin';
}

/** The method and body a redirect leaves: 303 (and 301/302 after a POST) turn into a GET without body. */
export function redirectedMethod(status: number, method: string): { method: string; keepsBody: boolean } {
  const upper = method.toUpperCase();
  if (status === 307 || status === 308) return { method: upper, keepsBody: true };
  if (upper === 'GET' || upper === 'HEAD') return { method: upper, keepsBody: false };
  if (status === 303 || upper === 'POST') return { method: 'GET', keepsBody: false };
  return { method: upper, keepsBody: true };
}

/** Reads at most `max` bytes of a body, cancelling the rest (never buffering past the limit). */
export async function readCapped(
  response: Response,
  max: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!response.body) return { bytes: Buffer.alloc(0), truncated: false };
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > max) {
      chunks.push(Buffer.from(value.subarray(0, max - size)));
      await reader.cancel().catch(() => {});
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    size += value.length;
    chunks.push(Buffer.from(value));
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

/** Discards a body we will not read, so its connection is released. */
export const discard = (response: Response): Promise<void> =>
  response.body ? response.body.cancel().catch(() => {}) : Promise.resolve();

type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` for an MCP Streamable HTTP upstream. Redirects are followed only within the origin
 * (with the method kept: 307/308, or a GET), at most MAX_REDIRECTS times; any other redirect fails
 * the request with a message naming its target, so the session's headers never leave the origin.
 * Each JSON response, and each event of an SSE stream, is cut past `maxMessageBytes`: a JSON answer
 * then fails to parse with a BodyLimitError; an SSE answer to a request ends with a JSON-RPC error
 * for that request, so the call fails at once with a clear message.
 */
export function guardedMcpFetch(maxMessageBytes = MCP_MAX_MESSAGE_BYTES): FetchLike {
  return async (input, init = {}) => {
    const response = await fetchWithinOrigin(input, init, {
      keeps: "the connection's headers",
      body: 'message',
    });
    return limitMcpResponse(response, init, maxMessageBytes);
  };
}

/**
 * fetch for a request whose headers or body are secrets: a redirect is followed only within the
 * origin and only when it keeps the method and body (307/308, or a GET), at most MAX_REDIRECTS
 * times; any other fails, naming where it pointed. `keeps` and `body` word the message.
 */
export async function fetchWithinOrigin(
  input: string | URL,
  init: RequestInit,
  words: { keeps: string; body: string },
): Promise<Response> {
  let url = new URL(input);
  const method = (init.method ?? 'GET').toUpperCase();
  for (let hop = 0; ; hop += 1) {
    const response = await fetch(url, { ...init, redirect: 'manual' });
    const target = redirectTarget(response, url);
    if (!target) return response;
    await discard(response);
    if (hop === MAX_REDIRECTS)
      throw new RedirectRefusedError(`${describeUrl(url)} redirected more than ${MAX_REDIRECTS} times`);
    const where = `${describeUrl(url)} redirected (HTTP ${response.status}) to ${describeUrl(target)}`;
    if (checkHop(url, target, response.status) === 'cross-origin')
      throw new RedirectRefusedError(
        `${where}, another origin: not followed, so ${words.keeps} stay with ${url.origin}`,
      );
    if (redirectedMethod(response.status, method).method !== method)
      throw new RedirectRefusedError(
        `${where}, which would turn its ${method} into a GET and drop the ${words.body}: not followed`,
      );
    url = target;
  }
}

/** The id of the JSON-RPC request in a POST body, when there is one. */
function requestId(body: RequestInit['body']): string | number | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const message: unknown = JSON.parse(body);
    if (message === null || typeof message !== 'object' || !('id' in message)) return undefined;
    const { id } = message;
    return typeof id === 'string' || typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

function limitMcpResponse(response: Response, init: RequestInit, max: number): Response {
  const source = response.body;
  if (!source) return response;
  const mime = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  const sse = mime === 'text/event-stream';
  const id = sse ? requestId(init.body) : undefined;
  // Prefixed with the upstream's URL by whoever reports it.
  const reason = `Portico stopped reading ${sse ? 'an event of its stream' : 'its response'}: it went past ${formatBytes(max)} (the limit for one MCP message)`;
  const reader = source.getReader();
  // SSE: bytes since the last blank line (CRLF, LF or CR line ends); otherwise bytes so far.
  let count = 0;
  let lineStart = true;
  let afterCr = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      let cut = -1;
      if (!sse) {
        if (count + value.length > max) cut = max - count;
        count += value.length;
      } else {
        for (let i = 0; i < value.length; i += 1) {
          const byte = value[i];
          if (byte === 0x0a && afterCr) {
            afterCr = false;
            continue;
          }
          if (byte === 0x0a || byte === 0x0d) {
            if (lineStart) count = 0;
            lineStart = true;
            afterCr = byte === 0x0d;
            continue;
          }
          lineStart = false;
          afterCr = false;
          count += 1;
          if (count > max) {
            cut = i;
            break;
          }
        }
      }
      if (cut < 0) return controller.enqueue(value);
      controller.enqueue(value.subarray(0, cut));
      void reader.cancel(new BodyLimitError(reason)).catch(() => {});
      if (id === undefined) return controller.error(new BodyLimitError(reason));
      // End the cut event under a type the client ignores, then answer the request with an error.
      const error = { jsonrpc: '2.0', id, error: { code: -32603, message: reason } };
      controller.enqueue(
        new TextEncoder().encode(
          `\nevent: portico-cut\n\nevent: message\ndata: ${JSON.stringify(error)}\n\n`,
        ),
      );
      controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
